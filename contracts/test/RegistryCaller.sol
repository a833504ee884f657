// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title RegistryCaller
 * @notice TEST ONLY, never deployed outside the test suite. A contract account that forwards its owner's calls, so
 * tests can drive the registry with a contract (not an externally owned account) as `msg.sender`.
 * @dev The target's revert data is bubbled up unchanged (OpenZeppelin `Address.functionCall`), so tests assert the
 * target's own custom errors. A target revert without data surfaces as `Errors.FailedCall()`.
 */
contract RegistryCaller {
    /// @notice The only account allowed to forward calls through this contract.
    address public immutable OWNER;

    /// @notice `caller` is not the owner of this forwarder.
    error NotOwner(address caller);

    /**
     * @notice Deploys the forwarder, owned by the deployer.
     */
    constructor() {
        OWNER = msg.sender;
    }

    /**
     * @notice Calls `target` with `data` as this contract, bubbling up the target's revert data. Owner only.
     * @param target The contract to call (the registry).
     * @param data The calldata, e.g. an encoded `issue` or `reimburse` call.
     * @return result What the target returned.
     */
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        return Address.functionCall(target, data);
    }
}
