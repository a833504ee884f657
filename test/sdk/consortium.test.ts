/**
 * The consortium file (docs/DESIGN.md, "Consortium file"): members by address or development accountIndex, the one
 * member lookup rule, the chain check, and keys from the environment matched to members.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet, encryptKeystoreJsonSync } from "ethers";
import {
  ConsortiumError,
  checkConsortiumChain,
  findMember,
  lookupMember,
  memberAt,
  parseConsortium,
  type Consortium,
} from "../../src/consortium";
import { DEV_MNEMONIC, bindConsortium, devAccount, keysFromEnv, readConsortiumFile, type EnvKey } from "../../src/node";

const ROOT = path.resolve(__dirname, "..", "..");

const hospital = new Wallet("0x" + "11".repeat(32));
const fund = new Wallet("0x" + "22".repeat(32));
const stranger = new Wallet("0x" + "33".repeat(32));

/** A consortium of two members by address, for chain 4242. */
function byAddress(): Consortium {
  return parseConsortium(
    {
      chainId: 4242,
      members: [
        {
          id: "hz-hospital",
          name: "Hangzhou First People's Hospital",
          nameZh: "杭州市第一人民医院",
          kind: "hospital",
          role: "issuer",
          address: hospital.address.toLowerCase(),
        },
        {
          id: "social-security",
          name: "Social Security Fund",
          kind: "social-security",
          role: "claimer",
          address: fund.address,
        },
      ],
    },
    "test.json",
  );
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

function keyOf(wallet: Wallet, from = "test"): EnvKey {
  return { privateKey: wallet.privateKey, address: wallet.address, from };
}

describe("consortium file", function () {
  describe("parseConsortium", function () {
    it("reads members by address (checksummed) and the chain id", function () {
      const consortium = byAddress();
      expect(consortium.chainId).to.equal(4242n);
      expect(consortium.members[0].address).to.equal(hospital.address);
      expect(consortium.members[0].accountIndex).to.equal(undefined);
    });

    it("refuses a malformed file naming the member and the field", function () {
      const member = { id: "a", name: "A", kind: "hospital", role: "issuer", address: hospital.address };
      const cases: [unknown, RegExp][] = [
        [[], /expected a JSON object/],
        [{ members: [] }, /"members" must be a non-empty array/],
        [{ members: [{ ...member, role: "owner" }] }, /members\[0\]\.role must be one of admin, issuer, claimer, none/],
        [{ members: [{ ...member, name: "" }] }, /members\[0\]\.name must be a non-empty string/],
        [{ members: [{ ...member, id: "Bad Id" }] }, /members\[0\]\.id "Bad Id" must be lower-case/],
        [{ members: [{ ...member, address: "0x12" }] }, /members\[0\]\.address "0x12" is not an address/],
        [{ members: [{ ...member, address: undefined }] }, /members\[0\] \("a"\) needs an "address"/],
        [{ members: [{ ...member, accountIndex: -1 }] }, /accountIndex must be a development account index/],
        [{ members: [{ ...member, account: 1 }] }, /members\[0\]\.account is no longer read: name it "accountIndex"/],
        [{ members: [member, { ...member, address: fund.address }] }, /members\[1\]\.id "a" is already used/],
        [{ members: [member, { ...member, id: "b" }] }, /members "a" and "b" share the address/],
        [{ chainId: "1", members: [member] }, /"chainId" must be a positive whole number/],
        [{ members: [{ ...member, areaCode: "33" }] }, /areaCode must be 6 digits/],
      ];
      for (const [doc, message] of cases) {
        const error = thrown(() => parseConsortium(doc, "bad.json"));
        expect(error, JSON.stringify(doc)).to.be.instanceOf(ConsortiumError);
        expect(error.message).to.match(/^bad\.json/);
        expect(error.message).to.match(message);
      }
    });

    it("reads consortium/local.json and consortium/example-production.json (addresses only)", function () {
      const local = readConsortiumFile(ROOT, {});
      expect(local.chainId).to.equal(31337n);
      for (const member of local.members) {
        expect(member.address, member.id).to.equal(devAccount(member.accountIndex as number).address);
      }
      const production = readConsortiumFile(ROOT, { MEDBILL_CONSORTIUM: "consortium/example-production.json" });
      expect(production.members.map((m) => m.id)).to.deep.equal(local.members.map((m) => m.id));
      expect(production.members.every((m) => m.address !== undefined && m.accountIndex === undefined)).to.equal(true);
      expect(() => checkConsortiumChain(production, production.chainId as bigint)).to.not.throw();
    });

    it("names a missing file", function () {
      expect(() => readConsortiumFile(ROOT, { MEDBILL_CONSORTIUM: "consortium/nope.json" })).to.throw(
        ConsortiumError,
        /cannot read the consortium file consortium\/nope\.json: file not found/,
      );
    });
  });

  describe("the member lookup rule", function () {
    const local = readConsortiumFile(ROOT, {});
    it("finds a member by id, short id, English or Chinese name, or both names, ignoring case and spacing", function () {
      for (const text of [
        "hz-hospital",
        "HZ",
        "  hangzhou first people's HOSPITAL ",
        "杭州市第一人民医院",
        "杭州市第一人民医院 Hangzhou First People's Hospital",
        "Hangzhou First People's Hospital  杭州市第一人民医院",
      ]) {
        expect(lookupMember(local, text)?.id, text).to.equal("hz-hospital");
      }
    });

    it("never matches a substring, and refuses an unknown or ambiguous name listing the known ids", function () {
      expect(lookupMember(local, "Hangzhou")).to.equal(undefined);
      expect(lookupMember(local, "杭州市第一人民医院 分院")).to.equal(undefined);
      expect(() => findMember(local, "Hangzhou")).to.throw(
        ConsortiumError,
        /^unknown member "Hangzhou" \(known: finance, hz-hospital/,
      );
      const twins = parseConsortium({
        members: [
          { id: "xh-a", name: "A", kind: "hospital", role: "issuer", address: hospital.address },
          { id: "xh-b", name: "B", kind: "hospital", role: "issuer", address: fund.address },
        ],
      });
      expect(() => findMember(twins, "xh")).to.throw(ConsortiumError, /member "xh" is ambiguous: xh-a, xh-b/);
    });

    it("finds the member holding an address, any case", function () {
      expect(memberAt(byAddress(), fund.address.toLowerCase())?.id).to.equal("social-security");
      expect(memberAt(byAddress(), stranger.address)).to.equal(undefined);
    });
  });

  describe("bindConsortium: chain and keys", function () {
    it("refuses a file meant for another chain", function () {
      expect(() => bindConsortium(byAddress(), 31337, { keys: [] })).to.throw(
        ConsortiumError,
        /test\.json is for chain 4242, but the node serves chain 31337/,
      );
    });

    it("refuses development accountIndex members on any chain but a local one", function () {
      const consortium = parseConsortium(
        { members: [{ id: "finance", name: "F", kind: "finance-bureau", role: "admin", accountIndex: 0 }] },
        "dev.json",
      );
      expect(bindConsortium(consortium, 31337, { keys: [] }).addressOf(consortium.members[0])).to.equal(
        devAccount(0).address,
      );
      expect(bindConsortium(consortium, 1337, { keys: [] }).hasKey(consortium.members[0])).to.equal(true);
      expect(() => bindConsortium(consortium, 4242, { keys: [] })).to.throw(
        ConsortiumError,
        /dev\.json: "finance" given by development accountIndex, which only local chains \(31337, 1337\) accept/,
      );
    });

    it("refuses a member whose address is not its development account", function () {
      const consortium = parseConsortium({
        members: [{ id: "a", name: "A", kind: "hospital", role: "issuer", accountIndex: 1, address: hospital.address }],
      });
      expect(() => bindConsortium(consortium, 31337, { keys: [] })).to.throw(
        ConsortiumError,
        /member "a" has address 0x.* but development account #1 is 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/,
      );
    });

    it("matches each key to its member's address; a member without a key cannot sign", async function () {
      const consortium = byAddress();
      const accounts = bindConsortium(consortium, 4242, { keys: [keyOf(hospital)] });
      const [hz, ss] = consortium.members;
      expect(accounts.hasKey(hz)).to.equal(true);
      expect(accounts.wallet(hz).address).to.equal(hospital.address);
      expect(accounts.hasKey(ss)).to.equal(false);
      expect(() => accounts.wallet(ss)).to.throw(
        ConsortiumError,
        /no key for member "social-security" \(0x.*\): give it in MEDBILL_PRIVATE_KEYS, or as an encrypted keystore in MEDBILL_KEYSTORE/,
      );
      expect(accounts.label(fund.address)).to.equal("Social Security Fund (social-security)");
      expect(accounts.label(stranger.address)).to.equal(stranger.address);
    });

    it("refuses a key that matches no member, naming where it came from but never the key", function () {
      const error = thrown(() =>
        bindConsortium(byAddress(), 4242, { keys: [keyOf(hospital), keyOf(stranger, "MEDBILL_PRIVATE_KEYS[1]")] }),
      );
      expect(error).to.be.instanceOf(ConsortiumError);
      expect(error.message).to.match(
        new RegExp(`^MEDBILL_PRIVATE_KEYS\\[1\\] is the key of ${stranger.address}, which is no member of test\\.json`),
      );
      expect(error.message).to.not.contain(stranger.privateKey.slice(2));
    });
  });

  describe("keysFromEnv", function () {
    let dir = "";
    before(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-keys-"));
    });
    after(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads MEDBILL_PRIVATE_KEYS (with or without 0x) and refuses a malformed one by position", function () {
      const keys = keysFromEnv({ MEDBILL_PRIVATE_KEYS: ` ${hospital.privateKey} , ${fund.privateKey.slice(2)}` });
      expect(keys.map((k) => [k.address, k.from])).to.deep.equal([
        [hospital.address, "MEDBILL_PRIVATE_KEYS[0]"],
        [fund.address, "MEDBILL_PRIVATE_KEYS[1]"],
      ]);
      expect(() => keysFromEnv({ MEDBILL_PRIVATE_KEYS: `${hospital.privateKey},0x1234` })).to.throw(
        ConsortiumError,
        /^MEDBILL_PRIVATE_KEYS\[1\] is not a private key/,
      );
      expect(keysFromEnv({})).to.deep.equal([]);
    });

    it("decrypts ethers' JSON keystores with MEDBILL_KEYSTORE_PASSWORD, and says when the password is wrong or missing", function () {
      const file = path.join(dir, "fund.json");
      const json = encryptKeystoreJsonSync({ address: fund.address, privateKey: fund.privateKey }, "s3cret", {
        scrypt: { N: 1 << 10 },
      });
      fs.writeFileSync(file, json);
      const keys = keysFromEnv({ MEDBILL_KEYSTORE: file, MEDBILL_KEYSTORE_PASSWORD: "s3cret" });
      expect(keys).to.have.length(1);
      expect(keys[0].address).to.equal(fund.address);
      expect(keys[0].from).to.equal(`MEDBILL_KEYSTORE ${file}`);
      expect(() => keysFromEnv({ MEDBILL_KEYSTORE: file, MEDBILL_KEYSTORE_PASSWORD: "wrong" })).to.throw(
        ConsortiumError,
        /cannot decrypt it: wrong MEDBILL_KEYSTORE_PASSWORD/,
      );
      expect(() => keysFromEnv({ MEDBILL_KEYSTORE: file })).to.throw(
        ConsortiumError,
        /MEDBILL_KEYSTORE is set but MEDBILL_KEYSTORE_PASSWORD is not/,
      );
    });

    it("keeps the development mnemonic's account 0 where Hardhat and anvil have it", function () {
      expect(DEV_MNEMONIC.split(" ")).to.have.length(12);
      expect(devAccount(0).address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    });
  });
});
