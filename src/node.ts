/**
 * Node-only helpers of the MedBill SDK (they read the disk and the environment), imported as `medbill/node`: the
 * consortium file and the members' keys, and Ignition's deployment record. The main entry `medbill` stays free of
 * Node built-ins so it bundles for browsers.
 */
export {
  IGNITION_KEY,
  ignitionAddressesFile,
  ignitionDeploymentId,
  ignitionResolver,
  readIgnitionAddress,
  readIgnitionAddressSync,
} from "./ignition-record";
export {
  DEFAULT_CONSORTIUM_FILE,
  DEV_MNEMONIC,
  bindConsortium,
  consortiumFilePath,
  devAccount,
  keysFromEnv,
  readConsortiumFile,
} from "./consortium-accounts";
export type { BindOptions, ConsortiumAccounts, EnvKey } from "./consortium-accounts";
