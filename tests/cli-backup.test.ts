import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, expectOneLineFailure, runPatron, seedDataDir, startServer, tempDir, type RunningServer } from './helpers/cli.ts';
import { onPostgres } from './helpers/test-db.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * `patron backup` and `patron restore` of the embedded database, with real processes: a server
 * on a data directory of its own, the CLI beside it, and a second server on the restored copy.
 * Also the failures only a running server can show: a refused key, a role that may not.
 */
describe('patron backup and restore around a running server', () => {
  const dir = tempDir('backup');
  const first = path.join(dir, 'first');
  const second = path.join(dir, 'second');
  const file = path.join(dir, 'patron.tar.gz');
  const servers: RunningServer[] = [];
  let server: RunningServer;
  let ownerKey: string;
  let customerId: string;

  const api = (target: RunningServer, route: string, init: RequestInit = {}, key = ownerKey) =>
    fetch(`${target.url}${route}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    server = await startServer(await seedDataDir(first));
    servers.push(server);
    ownerKey = fs.readFileSync(path.join(first, 'owner-key.txt'), 'utf8').trim();
  }, 120_000);

  afterAll(async () => {
    for (const running of servers) await running.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backs up through the server, with the customer created just before, in a file only its owner reads', async () => {
    const created = await api(server, '/v1/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', firstName: 'Kept' }),
    });
    expect(created.status).toBe(201);
    customerId = ((await created.json()) as { id: string }).id;

    const result = await runPatron(['backup', file, '--url', server.url, '--key', ownerKey], cliEnv(first));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^backup written to .*patron\.tar\.gz \([\d.]+ MB, \d+ files, PostgreSQL \d+\); restore it with: patron restore /);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(gunzipSync(fs.readFileSync(file)).length).toBeGreaterThan(1024 * 1024);

    const audit = ((await (await api(server, '/v1/audit-log?entityType=database')).json()) as { items: Array<{ action: string; actorRole: string }> }).items;
    expect(audit[0]).toMatchObject({ action: 'database.backup', actorRole: 'owner' });
  }, 60_000);

  it('says what is wrong with a refused key, a role that may not, and the files under a running server', async () => {
    const other = path.join(dir, 'other.tar.gz');
    const env = cliEnv(first);
    const wrongKey = await runPatron(['backup', other, '--url', server.url, '--key', 'patron_not_a_key'], env);
    expectOneLineFailure(wrongKey, 1, 'the server refused the API key', 'unknown or revoked', 'Check --key');

    const pos = (await (await api(server, '/v1/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"till","role":"pos"}' })).json()) as { secret: string };
    const wrongRole = await runPatron(['backup', other, '--url', server.url, '--key', pos.secret], env);
    expectOneLineFailure(wrongRole, 1, 'The pos role may not do this', 'backup:create', 'a key of the owner role');

    const direct = await runPatron(['backup', other], env);
    expectOneLineFailure(direct, 1, 'Another Patron process', `patron backup ${other} --url http://localhost:`, '--key OWNER_KEY');
    expect(fs.existsSync(other)).toBe(false);

    // Arguments are checked before the database is opened: a usage error, not the lock message.
    const badRole = await runPatron(['keys', 'create', '--role', 'king', '--name', 'till'], env);
    expectOneLineFailure(badRole, 2, 'unknown role "king"');
  }, 60_000);

  it('refuses to restore into the directory a server holds', async () => {
    const result = await runPatron(['restore', file, '--force'], cliEnv(first));
    expectOneLineFailure(result, 1, 'Another Patron process', first, 'Stop it first');
  });

  it('restores into a fresh directory, where a server finds the customer', async () => {
    await server.stop();
    const restored = await runPatron(['restore', file], cliEnv(second));
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain(`restored ${file} into ${second}; its schema is up to date`);
    expect(restored.status).toBe(0);

    const copy = await startServer(second);
    servers.push(copy);
    const found = await api(copy, `/v1/customers/${customerId}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: customerId, email: 'kept@example.com', firstName: 'Kept' });
    await copy.stop();
  }, 120_000);

  it('replaces a database only with --force; backs up straight from the files with the server stopped', async () => {
    const again = await runPatron(['restore', file], cliEnv(second));
    expectOneLineFailure(again, 1, `${second} is not empty`, '--force');
    const forced = await runPatron(['restore', file, '--force'], cliEnv(second));
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);

    const direct = path.join(dir, 'direct.tar.gz');
    const offline = await runPatron(['backup', direct], cliEnv(second));
    expect(offline.stderr).toBe('');
    expect(offline.status).toBe(0);
    expect(fs.statSync(direct).size).toBeGreaterThan(100_000);
  }, 120_000);
});

describe('POST /v1/admin/backup', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it.skipIf(onPostgres)('answers the owner with a gzipped tar of the embedded database', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/admin/backup' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/gzip');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="patron-backup-2026-03-01T09-00-00-000Z\.tar\.gz"$/);
    expect([...response.rawPayload.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });

  it.runIf(onPostgres)('on PostgreSQL says to use pg_dump or pg_basebackup', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/admin/backup' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'backup.unavailable', detail: expect.stringContaining('pg_dump') });
  });

  it('is the owner\'s alone', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/admin/backup', role: 'marketer' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'auth.forbidden' });
  });
});
