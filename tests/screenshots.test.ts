import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedDataDir } from './helpers/cli.ts';

/**
 * `npm run screenshots` (scripts/screenshots.ts) writes a phone-width screenshot of every customer
 * page; the README shows them. Run here into a temporary directory on a small demo data set:
 * every page is there, a PNG at the Pixel 7's width (412 CSS pixels at 2.625 device pixels each).
 */
const pages = ['join', 'join-code', 'join-welcome', 'kiosk', 'sign-in', 'account', 'survey'];
const consolePages = ['dashboard', 'customers', 'customer', 'segments-new', 'program-rules-new', 'settings-account'];

describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('the screenshots script', () => {
  it('writes a phone-width PNG of each customer page and a laptop-width one of the console\'s, and the README shows them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-shots-'));
    const data = await seedDataDir(fs.mkdtempSync(path.join(os.tmpdir(), 'patron-shots-data-')));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/screenshots.ts', dir], {
      cwd: path.join(import.meta.dirname, '..'),
      // Every customer page, and six of the console's: each console page is driven in Chromium by tests of its own.
      env: { ...process.env, PATRON_SCREENSHOT_CUSTOMERS: '20', PATRON_SCREENSHOT_CONSOLE: consolePages.join(','), PATRON_SCREENSHOT_DATA_DIR: data },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.status, run.stderr).toBe(0);
    for (const name of pages) {
      const png = fs.readFileSync(path.join(dir, `${name}.png`));
      expect(png.subarray(1, 4).toString('latin1'), name).toBe('PNG');
      expect(png.readUInt32BE(16), `${name}: width`).toBe(1082);
      expect(png.readUInt32BE(20), `${name}: height`).toBeGreaterThan(1000);
    }
    // The console's pages, at a laptop's width (1360 CSS pixels), the sign-in page and the menu's pages.
    for (const name of ['sign-in', ...consolePages].map((slug) => `console-${slug}`)) {
      const png = fs.readFileSync(path.join(dir, `${name}.png`));
      expect(png.readUInt32BE(16), `${name}: width`).toBe(1360);
    }
    expect(fs.readdirSync(dir).filter((file) => file.startsWith('console-')), 'only the console pages asked for').toHaveLength(consolePages.length + 1);
    fs.rmSync(dir, { recursive: true, force: true });
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const name of ['join', 'kiosk', 'account', 'survey', 'console-dashboard', 'console-customer']) expect(readme).toContain(`docs/screenshots/${name}.png`);
    for (const name of pages) expect(fs.existsSync(path.join(import.meta.dirname, '..', 'docs', 'screenshots', `${name}.png`)), name).toBe(true);
  }, 300_000);
});
