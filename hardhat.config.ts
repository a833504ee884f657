import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

import "./tasks";

/** The compiler every contract is built with, served by the npm package `solc` (no download needed). */
const SOLC_VERSION = "0.8.29";

/** The development mnemonic shared by Hardhat's node, anvil and the `rpc` network unless MEDBILL_MNEMONIC is set. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

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

const rpcAccounts = process.env.MEDBILL_PRIVATE_KEYS
  ? process.env.MEDBILL_PRIVATE_KEYS.split(",").map((key) => key.trim())
  : { mnemonic: process.env.MEDBILL_MNEMONIC ?? DEV_MNEMONIC, count: 10 };

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
      accounts: { mnemonic: DEV_MNEMONIC, count: 10 },
    },
    // Any Ethereum JSON-RPC node (anvil, Besu, geth): URL and keys from the environment.
    rpc: {
      url: process.env.MEDBILL_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: rpcAccounts,
    },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    reportPureAndViewMethods: false,
    excludeContracts: ["contracts/bench/"],
  },
  mocha: { timeout: 300_000 },
  paths: { tests: "test" },
};

export default config;
