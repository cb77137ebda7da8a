// ESLint settings of the addons' JavaScript: Odoo's own rules (those of
// web/tooling/_eslintrc.json in Odoo 19) over ESLint's recommended ones.
// Layout is prettier's business (.prettierrc.cjs), not ESLint's.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
    {ignores: ["node_modules/", "setup/", "**/static/lib/"]},
    js.configs.recommended,
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "module",
            globals: {
                ...globals.browser,
                odoo: "readonly",
                $: "readonly",
                jQuery: "readonly",
                luxon: "readonly",
                owl: "readonly",
            },
        },
        rules: {
            "arrow-body-style": ["error", "as-needed"],
            curly: ["error", "all"],
            "no-dupe-else-if": "error",
            "no-duplicate-imports": "error",
            "no-restricted-globals": ["error", "event", "self"],
            "no-restricted-syntax": ["error", "PrivateIdentifier"],
            "no-unused-vars": [
                "error",
                {
                    vars: "all",
                    args: "none",
                    ignoreRestSiblings: false,
                    caughtErrors: "all",
                },
            ],
            "prefer-const": [
                "error",
                {destructuring: "all", ignoreReadBeforeAssign: true},
            ],
        },
    },
    {
        // Node scripts of the repository itself
        files: ["*.cjs"],
        languageOptions: {sourceType: "commonjs", globals: globals.node},
    },
];
