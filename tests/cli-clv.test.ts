import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, expectOneLineFailure, root, runPatron, tempDir } from './helpers/cli.ts';

/**
 * `patron clv fit` as a user runs it (a child process), on the shared CDNOW files
 * (../shared/data/cdnow beside the repository) and on a csv of its own. It reads a file only:
 * the data directory is never opened.
 */
const dir = tempDir('clv');
const env = cliEnv(path.join(dir, 'data'));
const cdnow = path.resolve(root, '../shared/data/cdnow');
const sample = path.join(cdnow, 'CDNOW_sample.txt');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Output = {
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
  gammaGamma: { p: number; q: number; v: number; logLikelihood: number };
  customers: number;
  repeatCustomers: number;
  holdout?: { forecast: number; actual: number; weeks: Array<{ week: number; forecast: number; actual: number }> };
  predictions?: Array<{ customer: string; x: number; expectedPurchases: number; pAlive: number; expectedSpend: number; clv: number }>;
};

async function fit(...args: string[]): Promise<Output> {
  const result = await runPatron(['clv', 'fit', ...args], env);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Output;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

describe('patron clv fit', () => {
  it('CDNOW_sample.txt (5 columns) with t_x and T rounded as published: the paper’s parameters, the holdout 4,165.7 against 4,339', async () => {
    const out = await fit('--transactions', sample, '--format', 'cdnow', '--calibration-end', '1997-09-30', '--round', '2');
    expect([out.bgnbd.r, out.bgnbd.alpha, out.bgnbd.a, out.bgnbd.b].map(round3)).toEqual([0.243, 4.414, 0.793, 2.426]);
    expect(Math.abs(out.bgnbd.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(out.gammaGamma.p - 6.25)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(out.gammaGamma.q - 3.74)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(out.gammaGamma.v - 15.44)).toBeLessThanOrEqual(0.01);
    expect(out).toMatchObject({ customers: 2357, repeatCustomers: 946, calibrationEnd: '1997-09-30', unit: 'week' });
    expect(out.holdout).toMatchObject({ end: '1998-06-30', forecast: 4165.7, actual: 4339 });
    expect(out.holdout!.weeks).toHaveLength(78);
  });

  it('--predict --horizon 39: each customer’s expected purchases, P(alive), expected spend and CLV', async () => {
    const out = await fit('--transactions', sample, '--format', 'cdnow', '--calibration-end', '1997-09-30', '--round', '2', '--predict', '--horizon', '39', '--discount-rate', '0');
    expect(out.predictions).toHaveLength(2357);
    const first = out.predictions!.find((p) => p.customer === '1')!;
    expect(Math.abs(first.expectedPurchases - 1.226)).toBeLessThanOrEqual(0.001);
    expect(first.expectedSpend).toBe(24.65);
    // Undiscounted, at a 100% margin, CLV is expected purchases × expected spend.
    expect(first.clv).toBeCloseTo(first.expectedPurchases * first.expectedSpend, 1);
    const newcomer = out.predictions!.find((p) => p.customer === '3')!;
    expect(newcomer).toMatchObject({ x: 0, pAlive: 1, expectedSpend: 35.17 });
  });

  it('unrounded, the same file gives the same parameters to within a few thousandths', async () => {
    const out = await fit('--transactions', sample, '--format', 'cdnow', '--calibration-end', '1997-09-30');
    expect(Math.abs(out.bgnbd.r - 0.243)).toBeLessThan(0.002);
    expect(Math.abs(out.bgnbd.alpha - 4.414)).toBeLessThan(0.01);
    expect(Math.abs(out.gammaGamma.v - 15.44)).toBeLessThan(0.02);
  });

  it('CDNOW_master.txt (4 columns under a header) is told apart from the sample: 23,570 customers', async () => {
    const out = await fit('--transactions', path.join(cdnow, 'CDNOW_master.txt'), '--format', 'cdnow', '--calibration-end', '1997-09-30');
    expect(out.customers).toBe(23_570);
    expect(out.bgnbd.r).toBeGreaterThan(0);
    expect(out.holdout?.actual).toBeGreaterThan(0);
  });

  it('--format csv: customer_id,date,amount, days as the unit', async () => {
    const file = path.join(dir, 'tx.csv');
    const rows = ['customer_id,date,amount'];
    // Ten customers, each buying every 3 + i days from January on, spends varying by customer and visit.
    for (let c = 0; c < 10; c++) {
      for (let k = 0; k < 4 + (c % 3); k++) {
        const day = new Date(Date.UTC(2025, 0, 1 + c + k * (3 + c))).toISOString().slice(0, 10);
        rows.push(`c${c},${day},${(10 + c * 2.5 + k).toFixed(2)}`);
      }
    }
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    const out = await fit('--transactions', file, '--calibration-end', '2025-02-15', '--unit', 'day', '--predict', '--horizon', '30');
    expect(out).toMatchObject({ customers: 10, unit: 'day' });
    expect(out.predictions!.every((p) => p.expectedPurchases >= 0 && p.pAlive > 0 && p.pAlive <= 1 && p.expectedSpend > 0)).toBe(true);
  });

  it.each([
    ['no --calibration-end', ['--transactions', sample, '--format', 'cdnow'], 2, ['--calibration-end DATE is required']],
    ['a date that is none', ['--transactions', sample, '--format', 'cdnow', '--calibration-end', '1997-02-30'], 2, ['"1997-02-30" is not a date']],
    ['an unknown format', ['--transactions', sample, '--format', 'xls', '--calibration-end', '1997-09-30'], 2, ['--format must be csv or cdnow']],
    ['--horizon without --predict', ['--transactions', sample, '--format', 'cdnow', '--calibration-end', '1997-09-30', '--horizon', '39'], 2, ['add --predict']],
    ['a file that is not there', ['--transactions', 'no-such.txt', '--format', 'cdnow', '--calibration-end', '1997-09-30'], 1, ['cannot read no-such.txt', 'ENOENT']],
    ['a file of another format', ['--transactions', sample, '--format', 'csv', '--calibration-end', '1997-09-30'], 1, ['line 1: has 1 columns', '--format csv']],
  ])('%s: a one-line error', async (_name, args, code, mentions) => {
    expectOneLineFailure(await runPatron(['clv', 'fit', ...args], env), code as 1 | 2, ...mentions);
  });

  it('too few repeat customers: exit 1, saying how many there are and how many it needs', async () => {
    const file = path.join(dir, 'few.csv');
    fs.writeFileSync(file, 'customer_id,date,amount\na,2025-01-01,10.00\na,2025-01-05,12.00\nb,2025-01-02,5.00\n');
    expectOneLineFailure(await runPatron(['clv', 'fit', '--transactions', file, '--calibration-end', '2025-02-01'], env), 1, '1 of 2 customers bought again', 'at least 2');
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });
});
