import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

import { DEV_MNEMONIC, keysFromEnv } from "./src/node";
import "./tasks";

/** The compiler every contract is built with, served by the npm package `solc` (no download needed). */
const SOLC_VERSION = "0.8.29";

// Hardhat downloads compilers from the internet; this machine and CI cannot reach it (HH502). Serve the pinned
// version from the npm package `solc` instead, and let any other version fall back to the default behaviour.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion === SOLC_VERSION) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { version(): string };
    return {
      compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
      isSolcJs: true,
      version: args.solcVersion,
      longVersion: solc.version(),
    };
  }
  return runSuper(args);
});

// The keys of `localhost` and `rpc`: the members' keys from the environment (MEDBILL_PRIVATE_KEYS, MEDBILL_KEYSTORE with
// MEDBILL_KEYSTORE_PASSWORD; docs/DESIGN.md "Consortium file"), else the development accounts of a local chain.
const envKeys = keysFromEnv().map((key) => key.privateKey);
const nodeAccounts = envKeys.length > 0 ? envKeys : { mnemonic: DEV_MNEMONIC, count: 10 };

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
    },
  },
  defaultNetwork: "hardhat",
  networks: {
    // In-process consortium network: zero gas price and zero base fee, as in Besu/Quorum consortium networks.
    hardhat: {
      chainId: 31337,
      gasPrice: 0,
      initialBaseFeePerGas: 0,
      accounts: { mnemonic: DEV_MNEMONIC, count: 10 },
    },
    // A `npx hardhat node` on this machine (it runs the `hardhat` network above).
    localhost: {
      url: process.env.MEDBILL_LOCALHOST_URL ?? "http://127.0.0.1:8545",
      chainId: 31337,
      gasPrice: 0,
      accounts: nodeAccounts,
    },
    // Any Ethereum JSON-RPC node (anvil, Besu, geth): URL and keys from the environment.
    rpc: {
      url: process.env.MEDBILL_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: nodeAccounts,
    },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    reportPureAndViewMethods: false,
    excludeContracts: ["contracts/bench/"],
  },
  // `npm test` runs the test files in parallel (`hardhat test --parallel`), three at a time: most of them wait on
  // nodes, services and browsers they started, so three files share two cores well. `hardhat test <file>` and the
  // coverage run (which cannot run in parallel) run serially.
  mocha: { timeout: 300_000, jobs: 3 },
  paths: { tests: "test" },
};

export default config;
