import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJsonOrCsv } from './http.ts';

/** sendJsonOrCsv on a bare Fastify: the form the client asks for, and only that one made. */
let app: FastifyInstance;
const made: string[] = [];

beforeAll(async () => {
  app = Fastify();
  app.get<{ Querystring: { format?: 'json' | 'csv'; stream?: string } }>('/report', async (request, reply) =>
    sendJsonOrCsv(request, reply, {
      format: request.query.format,
      json: () => {
        made.push('json');
        return { total: 3 };
      },
      csv: async () => {
        made.push('csv');
        return { filename: 'report-2026-03.csv', body: request.query.stream ? Readable.from(['total\n', '3\n']) : 'total\n3\n' };
      },
    }),
  );
  await app.ready();
});
afterAll(async () => app?.close());

describe('sendJsonOrCsv', () => {
  it.each([
    ['no Accept', 'json', {}, '/report'],
    ['Accept: text/csv', 'csv', { accept: 'text/csv' }, '/report'],
    ['Accept naming JSON too', 'json', { accept: 'text/csv, application/json' }, '/report'],
    ['format=csv', 'csv', {}, '/report?format=csv'],
    ['format=json over Accept: text/csv', 'json', { accept: 'text/csv' }, '/report?format=json'],
  ])('%s: %s', async (_name, form, headers, url) => {
    made.length = 0;
    const response = await app.inject({ method: 'GET', url, headers });
    expect(response.statusCode).toBe(200);
    expect(made).toEqual([form]);
    if (form === 'json') {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ total: 3 });
    } else {
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="report-2026-03.csv"');
      expect(response.body).toBe('total\n3\n');
    }
  });

  it('sends a stream of CSV as it comes', async () => {
    const response = await app.inject({ method: 'GET', url: '/report?format=csv&stream=1' });
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.body).toBe('total\n3\n');
  });
});
