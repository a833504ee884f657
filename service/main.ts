/**
 * `npm run serve`: the MedBill service (indexer always; intake when `MEDBILL_AS` names a hospital), configured from
 * the environment (see `service/README.md` and docs/DESIGN.md "The MedBill service"). A bad setting or an unreachable
 * database ends it with a one-line `Error: ...` and exit code 1. SIGINT / SIGTERM stop it cleanly; a kill -9 at any
 * moment loses nothing accepted.
 */
import { startService } from "./app";
import { loadConfig } from "./config";
import { createLogger } from "./log";

async function main(): Promise<void> {
  const log = createLogger();
  const service = await startService(loadConfig(), undefined, log);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    service.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error(`while stopping: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  process.stderr.write(`Error: ${((e as Error)?.message ?? String(e)).split("\n")[0]}\n`);
  process.exit(1);
});
