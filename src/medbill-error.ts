/**
 * Base class of every error the SDK throws on purpose: invalid input, a refusal by the registry (a custom error
 * of the contract, decoded), a revert it cannot decode, or a transport failure. Catch it to handle them all.
 */
export class MedBillError extends Error {
  /** A stable machine-readable code, e.g. `"BILL_ALREADY_ISSUED"` or `"NODE_UNREACHABLE"`. */
  readonly code: string;

  /**
   * @param message - Human-readable description.
   * @param code - Stable machine-readable code.
   * @param options - `cause`: the underlying error.
   */
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
