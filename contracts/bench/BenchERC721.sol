// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/**
 * @title BenchERC721
 * @author MedBill
 * @notice Benchmark baseline only, never deployed in production: a minimal OpenZeppelin ERC-721 with an open mint,
 * so `npm run bench` can measure what one token per bill would cost next to MedBill.
 * @dev Anyone may mint (there is no access control, unlike MedBill's roles): the benchmark measures storage and
 * event costs, not permissions. `_mint` (not `_safeMint`) skips the receiver check, the cheapest OpenZeppelin path.
 */
contract BenchERC721 is ERC721 {
    /// @notice A batch mint of zero tokens was requested.
    error BenchZeroQuantity();

    /// @notice Deploys the collection "MedBill bench ERC721" ("MBB721").
    constructor() ERC721("MedBill bench ERC721", "MBB721") {}

    /**
     * @notice Mints token `tokenId` to `to`.
     * @param to The receiver.
     * @param tokenId The new token's id; must not exist yet.
     */
    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    /**
     * @notice Mints `quantity` tokens with consecutive ids from `firstTokenId` to `to`, one `_mint` each.
     * @param to The receiver.
     * @param firstTokenId The first new token id; none of the ids may exist yet.
     * @param quantity How many tokens to mint; at least one.
     */
    function mintBatch(address to, uint256 firstTokenId, uint256 quantity) external {
        if (quantity == 0) revert BenchZeroQuantity();
        for (uint256 i = 0; i < quantity; ++i) {
            _mint(to, firstTokenId + i);
        }
    }
}
