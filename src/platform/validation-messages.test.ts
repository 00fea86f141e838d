import type { ErrorObject } from 'ajv';
import { Type, type TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { makeAjv } from './http.ts';
import { describeAjvErrors, describePattern } from './validation-messages.ts';

function problems(schema: TSchema, value: unknown, context = 'body') {
  const validate = makeAjv(context !== 'body').compile(schema);
  expect(validate(value)).toBe(false);
  return describeAjvErrors(validate.errors as ErrorObject[], context);
}

const Line = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    qty: Type.Number({ exclusiveMinimum: 0 }),
    price: Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Unit price in minor units' }),
  },
  { additionalProperties: false },
);
const Body = Type.Object(
  {
    storeId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
    customerId: Type.Optional(Type.String({ pattern: '^cus_[0-9a-f]{32}$' })),
    channel: Type.Optional(Type.Union([Type.Literal('offline'), Type.Literal('online')])),
    kind: Type.Optional(Type.String({ enum: ['percent', 'fixed'] })),
    lines: Type.Array(Line, { minItems: 1, maxItems: 3 }),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 5 }), Type.Null()])),
    totalMinor: Type.Optional(Type.Integer({ minimum: 0 })),
    opensAt: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' })),
    source: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' })),
  },
  { additionalProperties: false },
);
const valid = { storeId: 's1', lines: [{ sku: 'a', qty: 1, price: 100 }] };

describe('schema errors in plain words', () => {
  it.each([
    ['a missing field', {}, { field: 'storeId', reason: 'is required' }],
    ['an unknown field', { ...valid, nickname: 'x' }, { field: 'nickname', reason: expect.stringMatching(/^is not a known field; the known fields are storeId, customerId, channel/) }],
    ['a bad id', { ...valid, customerId: 'cus_1' }, { field: 'customerId', reason: 'must be an id like cus_0190c2f65c3a7b1e9f001234567890ab (cus_ then 32 lowercase hex digits)' }],
    ['a bad store id', { ...valid, storeId: 'a b' }, { field: 'storeId', reason: 'must be 1 to 64 letters, digits or the characters _ . : - (no other characters)' }],
    ['a bad time of day', { ...valid, opensAt: '25:00' }, { field: 'opensAt', reason: 'must be a time of day HH:MM, like 09:30' }],
    ['a bad source', { ...valid, source: 'Bad' }, { field: 'source', reason: 'must start with one of lowercase letters, then hold only lowercase letters, digits or the characters _ -, at most 32 characters in all' }],
    ['a union of literals', { ...valid, channel: 'web' }, { field: 'channel', reason: 'must be one of: offline, online' }],
    ['an enum', { ...valid, kind: 'x' }, { field: 'kind', reason: 'must be one of: percent, fixed' }],
    ['no lines', { ...valid, lines: [] }, { field: 'lines', reason: 'must hold at least 1 item (it is empty)' }],
    ['too many lines', { ...valid, lines: [valid.lines[0], valid.lines[0], valid.lines[0], valid.lines[0]] }, { field: 'lines', reason: 'must hold at most 3 items' }],
    ['a price in roubles', { ...valid, lines: [{ sku: 'a', qty: 1, price: 1490.5 }] }, { field: 'lines.0.price', reason: 'must be a whole number of minor units (kopecks): 149050, not 1490.5' }],
    ['a price as text', { ...valid, lines: [{ sku: 'a', qty: 1, price: '1490.50' }] }, { field: 'lines.0.price', reason: 'must be a whole number of minor units (kopecks), e.g. 149050 for 1490.50' }],
    ['a …Minor field in roubles', { ...valid, totalMinor: 12.3 }, { field: 'totalMinor', reason: 'must be a whole number of minor units (kopecks): 1230, not 12.3' }],
    ['a price too large', { ...valid, lines: [{ sku: 'a', qty: 1, price: 1e12 }] }, { field: 'lines.0.price', reason: 'must be at most 100000000000 (minor units, e.g. kopecks)' }],
    ['a zero quantity', { ...valid, lines: [{ sku: 'a', qty: 0, price: 1 }] }, { field: 'lines.0.qty', reason: 'must be more than 0' }],
    ['an empty sku', { ...valid, lines: [{ sku: '', qty: 1, price: 1 }] }, { field: 'lines.0.sku', reason: 'must not be empty' }],
    ['a bad time', { ...valid, occurredAt: 'yesterday' }, { field: 'occurredAt', reason: 'must be a date-time like 2026-03-01T09:00:00Z' }],
    ['a leap second, which no Date holds', { ...valid, occurredAt: '2024-02-29T23:59:60Z' }, { field: 'occurredAt', reason: 'must be a date-time like 2026-03-01T09:00:00Z' }],
    ['a nullable of the wrong type', { ...valid, note: 5 }, { field: 'note', reason: 'must be text or null' }],
    ['a nullable too long', { ...valid, note: 'toolong' }, { field: 'note', reason: 'must be at most 5 characters long' }],
    ['a string for a number', { ...valid, lines: [{ sku: 'a', qty: '1', price: 1 }] }, { field: 'lines.0.qty', reason: 'must be a number' }],
    ['the wrong root', 'x', { field: '(root)', reason: 'must be an object {…}' }],
  ])('%s', (_label, value, expected) => {
    expect(problems(Body, value)).toContainEqual(expected);
  });

  it('names the query string and coerces its text', () => {
    const Query = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500 }) }, { additionalProperties: false });
    expect(problems(Query, { limit: '501' }, 'querystring')).toEqual([{ field: 'querystring:limit', reason: 'must be at most 500' }]);
    expect(problems(Query, { limit: '1.5' }, 'querystring')).toEqual([{ field: 'querystring:limit', reason: 'must be a whole number' }]);
  });

  it('reads a union of objects by its discriminator', () => {
    const Expiry = Type.Object(
      {
        expiry: Type.Union([
          Type.Object({ kind: Type.Literal('never') }, { additionalProperties: false }),
          Type.Object({ kind: Type.Literal('days'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false }),
        ]),
      },
      { additionalProperties: false },
    );
    expect(problems(Expiry, { expiry: { kind: 'days', days: 0 } })).toEqual([{ field: 'expiry.days', reason: 'must be at least 1' }]);
    expect(problems(Expiry, { expiry: { kind: 'days' } })).toEqual([{ field: 'expiry.days', reason: 'is required' }]);
    expect(problems(Expiry, { expiry: { kind: 'weeks' } })).toEqual([{ field: 'expiry.kind', reason: 'must be one of: never, days' }]);
    expect(problems(Expiry, { expiry: {} })).toEqual([{ field: 'expiry.kind', reason: 'is required: one of never, days' }]);
    expect(problems(Expiry, { expiry: 'never' })).toEqual([{ field: 'expiry', reason: 'must be an object {…} whose kind is one of: never, days' }]);
  });

  it('says a record key\'s rule', () => {
    const Attributes = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), Type.String(), { additionalProperties: false });
    expect(problems(Attributes, { 'Bad Key': 'x' })).toEqual([
      { field: 'Bad Key', reason: 'is not an allowed key: a key must start with one of lowercase letters, then hold only lowercase letters, digits or the characters _, at most 63 characters in all' },
    ]);
  });

  it('reads simple patterns aloud and leaves the rest to the schema\'s words', () => {
    expect(describePattern('^[A-Z]{3}$')).toBe('must be exactly 3 capital letters (no other characters)');
    expect(describePattern('^(?!cancel:)')).toBe('must not start with "cancel:"');
    expect(describePattern('^(a|b)+$')).toBeNull();
  });
});
