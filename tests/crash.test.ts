import { describe, expect, it } from 'vitest';
import { runCrashSuite, summary } from './crash/crash-run.ts';
import { onPostgres } from './helpers/test-db.ts';

// The crash suite's short run (the long one: `npm run test:crash -- --kills 60`). It needs a
// PostgreSQL server: the server process under test and this one write to one database at once.
describe.runIf(onPostgres)('crash suite, short run (PostgreSQL only: set TEST_DATABASE_URL)', () => {
  it('5 SIGKILLs under load: every acknowledged write stored once, the ledger whole, each import completed once', async () => {
    const report = await runCrashSuite({
      databaseUrl: process.env.TEST_DATABASE_URL!,
      kills: 5,
      concurrency: 6,
      customers: 12,
      rowsPerImport: 6000,
      maxImports: 2,
      importDeadlineMs: 60_000,
      sigtermShare: 0.3,
    });
    process.stdout.write(summary(report));
    expect(report.problems).toEqual([]);
    expect({ lost: report.lost, doubled: report.doubled, mismatched: report.mismatched }).toEqual({ lost: 0, doubled: 0, mismatched: 0 });
    expect(report.kills).toBe(5);
    // The kills hit writes under way, and each kind of write was acknowledged at least once.
    expect(report.lostAnswers).toBeGreaterThan(0);
    expect(report.confirms.withRedemption).toBeGreaterThan(0);
    expect(report.confirms.acknowledged - report.confirms.withRedemption).toBeGreaterThan(0);
    expect(report.refunds).toBeGreaterThan(0);
    expect(report.adjustments).toBeGreaterThan(0);
    expect(report.imports.length).toBeGreaterThan(0);
    expect(report.imports.every((run) => run.status === 'completed')).toBe(true);
    expect(report.sigtermExit).toEqual({ code: 0, signal: null });
  }, 170_000);
});
