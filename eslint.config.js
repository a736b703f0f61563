// Type-aware linting. Generated code (gen/, examples' gen/, golden files) is excluded here but still type-checked.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "plugin/dist/**",
      "devkit/dist/**",
      // The API reference TypeDoc writes (`npm run docs:api`), not committed.
      "api-docs/**",
      "gen/**",
      "plugin/gen/**",
      "examples/*/gen/**",
      "test/soak/gen/**",
      "test/evolution/*/gen/**",
      "test/plugin/golden/**",
      "test/typecheck/fixtures/**",
      // Project templates: linted and type-checked in the projects they make (test/e2e/templates.e2e.ts).
      "create/templates/**",
      "create/dist/**",
      ".cache/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's describe/it return promises the runner tracks itself.
        { allowForKnownSafeCalls: [{ from: "package", name: ["describe", "it", "test"], package: "node:test" }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The inspector's page: plain browser JavaScript, served as it is (no build step).
    files: ["devkit/inspector/page/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: "module",
      globals: {
        document: "readonly",
        window: "readonly",
        location: "readonly",
        navigator: "readonly",
        fetch: "readonly",
        EventSource: "readonly",
        console: "readonly",
      },
    },
  },
  {
    // Plain JavaScript the builds run before anything is compiled.
    files: ["test/tools/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly" },
    },
  },
);
