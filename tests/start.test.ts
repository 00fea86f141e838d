import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, freePort, root, waitForHealth } from './helpers/cli.ts';

// The README's first command, as a newcomer runs it: `npm start -- --demo` on the embedded database.
describe('patron serve on the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-start-'));
  const env = cliEnv(dataDir);
  let server: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Its own process group, so a signal reaches npm and the node process it starts alike.
    server = spawn('npm', ['start', '--', '--demo'], { cwd: root, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, detached: true });
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
  });

  async function stopServer() {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
    // npm may exit before Patron has closed the database and released its lock.
    const lock = path.join(dataDir, 'patron.lock');
    for (let i = 0; i < 100 && fs.existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  afterAll(async () => {
    await stopServer();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /health within seconds, with demo customers and an owner key file', async () => {
    // Loading the demo (300 customers, a year of receipts) takes seconds; a busy CI machine, more.
    const tookMs = await waitForHealth(url, 110_000);
    expect(tookMs).toBeLessThan(110_000);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    const key = fs.readFileSync(path.join(dataDir, 'owner-key.txt'), 'utf8').trim();
    expect(output).not.toContain(key);
    const page = await fetch(`${url}/v1/customers?limit=500`, { headers: { authorization: `Bearer ${key}` } });
    expect(page.status).toBe(200);
    expect(((await page.json()) as { items: unknown[] }).items.length).toBe(300);
    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
  }, 120_000);

  it('refuses a second process on the same embedded database, and imports through the API instead', () => {
    const direct = spawnSync('node', [bin, 'keys', 'create', '--role', 'pos', '--name', 'till 1'], { cwd: root, env, encoding: 'utf8' });
    expect(direct.status).toBe(1);
    expect(direct.stderr).toContain('Another Patron process');

    const csv = path.join(dataDir, 'few.csv');
    fs.writeFileSync(csv, 'phone,first_name\n+79035550001,Via\n+79035550002,Api\nnot-a-phone,Bad\n');
    const key = fs.readFileSync(path.join(dataDir, 'owner-key.txt'), 'utf8').trim();
    const viaApi = spawnSync('node', [bin, 'import', 'customers', csv, '--url', url, '--key', key], { cwd: root, env, encoding: 'utf8' });
    expect(viaApi.stdout).toContain('completed');
    expect(viaApi.stdout).toContain('rows in: 2');
    expect(viaApi.stdout).toContain('line 4, phone:');
    expect(viaApi.status).toBe(0);
  });

  it('stops on SIGTERM, after which CLI commands may open the database', async () => {
    await stopServer();
    expect(fs.existsSync(path.join(dataDir, 'patron.lock'))).toBe(false);
    const created = spawnSync('node', [bin, 'keys', 'create', '--role', 'pos', '--name', 'till 1'], { cwd: root, env, encoding: 'utf8' });
    expect(created.status).toBe(0);
    expect(created.stdout.trim()).toMatch(/^patron_[A-Za-z0-9_-]{43}$/);
    const listed = spawnSync('node', [bin, 'keys', 'list'], { cwd: root, env, encoding: 'utf8' });
    expect(listed.stdout).toContain('till 1');
    expect(listed.stdout).not.toContain(created.stdout.trim());

    // With the server stopped, imports go straight into the database.
    const csv = path.join(dataDir, 'direct.csv');
    fs.writeFileSync(csv, 'email,first_name\ndirect1@example.com,Direct\nbroken,Bad\n');
    const customers = spawnSync('node', [bin, 'import', 'customers', csv], { cwd: root, env, encoding: 'utf8' });
    expect(customers.stdout).toContain('rows in: 1 (1 new');
    expect(customers.stdout).toContain('line 3, email:');
    const ndjson = path.join(dataDir, 'history.ndjson');
    const receipt = { storeId: 'msk-01', posReceiptId: 'CLI-1', occurredAt: '2026-01-10T10:00:00Z', customer: { email: 'direct1@example.com' }, lines: [{ sku: 'BRD-RYE', qty: 1, price: 7990 }] };
    fs.writeFileSync(ndjson, `${JSON.stringify(receipt)}\n{"storeId":"nowhere"}\n`);
    const receipts = spawnSync('node', [bin, 'import', 'receipts', ndjson, '--earn'], { cwd: root, env, encoding: 'utf8' });
    expect(receipts.stdout).toContain('rows in: 1 (1 new');
    expect(receipts.stdout).toContain('rows refused: 1');
    // Five CLI processes in a row, each opening the embedded database: 40 s on a busy 2-core machine.
  }, 180_000);
});

describe('npm start without the demo', () => {
  it('answers /health on a fresh embedded database within seconds', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-plain-'));
    const port = await freePort();
    const server = spawn('npm', ['start'], {
      cwd: root,
      env: cliEnv(dataDir, { PORT: String(port), HOST: '127.0.0.1' }),
      detached: true,
    });
    try {
      const tookMs = await waitForHealth(`http://127.0.0.1:${port}`, 60_000);
      // Measured ~5 s on an idle 2-core machine (PGlite initialises its files, then migrations run).
      expect(tookMs).toBeLessThan(60_000);
      process.stdout.write(`npm start answered /health after ${tookMs} ms\n`);
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
