// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ERC721A} from "erc721a/contracts/ERC721A.sol";

/**
 * @title BenchERC721A
 * @author MedBill
 * @notice Benchmark baseline only, never deployed in production: a minimal Azuki ERC721A (`erc721a` 4.3) with an open
 * batch mint, so `npm run bench` can measure what batch-minted tokens per bill would cost next to MedBill.
 * @dev Anyone may mint (there is no access control, unlike MedBill's roles). ERC721A writes one ownership slot per
 * batch and emits one `Transfer` per token, the cheapest way to mint many ERC-721 tokens.
 */
contract BenchERC721A is ERC721A {
    /// @notice A mint of zero tokens was requested.
    error BenchZeroQuantity();

    /// @notice Deploys the collection "MedBill bench ERC721A" ("MBB721A").
    constructor() ERC721A("MedBill bench ERC721A", "MBB721A") {}

    /**
     * @notice Mints `quantity` tokens with consecutive ids (from the next unused id) to `to` in one batch.
     * @param to The receiver.
     * @param quantity How many tokens to mint; at least one.
     */
    function mint(address to, uint256 quantity) external {
        if (quantity == 0) revert BenchZeroQuantity();
        _mint(to, quantity);
    }
}
