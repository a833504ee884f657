import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the MedBill `BillRegistry`.
 *
 * Parameters (module `MedBill`):
 * - `admin`: the first DEFAULT_ADMIN_ROLE holder (the finance bureau); defaults to the deploying account.
 * - `adminDelay`: seconds between proposing and accepting a new admin; defaults to one day.
 *
 * The deployed address is recorded by Ignition in `ignition/deployments/chain-<chainId>/deployed_addresses.json`
 * under the key `MedBill#BillRegistry`; the SDK and the tasks look it up there.
 */
const MedBillModule = buildModule("MedBill", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 86_400);
  const registry = m.contract("BillRegistry", [adminDelay, admin]);
  return { registry };
});

export default MedBillModule;
