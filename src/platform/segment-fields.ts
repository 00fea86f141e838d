import { sql, type RawBuilder } from 'kysely';

/**
 * What a segment rule can say about a customer. Each module describes its own facts as fields
 * (customers: profile, consents; loyalty: tier, points, purchases; engagement: events) and gives
 * each one's value as a parameterised SQL expression about one customer; the segments module
 * compiles a rule tree into one query over them and never names another module's tables.
 *
 * Values are nullable (no birth date, no purchase yet): comparisons are false on a missing value,
 * except `ne`, `notIn` and `excludes` ("is not Moscow" includes those with no city) and `isNotSet`.
 */
export type FieldKind = 'number' | 'text' | 'boolean' | 'date' | 'list' | 'json';

/**
 * The customer a value is about: `id`, their own record's id, and `ids`, with every record merged
 * into it (receipts and events keep a duplicate's id). `perCustomer`: the query looks at a page or
 * a few ids rather than everyone, so each customer's rows are best looked up by index; see existsSql.
 */
export type FieldContext = {
  now: Date;
  id: RawBuilder<string>;
  ids: RawBuilder<string[]>;
  perCustomer: boolean;
  /**
   * Left-joins rows keyed by `customer_id` to the customer, once per `key`, and gives the alias to
   * read their columns by (`sql.ref(alias + '.column')`). A value read through a join rather than a subquery per customer keeps the
   * query's scan of everyone parallel: PostgreSQL runs a plan with a correlated subquery on one
   * process. Absent where the query cannot take joins; a field then reads by subquery.
   */
  join?: (key: string, source: RawBuilder<unknown>) => string;
  /** What the fields' `prepare` answered before this query was built, by field key. */
  prepared?: ReadonlyMap<string, unknown>;
};

/** What fields' `prepare` answered, by field key (empty: none was asked). */
export type PreparedFields = ReadonlyMap<string, unknown>;

/**
 * `exists (query)` in a field's value. Over everyone PostgreSQL answers it for all customers at once
 * (a semi-join, or one hashed pass over the table); over a page of 20,000 customers it would still
 * choose that pass (20 s over 10 M receipts' lines) where a lookup per customer takes milliseconds.
 * `offset 0` keeps it a lookup per customer: PostgreSQL neither pulls up nor hashes a subquery with an offset.
 */
export function existsSql(ctx: FieldContext, query: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`exists (${query}${ctx.perCustomer ? sql` offset 0` : sql``})`;
}

/** A condition's extra setting (a purchase window, a consent channel): checked before anything runs; the reason says what is allowed. */
export type FieldParam = {
  required: boolean;
  describe: string;
  /** The values it takes, when they are a fixed few (the console offers them as a choice). */
  values?: readonly string[];
  check: (value: unknown) => string | null;
};

export type SegmentField = {
  /** `purchases.spentMinor`: a rule names it as `field`. */
  key: string;
  kind: FieldKind;
  /** One line for the console and the field list: what the value is, in the marketer's words. */
  description: string;
  params?: Record<string, FieldParam>;
  /** The values a text field can take (a gender, a tier id are not free text); checked when a rule is saved. */
  values?: readonly string[];
  value(params: Record<string, unknown>, ctx: FieldContext): RawBuilder<unknown>;
  /**
   * Asked before a query over the field is built (outside any transaction: it may write, as a
   * report's read repairs the rollups): its answer reaches `value` as `ctx.prepared.get(key)`.
   */
  prepare?: () => Promise<unknown>;
};

export const operatorsByKind: Record<FieldKind, readonly string[]> = {
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'isSet', 'isNotSet'],
  text: ['eq', 'ne', 'in', 'notIn', 'contains', 'startsWith', 'isSet', 'isNotSet'],
  boolean: ['eq'],
  date: ['eq', 'before', 'after', 'between', 'isSet', 'isNotSet'],
  list: ['includes', 'excludes'],
  json: ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'isSet', 'isNotSet'],
};

// ---- Params several modules use ------------------------------------------------------------

export type Window = { days: number } | { from: string; to?: string } | undefined;

const isDay = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}/.test(value);

export const windowParam: FieldParam = {
  required: false,
  describe: '{"days": N} for the last N days, or {"from": date, "to": date} (to is exclusive); all time when left out',
  check(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be {"days": N} or {"from": …, "to": …}';
    const w = value as Record<string, unknown>;
    const keys = Object.keys(w);
    if ('days' in w) {
      if (keys.length !== 1) return 'takes either days or from and to, not both';
      return Number.isInteger(w.days) && (w.days as number) >= 1 && (w.days as number) <= 36_600 ? null : 'days must be a whole number from 1 to 36600';
    }
    if (!('from' in w)) return 'must be {"days": N} or {"from": …, "to": …}';
    if (keys.some((key) => key !== 'from' && key !== 'to')) return 'takes only days, or from and to';
    if (!isInstant(w.from)) return 'from must be a date (2026-01-31) or a time';
    if (w.to !== undefined && !isInstant(w.to)) return 'to must be a date (2026-01-31) or a time';
    if (w.to !== undefined && Date.parse(w.to as string) <= Date.parse(w.from as string)) return 'to must be after from';
    return null;
  },
};

/** The window as [from, to) instants at `now` (either end null when open). */
export function windowBounds(window: unknown, now: Date): { from: Date | null; to: Date | null } {
  if (!window) return { from: null, to: null };
  const w = window as { days?: number; from?: string; to?: string };
  if (w.days !== undefined) return { from: new Date(now.getTime() - w.days * 86_400_000), to: null };
  return { from: new Date(w.from!), to: w.to ? new Date(w.to) : null };
}

/** `and <column> >= from and <column> < to`, for whichever ends the window has. */
export function windowSql(column: RawBuilder<unknown>, window: unknown, now: Date): RawBuilder<unknown> {
  const { from, to } = windowBounds(window, now);
  return sql`${from ? sql`and ${column} >= ${from}::timestamptz` : sql``} ${to ? sql`and ${column} < ${to}::timestamptz` : sql``}`;
}

export const stringListParam = (what: string, max = 200): FieldParam => ({
  required: false,
  describe: `a list of ${what}`,
  check: (value) =>
    Array.isArray(value) && value.length >= 1 && value.length <= max && value.every((item) => typeof item === 'string' && item.length >= 1 && item.length <= 200)
      ? null
      : `must be a list of 1 to ${max} ${what}`,
});

export const oneOfParam = (values: readonly string[], required = true): FieldParam => ({
  required,
  describe: `one of ${values.join(', ')}`,
  values,
  check: (value) => (typeof value === 'string' && values.includes(value) ? null : `must be one of ${values.join(', ')}`),
});

export const daysParam = (required: boolean, max = 3660): FieldParam => ({
  required,
  describe: `a whole number of days, 1 to ${max}`,
  check: (value) => (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max ? null : `must be a whole number of days from 1 to ${max}`),
});

export { isDay };
