// Prettier settings of the addons' XML, JavaScript and SCSS: the Odoo
// Community Association's (OCA) ones, with Odoo's four-space indentation.
/** @type {import('prettier').Config} */
module.exports = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    tabWidth: 4,
    trailingComma: "es5",
    // whitespace inside XML is kept as written: text nodes of views,
    // templates and mail bodies are shown to users
    xmlWhitespaceSensitivity: "preserve",
    overrides: [{files: ["*.json", "*.yaml", "*.yml"], options: {tabWidth: 2}}],
};
