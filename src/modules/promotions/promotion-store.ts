import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformTx, type PlatformTx } from '../../platform/db-views.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { isPointsBenefit, type Benefit, type PromotionDefinition, type PromotionStatus } from './promotion-types.ts';
import type { Db, DbOrTx, Tx } from './promotions.db.ts';
import { promotionError } from './promotions.errors.ts';
import type { Ids } from './promotions.ids.ts';
import { PromotionCreate } from './promotions.schemas.ts';
import type { PromotionsTable, StoredDefinition } from './promotions.tables.ts';

/** What a marketer writes: a promotion without its id, counters and version. */
export type PromotionInput = Omit<PromotionDefinition, 'id' | 'status' | 'audience' | 'validity' | 'stacking' | 'limits'> & {
  status?: PromotionStatus;
  audience?: PromotionDefinition['audience'];
  validity?: PromotionDefinition['validity'];
  stacking?: Partial<PromotionDefinition['stacking']>;
  limits?: PromotionDefinition['limits'];
  releaseOnReturn?: boolean;
};

export type PromotionView = PromotionDefinition & {
  releaseOnReturn: boolean;
  usage: { usedMinor: number; uses: number; budgetLeftMinor: number | null; usedPoints: number; budgetLeftPoints: number | null; usesLeft: number | null };
  version: number;
  createdAt: string;
  updatedAt: string;
};

type Row = Selectable<PromotionsTable>;

export function toDefinition(row: Row): PromotionDefinition {
  const { releaseOnReturn: _release, ...definition } = row.definition;
  return {
    ...definition,
    id: row.id,
    name: row.name,
    status: row.status,
    limits: {
      ...(row.budgetMinor !== null ? { budgetMinor: Number(row.budgetMinor) } : {}),
      ...(row.budgetPoints !== null ? { budgetPoints: Number(row.budgetPoints) } : {}),
      ...(row.usesLimit !== null ? { uses: row.usesLimit } : {}),
      ...(row.perCustomer !== null ? { perCustomer: row.perCustomer } : {}),
      ...(row.perCustomerPerDay !== null ? { perCustomerPerDay: row.perCustomerPerDay } : {}),
    },
  };
}

export function toView(row: Row): PromotionView {
  const usedMinor = Number(row.usedMinor);
  return {
    ...toDefinition(row),
    releaseOnReturn: row.releaseOnReturn,
    usage: {
      usedMinor,
      uses: row.uses,
      budgetLeftMinor: row.budgetMinor === null ? null : Number(row.budgetMinor) - usedMinor,
      usedPoints: Number(row.usedPoints),
      budgetLeftPoints: row.budgetPoints === null ? null : Number(row.budgetPoints) - Number(row.usedPoints),
      usesLeft: row.usesLimit === null ? null : row.usesLimit - row.uses,
    },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

type Counters = { usedMinor: number; usedPoints: number; uses: number };
const none: Counters = { usedMinor: 0, usedPoints: 0, uses: 0 };

/** A promotion whose counters move: one with a budget or a use limit (the adjuster's guards read them). */
const isLimited = (row: Pick<Row, 'budgetMinor' | 'budgetPoints' | 'usesLimit'>) => row.budgetMinor !== null || row.budgetPoints !== null || row.usesLimit !== null;

/** What the redemptions say promotions used: the usage of those whose counters stay still. */
async function summed(db: DbOrTx, ids: string[]): Promise<Map<string, Counters>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('promotionRedemptions')
    .select((eb) => [
      'promotionId',
      sql<string>`coalesce(sum(discount_minor - released_minor), 0)`.as('usedMinor'),
      sql<string>`coalesce(sum(points - released_points), 0)`.as('usedPoints'),
      eb.fn.countAll<string>().filterWhere('useReleased', '=', false).as('uses'),
    ])
    .where('promotionId', 'in', ids)
    .groupBy('promotionId')
    .execute();
  return new Map(rows.map((row) => [row.promotionId, { usedMinor: Number(row.usedMinor), usedPoints: Number(row.usedPoints), uses: Number(row.uses) }]));
}

async function usageOf(db: DbOrTx, row: Row): Promise<Counters> {
  if (isLimited(row)) return { usedMinor: Number(row.usedMinor), usedPoints: Number(row.usedPoints), uses: row.uses };
  return (await summed(db, [row.id])).get(row.id) ?? none;
}

/** Promotions as shown: counters where they move, sums of the redemptions where they do not. */
async function views(db: DbOrTx, rows: Row[]): Promise<PromotionView[]> {
  const sums = await summed(db, rows.filter((row) => !isLimited(row)).map((row) => row.id));
  return rows.map((row) => toView(isLimited(row) ? row : { ...row, ...(sums.get(row.id) ?? none) }));
}

/** A promotion as PUT would take it back: what GET answers, without the read-only members. */
export function toInput(view: PromotionView): PromotionInput {
  const { id: _id, usage: _usage, version: _version, createdAt: _created, updatedAt: _updated, ...input } = view;
  return input;
}

/** Rules the schema cannot say: a promotion that could never apply, or whose limits are already broken. */
export function checkInput(input: PromotionInput, used?: { usedMinor: number; usedPoints: number; uses: number }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const benefit: Benefit = input.benefit;
  if (benefit.kind === 'n_for_m' && benefit.pay >= benefit.buy) problems.push({ field: 'benefit.pay', reason: `must be less than buy (${benefit.buy})` });
  if (isPointsBenefit(benefit)) {
    // Points add to whatever discounts apply; "alone" would need the points weighed against money.
    if (input.stacking?.exclusive) problems.push({ field: 'stacking.exclusive', reason: 'a points benefit adds to the discounts: it cannot be exclusive (use a group to keep two points promotions apart)' });
    if (input.limits?.budgetMinor !== undefined) problems.push({ field: 'limits.budgetMinor', reason: 'a points benefit gives no money: limit it with limits.budgetPoints' });
  } else if (input.limits?.budgetPoints !== undefined) {
    problems.push({ field: 'limits.budgetPoints', reason: 'a discount gives money, not points: limit it with limits.budgetMinor' });
  }
  const v = input.validity ?? {};
  if (v.from && v.to && Date.parse(v.from) >= Date.parse(v.to)) problems.push({ field: 'validity.to', reason: 'must be after validity.from' });
  if (v.timeFrom && v.timeTo && v.timeFrom === v.timeTo) problems.push({ field: 'validity.timeTo', reason: 'must differ from timeFrom (an empty window)' });
  const limits = input.limits ?? {};
  if (used && limits.budgetMinor !== undefined && limits.budgetMinor < used.usedMinor) {
    problems.push({ field: 'limits.budgetMinor', reason: `must be at least what was already given away (${used.usedMinor})` });
  }
  if (used && limits.budgetPoints !== undefined && limits.budgetPoints < used.usedPoints) {
    problems.push({ field: 'limits.budgetPoints', reason: `must be at least the points already given (${used.usedPoints})` });
  }
  if (used && limits.uses !== undefined && limits.uses < used.uses) problems.push({ field: 'limits.uses', reason: `must be at least the uses so far (${used.uses})` });
  return problems;
}

/**
 * The segments module's check of the ids an audience names (buildApp sets it; promotions built
 * alone accept any id): the ids that are not segments. It holds the others `for share` in `tx`
 * until the save commits, so a delete of one waits and then sees the promotion that names it.
 */
export type SegmentCheck = (tx: PlatformTx, ids: readonly string[]) => Promise<string[]>;

/** The audience's segments that are not there, by their place. */
export async function unknownSegments(tx: Tx, check: SegmentCheck | null, input: PromotionInput): Promise<FieldProblem[]> {
  const audience = input.audience;
  if (!check || audience?.kind !== 'segments') return [];
  const unknown = new Set(await check(platformTx(tx), audience.segments));
  return audience.segments.flatMap((id, i) => (unknown.has(id) ? [{ field: `audience.segments.${i}`, reason: `no segment ${id}; GET /v1/segments lists them` }] : []));
}

/**
 * The promotions that name the segment in their audience, as a segment's delete reports them.
 * Every promotion that exists counts, whatever its status or period: a paused, archived or
 * ended one can be set active or given a new period by a change that does not touch its
 * audience, and its audience is part of what it was (GET shows it). To free the segment, change
 * the audience or delete the promotion.
 */
export async function promotionsNamingSegment(tx: Tx, segmentId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('promotions')
    .select(['id', 'name'])
    .where(sql<boolean>`definition @> ${JSON.stringify({ audience: { kind: 'segments', segments: [segmentId] } })}::jsonb`)
    .orderBy('id')
    .execute();
  return rows.map((row) => `promotion "${row.name}" (${row.id})`);
}

function refuse(problems: FieldProblem[]): never {
  throw promotionError('promotion.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

function columnsOf(input: PromotionInput) {
  const { name, status, limits = {}, releaseOnReturn, ...rest } = input;
  const definition: StoredDefinition = {
    ...rest,
    audience: rest.audience ?? { kind: 'everyone' },
    validity: rest.validity ?? {},
    stacking: { exclusive: rest.stacking?.exclusive ?? false, priority: rest.stacking?.priority ?? 0, ...(rest.stacking?.group !== undefined ? { group: rest.stacking.group } : {}) },
    requiresCode: rest.requiresCode ?? false,
  };
  return {
    name,
    status: status ?? ('draft' as const),
    definition: JSON.stringify(definition),
    budgetMinor: limits.budgetMinor ?? null,
    budgetPoints: limits.budgetPoints ?? null,
    usesLimit: limits.uses ?? null,
    perCustomer: limits.perCustomer ?? null,
    perCustomerPerDay: limits.perCustomerPerDay ?? null,
    releaseOnReturn: releaseOnReturn ?? true,
  };
}

/** A promotion as checkout prices it, from what a marketer writes (the what-if replay's new promotions). */
export function definitionOf(id: string, input: PromotionInput): PromotionDefinition {
  const columns = columnsOf(input);
  const definition = JSON.parse(columns.definition) as StoredDefinition;
  return toDefinition({ ...columns, id, definition, usedMinor: 0, usedPoints: 0, uses: 0, version: 1, createdAt: new Date(0), updatedAt: new Date(0) });
}

/** Columns with the definition parsed, so two saves compare by content, not by key order. */
const comparable = (columns: ReturnType<typeof columnsOf>) => ({ ...columns, definition: JSON.parse(columns.definition) as unknown });

export async function createPromotion(db: Db, clock: Clock, ids: Ids, actor: Actor, input: PromotionInput, segments: SegmentCheck | null = null): Promise<PromotionView> {
  const problems = checkInput(input);
  if (problems.length > 0) refuse(problems);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const unknown = await unknownSegments(tx, segments, input);
    if (unknown.length > 0) refuse(unknown);
    const row = await tx
      .insertInto('promotions')
      .values({ id: ids.next('prm'), ...columnsOf(input), createdAt: now, updatedAt: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'promotion.create', entityType: 'promotion', entityId: row.id, details: { status: row.status } });
    return toView(row);
  });
}

export async function getPromotion(db: DbOrTx, id: string): Promise<PromotionView> {
  const row = await db.selectFrom('promotions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw promotionError('promotion.not_found', `No promotion ${id}; GET /v1/promotions lists them`);
  return (await views(db, [row]))[0]!;
}

export async function listPromotions(db: DbOrTx, query: { limit: number; cursor?: string; status?: PromotionStatus; q?: string }): Promise<Page<PromotionView>> {
  const before = decodeCursor(query.cursor, isIdKey('prm'));
  let select = db.selectFrom('promotions').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.q) select = select.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${query.q!.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`));
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: await views(db, page.items), nextCursor: page.nextCursor };
}

async function locked(tx: Tx, id: string): Promise<Row> {
  const row = await tx.selectFrom('promotions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw promotionError('promotion.not_found', `No promotion ${id}; GET /v1/promotions lists them`);
  return row;
}

/**
 * PUT: the promotion replaced by `change(current)`, under its row lock (checkouts reserving
 * from it wait, so a limit is never lowered below a use committed meanwhile). `expectedVersion`
 * is the version the caller read: another saved since is a 409, not a lost change. An
 * unchanged promotion is not saved again.
 */
export async function savePromotion(
  db: Db,
  clock: Clock,
  actor: Actor,
  id: string,
  change: (current: PromotionInput) => PromotionInput,
  expectedVersion?: number,
  segments: SegmentCheck | null = null,
): Promise<PromotionView> {
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw promotionError(
        'promotion.version_conflict',
        `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`,
        [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` }],
      );
    }
    const current = toInput(toView(row));
    const input = change(current);
    const used = await usageOf(tx, row);
    const problems = checkInput(input, used);
    if (problems.length > 0) refuse(problems);
    const columns = columnsOf(input);
    if (canonicalJson(comparable(columnsOf(current))) === canonicalJson(comparable(columns))) return (await views(tx, [row]))[0]!;
    const unknown = await unknownSegments(tx, segments, input);
    if (unknown.length > 0) refuse(unknown);
    // Given a budget or a use limit, the promotion counts from all it gave so far: under its row
    // lock (confirms and returns of an unlimited promotion hold it shared, so none is in flight)
    // the counters are set from the redemptions; from then on confirms and returns move them.
    // While unlimited the counters stand still and are not read.
    const counters: Partial<Counters> = isLimited(columns) && !isLimited(row) ? used : {};
    const saved = await tx
      .updateTable('promotions')
      .set({ ...columns, ...counters, version: row.version + 1, updatedAt: clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'promotion.update', entityType: 'promotion', entityId: id, details: { version: saved.version, status: saved.status } });
    return (await views(tx, [saved]))[0]!;
  });
}

/** PATCH: a merge patch of what GET answers, checked whole once merged. */
export function mergePromotion(patch: Record<string, unknown>) {
  return (current: PromotionInput): PromotionInput => checkMerged<PromotionInput>(PromotionCreate, applyMergePatch(current, patch));
}

/** A promotion that no receipt used and no code names may go; one that did stays for its history (archive it). */
export async function deletePromotion(db: Db, clock: Clock, actor: Actor, id: string): Promise<PromotionView> {
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    const used = await tx.selectFrom('promotionRedemptions').select('receiptId').where('promotionId', '=', id).limit(1).executeTakeFirst();
    const coded =
      (await tx.selectFrom('promoCodes').select('code').where('batchId', 'is', null).where('promotionId', '=', id).limit(1).executeTakeFirst()) ??
      (await tx.selectFrom('promoCodeBatches').select('id').where('promotionId', '=', id).limit(1).executeTakeFirst());
    if (used || coded) {
      throw promotionError('promotion.in_use', `Promotion ${id} ${used ? 'applied to receipts' : 'has promo codes'}: it stays for their history; set its status to archived instead`);
    }
    await tx.deleteFrom('promotions').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'promotion.delete', entityType: 'promotion', entityId: id, details: {} });
    return toView(row);
  });
}
