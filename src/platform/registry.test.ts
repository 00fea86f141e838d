import { describe, expect, it } from 'vitest';
import type { PlatformTx } from './db-views.ts';
import { defineImportType, type ImportFormat } from './imports/import-format.ts';
import { createRegistry, defineModule } from './registry.ts';

const format: ImportFormat<unknown> = {
  check: async () => undefined,
  read: async function* () {},
  write: async () => ({ created: 0, updated: 0, failed: [] }),
};
const upload = { url: '/v1/imports/things', permission: 'customers:import', contentTypes: ['text/csv'], extension: 'csv', tag: 'things', summary: 'Things' } as const;
const module = (name: string, parts: { events?: string[]; idPrefixes?: string[]; errors?: Record<string, { status: 404; title: string }>; kind?: string; url?: string } = {}) =>
  defineModule({
    name,
    events: parts.events ?? [],
    idPrefixes: parts.idPrefixes ?? [],
    errors: parts.errors ?? {},
    ownTx: (tx: PlatformTx) => tx,
    imports: () => (parts.kind ? [defineImportType({ kind: parts.kind, format, view: (tx) => tx, upload: { ...upload, contentTypes: [...upload.contentTypes], url: parts.url ?? upload.url } })] : []),
  });

describe('the module registry', () => {
  it('collects what each module registers', () => {
    const registry = createRegistry();
    registry.register(module('things', { events: ['thing.made'], idPrefixes: ['thg'], errors: { 'thing.not_found': { status: 404, title: 'No such thing' } }, kind: 'things' }), null);
    registry.register(module('others', { events: ['other.made'] }), null);
    expect(registry.eventTypes()).toEqual(['other.made', 'thing.made']);
    expect(registry.idPrefixes().get('thg')).toBe('things');
    expect(registry.idPrefixes().get('evt')).toBe('platform');
    expect(registry.errorCodes().get('thing.not_found')).toEqual({ status: 404, title: 'No such thing', module: 'things' });
    expect(registry.errorCodes().get('request.invalid')?.module).toBe('platform');
    expect(registry.importTypes().map((type) => [type.kind, type.upload.url])).toEqual([['things', '/v1/imports/things']]);
  });

  it.each([
    ['an event type', { events: ['thing.made'] }, { events: ['thing.made'] }, /event type thing.made of module b is already a's/],
    ['an id prefix', { idPrefixes: ['thg'] }, { idPrefixes: ['thg'] }, /id prefix thg of module b is already a's/],
    ['a platform id prefix', {}, { idPrefixes: ['evt'] }, /id prefix evt of module b is already platform's/],
    ['an error code', {}, { errors: { 'import.not_found': { status: 404 as const, title: 'x' } } }, /error code import.not_found of module b is already platform's/],
    ['an import kind', { kind: 'things' }, { kind: 'things', url: '/v1/other' }, /import kind things of module b is already a's/],
    ['an import route', { kind: 'things' }, { kind: 'others' }, /import route POST \/v1\/imports\/things of module b is already a's/],
    ['a malformed import kind', {}, { kind: 'Things!' }, /import kind Things! of module b is not a short lower-case name/],
  ])('refuses %s two modules claim', (_what, first, second, message) => {
    const registry = createRegistry();
    registry.register(module('a', first), null);
    expect(() => registry.register(module('b', second), null)).toThrow(message);
  });

  it('holds what the app wires: both modules, their events, prefixes and import routes', async () => {
    // Imported here so the unit tests above stay free of the app.
    const { createTestApp } = await import('../../tests/helpers/test-app.ts');
    const t = await createTestApp();
    try {
      const { registry } = t.services;
      expect(registry.eventTypes()).toEqual(expect.arrayContaining(['customer.created', 'customer.merged', 'receipt.confirmed', 'tier.changed']));
      expect(Object.fromEntries(['cus', 'cns', 'rcp', 'lot', 'key'].map((p) => [p, registry.idPrefixes().get(p)]))).toEqual({
        cus: 'customers',
        cns: 'customers',
        rcp: 'loyalty',
        lot: 'loyalty',
        key: 'platform',
      });
      expect(registry.importTypes().map((type) => `${type.kind} POST ${type.upload.url}`)).toEqual([
        'customers POST /v1/imports/customers',
        'receipts POST /v1/receipts/bulk',
      ]);
      expect(registry.errorCodes().get('checkout.unknown_store')?.module).toBe('loyalty');
    } finally {
      await t.close();
    }
  });
});
