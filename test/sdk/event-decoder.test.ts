/**
 * The SDK's fast event decoder (src/event-decoder.ts) reads the registry's logs word by word from the ABI; it must
 * give exactly what ethers' `decodeEventLog` gives, and leave every log it cannot read that way to ethers.
 */
import { expect } from "chai";
import { AbiCoder, Interface, getAddress, hexlify, randomBytes, zeroPadValue } from "ethers";
import { EventDecoder } from "../../src/event-decoder";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";

const iface = new Interface(BillRegistry__factory.abi);
const word = (): string => hexlify(randomBytes(32));
const addressTopic = (): string => zeroPadValue(hexlify(randomBytes(20)), 32);
const encode = (types: string[], values: unknown[]): string => AbiCoder.defaultAbiCoder().encode(types, values);

/** A log of `name` with random arguments, the way the registry emits it. */
function randomLog(name: "BillIssued" | "BillReimbursed" | "BillVoided"): { topics: string[]; data: string } {
  const topic0 = iface.getEvent(name)!.topicHash;
  const amount = BigInt(hexlify(randomBytes(16)));
  switch (name) {
    case "BillIssued":
      return {
        topics: [topic0, word(), addressTopic(), word()],
        data: encode(["bytes32", "uint256", "bytes32"], [word(), amount, word()]),
      };
    case "BillReimbursed":
      return {
        topics: [topic0, word(), addressTopic(), word()],
        data: encode(["uint256", "uint256"], [amount, amount]),
      };
    case "BillVoided":
      return { topics: [topic0, word(), addressTopic(), word()], data: encode(["bytes32"], [word()]) };
  }
}

describe("SDK: the event decoder", function () {
  const decoder = new EventDecoder(iface);

  for (const name of ["BillIssued", "BillReimbursed", "BillVoided"] as const) {
    it(`${name}: every argument equals ethers' decodeEventLog`, function () {
      for (let i = 0; i < 20; i++) {
        const log = randomLog(name);
        const expected = iface.decodeEventLog(name, log.data, log.topics).toObject();
        const decoded = decoder.decode(log);
        expect(decoded?.name).to.equal(name);
        expect(decoded?.args).to.deep.equal(expected);
      }
    });
  }

  it("addresses come back checksummed, as ethers gives them", function () {
    const log = randomLog("BillIssued");
    const issuer = decoder.decode(log)!.args.issuer as string;
    expect(issuer).to.equal(getAddress("0x" + log.topics[2].slice(26)));
    expect(decoder.decode(log)!.args.issuer).to.equal(issuer); // and again, from its cache
  });

  it("a log of another contract's event is not the registry's (null)", function () {
    expect(decoder.decode({ topics: [word(), word()], data: "0x" })).to.equal(null);
    expect(decoder.decode({ topics: [], data: "0x" })).to.equal(null);
  });

  it("a log without the event's shape is left to ethers, which names what is wrong", function () {
    const log = randomLog("BillReimbursed");
    expect(() => decoder.decode({ ...log, data: log.data.slice(0, 66) })).to.throw(/data out-of-bounds|overflow/i);
    const dirtyAddress = "0x" + "ff".repeat(12) + log.topics[2].slice(26);
    expect(() =>
      decoder.decode({ ...log, topics: [log.topics[0], log.topics[1], dirtyAddress, log.topics[3]] }),
    ).to.throw();
  });

  it("an event with a field that is not one word (a string) is decoded by ethers", function () {
    const withString = new Interface(["event Noted(bytes32 indexed id, string note)"]);
    const fragment = withString.getEvent("Noted")!;
    const log = { topics: [fragment.topicHash, word()], data: encode(["string"], ["杭州 note"]) };
    expect(new EventDecoder(withString).decode(log)?.args.note).to.equal("杭州 note");
  });
});
