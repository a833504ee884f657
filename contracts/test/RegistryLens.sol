// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {BillRegistry} from "../BillRegistry.sol";
import {IBillRegistry} from "../interfaces/IBillRegistry.sol";

/**
 * @title RegistryLens
 * @notice TEST ONLY, never deployed outside the test suite. Reads a registry's whole observable state for a set of
 * bills, accounts and roles in one call, so property tests can compare it with their model after every step.
 * @dev Only calls the registry's public views; it holds no state of its own.
 */
contract RegistryLens {
    /**
     * @notice Everything the property tests compare with their model.
     * @param bills `getBill(billIds[i])`.
     * @param reimbursed `reimbursedBy(billIds[i], accounts[j])` at index `i * accounts.length + j`.
     * @param roles `hasRole(roles[r], accounts[j])` at index `j * roles.length + r`.
     * @param paused `paused()`.
     * @param defaultAdmin `defaultAdmin()`.
     */
    struct Snapshot {
        IBillRegistry.Bill[] bills;
        uint256[] reimbursed;
        bool[] roles;
        bool paused;
        address defaultAdmin;
    }

    /**
     * @notice Reads the state of `registry` for the given bills, accounts and roles.
     * @param registry The registry to read.
     * @param billIds The bills to read.
     * @param accounts The accounts whose reimbursements and roles to read.
     * @param roles The roles to read for every account.
     * @return snap The state, laid out as documented on {Snapshot}.
     */
    function snapshot(
        BillRegistry registry,
        bytes32[] calldata billIds,
        address[] calldata accounts,
        bytes32[] calldata roles
    ) external view returns (Snapshot memory snap) {
        uint256 billCount = billIds.length;
        uint256 accountCount = accounts.length;
        uint256 roleCount = roles.length;
        snap.bills = new IBillRegistry.Bill[](billCount);
        snap.reimbursed = new uint256[](billCount * accountCount);
        snap.roles = new bool[](accountCount * roleCount);
        for (uint256 i = 0; i < billCount; ++i) {
            snap.bills[i] = registry.getBill(billIds[i]);
            for (uint256 j = 0; j < accountCount; ++j) {
                snap.reimbursed[i * accountCount + j] = registry.reimbursedBy(billIds[i], accounts[j]);
            }
        }
        for (uint256 j = 0; j < accountCount; ++j) {
            for (uint256 r = 0; r < roleCount; ++r) {
                snap.roles[j * roleCount + r] = registry.hasRole(roles[r], accounts[j]);
            }
        }
        snap.paused = registry.paused();
        snap.defaultAdmin = registry.defaultAdmin();
    }
}
