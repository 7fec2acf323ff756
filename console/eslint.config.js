import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/api/schema.d.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // A request belongs in the typed client (src/api/client.ts), never fetch() in a page.
      "no-restricted-globals": ["error", { name: "fetch", message: "Use api from src/api/client.ts" }],
    },
  },
  {
    files: ["src/api/client.ts", "src/config.ts", "src/auth/**"],
    rules: { "no-restricted-globals": "off" },
  },
);
