import { configDefaults, defineConfig } from 'vitest/config';

/**
 * What the PostgreSQL pass (TEST_DATABASE_URL) leaves to the PGlite pass, because there it would
 * only run again exactly as it ran there, and CI runs both passes one after the other:
 * - the pages in Chromium. They reach the database only through the API, whose every route the
 *   API tests run on both databases; PATRON_TEST_PAGES=1 runs them on PostgreSQL too;
 * - the commands that open an embedded data directory or no database whatever the pass (the
 *   README's `npm start`, `patron lottery verify` against such a server, `patron clv fit` on a file).
 */
export const pgliteOnlyOnPostgresPass = [
  ...(process.env.PATRON_TEST_PAGES === '1' ? [] : ['**/*.browser.test.ts']),
  'tests/start.test.ts',
  'tests/cli-lottery.test.ts',
  'tests/cli-clv.test.ts',
];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? pgliteOnlyOnPostgresPass : [])],
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PGlite instances are memory-hungry; two workers match the two cores CI has.
    maxWorkers: 2,
    // Test files share a worker's module graph instead of loading the whole app again each
    // (the PGlite pass spent 351 s importing). Nothing kept at module level may outlive a file's app.
    isolate: false,
    // A page under test polls the server every second; a second's default wait for what it then
    // shows is a race on a busy machine. A poll that holds returns at once, so this costs a pass nothing.
    expect: { poll: { timeout: 10_000 } },
  },
});
