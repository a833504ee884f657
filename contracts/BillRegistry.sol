// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IBillRegistry} from "./interfaces/IBillRegistry.sol";

/**
 * @title BillRegistry
 * @notice The MedBill consortium ledger for medical e-bills. Hospitals holding `ISSUER_ROLE` issue bills; payers
 * holding `CLAIMER_ROLE` reimburse them, each at most once per bill and never beyond the bill's amount; anyone can
 * read and verify a bill. The finance bureau holds `DEFAULT_ADMIN_ROLE`: it admits members, pauses in an emergency
 * and hands admin over in two steps with a delay.
 * @dev No proxy and no upgrade path: a new version is a new deployment. Each bill takes two storage slots.
 */
contract BillRegistry is IBillRegistry, AccessControlDefaultAdminRules, Pausable {
    /// @notice Role of hospitals: may issue bills and void their own.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Role of social-security funds and insurers: may reimburse bills.
    bytes32 public constant CLAIMER_ROLE = keccak256("CLAIMER_ROLE");
    /// @notice Largest bill amount in minor units (2^40 - 1 fen, about 11 billion yuan), bounded by the packed layout.
    uint256 public constant MAX_AMOUNT = type(uint40).max;
    /// @notice Most items in one `issueBatch` or `reimburseBatch`, so a full batch stays well inside 16,777,216 gas
    /// (EIP-7825).
    uint256 public constant MAX_BATCH_SIZE = 300;

    mapping(bytes32 billId => Bill) private _bills;
    mapping(bytes32 billId => mapping(address claimer => uint256 amount)) private _reimbursedBy;

    /**
     * @notice Deploys the registry with `initialAdmin` (the finance bureau) as the only admin.
     * @param initialDelay Seconds a new admin must wait between being proposed and accepting.
     * @param initialAdmin The first holder of `DEFAULT_ADMIN_ROLE`.
     */
    constructor(uint48 initialDelay, address initialAdmin) AccessControlDefaultAdminRules(initialDelay, initialAdmin) {}

    /**
     * @notice Stops every state change (issue, reimburse, void) until `unpause`. Admin only.
     */
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /**
     * @notice Lets state changes resume after `pause`. Admin only.
     */
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IBillRegistry
    function issue(
        BillInput calldata bill
    ) external override whenNotPaused onlyRole(ISSUER_ROLE) returns (bytes32 billId) {
        bytes4 fault;
        (billId, fault) = _issue(bill, msg.sender);
        if (fault != bytes4(0)) _revertFault(fault, billId, bill);
    }

    /// @inheritdoc IBillRegistry
    function issueBatch(
        BillInput[] calldata bills
    ) external override whenNotPaused onlyRole(ISSUER_ROLE) returns (bytes32[] memory billIds) {
        uint256 size = bills.length;
        if (size == 0) revert EmptyBatch();
        if (size > MAX_BATCH_SIZE) revert BatchTooLarge(size, MAX_BATCH_SIZE);
        billIds = new bytes32[](size);
        for (uint256 i = 0; i < size; ++i) {
            (bytes32 billId, bytes4 fault) = _issue(bills[i], msg.sender);
            if (fault != bytes4(0)) revert BatchItemInvalid(i, billId, fault);
            billIds[i] = billId;
        }
    }

    /// @inheritdoc IBillRegistry
    function reimburse(
        bytes32 billId,
        uint256 amount,
        bytes32 claimRef
    ) external override whenNotPaused onlyRole(CLAIMER_ROLE) {
        bytes4 fault = _reimburse(billId, amount, claimRef, msg.sender);
        if (fault != bytes4(0)) _revertReimburseFault(fault, billId, amount);
    }

    /// @inheritdoc IBillRegistry
    function reimburseBatch(Reimbursement[] calldata items) external override whenNotPaused onlyRole(CLAIMER_ROLE) {
        uint256 size = items.length;
        if (size == 0) revert EmptyBatch();
        if (size > MAX_BATCH_SIZE) revert BatchTooLarge(size, MAX_BATCH_SIZE);
        for (uint256 i = 0; i < size; ++i) {
            Reimbursement calldata item = items[i];
            bytes32 billId = item.billId;
            bytes4 fault = _reimburse(billId, item.amount, item.claimRef, msg.sender);
            if (fault != bytes4(0)) revert BatchItemInvalid(i, billId, fault);
        }
    }

    /// @inheritdoc IBillRegistry
    function voidBill(
        bytes32 billId,
        bytes32 reason,
        bytes32 replacementId
    ) external override whenNotPaused onlyRole(ISSUER_ROLE) {
        if (reason == bytes32(0)) revert ZeroReason();
        Bill storage bill = _bills[billId];
        BillStatus status = bill.status;
        if (status == BillStatus.None) revert BillNotFound(billId);
        if (bill.issuer != msg.sender) revert NotBillIssuer(billId, msg.sender);
        if (status != BillStatus.Issued) revert BillNotVoidable(billId, status);
        if (replacementId != bytes32(0)) {
            Bill storage replacement = _bills[replacementId];
            // A bill never issued has no issuer, so the issuer check refuses it too. Nested so that solidity-coverage
            // attributes a branch to each operand.
            if (
                replacementId == billId || (replacement.issuer != msg.sender || replacement.status == BillStatus.Voided)
            ) revert InvalidReplacement(billId, replacementId);
        }

        bill.status = BillStatus.Voided;
        emit BillVoided(billId, msg.sender, reason, replacementId);
    }

    /// @inheritdoc IBillRegistry
    function getBill(bytes32 billId) external view override returns (Bill memory) {
        return _bills[billId];
    }

    /// @inheritdoc IBillRegistry
    function reimbursedBy(bytes32 billId, address claimer) external view override returns (uint256) {
        return _reimbursedBy[billId][claimer];
    }

    /// @inheritdoc IBillRegistry
    function verify(bytes32 billId, bytes32 contentHash) external view override returns (bool) {
        Bill storage bill = _bills[billId];
        BillStatus status = bill.status;
        return
            status != BillStatus.None &&
            status != BillStatus.Voided &&
            contentHash != bytes32(0) &&
            bill.contentHash == contentHash;
    }

    /// @inheritdoc IBillRegistry
    function billIdOf(address issuer, bytes32 billNumber) external pure override returns (bytes32) {
        return _billIdOf(issuer, billNumber);
    }

    /**
     * @notice Tells whether this contract implements `interfaceId` (ERC-165), including `IBillRegistry`.
     * @param interfaceId The ERC-165 interface id.
     * @return True if implemented.
     */
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IBillRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    /**
     * @dev Issues `bill` for `issuer` unless it is invalid, in which case nothing is written and `fault` is the
     * selector of the error that names the problem. Returning the fault (rather than reverting) lets `issueBatch`
     * wrap it with the offending index.
     */
    function _issue(BillInput calldata bill, address issuer) private returns (bytes32 billId, bytes4 fault) {
        bytes32 billNumber = bill.billNumber;
        billId = _billIdOf(issuer, billNumber);
        uint256 amount = bill.amount;
        if (billNumber == bytes32(0)) return (billId, ZeroBillNumber.selector);
        if (bill.patientRef == bytes32(0)) return (billId, ZeroPatientRef.selector);
        if (bill.contentHash == bytes32(0)) return (billId, ZeroContentHash.selector);
        if (amount == 0) return (billId, ZeroAmount.selector);
        if (amount > MAX_AMOUNT) return (billId, AmountTooLarge.selector);
        Bill storage stored = _bills[billId];
        if (stored.status != BillStatus.None) return (billId, BillAlreadyIssued.selector);

        stored.issuer = issuer;
        stored.status = BillStatus.Issued;
        // Safe: amount <= MAX_AMOUNT, which fits in uint40.
        stored.amount = uint40(amount);
        stored.contentHash = bill.contentHash;
        emit BillIssued(billId, issuer, bill.patientRef, billNumber, amount, bill.contentHash);
    }

    /**
     * @dev Reimburses `amount` of `billId` for `claimer` unless a rule forbids it, in which case nothing is written
     * and `fault` is the selector of the error that names the problem (checked in this order: zero amount, zero
     * claim reference, unknown bill, bill not reimbursable, already reimbursed by this claimer, over the balance).
     * A second item for the same bill and claimer in one batch meets the first one's record: `AlreadyReimbursedBy`.
     */
    function _reimburse(
        bytes32 billId,
        uint256 amount,
        bytes32 claimRef,
        address claimer
    ) private returns (bytes4 fault) {
        if (amount == 0) return ZeroAmount.selector;
        if (claimRef == bytes32(0)) return ZeroClaimRef.selector;
        Bill storage bill = _bills[billId];
        BillStatus status = bill.status;
        if (status == BillStatus.None) return BillNotFound.selector;
        if (status != BillStatus.Issued && status != BillStatus.PartiallyReimbursed) {
            return BillNotReimbursable.selector;
        }
        mapping(address claimer => uint256 amount) storage paid = _reimbursedBy[billId];
        if (paid[claimer] != 0) return AlreadyReimbursedBy.selector;
        uint256 total = bill.amount;
        uint256 reimbursed = bill.reimbursed;
        if (amount > total - reimbursed) return ReimbursementExceedsBalance.selector;

        reimbursed += amount;
        // Safe: reimbursed <= total <= MAX_AMOUNT, which fits in uint40.
        bill.reimbursed = uint40(reimbursed);
        bill.status = reimbursed == total ? BillStatus.Reimbursed : BillStatus.PartiallyReimbursed;
        paid[claimer] = amount;
        emit BillReimbursed(billId, claimer, claimRef, amount, reimbursed);
    }

    /// @dev Reverts with the full error that `fault` (a selector returned by `_reimburse`) stands for.
    function _revertReimburseFault(bytes4 fault, bytes32 billId, uint256 amount) private view {
        Bill storage bill = _bills[billId];
        if (fault == ZeroAmount.selector) revert ZeroAmount();
        if (fault == ZeroClaimRef.selector) revert ZeroClaimRef();
        if (fault == BillNotFound.selector) revert BillNotFound(billId);
        if (fault == BillNotReimbursable.selector) revert BillNotReimbursable(billId, bill.status);
        if (fault == AlreadyReimbursedBy.selector) revert AlreadyReimbursedBy(billId, msg.sender);
        revert ReimbursementExceedsBalance(billId, amount, bill.amount - bill.reimbursed);
    }

    /// @dev Reverts with the full error that `fault` (a selector returned by `_issue`) stands for.
    function _revertFault(bytes4 fault, bytes32 billId, BillInput calldata bill) private pure {
        if (fault == BillAlreadyIssued.selector) revert BillAlreadyIssued(billId);
        if (fault == AmountTooLarge.selector) revert AmountTooLarge(bill.amount, MAX_AMOUNT);
        if (fault == ZeroAmount.selector) revert ZeroAmount();
        if (fault == ZeroBillNumber.selector) revert ZeroBillNumber();
        if (fault == ZeroPatientRef.selector) revert ZeroPatientRef();
        revert ZeroContentHash();
    }

    /// @dev `keccak256(abi.encode(issuer, billNumber))`, computed in scratch space.
    function _billIdOf(address issuer, bytes32 billNumber) private pure returns (bytes32 billId) {
        // Deliberate: keccak256 of two words in scratch space, cheaper than abi.encode (no memory allocation).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, issuer)
            mstore(0x20, billNumber)
            billId := keccak256(0x00, 0x40)
        }
    }
}
