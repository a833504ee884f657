import fs from "node:fs";
import path from "node:path";

/** Every file under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/**
 * Searches a service's database files and logs, byte for byte (UTF-8, and UTF-16 for good measure), for each secret.
 *
 * @returns `"<secret> in <where>"` for every hit; empty when none is found.
 */
export function findSecrets(where: { dataDir: string; logs: string }, secrets: readonly string[]): string[] {
  const hits: string[] = [];
  const haystacks: Array<[string, Buffer]> = [
    ["the service's logs", Buffer.from(where.logs, "utf8")],
    ...filesUnder(where.dataDir).map((file): [string, Buffer] => [
      path.relative(where.dataDir, file),
      fs.readFileSync(file),
    ]),
  ];
  for (const secret of secrets) {
    const needles = [Buffer.from(secret, "utf8"), Buffer.from(secret, "utf16le")];
    for (const [name, bytes] of haystacks) {
      if (needles.some((needle) => bytes.includes(needle))) hits.push(`"${secret}" in ${name}`);
    }
  }
  return hits;
}
