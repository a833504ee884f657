// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {EAS} from "@ethereum-attestation-service/eas-contracts/contracts/EAS.sol";
import {ISchemaRegistry} from "@ethereum-attestation-service/eas-contracts/contracts/ISchemaRegistry.sol";

/**
 * @title BenchEAS
 * @author MedBill
 * @notice Benchmark baseline only, never deployed in production: the Ethereum Attestation Service (EAS 1.4.0, npm
 * package eas-contracts of ethereum-attestation-service), compiled from node_modules with this project's compiler
 * settings so `npm run bench` can measure `attest` and `multiAttest` next to MedBill in the same run.
 * @dev Adds nothing to `EAS`: the constructor only forwards the schema registry.
 */
contract BenchEAS is EAS {
    /**
     * @notice Deploys EAS bound to `registry`.
     * @param registry The schema registry (a `BenchSchemaRegistry`).
     */
    constructor(ISchemaRegistry registry) EAS(registry) {}
}
