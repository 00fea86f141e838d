import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Module boundaries (DESIGN.md, STYLE.md "Shape of a module"). A module's public face is its
// index.ts: code outside a module imports only that; a module never imports another module's
// files, nor the whole database's types (it queries through its own view, <module>.db.ts);
// the platform imports no module. Tests may reach into the module they test, and tests/ and
// bench/ into any (they measure and check internals). Import specifiers are relative, so the
// patterns are regular expressions on them, one set per depth of file inside a module.
const indexOnly = {
  regex: String.raw`(^|/)modules/[^/]+/(?!index\.ts$).`,
  message: "Import a module only through its index.ts, its public face (DESIGN.md: modules call each other's services, never each other's files or tables).",
};
const indexOrTables = {
  regex: String.raw`(^|/)modules/[^/]+/(?!index\.ts$|[^/]+\.tables\.ts$).`,
  message: 'src/db composes the whole database from the modules\' <module>.tables.ts; anything else goes through index.ts.',
};
const noModules = {
  regex: String.raw`(^|/)modules/`,
  message: 'The platform knows no domain: modules register their event types, id prefixes, import types and errors when buildApp wires them.',
};
const noWholeDb = {
  regex: String.raw`^(\.\./)+db/`,
  message: "Query through your own view of the database (<module>.db.ts, or db-views.ts in the platform); the whole database's types are for src/db, app.ts and tests.",
};
const noApp = {
  regex: String.raw`^(\.\./)+((app|server|main)\.ts$|demo/|cli/)`,
  message: 'Modules and the platform do not depend on the app around them (app.ts, server.ts, the CLI, the demo).',
};
/** From a file `depth` folders inside src/modules/<name>/, `../`×depth reaches src/modules/. */
const otherModuleFiles = (depth) => ({
  regex: String.raw`^(\.\./){${depth}}[^./][^/]*/(?!index\.ts$).`,
  message: "Another module is reached only through its index.ts (DESIGN.md: modules call each other's services, never each other's files or tables).",
});
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const moduleFiles = (depth, ext) => `src/modules/*/${'*/'.repeat(depth - 1)}*${ext}`;

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'web/dist', 'coverage', 'bench/.scratch'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a string-literal union instead of an enum.' },
      ],
    },
  },
  // Later entries replace the rule for the files they match, so each lists all its patterns.
  { files: ['src/**/*.ts'], rules: restrict(indexOnly) },
  { files: ['src/db/schema.ts'], rules: restrict(indexOrTables) },
  { files: ['src/platform/**/*.ts'], rules: restrict(noModules, noWholeDb, noApp) },
  { files: ['src/platform/**/*.test.ts'], rules: restrict(noModules, noApp) },
  ...[1, 2, 3].flatMap((depth) => [
    { files: [moduleFiles(depth, '.ts')], rules: restrict(otherModuleFiles(depth), noWholeDb, noApp) },
    // A module's tests may open the whole database (to check what was stored) and the test helpers.
    { files: [moduleFiles(depth, '.test.ts')], rules: restrict(otherModuleFiles(depth), noApp) },
  ]),
  // The console runs in the browser, and React's rules of hooks hold there.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
