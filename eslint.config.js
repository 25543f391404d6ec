// ESLint flat config: typescript-eslint with type information, for the rules the style guide names
// (STYLE.md §4, §12, §13). Formatting is Prettier's business, not ESLint's.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "artifacts/**", "cache/**", "types/**", "app/dist/**", "coverage/**", "**/*.js", "**/*.mjs", "**/*.cjs"],
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/only-throw-error": "error",
      "no-throw-literal": "off",
      "no-empty": "error",
    },
  },
  {
    // The oracle and its tests; the contract tests' `!` on event logs are left to their owners.
    files: ["oracle/**/*.ts", "test/oracle/**/*.ts", "test/e2e/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "error" },
  },
  {
    // Services log through pino; printing is the point only of the CLI, the demo and its report.
    files: ["oracle/**/*.ts"],
    ignores: ["oracle/cli/**", "oracle/demo/**", "oracle/report/**"],
    rules: { "no-console": "error" },
  },
);
