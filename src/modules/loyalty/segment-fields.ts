import { sql, type RawBuilder } from 'kysely';
import { keptReceipt } from './purchase-facts.ts';
import { rolledBought, rolledCount, rolledEdge, rolledFor, rolledSpent } from './segment-purchases-rolled.ts';
import { daysParam, existsSql, stringListParam, windowParam, windowSql, type FieldContext, type FieldParam, type SegmentField } from '../../platform/segment-fields.ts';

/**
 * What segments can say from loyalty's data: the tier, points, and purchase behaviour.
 *
 * Purchases are the customer's confirmed receipts (a cancelled one is not a purchase), the ones of
 * records merged into them included (a merge moves them to the survivor), in the `window` by the
 * receipt's time, that still hold a line not wholly returned — narrowed by `filter` to receipts
 * with such a line of the given categories (anywhere in the line's category path), SKUs or
 * brands, at the given stores or channel. What was spent is money paid net of refunds: without a filter the receipts' paid
 * totals less what refunds gave back; with a line filter the matching lines' paid amounts (after
 * discounts and points) for the quantity kept.
 */
type Filter = { categories?: string[]; skus?: string[]; brands?: string[]; stores?: string[]; channel?: 'offline' | 'online' };

const lineKeys = ['categories', 'skus', 'brands'] as const;

const filterParam: FieldParam = {
  required: false,
  describe: '{"categories": […], "skus": […], "brands": […], "stores": […], "channel": "offline" | "online"}, any of them',
  check(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of categories, skus, brands, stores and channel';
    const entries = Object.entries(value);
    if (entries.length === 0) return 'names nothing: give categories, skus, brands, stores or channel, or leave the filter out';
    for (const [key, item] of entries) {
      if (key === 'channel') {
        if (item !== 'offline' && item !== 'online') return 'channel must be offline or online';
      } else if ([...lineKeys, 'stores'].includes(key)) {
        const problem = stringListParam(key).check(item);
        if (problem) return `${key} ${problem}`;
      } else return `has ${key}; it takes categories, skus, brands, stores and channel`;
    }
    return null;
  },
};

const lineFilter = (filter: Filter | undefined): RawBuilder<unknown> => {
  const parts: RawBuilder<unknown>[] = [];
  // Anywhere in the line's category path ('grocery/coffee' is coffee and grocery), as earning rules match it.
  if (filter?.categories) parts.push(sql`and string_to_array(l.category, '/') && ${filter.categories}::text[]`);
  if (filter?.skus) parts.push(sql`and l.sku = any(${filter.skus}::text[])`);
  if (filter?.brands) parts.push(sql`and l.brand = any(${filter.brands}::text[])`);
  return sql.join(parts, sql` `);
};

const hasLineFilter = (filter: Filter | undefined) => lineKeys.some((key) => filter?.[key] !== undefined);

/** The counted receipts' conditions (`r`): the customer's, confirmed, in the window, at the stores, not wholly returned, with a matching line. */
function counted(params: Record<string, unknown>, ctx: FieldContext): RawBuilder<unknown> {
  const filter = params.filter as Filter | undefined;
  // The customer's own id: a merge moves the duplicate's receipts and lines to the survivor (index.ts), so
  // no merged record's id is needed, and `=` lets the planner use receipts_customer for one customer.
  return sql`r.customer_id = ${ctx.id} and r.status = 'confirmed' ${windowSql(sql`r.occurred_at`, params.window, ctx.now)}
    ${filter?.stores ? sql`and r.store_id = any(${filter.stores}::text[])` : sql``}
    ${filter?.channel ? sql`and r.channel = ${filter.channel}` : sql``}
    and ${hasLineFilter(filter) ? existsSql(ctx, sql`select 1 from receipt_lines l where l.receipt_id = r.id and l.refunded_qty_milli < l.qty_milli ${lineFilter(filter)}`) : keptReceipt}`;
}

/** Money kept: receipts' paid totals net of refunds, or with a line filter the matching lines' paid share of the quantity not returned. */
function spent(params: Record<string, unknown>, ctx: FieldContext): RawBuilder<unknown> {
  const filter = params.filter as Filter | undefined;
  if (!hasLineFilter(filter)) return sql`(select coalesce(sum(r.paid_minor - r.refunded_minor), 0) from receipts r where ${counted(params, ctx)})`;
  return sql`(select coalesce(sum((l.total_minor - l.discount_minor - l.redeemed_minor) * (l.qty_milli - l.refunded_qty_milli) / l.qty_milli), 0)
    from receipts r join receipt_lines l on l.receipt_id = r.id
    where ${counted(params, ctx)} and l.refunded_qty_milli < l.qty_milli ${lineFilter(filter)})`;
}

const purchaseParams = { window: windowParam, filter: filterParam };

/**
 * Loyalty's fields. `purchasesReady` tells the purchase fields up to when the rollups hold every
 * purchase (null: not ready; they read raw receipts), asked once before each query is built.
 */
export function loyaltySegmentFields(purchasesReady?: () => Promise<Date | null>): SegmentField[] {
  const prepare = purchasesReady ? { prepare: purchasesReady } : {};
  const spentOf = (key: string) => (params: Record<string, unknown>, ctx: FieldContext) => {
    const rolled = rolledFor(ctx, key, params, 'totals');
    return rolled ? rolledSpent(rolled, params) : spent(params, ctx);
  };
  const countOf = (key: string) => (params: Record<string, unknown>, ctx: FieldContext) => {
    const rolled = rolledFor(ctx, key, params, 'totals');
    return rolled ? rolledCount(rolled, params) : sql`(select count(*)::int from receipts r where ${counted(params, ctx)})`;
  };
  const edge = (key: string, which: 'last' | 'first') => (params: Record<string, unknown>, ctx: FieldContext) => {
    const rolled = rolledFor(ctx, key, params, 'totals');
    const instant = rolled ? rolledEdge(rolled, which) : sql`(select ${which === 'last' ? sql`max` : sql`min`}(r.occurred_at) from receipts r where ${counted(params, ctx)})`;
    return sql`floor(extract(epoch from (${ctx.now}::timestamptz - ${instant})) / 86400)::int`;
  };
  return [
    { key: 'tier', kind: 'text', description: 'The tier id (GET /v1/tiers); not set for a customer with no tier', value: (_p, ctx) => sql`(select t.tier_id from customer_tiers t where t.customer_id = ${ctx.id})` },
    { key: 'points.balance', kind: 'number', description: 'Points available to spend', value: (_p, ctx) => sql`coalesce((select b.available from point_balances b where b.customer_id = ${ctx.id}), 0)` },
    { key: 'points.pending', kind: 'number', description: 'Points earned but not yet spendable (the return period)', value: (_p, ctx) => sql`coalesce((select b.pending from point_balances b where b.customer_id = ${ctx.id}), 0)` },
    {
      key: 'points.expiring',
      kind: 'number',
      description: 'Available points that expire within the next N days',
      params: { withinDays: daysParam(true) },
      value: (params, ctx) => sql`coalesce((select sum(l.remaining) from point_lots l
        where l.customer_id = ${ctx.id} and l.activated_at is not null and l.expired_at is null and l.remaining > 0
          and l.expires_at > ${ctx.now}::timestamptz and l.expires_at <= ${new Date(ctx.now.getTime() + (params.withinDays as number) * 86_400_000)}::timestamptz), 0)`,
    },
    {
      key: 'purchases.count',
      kind: 'number',
      description: 'Purchases (confirmed receipts not wholly returned) in the window',
      params: purchaseParams,
      ...prepare,
      value: countOf('purchases.count'),
    },
    { key: 'purchases.spentMinor', kind: 'number', description: 'Money spent in the window, net of refunds, in minor units', params: purchaseParams, ...prepare, value: spentOf('purchases.spentMinor') },
    {
      key: 'purchases.averageCheckMinor',
      kind: 'number',
      description: 'Money spent in the window divided by the purchases (whole minor units); not set without purchases',
      params: purchaseParams,
      ...prepare,
      value: (params, ctx) => sql`(${spentOf('purchases.averageCheckMinor')(params, ctx)} / nullif(${countOf('purchases.averageCheckMinor')(params, ctx)}, 0))::bigint`,
    },
    {
      key: 'purchases.daysSinceLast',
      kind: 'number',
      description: 'Whole days since the last purchase; not set without one',
      params: { filter: filterParam },
      ...prepare,
      value: edge('purchases.daysSinceLast', 'last'),
    },
    {
      key: 'purchases.daysSinceFirst',
      kind: 'number',
      description: 'Whole days since the first purchase; not set without one',
      params: { filter: filterParam },
      ...prepare,
      value: edge('purchases.daysSinceFirst', 'first'),
    },
    {
      key: 'purchases.bought',
      kind: 'boolean',
      description: 'Made a purchase in the window (with the filter: of those categories, SKUs, brands, at those stores)',
      params: purchaseParams,
      ...prepare,
      value: (params, ctx) => {
        const rolled = rolledFor(ctx, 'purchases.bought', params, 'bought');
        return rolled ? rolledBought(rolled, params) : existsSql(ctx, sql`select 1 from receipts r where ${counted(params, ctx)}`);
      },
    },
  ];
}
