import type { Sdk } from "./context";
import { CliError } from "./errors";

/**
 * The hospital's salt secret, from which the salts of rows that come without one are derived (the SDK's
 * `deriveBillSalt`): MEDBILL_SALT_SECRET, or the development secret (`dev` tells which).
 *
 * @throws {@link CliError} when MEDBILL_SALT_SECRET is set but shorter than the SDK accepts.
 */
export function saltSecret(sdk: Pick<Sdk, "MIN_SALT_SECRET_LENGTH" | "DEV_SALT_SECRET">): {
  secret: string;
  dev: boolean;
} {
  const secret = process.env.MEDBILL_SALT_SECRET;
  if (secret === undefined || secret.length === 0) return { secret: sdk.DEV_SALT_SECRET, dev: true };
  if (secret.length < sdk.MIN_SALT_SECRET_LENGTH) {
    throw new CliError(`MEDBILL_SALT_SECRET must be at least ${sdk.MIN_SALT_SECRET_LENGTH} characters`);
  }
  return { secret, dev: false };
}
