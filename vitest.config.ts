import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
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
