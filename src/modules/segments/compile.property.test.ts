import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import { operatorsByKind, type FieldKind, type PreparedFields, type SegmentField } from '../../platform/segment-fields.ts';
import { segmentPopulation } from '../customers/index.ts';
import { matchingQuery, prepareFields, type Compiler, type Restriction } from './membership.ts';
import { checkRules, nodeKind, type Condition, type RuleNode } from './rules.ts';

/**
 * The segment compiler against a brute-force oracle: for random valid rule trees, the customers
 * the compiled SQL matches (matchingQuery over the whole population, and over a page or a list of
 * ids, which take the per-customer form) are exactly those a plain
 * JavaScript evaluator picks from the same rows, read back with plain selects. The evaluator
 * follows the documented semantics (platform/segment-fields.ts, the modules' segment-fields.ts
 * headers), never the compiler's SQL: a missing value fails every comparison except ne, notIn,
 * excludes and isNotSet; purchases are confirmed receipts (a duplicate's included) still holding a
 * line not wholly returned; money is net of refunds. The fixture is built through the API with the
 * test clock moving between steps, and every run evaluates at one of a few fixed instants.
 */

const DAY = 86_400_000;
const START = Date.parse('2025-05-01T08:00:00Z');
const FINAL = Date.parse('2025-10-01T12:00:00Z');
/** The instants rules are evaluated at: the fixture's end, late the next day (already the day after in Moscow), mid-way (later receipts lie in its future), long after. */
const NOWS = [FINAL, FINAL + DAY + 10.5 * 3_600_000, Date.parse('2025-08-15T03:00:00Z'), Date.parse('2026-03-01T00:00:00Z')];
/** Mostly the fixture's end, where the windows hold most. */
const nowArb = fc.oneof({ weight: 3, arbitrary: fc.constant(NOWS[0]!) }, { weight: 2, arbitrary: fc.constant(NOWS[1]!) }, { weight: 2, arbitrary: fc.constant(NOWS[2]!) }, { weight: 1, arbitrary: fc.constant(NOWS[3]!) });
const RUNS = Number(process.env.SEGMENT_PROPERTY_RUNS ?? 150);
/**
 * When the purchases' rollups are folded, mid-way: the purchases before are read from them and the
 * later ones raw; the refunds, the merge and the erasure after it change folded hours, which the
 * fold repairs when the rules are prepared.
 */
const FOLDED = Date.parse('2025-07-20T10:30:00Z');

// ---- The fixture's vocabulary -----------------------------------------------------------------

const firstNames = ['Anna', 'anna', 'ANNA', 'Boris', 'Ivan', 'Иван', 'Olga', 'Ann-Marie', null, null] as const;
const cities = ['Moscow', 'moscow', 'Kazan', 'Omsk', 'Москва', 'Saint Petersburg', null, null] as const;
const genders = ['female', 'male', 'other', null] as const;
// 10-01 and 10-02 are birthdays at the first two instants (10-03 only in Moscow's date); 02-29 and 08-15/16 sit on the others' edges.
const birthDates = ['1990-10-01', '1990-10-02', '1995-10-03', '2000-02-29', '1985-08-15', '1985-08-16', '1979-12-31', '2007-03-01', '1960-01-01', null, null] as const;
const tagSets = [[], ['vip'], ['new', 'vip'], ['wholesale'], ['Coffee', 'new'], ['VIP']] as const;
const scores = [40, 7.5, 0, -3, 100, undefined] as const;
const pets = ['cat', 'dog', 'Parrot', undefined] as const;
const vips = [true, false, undefined] as const;
const nicknames = ['Ace', '40', 'true', undefined] as const;
const catalog = [
  { sku: 'ESP', category: 'coffee', brand: 'Lavazza', price: 25_000, qty: [1, 2, 3] },
  { sku: 'BEANS', category: 'coffee', brand: 'Illy', price: 120_050, qty: [1, 2] },
  { sku: 'GREEN', category: 'tea', brand: 'Ahmad', price: 30_000, qty: [1, 2, 3] },
  { sku: 'EARL', category: 'tea', brand: undefined, price: 17_999, qty: [1, 3] },
  { sku: 'MILK', category: 'milk', brand: 'Prostokvashino', price: 8_900, qty: [0.5, 1, 2] },
  { sku: 'OAT', category: 'milk', brand: undefined, price: 15_050, qty: [1, 2] },
  { sku: 'BAG', category: undefined, brand: undefined, price: 500, qty: [1] },
] as const;
/** The fields the trees use (the segments module's own `segment` field needs saved segments; tiers and points are loyalty's to test). */
const coveredFields = [
  'profile.firstName',
  'profile.city',
  'profile.gender',
  'profile.birthDate',
  'profile.age',
  'profile.daysSinceJoined',
  'profile.tags',
  'attribute',
  'identifier',
  'consent',
  'purchases.count',
  'purchases.spentMinor',
  'purchases.averageCheckMinor',
  'purchases.bought',
  'purchases.daysSinceLast',
  'purchases.daysSinceFirst',
  'events.count',
] as const;

// ---- The rows, as the oracle sees them ----------------------------------------------------------

type Line = { sku: string; category: string | null; brand: string | null; qtyMilli: number; refundedQtyMilli: number; totalMinor: number; discountMinor: number; redeemedMinor: number };
type Receipt = { id: string; customerId: string | null; status: string; storeId: string; channel: string; occurredAt: number; paidMinor: number; refundedMinor: number; lines: Line[] };
type Consent = { id: string; channel: string; purpose: string; granted: boolean; occurredAt: number };
type CustomerEvent = { type: string; properties: Record<string, unknown>; occurredAt: number };
type Person = {
  id: string;
  status: string;
  /** Their own id and every record merged into them. */
  ids: string[];
  firstName: string | null;
  city: string | null;
  gender: string | null;
  birthDate: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  createdAt: number;
  identifierKinds: Set<string>;
  consents: Consent[];
  events: CustomerEvent[];
  receipts: Receipt[];
};

const time = (value: Date | string) => new Date(value).getTime();

async function readWorld(t: TestApp): Promise<Person[]> {
  const db = t.database.db;
  const customers = await db.selectFrom('customers').select(['id', 'status', 'mergedInto', 'firstName', 'city', 'gender', 'birthDate', 'tags', 'attributes', 'createdAt']).execute();
  const identifiers = await db.selectFrom('customerIdentifiers').select(['customerId', 'kind']).execute();
  const consents = await db.selectFrom('consentEvents').select(['id', 'customerId', 'channel', 'purpose', 'granted', 'occurredAt']).execute();
  const events = await db.selectFrom('customerEvents').select(['customerId', 'type', 'properties', 'occurredAt']).execute();
  const receipts = await db.selectFrom('receipts').select(['id', 'customerId', 'status', 'storeId', 'channel', 'occurredAt', 'paidMinor', 'refundedMinor']).execute();
  const lines = await db
    .selectFrom('receiptLines')
    .select(['receiptId', 'sku', 'category', 'brand', 'qtyMilli', 'refundedQtyMilli', 'totalMinor', 'discountMinor', 'redeemedMinor'])
    .execute();
  const linesOf = new Map<string, Line[]>();
  for (const l of lines) {
    const line: Line = {
      sku: l.sku,
      category: l.category,
      brand: l.brand,
      qtyMilli: Number(l.qtyMilli),
      refundedQtyMilli: Number(l.refundedQtyMilli),
      totalMinor: Number(l.totalMinor),
      discountMinor: Number(l.discountMinor),
      redeemedMinor: Number(l.redeemedMinor),
    };
    linesOf.set(l.receiptId, [...(linesOf.get(l.receiptId) ?? []), line]);
  }
  const allReceipts: Receipt[] = receipts.map((r) => ({
    id: r.id,
    customerId: r.customerId,
    status: r.status,
    storeId: r.storeId,
    channel: r.channel,
    occurredAt: time(r.occurredAt),
    paidMinor: Number(r.paidMinor),
    refundedMinor: Number(r.refundedMinor),
    lines: linesOf.get(r.id) ?? [],
  }));
  return customers.map((c) => {
    const ids = [c.id, ...customers.filter((d) => d.mergedInto === c.id).map((d) => d.id)];
    return {
      id: c.id,
      status: c.status,
      ids,
      firstName: c.firstName,
      city: c.city,
      gender: c.gender,
      birthDate: c.birthDate,
      tags: [...c.tags],
      attributes: c.attributes as Record<string, unknown>,
      createdAt: time(c.createdAt),
      identifierKinds: new Set(identifiers.filter((i) => i.customerId === c.id).map((i) => i.kind)),
      consents: consents.filter((e) => e.customerId === c.id).map((e) => ({ id: e.id, channel: e.channel, purpose: e.purpose, granted: e.granted, occurredAt: time(e.occurredAt) })),
      events: events.filter((e) => e.customerId === c.id).map((e) => ({ type: e.type, properties: e.properties as Record<string, unknown>, occurredAt: time(e.occurredAt) })),
      receipts: allReceipts.filter((r) => r.customerId !== null && ids.includes(r.customerId)),
    };
  });
}

// ---- The oracle -------------------------------------------------------------------------------

type Window = { days: number } | { from: string; to?: string };
type Filter = { categories?: string[]; skus?: string[]; brands?: string[]; stores?: string[]; channel?: string };

const inWindow = (at: number, window: Window | undefined, now: number) => {
  if (!window) return true;
  if ('days' in window) return at >= now - window.days * DAY;
  return at >= Date.parse(window.from) && (window.to === undefined || at < Date.parse(window.to));
};

const lineMatches = (line: Line, filter: Filter | undefined) =>
  (!filter?.categories || (line.category !== null && filter.categories.includes(line.category))) &&
  (!filter?.skus || filter.skus.includes(line.sku)) &&
  (!filter?.brands || (line.brand !== null && filter.brands.includes(line.brand)));

const kept = (line: Line) => line.refundedQtyMilli < line.qtyMilli;

/** Purchases: confirmed receipts, in the window, at the stores and channel, holding a kept line that matches the filter. */
function purchases(person: Person, window: Window | undefined, filter: Filter | undefined, now: number): Receipt[] {
  return person.receipts.filter(
    (r) =>
      r.status === 'confirmed' &&
      inWindow(r.occurredAt, window, now) &&
      (!filter?.stores || filter.stores.includes(r.storeId)) &&
      (!filter?.channel || r.channel === filter.channel) &&
      r.lines.some((line) => kept(line) && lineMatches(line, filter)),
  );
}

const hasLineFilter = (filter: Filter | undefined) => filter?.categories !== undefined || filter?.skus !== undefined || filter?.brands !== undefined;

/** Money kept: paid totals less refunds, or with a line filter each matching line's paid amount for the quantity kept (whole minor units, rounded down). */
function spent(receipts: Receipt[], filter: Filter | undefined): number {
  if (!hasLineFilter(filter)) return receipts.reduce((sum, r) => sum + r.paidMinor - r.refundedMinor, 0);
  let sum = 0;
  for (const r of receipts) {
    for (const line of r.lines) {
      if (!kept(line) || !lineMatches(line, filter)) continue;
      const paid = line.totalMinor - line.discountMinor - line.redeemedMinor;
      sum += Math.trunc((paid * (line.qtyMilli - line.refundedQtyMilli)) / line.qtyMilli);
    }
  }
  return sum;
}

const wholeDays = (ms: number) => Math.floor(ms / DAY);

function fullYears(birth: string, now: number): number {
  const today = new Date(now).toISOString().slice(0, 10);
  const [y, m, d] = birth.split('-').map(Number) as [number, number, number];
  const [ny, nm, nd] = today.split('-').map(Number) as [number, number, number];
  return ny - y - (nm < m || (nm === m && nd < d) ? 1 : 0);
}

/** The field's value for the person (null where it is missing). */
function valueOf(person: Person, condition: Condition, now: number): unknown {
  const window = condition.window as Window | undefined;
  const filter = condition.filter as Filter | undefined;
  switch (condition.field) {
    case 'profile.firstName':
      return person.firstName;
    case 'profile.city':
      return person.city;
    case 'profile.gender':
      return person.gender;
    case 'profile.birthDate':
      return person.birthDate;
    case 'profile.age':
      return person.birthDate === null ? null : fullYears(person.birthDate, now);
    case 'profile.daysSinceJoined':
      return wholeDays(now - person.createdAt);
    case 'profile.tags':
      return person.tags;
    case 'attribute':
      return person.attributes[condition.key as string] ?? null;
    case 'identifier':
      return person.identifierKinds.has(condition.kind as string);
    case 'consent': {
      const latest = person.consents
        .filter((e) => e.purpose === condition.purpose && (e.channel === condition.channel || e.channel === 'all'))
        .sort((a, b) => b.occurredAt - a.occurredAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))[0];
      return latest?.granted ?? false;
    }
    case 'purchases.count':
      return purchases(person, window, filter, now).length;
    case 'purchases.bought':
      return purchases(person, window, filter, now).length > 0;
    case 'purchases.spentMinor':
      return spent(purchases(person, window, filter, now), filter);
    case 'purchases.averageCheckMinor': {
      const receipts = purchases(person, window, filter, now);
      if (receipts.length === 0) return null;
      const total = spent(receipts, filter);
      // Whole minor units, a half rounded up (the totals are never negative).
      return Math.floor((2 * total + receipts.length) / (2 * receipts.length));
    }
    case 'purchases.daysSinceLast':
    case 'purchases.daysSinceFirst': {
      const times = purchases(person, undefined, filter, now).map((r) => r.occurredAt);
      if (times.length === 0) return null;
      return wholeDays(now - (condition.field === 'purchases.daysSinceLast' ? Math.max(...times) : Math.min(...times)));
    }
    case 'events.count': {
      const properties = condition.properties as Record<string, unknown> | undefined;
      return person.events.filter(
        (e) =>
          e.type === condition.type &&
          inWindow(e.occurredAt, window, now) &&
          Object.entries(properties ?? {}).every(([key, value]) => key in e.properties && e.properties[key] === value),
      ).length;
    }
    default:
      throw new Error(`the oracle knows no field ${condition.field}`);
  }
}

/** A comparison of a present-or-missing value with the rule's: false on a missing value, except ne and notIn. */
function compare(op: string, value: unknown, given: unknown): boolean {
  const same = (a: unknown, b: unknown) => a === b;
  if (op === 'ne') return value === null || !same(value, given);
  if (op === 'notIn') return value === null || !(given as unknown[]).some((item) => same(value, item));
  if (value === null) return false;
  const v = value as number | string;
  switch (op) {
    case 'eq':
      return same(value, given);
    case 'in':
      return (given as unknown[]).some((item) => same(value, item));
    case 'gt':
    case 'after':
      return v > (given as number | string);
    case 'gte':
      return v >= (given as number | string);
    case 'lt':
    case 'before':
      return v < (given as number | string);
    case 'lte':
      return v <= (given as number | string);
    case 'between': {
      const [low, high] = given as [number | string, number | string];
      return v >= low && v <= high;
    }
    case 'contains':
      return (value as string).toLowerCase().includes((given as string).toLowerCase());
    case 'startsWith':
      return (value as string).toLowerCase().startsWith((given as string).toLowerCase());
    default:
      throw new Error(`the oracle knows no operator ${op}`);
  }
}

/** A custom attribute: a number rule compares number values only, true/false boolean values only, text the value's text. */
function jsonHolds(op: string, raw: unknown, given: unknown): boolean {
  const sample = Array.isArray(given) ? (given as unknown[])[0] : given;
  let value: unknown = null;
  if (raw !== null && raw !== undefined) {
    if (typeof sample === 'number') value = typeof raw === 'number' ? raw : null;
    else if (typeof sample === 'boolean') value = typeof raw === 'boolean' ? raw : null;
    else value = typeof raw === 'string' ? raw : JSON.stringify(raw);
  }
  return compare(op, value, given);
}

function holds(kind: FieldKind, condition: Condition, value: unknown): boolean {
  if (condition.op === 'isSet') return value !== null && value !== undefined;
  if (condition.op === 'isNotSet') return value === null || value === undefined;
  if (kind === 'list') {
    const has = (value as string[]).includes(condition.value as string);
    return condition.op === 'includes' ? has : !has;
  }
  if (kind === 'json') return jsonHolds(condition.op, value, condition.value);
  return compare(condition.op, value, condition.value);
}

function evaluate(node: RuleNode, person: Person, now: number, fields: ReadonlyMap<string, SegmentField>): boolean {
  const kind = nodeKind(node);
  if ('all' in kind) return kind.all.every((child) => evaluate(child, person, now, fields));
  if ('any' in kind) return kind.any.some((child) => evaluate(child, person, now, fields));
  if ('not' in kind) return !evaluate(kind.not, person, now, fields);
  return holds(fields.get(kind.condition.field)!.kind, kind.condition, valueOf(person, kind.condition, now));
}

function leaves(node: RuleNode): Condition[] {
  const kind = nodeKind(node);
  if ('all' in kind) return kind.all.flatMap(leaves);
  if ('any' in kind) return kind.any.flatMap(leaves);
  if ('not' in kind) return leaves(kind.not);
  return [kind.condition];
}

// ---- Rule trees -------------------------------------------------------------------------------

/** Thresholds on the values the field takes (so eq and the edges of gt/lt are hit) or just beside them. */
function numberOps(values: number[], extra: number[]): fc.Arbitrary<{ op: string; value?: unknown }> {
  const taken = [...new Set(values)];
  const near = [...new Set([...taken.flatMap((v) => [v - 1, v + 1]), ...extra])];
  const pool = taken.length > 0 ? fc.oneof(fc.constantFrom(...taken), fc.constantFrom(...near)) : fc.constantFrom(...near);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte'), value: pool }) },
    { weight: 2, arbitrary: fc.tuple(pool, pool).map(([a, b]) => ({ op: 'between', value: a <= b ? [a, b] : [b, a] })) },
    { weight: 1, arbitrary: fc.constantFrom({ op: 'isSet' }, { op: 'isNotSet' }) },
  );
}

function textOps(equal: readonly string[], fragments: readonly string[]): fc.Arbitrary<{ op: string; value?: unknown }> {
  return fc.oneof(
    fc.record({ op: fc.constantFrom('eq', 'ne'), value: fc.constantFrom(...equal) }),
    fc.record({ op: fc.constantFrom('in', 'notIn'), value: fc.uniqueArray(fc.constantFrom(...equal), { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: fc.constantFrom('contains', 'startsWith'), value: fc.constantFrom(...fragments) }),
    fc.constantFrom({ op: 'isSet' }, { op: 'isNotSet' }),
  );
}

const dayString = fc.integer({ min: Date.parse('2025-04-20') / DAY, max: Date.parse('2025-10-10') / DAY }).map((day) => new Date(day * DAY).toISOString().slice(0, 10));

const windowArb: fc.Arbitrary<Window> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ days: fc.oneof(fc.constantFrom(1, 7, 14, 30, 45, 60, 90, 120, 200, 365), fc.integer({ min: 1, max: 400 })) }) },
  {
    weight: 1,
    arbitrary: fc.tuple(dayString, fc.option(dayString, { nil: undefined })).map(([a, b]): Window => {
      if (b === undefined || a === b) return { from: a };
      return a < b ? { from: a, to: b } : { from: b, to: a };
    }),
  },
);

const someOf = (values: readonly string[]) => fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: values.length });

const filterArb: fc.Arbitrary<Filter> = fc
  .record(
    {
      categories: someOf(['coffee', 'tea', 'milk', 'juice']),
      skus: someOf(['ESP', 'BEANS', 'GREEN', 'EARL', 'MILK', 'OAT', 'BAG']),
      brands: someOf(['Lavazza', 'Illy', 'Ahmad', 'Prostokvashino']),
      stores: someOf(['s1', 's2']),
      channel: fc.constantFrom('offline', 'online'),
    },
    { requiredKeys: [] },
  )
  .filter((filter) => Object.keys(filter).length > 0);

const purchaseParams = (withWindow: boolean) =>
  fc.record(
    {
      ...(withWindow ? { window: windowArb } : {}),
      filter: fc.oneof({ weight: 3, arbitrary: fc.record({ categories: someOf(['coffee', 'tea', 'milk', 'juice']) }) as fc.Arbitrary<Filter> }, { weight: 2, arbitrary: filterArb }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, unknown>>;

const rating = fc.constantFrom<unknown>(1, 2, 3, 4, 5, '5');
const source = fc.constantFrom('app', 'web');
const propertiesArb = fc.oneof(fc.record({ rating }), fc.record({ source }), fc.record({ rating, source }));

function conditionArb(world: Person[], fields: ReadonlyMap<string, SegmentField>): fc.Arbitrary<Condition> {
  const active = world.filter((p) => p.status === 'active');
  const observed = (field: string, params: Record<string, unknown>, now: number) =>
    active.map((p) => valueOf(p, { field, op: 'isSet', ...params }, now)).filter((v): v is number => typeof v === 'number');
  // Values at every instant, so thresholds sit on some customer's value whichever instant the run picks.
  const numberField = (field: string, params: fc.Arbitrary<Record<string, unknown>>, extra: number[] = []) =>
    params.chain((p) => numberOps(NOWS.flatMap((now) => observed(field, p, now)), extra).map((o) => ({ field, ...p, ...o }) as Condition));
  const boolean = (field: string, params: fc.Arbitrary<Record<string, unknown>>) =>
    fc.tuple(params, fc.boolean()).map(([p, value]) => ({ field, ...p, op: 'eq', value }) as Condition);
  const text = (field: string, equal: readonly string[], fragments: readonly string[]) => textOps(equal, fragments).map((o) => ({ field, ...o }) as Condition);
  const none = fc.constant({});

  const names = ['Anna', 'anna', 'Boris', 'Ivan', 'Иван', 'Olga', 'Ann-Marie', 'Zed'];
  const places = ['Moscow', 'moscow', 'Kazan', 'Omsk', 'Москва', 'Saint Petersburg', 'Tver'];
  const birthDays = [...birthDates.filter((d): d is NonNullable<typeof d> => d !== null), '1990-01-01', '2000-03-01'];
  const dateOps = fc.oneof(
    fc.record({ op: fc.constantFrom('eq', 'before', 'after'), value: fc.constantFrom(...birthDays) }),
    fc.tuple(fc.constantFrom(...birthDays), fc.constantFrom(...birthDays)).map(([a, b]) => ({ op: 'between', value: a <= b ? [a, b] : [b, a] })),
    fc.constantFrom({ op: 'isSet' }, { op: 'isNotSet' }),
  );
  const attributeValue = (op: string): fc.Arbitrary<unknown> => {
    const numbers = fc.constantFrom(40, 7.5, 0, -3, 100, 41, 39.5);
    const texts = fc.constantFrom('cat', 'dog', 'Parrot', 'Ace', '40', '7.5', 'true', 'false');
    const booleans = fc.boolean();
    if (['gt', 'gte', 'lt', 'lte'].includes(op)) return numbers;
    if (op === 'between') return fc.tuple(numbers, numbers).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
    if (op === 'contains') return fc.constantFrom('a', 'AC', '4', '0', 'tru', 'Do', '.');
    if (op === 'in' || op === 'notIn') {
      return fc.oneof(
        fc.uniqueArray(numbers, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(texts, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(booleans, { minLength: 1, maxLength: 2 }),
      );
    }
    return fc.oneof(numbers, texts, booleans);
  };
  const attribute = fc
    .tuple(fc.constantFrom('score', 'pet', 'vip', 'nickname', 'shoe_size'), fc.constantFrom(...operatorsByKind.json))
    .chain(([key, op]) =>
      op === 'isSet' || op === 'isNotSet'
        ? fc.constant({ field: 'attribute', key, op } as Condition)
        : attributeValue(op).map((value) => ({ field: 'attribute', key, op, value }) as Condition),
    );
  // Reviews carry properties; logins (the app's, and Patron's own app.first_login) and an unknown type mostly go without.
  const eventParams = fc.oneof(
    { weight: 3, arbitrary: fc.record({ type: fc.constant('review.posted'), properties: propertiesArb, window: windowArb }, { requiredKeys: ['type'] }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('app.login', 'app.first_login', 'quiz.passed'), window: windowArb }, { requiredKeys: ['type'] }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('app.login', 'quiz.passed'), properties: propertiesArb }) },
  ) as fc.Arbitrary<Record<string, unknown>>;

  const byField: Record<(typeof coveredFields)[number], fc.Arbitrary<Condition>> = {
    'profile.firstName': text('profile.firstName', names, ['an', 'AN', 'Ann', 'ив', 'И', '-', 'o', '%', '_']),
    'profile.city': text('profile.city', places, ['mos', 'MOS', 'Моск', 'моск', 'an', ' ', 'Saint P']),
    'profile.gender': text('profile.gender', ['female', 'male', 'other'], ['male', 'FEM', 'o', 'x']),
    'profile.birthDate': dateOps.map((o) => ({ field: 'profile.birthDate', ...o }) as Condition),
    'profile.age': numberField('profile.age', none, [0, 18, 200]),
    'profile.daysSinceJoined': numberField('profile.daysSinceJoined', none, [0, -1]),
    'profile.tags': fc.record({ op: fc.constantFrom('includes', 'excludes'), value: fc.constantFrom('vip', 'VIP', 'new', 'wholesale', 'Coffee', 'coffee', 'none') }).map((o) => ({ field: 'profile.tags', ...o }) as Condition),
    attribute,
    identifier: boolean('identifier', fc.record({ kind: fc.constantFrom('phone', 'email', 'card', 'external') })),
    consent: boolean('consent', fc.record({ channel: fc.constantFrom('email', 'email', 'sms', 'all'), purpose: fc.constantFrom('marketing', 'marketing', 'personal_data') })),
    'purchases.count': numberField('purchases.count', purchaseParams(true), [0]),
    'purchases.spentMinor': numberField('purchases.spentMinor', purchaseParams(true), [0]),
    'purchases.averageCheckMinor': numberField('purchases.averageCheckMinor', purchaseParams(true), [0]),
    'purchases.bought': boolean('purchases.bought', purchaseParams(true)),
    'purchases.daysSinceLast': numberField('purchases.daysSinceLast', purchaseParams(false), [0]),
    'purchases.daysSinceFirst': numberField('purchases.daysSinceFirst', purchaseParams(false), [0]),
    'events.count': numberField('events.count', eventParams, [0]),
  };
  for (const key of coveredFields) if (!fields.has(key)) throw new Error(`no segment field ${key}: the registry's fields changed`);
  return fc.oneof(...Object.values(byField));
}

function treeArb(condition: fc.Arbitrary<Condition>): fc.Arbitrary<RuleNode> {
  const levels: fc.Arbitrary<RuleNode>[] = [condition];
  for (let depth = 1; depth <= 3; depth++) {
    const below = levels[depth - 1]!;
    const children = fc.array(below, { minLength: 1, maxLength: 3 });
    levels.push(
      fc.oneof(
        { weight: depth === 3 ? 1 : 3, arbitrary: condition as fc.Arbitrary<RuleNode> },
        { weight: 2, arbitrary: children.map((all): RuleNode => ({ all })) },
        { weight: 2, arbitrary: children.map((any): RuleNode => ({ any })) },
        { weight: 1, arbitrary: below.map((not): RuleNode => ({ not })) },
      ),
    );
  }
  return levels[3]!;
}

// ---- The fixture, through the API -------------------------------------------------------------

let t: TestApp;
let compiler: Compiler;
let world: Person[];
/** The rules prepared with the rollups folded up to FOLDED (and repaired): purchase conditions read them. */
let rolled: PreparedFields;

type Answer = Awaited<ReturnType<TestApp['call']>>;

/** The answer, once it is one of the statuses expected (the body shows otherwise). */
async function ok(pending: Answer | Promise<Answer>, status: number | number[]): Promise<Answer> {
  const response = await pending;
  expect([status].flat(), `${response.statusCode} ${response.body}`).toContain(response.statusCode);
  return response;
}

async function buildFixture() {
  // Deterministic randomness for the fixture (the property's own randomness is fast-check's).
  const rnd = seededRandom(20_250_501);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)]!;
  await ok(await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } }), [200, 201]);
  await ok(await t.call({ method: 'PUT', url: '/v1/stores/s2', payload: { name: 'Kiosk', timezone: 'Asia/Yekaterinburg' } }), [200, 201]);
  const attributes = [
    ['score', { type: 'number', label: 'Score' }],
    ['pet', { type: 'enum', label: 'Pet', options: ['cat', 'dog', 'Parrot'] }],
    ['vip', { type: 'boolean', label: 'VIP' }],
    ['nickname', { type: 'string', label: 'Nickname' }],
  ] as const;
  for (const [key, body] of attributes) await ok(await t.call({ method: 'PUT', url: `/v1/customer-attributes/${key}`, payload: body }), [200, 201]);

  const N = 30;
  const ids: string[] = [];
  const receiptIds = new Map<string, string>();
  type Step = { at: number; seq: number; run: () => Promise<unknown> };
  const steps: Step[] = [];
  const at = (when: number, run: () => Promise<unknown>) => steps.push({ at: Math.round(when), seq: steps.length, run });
  const pad = (i: number) => String(i).padStart(4, '0');
  const consent = (channel: string, granted: boolean, extra: object = {}) => ({ channel, purpose: 'marketing', granted, source: 'web', ...extra });
  const putConsents = (i: number, body: object[]) => ok(t.call({ method: 'PUT', url: `/v1/customers/${ids[i]}/consents`, payload: body }), 200);
  let receiptNo = 0;

  for (let i = 0; i < N; i++) {
    const created = START + i * 1.5 * DAY + i * 3_600_000;
    const body: Record<string, unknown> = {};
    if (i % 4 !== 3) body.phone = `+7916555${pad(i)}`;
    if (i % 3 === 0) body.email = `c${i}@example.com`;
    if (i % 7 === 0 || (i % 4 === 3 && i % 3 !== 0)) body.cardNumber = `CARD${pad(i)}`;
    if (i % 10 === 5) body.externalIds = { eshop: `E-${i}` };
    const firstName = pick(firstNames);
    if (firstName !== null) body.firstName = firstName;
    const city = pick(cities);
    if (city !== null) body.city = city;
    const gender = pick(genders);
    if (gender !== null) body.gender = gender;
    const birthDate = pick(birthDates);
    if (birthDate !== null) body.birthDate = birthDate;
    const tags = pick(tagSets);
    if (tags.length > 0 && i % 5 !== 1) body.tags = tags;
    const attrs: Record<string, unknown> = { score: pick(scores), pet: pick(pets), vip: pick(vips), nickname: pick(nicknames) };
    for (const key of Object.keys(attrs)) if (attrs[key] === undefined) delete attrs[key];
    if (Object.keys(attrs).length > 0) body.attributes = attrs;
    const consents = [];
    if (i % 4 === 0) consents.push(consent('email', true));
    if (i % 6 === 1) consents.push(consent('all', true));
    if (i % 10 === 6) consents.push(consent('email', true));
    if (consents.length > 0) body.consents = consents;
    at(created, async () => {
      const response = await ok(await t.call({ method: 'POST', url: '/v1/customers', payload: body }), 201);
      ids[i] = response.json().id as string;
    });
    // Tags set later by a merge patch for some.
    if (tags.length > 0 && i % 5 === 1) {
      at(created + 2 * DAY, () =>
        ok(t.call({ method: 'PATCH', url: `/v1/customers/${ids[i]}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ tags }) }), 200),
      );
    }
    // Consents: given later, withdrawn, withdrawn on "all", and a back-dated one that is not the latest.
    if (i % 5 === 2) {
      at(created + 3 * DAY, () => putConsents(i, [consent('email', true)]));
      if (i % 2 === 0) at(created + 20 * DAY, () => putConsents(i, [consent('email', false)]));
    }
    if (i % 8 === 0) at(created + 9 * DAY, () => putConsents(i, [consent('email', false)]));
    if (i % 9 === 4) at(created + 4 * DAY, () => putConsents(i, [consent('sms', true)]));
    if (i % 7 === 3) at(created + 11 * DAY, () => putConsents(i, [consent('all', false)]));
    if (i % 10 === 6) {
      at(created + 10 * DAY, () => putConsents(i, [consent('email', false, { at: new Date(created + 5 * DAY).toISOString() })]));
      at(created + 20 * DAY, () => putConsents(i, [consent('email', true, { at: new Date(created + 2 * DAY).toISOString() })]));
    }
    // Events.
    if (i % 3 !== 2) {
      for (let k = 0; k < (i % 4) + 1; k++) {
        const when = created + DAY + Math.floor(rnd() * (FINAL - 3 * DAY - created));
        const type = k % 3 === 2 ? 'app.login' : 'review.posted';
        const properties: Record<string, unknown> =
          type === 'app.login' ? {} : { rating: i === 4 && k === 0 ? '5' : i === 9 && k === 1 ? null : 1 + ((i + k) % 5), ...(k % 2 === 1 ? { source: 'app' } : { source: 'web', text: 'ok' }) };
        const eventId = `ev-${i}-${k}`;
        at(when, () => ok(t.call({ method: 'POST', url: '/v1/events', role: 'pos', payload: { eventId, customer: { customerId: ids[i] }, type, properties } }), 201));
      }
    }
    // Receipts, some refunded (in part or wholly), one cancelled.
    let when = created;
    for (let j = 0; j < i % 5; j++) {
      when += (2 + Math.floor(rnd() * 35)) * DAY + Math.floor(rnd() * DAY);
      if (when >= FINAL - 3 * DAY) break;
      const no = ++receiptNo;
      const posReceiptId = `R-${no}`;
      const items = [...catalog].sort(() => rnd() - 0.5).slice(0, 1 + Math.floor(rnd() * 3));
      const lines = items.map((item, n) => {
        const qty = pick(item.qty);
        return {
          sku: item.sku,
          qty,
          price: item.price,
          ...(item.category ? { category: item.category } : {}),
          ...(item.brand ? { brand: item.brand } : {}),
          ...(n === 1 && no % 3 === 0 && qty * item.price > 2_000 ? { discount: 1_001 } : {}),
        };
      });
      const payload = { storeId: no % 4 === 1 ? 's2' : 's1', posReceiptId, customer: { customerId: '' }, lines, ...(no % 5 === 2 ? { channel: 'online' } : {}) };
      at(when, async () => {
        payload.customer.customerId = ids[i]!;
        const response = await ok(await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload }), 201);
        receiptIds.set(posReceiptId, response.json().receiptId as string);
      });
      if (no === 4) at(when + 600_000, () => ok(t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: payload.storeId, posReceiptId } }), 200));
      else if (no % 11 === 5) {
        const refund = lines.map((line) => ({ sku: line.sku, qty: line.qty }));
        at(when + 3_600_000, () => ok(t.call({ method: 'POST', url: `/v1/receipts/${receiptIds.get(posReceiptId)}/refunds`, payload: { refundId: `full-${no}`, lines: refund } }), 201));
      } else if (no % 6 === 3) {
        const line = lines[0]!;
        const refund = [{ sku: line.sku, qty: line.qty === 1 ? 1 : line.qty / 2 }];
        if (line.qty === 1 && lines.length === 1) continue;
        at(when + 2 * DAY, () => ok(t.call({ method: 'POST', url: `/v1/receipts/${receiptIds.get(posReceiptId)}/refunds`, payload: { refundId: `part-${no}`, lines: refund } }), 201));
      }
    }
  }
  // An anonymous receipt (nobody's purchase).
  at(START + 50 * DAY, () => ok(t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: 'ANON-1', lines: [{ sku: 'ESP', qty: 1, price: 25_000, category: 'coffee' }] } }), 201));
  // A duplicate merged into a survivor (its receipts count for the survivor) and an erased customer (in no segment).
  at(FINAL - 2 * DAY, () => ok(t.call({ method: 'POST', url: `/v1/customers/${ids[26]}/merge`, payload: { from: ids[27] } }), 200));
  at(FINAL - DAY, () => ok(t.call({ method: 'POST', url: `/v1/customers/${ids[29]}/erase` }), 200));
  at(FOLDED, () => t.services.loyalty.rollups.fold());

  steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const step of steps) {
    t.clock.set(new Date(step.at));
    await step.run();
  }
  t.clock.set(new Date(FINAL));
}

beforeAll(async () => {
  t = await createTestApp();
  await buildFixture();
  const fields = new Map<string, SegmentField>(t.services.registry.segmentFields().map((field) => [field.key, field]));
  compiler = { fields, population: segmentPopulation() };
  world = await readWorld(t);
  rolled = await prepareFields(compiler);
  // The fixture is built through the API: a minute alone, more beside other test files on two CPUs.
}, 180_000);
afterAll(async () => t?.close());

describe('segment rules compiled to SQL', () => {
  it('the fixture has what the rules talk about', () => {
    const active = world.filter((p) => p.status === 'active');
    expect(active.length).toBeGreaterThanOrEqual(25);
    expect(world.some((p) => p.status === 'merged')).toBe(true);
    expect(world.some((p) => p.status === 'erased')).toBe(true);
    const receipts = active.flatMap((p) => p.receipts);
    expect(receipts.some((r) => r.status === 'cancelled')).toBe(true);
    expect(receipts.some((r) => r.lines.every((l) => l.refundedQtyMilli === l.qtyMilli))).toBe(true);
    expect(receipts.some((r) => r.lines.some((l) => l.refundedQtyMilli > 0 && l.refundedQtyMilli < l.qtyMilli))).toBe(true);
    expect(receipts.some((r) => r.channel === 'online')).toBe(true);
    // The merge moved the duplicate's receipts to the survivor (loyalty's merge hook); the oracle still reads the duplicate's id too.
    expect(active.some((p) => p.ids.length > 1 && p.receipts.length > 0)).toBe(true);
    expect(active.filter((p) => p.events.length > 0).length).toBeGreaterThan(10);
    expect(active.filter((p) => p.firstName === null).length).toBeGreaterThan(0);
    expect(active.filter((p) => p.birthDate === null).length).toBeGreaterThan(0);
    expect(active.filter((p) => valueOf(p, { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq' }, FINAL) === true).length).toBeGreaterThan(2);
  });

  it('match exactly the customers a brute-force evaluator picks, for random rule trees', async () => {
    const rules = treeArb(conditionArb(world, compiler.fields));
    const active = world.filter((p) => p.status === 'active');
    // The purchase conditions read raw receipts, and the rollups and the receipts since: both must pick the same.
    expect(rolled.get('purchases.spentMinor')).toEqual(new Date(Math.floor(FOLDED / 3_600_000) * 3_600_000));
    const matched = async (node: RuleNode, now: Date) => {
      const [raw, viaRollups] = await Promise.all(
        [undefined, rolled].map(async (prepared) => new Set((await matchingQuery(compiler, node, now, { kind: 'all' }, prepared).execute(t.database.db)).rows.map((row) => row.id))),
      );
      const differs = [...raw!].filter((id) => !viaRollups!.has(id)).concat([...viaRollups!].filter((id) => !raw!.has(id)));
      if (differs.length > 0) throw new Error(`at ${now.toISOString()} ${JSON.stringify(node)}: the rollups ${viaRollups!.has(differs[0]!) ? 'match' : 'do not match'} ${differs[0]}, raw receipts ${raw!.has(differs[0]!) ? 'do' : 'do not'}`);
      return raw!;
    };
    const picked = (node: RuleNode, nowMs: number) => new Set(active.filter((p) => evaluate(node, p, nowMs, compiler.fields)).map((p) => p.id));
    const splits = (ids: Set<string>) => ids.size > 0 && ids.size < active.length;
    let nonTrivial = 0;
    /** Per field: conditions generated, and those that split the population. */
    const coverage = new Map<string, { seen: number; split: number }>();
    await fc.assert(
      fc.asyncProperty(rules, nowArb, async (tree, nowMs) => {
        expect(checkRules(tree, compiler.fields)).toEqual([]);
        const now = new Date(nowMs);
        // Each condition alone first: a wrong one is named with both values.
        for (const leaf of leaves(tree)) {
          const [viaSql, viaJs] = [await matched(leaf, now), picked(leaf, nowMs)];
          const stats = coverage.get(leaf.field) ?? { seen: 0, split: 0 };
          coverage.set(leaf.field, { seen: stats.seen + 1, split: stats.split + (splits(viaJs) ? 1 : 0) });
          const person = active.find((p) => viaSql.has(p.id) !== viaJs.has(p.id));
          if (person) {
            throw new Error(
              `at ${now.toISOString()} ${JSON.stringify(leaf)}: the SQL ${viaSql.has(person.id) ? 'matches' : 'does not match'} ${person.id}, the oracle ` +
                `${viaJs.has(person.id) ? 'does' : 'does not'} (its value: ${JSON.stringify(valueOf(person, leaf, nowMs))})`,
            );
          }
        }
        // Then the whole tree: all / any / not over two-valued conditions.
        const [viaSql, viaJs] = [await matched(tree, now), picked(tree, nowMs)];
        if (splits(viaJs)) nonTrivial++;
        const person = active.find((p) => viaSql.has(p.id) !== viaJs.has(p.id));
        if (person) {
          throw new Error(
            `at ${now.toISOString()} the SQL ${viaSql.has(person.id) ? 'matches' : 'does not match'} ${person.id} and the oracle ${viaJs.has(person.id) ? 'does' : 'does not'}\n` +
              `rules: ${JSON.stringify(tree)}`,
          );
        }
        // A page or a few ids (a recompute's, live membership's) take the per-customer form of the
        // same rules: they match the same customers among theirs.
        const sorted = world.map((p) => p.id).sort();
        const some = sorted.filter((_id, i) => i % 3 !== nowMs % 3);
        const [after, upto] = [sorted[Math.floor(sorted.length / 4)]!, sorted[Math.floor((3 * sorted.length) / 4)]!];
        const restricted = async (restriction: Restriction) => new Set((await matchingQuery(compiler, tree, now, restriction, rolled).execute(t.database.db)).rows.map((row) => row.id));
        expect([...(await restricted({ kind: 'ids', ids: some }))].sort()).toEqual([...viaJs].filter((id) => some.includes(id)).sort());
        expect([...(await restricted({ kind: 'range', after, upto }))].sort()).toEqual([...viaJs].filter((id) => id > after && id <= upto).sort());
        // The service's preview (at the clock's now) counts the same set.
        t.clock.set(now);
        const preview = await t.services.segments.preview(tree, false);
        expect(preview.count).toBe(viaJs.size);
        for (const member of preview.sample) expect(viaJs.has(member.customerId)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    t.clock.set(new Date(FINAL));
    // Not vacuous: most trees split the population (neither everyone nor no one), and every field was tried and split it at least once.
    expect(nonTrivial).toBeGreaterThan(RUNS / 3);
    if (RUNS >= 100) {
      for (const field of coveredFields) expect({ field, split: (coverage.get(field)?.split ?? 0) > 0 }).toEqual({ field, split: true });
    }
    if (process.env.SEGMENT_PROPERTY_STATS) console.log(nonTrivial, Object.fromEntries(coverage));
  });
});
