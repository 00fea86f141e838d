import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, expectOneLineFailure, runPatron, seedDataDir, startServer, tempDir, type RunningServer } from './helpers/cli.ts';

/**
 * `patron lottery verify` against a real server (`patron serve` on a data directory of its own):
 * a drawn lottery verifies; the same data with one entry changed on the way (a proxy that edits
 * the entries list) does not, and the command says what differs; a lottery not drawn yet has
 * nothing to verify.
 */
describe('patron lottery verify', () => {
  const dir = tempDir('lottery');
  let server: RunningServer;
  let ownerKey: string;
  let analystKey: string;
  let drawn: string;
  let open: string;
  let proxy: http.Server;
  let proxyUrl: string;

  const api = async (route: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${server.url}${route}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${ownerKey}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    expect(response.status, `${route}: ${text}`).toBeLessThan(300);
    return JSON.parse(text);
  };

  beforeAll(async () => {
    server = await startServer(await seedDataDir(path.join(dir, 'data')));
    ownerKey = fs.readFileSync(path.join(dir, 'data', 'owner-key.txt'), 'utf8').trim();
    analystKey = (await api('/v1/api-keys', { method: 'POST', body: { name: 'auditor', role: 'analyst' } })).secret;
    await api('/v1/stores/s1', { method: 'PUT', body: { name: 'Main', timezone: 'Europe/Moscow' } });
    // The server runs on the real clock: a period that ends a few seconds from now, with the receipts in it.
    const now = Date.now();
    const period = { from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 4_000).toISOString() };
    const lottery = (name: string, entryPeriod: object) =>
      api('/v1/lotteries', { method: 'POST', body: { name, entryPeriod, rules: [{ kind: 'spend', perMinor: 100000 }], prizes: [{ name: 'Mug', count: 3 }] } });
    drawn = (await lottery('Now', period)).id;
    open = (await lottery('Later', { from: period.from, to: new Date(now + 86_400_000).toISOString() })).id;
    for (let i = 0; i < 6; i++) {
      const customer = await api('/v1/customers', { method: 'POST', body: { phone: `+7912777000${i}` } });
      await api('/v1/checkout/confirm', { method: 'POST', body: { storeId: 's1', posReceiptId: `V-${i}`, customer: { customerId: customer.id }, lines: [{ sku: 'X', qty: 1, price: 100000 * (i + 1) }] } });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, now + 4_500 - Date.now())));
    await api(`/v1/lotteries/${drawn}/draw`, { method: 'POST' });

    // A server that passes everything on, but adds one entry to the first entrant on the way.
    proxy = http.createServer(async (request, reply) => {
      const upstream = await fetch(`${server.url}${request.url}`, { headers: { authorization: request.headers.authorization ?? '' } });
      let body = await upstream.text();
      if (request.url?.includes('/entries')) {
        const page = JSON.parse(body);
        page.items[0].entries += 1;
        body = JSON.stringify(page);
      }
      reply.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      reply.end(body);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    proxy?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a drawn lottery verifies from its public data: exit 0, the winners listed, OK', async () => {
    const lottery = await api(`/v1/lotteries/${drawn}`);
    expect(lottery).toMatchObject({ status: 'drawn', entrants: 6, totalEntries: 21 });
    const result = await runPatron(['lottery', 'verify', drawn, '--url', server.url, '--key', analystKey], cliEnv(path.join(dir, 'data')));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`seed: SHA-256 of it is the commitment ${lottery.commitment}`);
    expect(result.stdout).toContain(`entries: 6 entrants, 21 entries; SHA-256 ${lottery.entriesDigest} as published`);
    for (const winner of lottery.winners) expect(result.stdout).toContain(`slot ${winner.slot}: ${winner.customerId} (ticket ${winner.ticket}) — Mug`);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('OK');
  }, 60_000);

  it('one entry changed on the way: exit 1, naming the digest (and any winner) that differs', async () => {
    const result = await runPatron(['lottery', 'verify', drawn, '--url', proxyUrl, '--key', analystKey], cliEnv(path.join(dir, 'data')));
    expectOneLineFailure(result, 1, `lottery ${drawn} does not verify`, 'listed above');
    expect(result.stdout).toMatch(/DIFFERS: the entries \(6 entrants\) hash to [0-9a-f]{64}, not the published entriesDigest [0-9a-f]{64}/);
    expect(result.stdout).not.toMatch(/^OK$/m);
  }, 60_000);

  it('a lottery not drawn yet, a bad id, and no --url: each says what to do', async () => {
    const env = cliEnv(path.join(dir, 'data'));
    expectOneLineFailure(await runPatron(['lottery', 'verify', open, '--url', server.url, '--key', analystKey], env), 1, `lottery ${open} is open`, 'nothing to verify yet');
    expectOneLineFailure(await runPatron(['lottery', 'verify', 'ltr_0190c0ffee00700080000000000000ab', '--url', server.url, '--key', analystKey], env), 1, 'No lottery ltr_0190c0ffee00700080000000000000ab');
    expectOneLineFailure(await runPatron(['lottery', 'verify', 'L-1', '--url', server.url, '--key', analystKey], env), 2, '"L-1" is not a lottery id');
    expectOneLineFailure(await runPatron(['lottery', 'verify', drawn], env), 2, 'needs --url', 'PATRON_URL');
    expectOneLineFailure(await runPatron(['lottery'], env), 2, 'patron lottery: say which one: verify');
  }, 60_000);
});
