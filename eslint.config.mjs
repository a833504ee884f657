// ESLint flat config: typescript-eslint's recommended rules on every TypeScript source of the project (the SDK, the
// tasks, the scripts, the tests, the Ignition module and the Hardhat config), with `any` forbidden outright.
// Formatting is prettier's job (`npm run format:check`), not ESLint's. Undefined names are left to `tsc --noEmit`
// (typescript-eslint's recommended set turns `no-undef` off for TypeScript files).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    // Generated, installed or built output, and the separately built example app (examples/ has its own build).
    ignores: [
      "node_modules/**",
      "artifacts/**",
      "cache/**",
      "typechain-types/**",
      "dist/**",
      "coverage/**",
      "test-output/**",
      "ignition/deployments/**",
      "web/dist/**",
      "examples/**",
      "**/*.js",
      "**/*.cjs",
      "**/*.mjs",
    ],
  },
  {
    files: [
      "src/**/*.ts",
      "tasks/**/*.ts",
      "scripts/**/*.ts",
      "service/**/*.ts",
      "test/**/*.ts",
      "ignition/**/*.ts",
      "hardhat.config.ts",
      "web/src/**/*.ts",
      "web/vite.config.mts",
    ],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // `_`-prefixed names are deliberately unused (e.g. Hardhat's `(args, _hre, runSuper)` signature).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
);
