// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SchemaRegistry} from "@ethereum-attestation-service/eas-contracts/contracts/SchemaRegistry.sol";

/**
 * @title BenchSchemaRegistry
 * @author MedBill
 * @notice Benchmark baseline only, never deployed in production: the EAS schema registry (npm package eas-contracts
 * of ethereum-attestation-service), compiled from node_modules so `npm run bench` can register a schema with the
 * bill's fields and attest against it.
 * @dev Adds nothing to `SchemaRegistry`: the constructor only names the base.
 */
contract BenchSchemaRegistry is SchemaRegistry {
    /// @notice Deploys an empty schema registry.
    constructor() SchemaRegistry() {}
}
