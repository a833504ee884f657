import { expect } from "chai";
import { HDNodeWallet, Mnemonic, Transaction, Wallet, keccak256, toUtf8Bytes, type TransactionRequest } from "ethers";
import { signFast } from "../../src/sign";
import { encodeIssueBatch } from "../../src/client";

describe("signFast (issueMany's signer for ethers wallets)", () => {
  const wallet = Wallet.createRandom();
  const hd = HDNodeWallet.fromMnemonic(
    Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
  );
  const to = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const batch = (n: number) =>
    encodeIssueBatch(
      Array.from({ length: n }, (_, i) => ({
        billNumber: keccak256(toUtf8Bytes(`n${i}`)),
        patientRef: keccak256(toUtf8Bytes(`p${i}`)),
        contentHash: keccak256(toUtf8Bytes(`c${i}`)),
        amount: BigInt(i + 1),
      })),
    );

  it("gives the same bytes as wallet.signTransaction", async () => {
    const cases: TransactionRequest[] = [];
    for (const data of [
      "0x",
      "0x00",
      "0x7f",
      "0x80",
      "0x" + "ab".repeat(55),
      "0x" + "cd".repeat(56),
      "0x" + "ef".repeat(256),
      batch(1),
      batch(300),
    ]) {
      for (const [nonce, chainId, fee, tip, gas] of [
        [0, 31337n, 0n, 0n, 21_000n],
        [1, 1n, 1n, 0n, 16_777_216n],
        [127, 31337n, 1_875_000_000n, 1_000_000_000n, 15_000_000n],
        [128, 2n ** 40n, 2n ** 70n, 2n ** 64n + 1n, 30_000_000n],
        [65_536, 11155111n, 7n, 7n, 55n],
      ] as const) {
        cases.push({ to, data, nonce, chainId, maxFeePerGas: fee, maxPriorityFeePerGas: tip, gasLimit: gas, type: 2 });
        cases.push({ to, data, nonce, chainId, maxFeePerGas: fee, maxPriorityFeePerGas: tip, gasLimit: gas });
        cases.push({ to, data, nonce, chainId, gasPrice: tip, gasLimit: gas, type: 0 });
      }
    }
    for (const tx of cases) {
      for (const signer of [wallet, hd]) {
        const fast = signFast(signer, tx);
        expect(
          fast,
          JSON.stringify({ ...tx, data: String(tx.data).slice(0, 20) }, (_, v) =>
            typeof v === "bigint" ? String(v) : v,
          ),
        ).to.equal(await signer.signTransaction(tx));
        expect(Transaction.from(fast!).from).to.equal(signer.address);
      }
    }
  });

  it("declines what it does not handle, leaving it to the signer", () => {
    const base: TransactionRequest = {
      to,
      data: "0x",
      nonce: 0,
      chainId: 1n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      gasLimit: 21_000n,
      type: 2,
    };
    expect(signFast(wallet, base)).to.be.a("string");
    for (const other of [
      { ...base, type: 0 },
      { ...base, type: 1 },
      { ...base, maxFeePerGas: undefined },
      { ...base, gasPrice: 1n },
      { ...base, gasPrice: 1n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined, type: undefined },
      { ...base, gasPrice: 1n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined, type: 2 },
      { ...base, value: 1n },
      { ...base, accessList: [] },
      { ...base, nonce: undefined },
      { ...base, to: "registry.eth" },
      { ...base, from: hd.address },
    ]) {
      expect(signFast(wallet, other)).to.equal(null);
    }
    expect(signFast({} as never, base)).to.equal(null);
  });
});
