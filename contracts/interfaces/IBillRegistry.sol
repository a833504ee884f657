// SPDX-License-Identifier: MIT
pragma solidity ^0.8.29;

/**
 * @title IBillRegistry
 * @notice The surface of the MedBill consortium ledger for medical e-bills. Hospitals (issuers) issue bills,
 * social-security funds and insurers (claimers) reimburse them, and anyone can verify a bill. A bill can never be
 * reimbursed beyond its amount, and each claimer reimburses a bill at most once.
 * @dev Names are fixed by docs/DESIGN.md: tooling outside the team drives them.
 */
interface IBillRegistry {
    /// @notice Where a bill is in its lifecycle. `None` means the bill was never issued.
    enum BillStatus {
        None,
        Issued,
        PartiallyReimbursed,
        Reimbursed,
        Voided
    }

    /**
     * @notice What a hospital submits to issue one bill.
     * @param billNumber The hospital's own bill number (packed or hashed into 32 bytes); never zero.
     * @param patientRef Salted commitment to the patient: `keccak256(abi.encode(salt, patientIdDigest))`; never zero.
     * @param contentHash EIP-712 hash of the off-chain `MedicalBill` document; never zero.
     * @param amount The bill's total in minor units (fen); between 1 and `MAX_AMOUNT`.
     */
    struct BillInput {
        bytes32 billNumber;
        bytes32 patientRef;
        bytes32 contentHash;
        uint256 amount;
    }

    /**
     * @notice One item of `reimburseBatch`: what a payer pays on one bill, as `reimburse` takes it.
     * @param billId The bill to reimburse.
     * @param amount The amount paid now, in minor units (fen); never zero, never above what is left on the bill.
     * @param claimRef The payer's own claim number (hashed or packed); never zero.
     */
    struct Reimbursement {
        bytes32 billId;
        uint256 amount;
        bytes32 claimRef;
    }

    /**
     * @notice A bill as stored on chain: two storage slots, the first packing issuer, status and both amounts.
     * @dev The issue time is not stored (it would need a third slot); it is the block time of `BillIssued`.
     * @param issuer The hospital that issued the bill.
     * @param status The bill's lifecycle status.
     * @param amount The bill's total in minor units (fen), at most `MAX_AMOUNT`.
     * @param reimbursed The sum reimbursed so far by all claimers, in minor units; never above `amount`.
     * @param contentHash EIP-712 hash of the off-chain bill document.
     */
    struct Bill {
        address issuer;
        BillStatus status;
        uint40 amount;
        uint40 reimbursed;
        bytes32 contentHash;
    }

    /**
     * @notice Emitted when a hospital issues a bill.
     * @param billId `keccak256(abi.encode(issuer, billNumber))`.
     * @param issuer The issuing hospital.
     * @param patientRef The patient's salted commitment; a patient who knows their salt finds all their bills by it.
     * @param billNumber The hospital's bill number.
     * @param amount The bill's total in minor units.
     * @param contentHash EIP-712 hash of the bill document.
     */
    event BillIssued(
        bytes32 indexed billId,
        address indexed issuer,
        bytes32 indexed patientRef,
        bytes32 billNumber,
        uint256 amount,
        bytes32 contentHash
    );

    /**
     * @notice Emitted when a claimer reimburses (part of) a bill.
     * @param billId The bill reimbursed.
     * @param claimer The paying social-security fund or insurer.
     * @param claimRef The payer's own claim number, so its books can be matched.
     * @param amount What this claimer paid, in minor units.
     * @param totalReimbursed The bill's total reimbursed after this payment, in minor units.
     */
    event BillReimbursed(
        bytes32 indexed billId,
        address indexed claimer,
        bytes32 indexed claimRef,
        uint256 amount,
        uint256 totalReimbursed
    );

    /**
     * @notice Emitted when an issuer voids one of its bills.
     * @param billId The bill voided.
     * @param issuer The issuing hospital.
     * @param reason The hospital's reason code.
     * @param replacementId The bill that replaces it, or zero.
     */
    event BillVoided(bytes32 indexed billId, address indexed issuer, bytes32 reason, bytes32 indexed replacementId);

    /// @notice A bill with this id was already issued.
    error BillAlreadyIssued(bytes32 billId);
    /// @notice No bill with this id was ever issued.
    error BillNotFound(bytes32 billId);
    /// @notice The amount asked for is more than what is left to reimburse on the bill.
    error ReimbursementExceedsBalance(bytes32 billId, uint256 requested, uint256 remaining);
    /// @notice This claimer already reimbursed this bill.
    error AlreadyReimbursedBy(bytes32 billId, address claimer);
    /// @notice The bill is fully reimbursed or voided, so it cannot be reimbursed.
    error BillNotReimbursable(bytes32 billId, BillStatus status);
    /// @notice The bill has been reimbursed (in part or in full) or is already voided, so it cannot be voided.
    error BillNotVoidable(bytes32 billId, BillStatus status);
    /// @notice The caller is not the issuer of the bill.
    error NotBillIssuer(bytes32 billId, address caller);
    /// @notice The replacement is not a live (issued, not voided) bill of the same issuer, or is the voided bill itself.
    error InvalidReplacement(bytes32 billId, bytes32 replacementId);
    /// @notice An amount of zero was given.
    error ZeroAmount();
    /// @notice The amount is above `MAX_AMOUNT`.
    error AmountTooLarge(uint256 amount, uint256 maxAmount);
    /// @notice The bill number is zero.
    error ZeroBillNumber();
    /// @notice The patient commitment is zero.
    error ZeroPatientRef();
    /// @notice The content hash is zero.
    error ZeroContentHash();
    /// @notice The claim reference is zero.
    error ZeroClaimRef();
    /// @notice The void reason is zero.
    error ZeroReason();
    /// @notice The batch has no items.
    error EmptyBatch();
    /// @notice The batch has more than `MAX_BATCH_SIZE` items.
    error BatchTooLarge(uint256 size, uint256 maxSize);
    /**
     * @notice Item `index` of a batch (`issueBatch` or `reimburseBatch`) is invalid; the whole batch was reverted.
     * @param index Position of the offending item in the batch.
     * @param billId The id of the offending item's bill (for `issueBatch`, the id it would have had).
     * @param reason Selector of the error the item would have raised on its own (e.g. `BillAlreadyIssued.selector`,
     * `AlreadyReimbursedBy.selector`).
     */
    error BatchItemInvalid(uint256 index, bytes32 billId, bytes4 reason);

    /**
     * @notice Issues one bill for the calling hospital.
     * @param bill The bill to issue.
     * @return billId `keccak256(abi.encode(msg.sender, bill.billNumber))`.
     */
    function issue(BillInput calldata bill) external returns (bytes32 billId);

    /**
     * @notice Issues up to `MAX_BATCH_SIZE` bills atomically: one invalid or duplicate bill reverts the whole batch
     * with `BatchItemInvalid` naming its index.
     * @param bills The bills to issue.
     * @return billIds The ids of the bills, in input order.
     */
    function issueBatch(BillInput[] calldata bills) external returns (bytes32[] memory billIds);

    /**
     * @notice Reimburses `amount` of a bill, at most once per claimer and never beyond the bill's amount.
     * @param billId The bill to reimburse.
     * @param amount The amount paid now, in minor units.
     * @param claimRef The payer's own claim number (hashed or packed).
     */
    function reimburse(bytes32 billId, uint256 amount, bytes32 claimRef) external;

    /**
     * @notice Reimburses up to `MAX_BATCH_SIZE` bills atomically, each item with exactly the rules of `reimburse`
     * (one `BillReimbursed` per item, in order). The first item that `reimburse` would refuse reverts the whole
     * batch with `BatchItemInvalid(index, billId, reason)`; the same bill twice in one batch is refused at its
     * second index (`AlreadyReimbursedBy`). An empty batch reverts with `EmptyBatch`.
     * @param items The reimbursements, applied in order.
     */
    function reimburseBatch(Reimbursement[] calldata items) external;

    /**
     * @notice Voids one of the caller's bills that has no reimbursement yet.
     * @param billId The bill to void.
     * @param reason The reason code.
     * @param replacementId Zero, or a live bill of the same issuer that replaces this one.
     */
    function voidBill(bytes32 billId, bytes32 reason, bytes32 replacementId) external;

    /**
     * @notice Returns a bill; an unknown id returns an empty bill whose status is `None`.
     * @param billId The bill's id.
     * @return bill The stored bill.
     */
    function getBill(bytes32 billId) external view returns (Bill memory bill);

    /**
     * @notice Returns how much `claimer` reimbursed on a bill (zero if it did not).
     * @param billId The bill's id.
     * @param claimer The payer.
     * @return amount The amount in minor units.
     */
    function reimbursedBy(bytes32 billId, address claimer) external view returns (uint256 amount);

    /**
     * @notice Tells whether a bill is genuine: issued, not voided, and its content hash equals `contentHash`.
     * @param billId The bill's id.
     * @param contentHash The EIP-712 hash recomputed from the bill document.
     * @return genuine True only for a live bill whose hash matches.
     */
    function verify(bytes32 billId, bytes32 contentHash) external view returns (bool genuine);

    /**
     * @notice Computes a bill's id.
     * @param issuer The issuing hospital.
     * @param billNumber The hospital's bill number.
     * @return billId `keccak256(abi.encode(issuer, billNumber))`.
     */
    function billIdOf(address issuer, bytes32 billNumber) external pure returns (bytes32 billId);
}
