import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../../../tests/helpers/loopback-http.ts';
import { createHttpClient, isPrivateAddress, publicOnlyLookup } from './http-client.ts';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer(() => ({ status: 200, body: 'x'.repeat(5000) }));
});
afterAll(async () => server.close());

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true], // cloud metadata
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('createHttpClient', () => {
  it('refuses a name that resolves to a private address, when the socket looks it up', async () => {
    const result = await new Promise<{ code?: string }>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (error: NodeJS.ErrnoException | null, _addresses: string | LookupAddress[]) => resolve({ code: error?.code })),
    );
    expect(result.code).toBe('EPRIVATEADDRESS');
  });

  it.each(['http://localhost:9/x', 'http://LOCALHOST.:9/x', 'http://api.localhost:9/x', 'http://127.0.0.1:9/x', 'http://[::1]:9/x', 'http://10.0.0.1/x'])('blocks %s unless allowed', async (url) => {
    const client = createHttpClient();
    try {
      expect(await client.request({ url: new URL(url), method: 'GET', timeoutMs: 1000 })).toMatchObject({ kind: 'blocked' });
    } finally {
      client.close();
    }
  });

  it('cuts a long answer at maxBodyBytes', async () => {
    const client = createHttpClient({ allowPrivateNetwork: true, maxBodyBytes: 1000 });
    try {
      const answer = await client.request({ url: new URL(`${server.url}/big`), method: 'GET', timeoutMs: 2000 });
      expect(answer).toMatchObject({ kind: 'answer', status: 200 });
      expect(answer.kind === 'answer' && answer.body.length).toBe(1000);
    } finally {
      client.close();
    }
  });
});
