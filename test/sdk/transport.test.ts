/**
 * The SDK over a connection that drops: a proxy in front of a `hardhat node` closes the socket of some requests,
 * some before they reach the node and some after (the node acted, the answer is lost). Reads are retried, a lost
 * transaction is resent or found on chain, and issueMany still issues every bill exactly once.
 */
import { expect } from "chai";
import http from "node:http";
import { HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import { MedBillClient, NodeUnreachableError } from "../../src";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";
import { freePort, startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { DEV_MNEMONIC } from "../../src/node";
import { rejection, sampleBill } from "./fixture";

/**
 * A JSON-RPC proxy that drops the connection of every `every`-th request carrying `method` (at most `limit` of
 * them), alternately before and after forwarding it.
 */
async function flakyProxy(target: string, method: string, every: number, limit = 8) {
  let seen = 0;
  const dropped = { before: 0, after: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      const hit = body.includes(`"${method}"`) && ++seen % every === 0 && dropped.before + dropped.after < limit;
      if (hit && (seen / every) % 2 === 1) {
        dropped.before++;
        req.socket.destroy();
        return;
      }
      const answer = await fetch(target, { method: "POST", body, headers: { "content-type": "application/json" } });
      const text = await answer.text();
      if (hit) {
        dropped.after++;
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, dropped, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Bills per dropped method (each in 10 batches). */
const COUNT = 300;

describe("SDK over a connection that drops", function () {
  this.timeout(180_000);
  let node: LocalNode | undefined;

  after(async () => {
    await node?.stop();
  });

  it("issueMany issues every bill exactly once when sends and reads are lost", async () => {
    node = await startHardhatNode();
    const direct = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    const admin = HDNodeWallet.fromMnemonic(mnemonic, "m/44'/60'/0'/0/0").connect(direct);
    const registry = await new BillRegistry__factory(admin).deploy(0, admin.address);
    await registry.waitForDeployment();
    const address = await registry.getAddress();
    const adminClient = await MedBillClient.connect(address, admin);

    // The three methods at once, each through its own proxy and as its own hospital (its own nonces), so that
    // their retry back-offs overlap instead of adding up.
    const methods = [
      ["eth_sendRawTransaction", 3],
      ["eth_getTransactionReceipt", 3],
      ["eth_call", 5],
    ] as const;
    const hospitalKeys = methods.map((_, k) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${k + 1}`));
    for (const key of hospitalKeys) await adminClient.grantRole("issuer", key.address);
    await Promise.all(
      methods.map(async ([method, every], k) => {
        const proxy = await flakyProxy(node!.url, method, every);
        const provider = new JsonRpcProvider(proxy.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
        try {
          const hospital = await MedBillClient.connect(address, hospitalKeys[k].connect(provider));
          const bills = Array.from({ length: COUNT }, (_, i) => sampleBill(k * 5000 + i));
          // 10 batches: enough requests of each method for drops before and after the node acted.
          const first = await hospital.issueMany(bills, { batchSize: COUNT / 10, inFlight: 4 });
          expect(proxy.dropped.before + proxy.dropped.after, method).to.be.greaterThan(0);
          const rerun = await hospital.issueMany(bills, { batchSize: COUNT / 10, checkAll: true });
          expect(rerun.issued, method).to.equal(0);
          expect(rerun.skipped, method).to.equal(COUNT);
          expect(first.issued, method).to.equal(COUNT);
        } finally {
          provider.destroy();
          await proxy.close();
        }
      }),
    );
    const issued = await registry.queryFilter(registry.filters.BillIssued());
    expect(issued.length).to.equal(3 * COUNT);
    expect(new Set(issued.map((e) => e.args.billId)).size).to.equal(3 * COUNT);
    direct.destroy();
  });

  it("a node that stays down is a NodeUnreachableError", async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const provider = new JsonRpcProvider(down, undefined, { staticNetwork: true });
    expect(
      await rejection(MedBillClient.connect("0x" + "11".repeat(20), provider, { timeoutMs: 3_000 })),
    ).to.be.instanceOf(NodeUnreachableError);
    provider.destroy();
  });
});
