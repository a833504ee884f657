// solidity-coverage settings for `npm run coverage` (contract tests only: test/contracts).
// Benchmark baselines (contracts/bench) and test-only helpers (contracts/test) are compiled but not instrumented:
// only the registry is held to 100 % line and branch coverage (scripts/check-coverage.ts).
module.exports = {
  skipFiles: ["bench/", "test/"],
  istanbulReporter: ["text", "json-summary", "json", "lcov"],
};
