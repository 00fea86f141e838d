import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db, DbOrTx } from './rewards.db.ts';
import { rewardError } from './rewards.errors.ts';
import type { Ids } from './rewards.ids.ts';
import { RewardCreate } from './rewards.schemas.ts';
import type { RewardKind, RewardsTable, RewardStatus } from './rewards.tables.ts';

/** What a marketer writes: a reward without its id, usage and version. Left-out members are absent, never null. */
export type RewardInput = {
  name: string;
  description?: string;
  kind: RewardKind;
  status?: RewardStatus;
  pointsCost: number;
  stock?: number;
  perCustomer?: number;
  validFrom?: string;
  validTo?: string;
  tiers?: string[];
  validDays?: number;
  privilege?: string;
  partner?: string;
};

export type RewardView = RewardInput & {
  id: string;
  status: RewardStatus;
  usage: { issued: number; cancelled: number; redeemed: number; stockLeft: number | null; vouchersFree: number | null };
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type RewardRow = Selectable<RewardsTable>;
type Row = RewardRow & { vouchersFree: number | string | null };

const present = <K extends string, V>(key: K, value: V | null | undefined) => (value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export function toView(row: Row): RewardView {
  return {
    id: row.id,
    name: row.name,
    ...present('description', row.description),
    kind: row.kind,
    status: row.status,
    pointsCost: row.pointsCost,
    ...present('stock', row.stock),
    ...present('perCustomer', row.perCustomer),
    ...present('validFrom', row.validFrom?.toISOString()),
    ...present('validTo', row.validTo?.toISOString()),
    ...present('tiers', row.tiers),
    ...present('validDays', row.validDays),
    ...present('privilege', row.privilege),
    ...present('partner', row.partner),
    usage: {
      issued: row.issued,
      cancelled: row.cancelled,
      redeemed: row.redeemed,
      stockLeft: row.stock === null ? null : row.stock - (row.issued - row.cancelled),
      vouchersFree: row.kind === 'partner_voucher' ? Number(row.vouchersFree ?? 0) : null,
    },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A reward as PUT would take it back: what GET answers, without the read-only members. */
function toInput(view: RewardView): RewardInput {
  const { id: _id, usage: _usage, version: _version, createdAt: _created, updatedAt: _updated, ...input } = view;
  return input;
}

/** Rules the schema cannot say: members that belong to one kind, dates in order, a stock below what is out. */
function checkInput(input: RewardInput, current?: RewardRow): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.kind === 'privilege') {
    if (input.privilege === undefined) problems.push({ field: 'privilege', reason: 'is required for a privilege (priority_service, personal_manager, early_access, …)' });
    if (input.validDays === undefined) problems.push({ field: 'validDays', reason: 'is required for a privilege: the days it lasts' });
  } else if (input.privilege !== undefined) {
    problems.push({ field: 'privilege', reason: `belongs to privileges only; this reward is ${input.kind}` });
  }
  if (input.kind === 'partner_voucher' && input.validDays !== undefined) {
    problems.push({ field: 'validDays', reason: 'does not apply to partner vouchers: each voucher carries the validUntil its partner gave it' });
  }
  if (input.validFrom && input.validTo && Date.parse(input.validFrom) >= Date.parse(input.validTo)) problems.push({ field: 'validTo', reason: 'must be after validFrom' });
  if (current) {
    const out = current.issued - current.cancelled;
    if (input.stock !== undefined && input.stock < out) problems.push({ field: 'stock', reason: `must be at least the ${out} units already ordered and not cancelled` });
    if (input.kind !== current.kind && current.issued > 0) problems.push({ field: 'kind', reason: `stays ${current.kind}: the reward has orders` });
  }
  return problems;
}

function refuse(problems: FieldProblem[]): never {
  throw rewardError('reward.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

function columnsOf(input: RewardInput) {
  return {
    name: input.name,
    description: input.description ?? null,
    kind: input.kind,
    status: input.status ?? ('draft' as const),
    pointsCost: input.pointsCost,
    stock: input.stock ?? null,
    perCustomer: input.perCustomer ?? null,
    validFrom: input.validFrom ? new Date(input.validFrom) : null,
    validTo: input.validTo ? new Date(input.validTo) : null,
    tiers: input.tiers ? JSON.stringify(input.tiers) : null,
    validDays: input.validDays ?? null,
    privilege: input.privilege ?? null,
    partner: input.partner ?? null,
  };
}

/** Free vouchers of the reward, expired ones aside: what can still be handed out. */
const vouchersFree = (now: Date) =>
  sql<number>`(select count(*)::int from reward_vouchers v where v.reward_id = rewards.id and v.status = 'free' and (v.valid_until is null or v.valid_until > ${now}))`;

export async function createReward(db: Db, clock: Clock, ids: Ids, actor: Actor, input: RewardInput): Promise<RewardView> {
  const problems = checkInput(input);
  if (problems.length > 0) refuse(problems);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const row = await tx.insertInto('rewards').values({ id: ids.next('rwd'), ...columnsOf(input), createdAt: now, updatedAt: now }).returningAll().executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'reward.create', entityType: 'reward', entityId: row.id, details: { kind: row.kind, status: row.status } });
    return toView({ ...row, vouchersFree: 0 });
  });
}

export async function getReward(db: DbOrTx, clock: Clock, id: string): Promise<RewardView> {
  const row = await db.selectFrom('rewards').selectAll().select(vouchersFree(clock.now()).as('vouchersFree')).where('id', '=', id).executeTakeFirst();
  if (!row) throw rewardError('reward.not_found', `No reward ${id}; GET /v1/rewards lists them`);
  return toView(row);
}

export async function listRewards(db: DbOrTx, clock: Clock, query: { limit: number; cursor?: string; kind?: RewardKind; status?: RewardStatus }): Promise<Page<RewardView>> {
  const before = decodeCursor(query.cursor, isIdKey('rwd'));
  let select = db.selectFrom('rewards').selectAll().select(vouchersFree(clock.now()).as('vouchersFree')).orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.kind) select = select.where('kind', '=', query.kind);
  if (query.status) select = select.where('status', '=', query.status);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}

/**
 * PUT and PATCH: the reward replaced by `change(current)`, under its row lock. Orders in flight
 * hold a key-share lock on the row (their foreign key) and update its counters last, so the
 * stock check below sees every unit already out; `expectedVersion` is the version the caller
 * read (another saved since is a 409). An unchanged reward is not saved again.
 */
export async function saveReward(
  db: Db,
  clock: Clock,
  actor: Actor,
  id: string,
  change: (current: RewardInput) => RewardInput,
  expectedVersion?: number,
): Promise<RewardView> {
  const saved = await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('rewards').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw rewardError('reward.not_found', `No reward ${id}; GET /v1/rewards lists them`);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw rewardError('reward.version_conflict', `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`, [
        { field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` },
      ]);
    }
    const current = toInput(toView({ ...row, vouchersFree: 0 }));
    const input = change(current);
    const problems = checkInput(input, row);
    if (problems.length > 0) refuse(problems);
    const columns = columnsOf(input);
    if (canonicalJson(columnsOf(current)) === canonicalJson(columns)) return row.id;
    const next = await tx.updateTable('rewards').set({ ...columns, version: row.version + 1, updatedAt: clock.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'reward.update', entityType: 'reward', entityId: id, details: { version: next.version, status: next.status } });
    return row.id;
  });
  return getReward(db, clock, saved);
}

/** PATCH: a merge patch of what GET answers, checked whole once merged. */
export function mergeReward(patch: Record<string, unknown>) {
  return (current: RewardInput): RewardInput => checkMerged<RewardInput>(RewardCreate, applyMergePatch(current, patch));
}

/** A reward nobody ordered may go (its voucher pool with it); one with orders stays for their history (archive it). */
export async function deleteReward(db: Db, clock: Clock, actor: Actor, id: string): Promise<RewardView> {
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('rewards').selectAll().select(vouchersFree(clock.now()).as('vouchersFree')).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw rewardError('reward.not_found', `No reward ${id}; GET /v1/rewards lists them`);
    // The row lock waits for orders in flight (their foreign key holds a share lock), so none slips in after this count.
    const ordered = await tx.selectFrom('rewardOrders').select('id').where('rewardId', '=', id).limit(1).executeTakeFirst();
    if (ordered) throw rewardError('reward.in_use', `Reward ${id} has orders: it stays for their history; set its status to archived instead`);
    await tx.deleteFrom('rewards').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'reward.delete', entityType: 'reward', entityId: id, details: {} });
    return toView(row);
  });
}
