import type { ConfigurableTaskDefinition } from "hardhat/types";

/** Adds `--as` (the acting member) and `--registry` (address override) to a task. */
export function withMemberParams(task: ConfigurableTaskDefinition, asHelp: string): ConfigurableTaskDefinition {
  return task
    .addOptionalParam("as", asHelp)
    .addOptionalParam(
      "registry",
      "The registry's address (default: Ignition's record in ignition/deployments/chain-<chainId>/, or the bill URI's)",
    );
}
