// ESLint for board's browser code (static/js/). `make lint` runs it (see the Makefile); the
// stylistic rules keep the formatting every module already has, so a diff shows changes, not style.
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import globals from "globals";

export default [
  // Built or third-party files; `make lint` names static/js, this keeps a bare `eslint .` there too.
  { ignores: ["static/bundle/**", "static/vendor/**", ".venv/**", "tmp/**", "build/**", "board/_assets/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    plugins: { "@stylistic": stylistic },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "always"],
      "prefer-const": "error",
      "no-var": "error",
      "@stylistic/indent": ["error", 2, { SwitchCase: 1, ignoredNodes: ["CallExpression > *"] }],
      "@stylistic/semi": ["error", "always"],
      "@stylistic/quotes": ["error", "double", { avoidEscape: true, allowTemplateLiterals: "always" }],
      "@stylistic/comma-dangle": ["error", "always-multiline"],
      "@stylistic/brace-style": ["error", "1tbs", { allowSingleLine: true }],
      "@stylistic/eol-last": "error",
      "@stylistic/no-trailing-spaces": "error",
      "@stylistic/no-multiple-empty-lines": ["error", { max: 1 }],
      "@stylistic/max-len": ["error", { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
      "@stylistic/object-curly-spacing": ["error", "always"],
      "@stylistic/arrow-parens": ["error", "always"],
      "@stylistic/keyword-spacing": "error",
      "@stylistic/space-infix-ops": "error",
      "@stylistic/comma-spacing": "error",
    },
  },
  {
    // The graph page's modules were written with single quotes; they keep them.
    files: ["static/js/graph/**/*.js"],
    rules: { "@stylistic/quotes": ["error", "single", { avoidEscape: true, allowTemplateLiterals: "always" }] },
  },
  {
    files: ["static/js/**/*_worker.js"],
    languageOptions: { sourceType: "script", globals: globals.worker },
  },
  {
    // imports umap-js: esbuild bundles it (and the import) into one classic worker script
    files: ["static/js/projector/umap_worker.js"],
    languageOptions: { sourceType: "module" },
  },
];
