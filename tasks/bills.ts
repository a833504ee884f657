import fs from "node:fs";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MedicalBill } from "../src/bill";
import type { BillRow } from "../src/bill-row";
import type { BillView, Verdict } from "../src/client";
import {
  parseAddressArg,
  parseAmountArg,
  parseBillRef,
  readJsonObject,
  requireFile,
  requireOutFile,
  type BillRef,
} from "./lib/args";
import { explained, loadMembers, loadSdk, openRegistry, type Members, type Registry, type Sdk } from "./lib/context";
import { CliError, cliAction } from "./lib/errors";
import type { Member } from "./lib/members";
import { formatTime, keyValues, print, warn } from "./lib/output";
import { deliverIssued, deliverySettings, type DeliveredOutput } from "./lib/deliver";
import { saltSecret } from "./lib/salt";
import { withMemberParams } from "./lib/task-params";

/** Exit codes of `bill:verify`: 0 only for a genuine bill. */
export const VERIFY_EXIT_CODES: Readonly<Record<Verdict, number>> = { genuine: 0, tampered: 2, unknown: 3, voided: 4 };

interface CommonArgs {
  as?: string;
  registry?: string;
}

/**
 * Reads a bill file: one row as `bill:import` reads them (a MedicalBill as JSON, its `salt` optional, optionally
 * with the patient's `patientSalt` or `patientRef`).
 */
function readBillFile(sdk: Sdk, file: string): BillRow {
  return parsedFile(sdk, file, sdk.parseBillRow);
}

/** Reads a complete bill document file (version 2: with its `salt`), as the patient received it. */
function readDocumentFile(sdk: Sdk, file: string): MedicalBill {
  return parsedFile(sdk, file, sdk.parseBill);
}

function parsedFile<T>(sdk: Sdk, file: string, parse: (input: unknown) => T): T {
  try {
    return parse(readJsonObject(file));
  } catch (error) {
    if (error instanceof sdk.InvalidBillError) {
      const list = error.issues.map((i) => `${i.path || "(document)"}: ${i.message}`).join("; ");
      throw new CliError(`${file} is not a valid bill: ${list}`);
    }
    throw error;
  }
}

/** The member that issued a document: `--as`/`--issuer` when given (it must match), else the one its hospital names. */
function issuerOf(
  members: Members,
  bill: Pick<MedicalBill, "hospital">,
  named: string | undefined,
  option: string,
): Member {
  const byName = members.byHospitalName(bill.hospital);
  if (named !== undefined) {
    const member = members.find(named);
    if (byName !== undefined && byName.id !== member.id) {
      throw new CliError(`the bill's hospital "${bill.hospital}" is ${byName.id}, not ${option} ${member.id}`);
    }
    return member;
  }
  if (byName === undefined) {
    throw new CliError(
      `the bill's hospital "${bill.hospital}" is not a member of the consortium: pass ${option} <member>`,
    );
  }
  return byName;
}

function describeBill(sdk: Sdk, view: BillView): [string, string][] {
  const { formatYuan } = sdk;
  return [
    ["status", view.status],
    ["amount", `${formatYuan(view.amount)} yuan`],
    ["reimbursed", `${formatYuan(view.reimbursed)} yuan`],
    ["remaining", `${formatYuan(view.remaining)} yuan`],
  ];
}

async function openForBill(
  hre: HardhatRuntimeEnvironment,
  members: Members,
  ref: BillRef,
  registry?: string,
  as?: Member,
): Promise<Registry> {
  return openRegistry(hre, members, { registry, as, uri: ref.uri });
}

/** A bill read for display: the validated reference, the members, the registry and the bill itself. */
interface IssuedBill {
  readonly ref: BillRef;
  readonly members: Members;
  readonly registry: Registry;
  readonly view: BillView;
}

/**
 * Checks `bill`, `--registry` and `--as` (which reading does not need, but must name a member when given), connects to
 * the bill's registry and reads the bill.
 *
 * @throws {@link CliError} for bad arguments or a bill never issued on that registry.
 */
async function readIssuedBill(
  hre: HardhatRuntimeEnvironment,
  sdk: Sdk,
  args: CommonArgs & { bill?: string },
): Promise<IssuedBill> {
  const ref = parseBillRef(args.bill, "bill", sdk.decodeBillUri);
  const registryAddress = parseAddressArg(args.registry, "--registry");
  const members = loadMembers(hre);
  if (args.as !== undefined) members.find(args.as);
  const registry = await openForBill(hre, members, ref, registryAddress);
  const { client } = registry;
  const view = await explained(registry, hre, () => client.getBill(ref.billId));
  if (view === null)
    throw new CliError(`no bill ${ref.billId} on registry ${client.address} (chain ${client.chainId})`);
  return { ref, members, registry, view };
}

// ---------------------------------------------------------------------------------------------------------------

interface IssueArgs extends CommonArgs {
  file?: string;
  qr?: string;
  deliver: boolean;
  service?: string;
  card?: string;
  pickupQr?: string;
}

withMemberParams(
  task("bill:issue", "Issues one bill from a MedicalBill document (JSON); prints its id and URI and draws its QR code")
    .addOptionalParam(
      "file",
      "The bill: a MedicalBill as JSON (amounts in fen; its salt derived from MEDBILL_SALT_SECRET when absent), optionally with the patient's patientSalt or patientRef",
    )
    .addOptionalParam("qr", "Also write the bill's QR code to this PNG file")
    .addFlag(
      "deliver",
      "Also deliver the bill, encrypted, through the delivery service (MEDBILL_SERVICE_URL, token MEDBILL_API_TOKEN)",
    )
    .addOptionalParam("service", "With --deliver: the delivery service's URL (default MEDBILL_SERVICE_URL)")
    .addOptionalParam(
      "card",
      "With --deliver: the patient card's QR payload (medbill-card:...): the bill goes to that card's inbox",
    )
    .addOptionalParam("pickupQr", "With --deliver: the pickup QR PNG to write (default pickup-<code>-<number>.png)"),
  "The hospital issuing (default: the member the document's hospital names)",
).setAction(
  cliAction("bill:issue", async (args: IssueArgs, hre) => {
    const sdk = await loadSdk();
    const file = requireFile(args.file, "--file");
    const qrFile = args.qr === undefined ? undefined : requireOutFile(args.qr, "--qr");
    const registryAddress = parseAddressArg(args.registry, "--registry");
    const row = readBillFile(sdk, file);
    const secret = saltSecret(sdk);
    const delivery = args.deliver ? deliverySettings(sdk, args) : undefined;
    if (!args.deliver && (args.service ?? args.card ?? args.pickupQr) !== undefined)
      throw new CliError("--service, --card and --pickup-qr go with --deliver");
    if (delivery?.card && (row.patientSalt ?? row.patientRef) !== undefined)
      throw new CliError(`--card gives the patientRef: ${file} must not carry patientSalt or patientRef as well`);
    const pickupFile = args.deliver
      ? requireOutFile(args.pickupQr ?? `pickup-${row.bill.billCode}-${row.bill.billNumber}.png`, "--pickup-qr")
      : "";
    const members = loadMembers(hre);
    const as = issuerOf(members, row.bill, args.as, "--as");
    const registry = await openRegistry(hre, members, { registry: registryAddress, as });
    const { client } = registry;
    const issuerAddress = await members.directory.addressOf(as);
    if (row.bill.salt === undefined && secret.dev && !["hardhat", "localhost"].includes(hre.network.name))
      warn("MEDBILL_SALT_SECRET is not set: the bill's salt comes from the development secret");
    // The complete document (its salt given or derived) is what is issued, delivered and returned.
    const salted = sdk.saltBillRow(delivery?.card ? { ...row, patientRef: delivery.card.patientRef } : row, {
      issuer: issuerAddress,
      secret: secret.secret,
    });
    const { bill } = salted;
    const input = sdk.billRowInput(salted, client.domain);
    const billId = sdk.billIdOf(issuerAddress, sdk.billNumberOf(bill));
    const existing = await explained(registry, hre, () => client.getBill(billId));
    if (existing !== null && !(delivery && existing.contentHash === input.contentHash)) {
      throw new CliError(
        `bill ${bill.billCode}-${bill.billNumber} of ${as.id} is already on chain (id ${billId}, ${existing.status}): nothing sent`,
      );
    }
    // A card names the patient by its own patientRef; a rerun of --deliver after a failed upload only delivers.
    const result =
      existing !== null
        ? { billId, uri: client.billUri(billId, input.contentHash), txHash: "(already on chain)", blockNumber: 0 }
        : await explained(registry, hre, () => client.issue(input));
    const delivered: DeliveredOutput | undefined = delivery
      ? await deliverIssued(sdk, delivery, { uri: result.uri, document: bill }, pickupFile)
      : undefined;
    const qr = await sdk.billQr(result.uri);
    if (qrFile !== undefined) fs.writeFileSync(qrFile, qr.png);
    print(
      ...keyValues([
        ["billId", result.billId],
        ["uri", result.uri],
        ["issuer", `${as.name} (${as.id}, ${issuerAddress})`],
        ["amount", `${sdk.formatYuan(bill.total)} yuan`],
        ["salt", `${bill.salt} (${salted.saltDerived ? "derived; " : ""}part of the document the patient receives)`],
        ["patientRef", input.patientRef],
        ["tx", `${result.txHash} (block ${result.blockNumber})`],
        ...(qrFile !== undefined ? [["qr", qrFile] as [string, string]] : []),
        ...(delivered?.pairs ?? []),
      ]),
      "",
      delivered?.terminal ?? qr.terminal,
    );
    return {
      result: {
        billId: result.billId,
        uri: result.uri,
        salt: bill.salt,
        patientRef: input.patientRef,
        document: sdk.billToJson(bill),
        txHash: result.txHash,
        delivery: delivered?.result,
      },
    };
  }),
);

// ---------------------------------------------------------------------------------------------------------------

interface ReimburseArgs extends CommonArgs {
  bill?: string;
  amount?: string;
  claimRef?: string;
}

withMemberParams(
  task("bill:reimburse", "Reimburses (part of) a bill as a payer: at most once per payer, never beyond the amount")
    .addOptionalParam("bill", "The bill: its id (0x...) or its URI (medbill:...)")
    .addOptionalParam("amount", "The amount paid now, in yuan with at most two decimals, e.g. 120.50")
    .addOptionalParam(
      "claimRef",
      "The payer's own claim number (text up to 31 bytes is kept readable, longer is hashed)",
    ),
  "The payer acting: social-security, insurer, ... (required)",
).setAction(
  cliAction("bill:reimburse", async (args: ReimburseArgs, hre) => {
    const sdk = await loadSdk();
    const ref = parseBillRef(args.bill, "--bill", sdk.decodeBillUri);
    const amount = parseAmountArg(sdk, args.amount);
    if (args.claimRef === undefined || args.claimRef.trim() === "")
      throw new CliError("--claim-ref is required: the payer's claim number");
    const claimRef = args.claimRef.trim();
    const registryAddress = parseAddressArg(args.registry, "--registry");
    const members = loadMembers(hre);
    if (args.as === undefined) throw new CliError("--as is required: the payer reimbursing (e.g. social-security)");
    const as = members.find(args.as);
    const registry = await openForBill(hre, members, ref, registryAddress, as);
    const { client } = registry;
    const before = await explained(registry, hre, () => client.getBill(ref.billId));
    if (before === null)
      throw new CliError(`no bill ${ref.billId} on registry ${client.address} (chain ${client.chainId}): nothing sent`);
    if (ref.uri !== undefined && before.contentHash !== ref.uri.contentHash) {
      throw new CliError(
        `the URI's content hash does not match bill ${ref.billId} on chain (tampered URI?): nothing sent`,
      );
    }
    const result = await explained(registry, hre, () => client.reimburse(ref.billId, amount, claimRef));
    const after = await explained(registry, hre, () => client.getBill(ref.billId));
    print(
      `reimbursed ${sdk.formatYuan(amount)} yuan of bill ${ref.billId} as ${as.name} (${as.id})`,
      ...keyValues([
        ...(after === null ? [] : describeBill(sdk, after)),
        ["claim ref", claimRef],
        ["tx", `${result.txHash} (block ${result.blockNumber})`],
      ]),
    );
    return { result: { billId: ref.billId, amount, status: after?.status, txHash: result.txHash } };
  }),
);

// ---------------------------------------------------------------------------------------------------------------

interface ShowArgs extends CommonArgs {
  bill?: string;
}

withMemberParams(
  task(
    "bill:show",
    "Shows a bill: status, amount / reimbursed / remaining in yuan, issuer, and its history",
  ).addOptionalPositionalParam("bill", "The bill: its id (0x...) or its URI (medbill:...)"),
  "Unused (reading needs no member); accepted for symmetry",
).setAction(
  cliAction("bill:show", async (args: ShowArgs, hre) => {
    const sdk = await loadSdk();
    const { ref, members, registry, view } = await readIssuedBill(hre, sdk, args);
    const { client } = registry;
    const history = await explained(registry, hre, () => client.history(ref.billId));
    const label = (address: string) => members.directory.label(address);
    // A 32-byte reference packed as text (claim refs, reasons) reads back as text when it is printable.
    const refText = (value: string): string => sdk.bytes32Text(value) ?? value;
    const lines: string[] = [];
    for (const entry of history) {
      const when = formatTime(entry.blockTime);
      if (entry.kind === "issued") {
        lines.push(
          `${when}  issued      ${sdk.formatYuan(entry.amount)} yuan by ${await label(entry.issuer)}  (block ${entry.blockNumber})`,
        );
      } else if (entry.kind === "reimbursed") {
        lines.push(
          `${when}  reimbursed  ${sdk.formatYuan(entry.amount)} yuan by ${await label(entry.claimer)}, claim ${refText(entry.claimRef)}, total ${sdk.formatYuan(entry.totalReimbursed)} yuan  (block ${entry.blockNumber})`,
        );
      } else {
        const replacement = /^0x0{64}$/.test(entry.replacementId) ? "" : `, replaced by ${entry.replacementId}`;
        lines.push(
          `${when}  voided      by ${await label(entry.issuer)}, reason ${refText(entry.reason)}${replacement}  (block ${entry.blockNumber})`,
        );
      }
    }
    print(
      ...keyValues([
        ["bill", view.billId],
        ...describeBill(sdk, view),
        ["issuer", await label(view.issuer)],
        ["content hash", view.contentHash],
        ["uri", client.billUri(view.billId, view.contentHash)],
      ]),
      "",
      "history:",
      ...lines.map((line) => `  ${line}`),
    );
    return { result: { ...view, history } };
  }),
);

// ---------------------------------------------------------------------------------------------------------------

interface VerifyArgs extends CommonArgs {
  file?: string;
  uri?: string;
  issuer?: string;
}

withMemberParams(
  task(
    "bill:verify",
    "Verifies a bill document or URI: genuine / tampered / unknown / voided (exit code 0 only if genuine)",
  )
    .addOptionalParam("file", "The bill document (MedicalBill JSON) to check against the registry")
    .addOptionalParam("uri", "The bill's URI (medbill:...), e.g. scanned from its QR code")
    .addOptionalParam(
      "issuer",
      "With --file: the issuing hospital, when the document's hospital name is not a member's",
    ),
  "Unused (reading needs no member); accepted for symmetry",
).setAction(
  cliAction("bill:verify", async (args: VerifyArgs, hre) => {
    const sdk = await loadSdk();
    if (args.file === undefined && args.uri === undefined)
      throw new CliError("give --file <bill.json> or --uri <medbill:...> (or both)");
    const ref = args.uri === undefined ? undefined : parseBillRef(args.uri, "--uri", sdk.decodeBillUri);
    if (ref !== undefined && ref.uri === undefined)
      throw new CliError("--uri must be a bill URI (medbill:...), not a bare bill id");
    const file = args.file === undefined ? undefined : requireFile(args.file, "--file");
    const document = file === undefined ? undefined : readDocumentFile(sdk, file);
    const registryAddress = parseAddressArg(args.registry, "--registry");
    const members = loadMembers(hre);
    if (args.as !== undefined) members.find(args.as);
    const issuer =
      document !== undefined && ref === undefined ? issuerOf(members, document, args.issuer, "--issuer") : undefined;
    const registry = await openRegistry(hre, members, { registry: registryAddress, uri: ref?.uri });
    const { client } = registry;
    const verification = await explained(registry, hre, async () => {
      if (ref?.uri !== undefined) return client.verify(ref.uri.text, document);
      return client.verify(document as MedicalBill, await members.directory.addressOf(issuer as Member));
    });
    const explanation: Record<Verdict, string> = {
      genuine: "the bill is on chain, not voided, and its document hash matches",
      tampered: "the bill is on chain but its document (or the URI's hash) does not match what its issuer recorded",
      unknown: "no such bill was ever issued on this registry",
      voided: "the bill was voided by its issuer",
    };
    print(
      `${verification.verdict.toUpperCase()}: ${explanation[verification.verdict]}`,
      ...keyValues([
        ["bill", verification.billId],
        ...(verification.bill === null
          ? []
          : [
              ...describeBill(sdk, verification.bill),
              ["issuer", await members.directory.label(verification.bill.issuer)] as [string, string],
            ]),
        ["hash checked", verification.contentHash],
        ...(verification.bill === null ? [] : [["hash on chain", verification.bill.contentHash] as [string, string]]),
      ]),
    );
    return { result: verification, exitCode: VERIFY_EXIT_CODES[verification.verdict] };
  }),
);

// ---------------------------------------------------------------------------------------------------------------

interface QrArgs extends CommonArgs {
  bill?: string;
  out?: string;
}

withMemberParams(
  task("bill:qr", "Writes a bill's QR code (its URI, no personal data) to a PNG file and draws it in the terminal")
    .addOptionalPositionalParam("bill", "The bill: its id (0x...) or its URI (medbill:...)")
    .addOptionalParam("out", "The PNG file to write"),
  "Unused (reading needs no member); accepted for symmetry",
).setAction(
  cliAction("bill:qr", async (args: QrArgs, hre) => {
    const sdk = await loadSdk();
    const out = requireOutFile(args.out, "--out");
    const { registry, view } = await readIssuedBill(hre, sdk, args);
    const { client } = registry;
    const uri = client.billUri(view.billId, view.contentHash);
    const qr = await sdk.billQr(uri);
    fs.writeFileSync(out, qr.png);
    print(
      ...keyValues([
        ["uri", uri],
        ["png", out],
      ]),
      "",
      qr.terminal,
    );
    return { result: { uri, out } };
  }),
);
