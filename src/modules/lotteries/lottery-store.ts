import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { ALGORITHM, commitmentOf } from './fair-draw.ts';
import type { Db, DbOrTx, Tx } from './lotteries.db.ts';
import { lotteryError } from './lotteries.errors.ts';
import type { Ids } from './lotteries.ids.ts';
import { LotteryCreate } from './lotteries.schemas.ts';
import type { LotteriesTable, LotteryWinnersTable, PrizeStatus } from './lotteries.tables.ts';
import type { EntryRule, LotteryStatus, Prize } from './lottery-types.ts';

/** What a marketer writes. */
export type LotteryInput = { name: string; description?: string; entryPeriod: { from: string; to: string }; rules: EntryRule[]; prizes: Prize[] };

export type WinnerView = {
  slot: number;
  prizeIndex: number;
  prizeName: string;
  customerId: string;
  ticket: number;
  attempts: number;
  rewardId: string | null;
  prizeStatus: PrizeStatus;
  orderId: string | null;
  failure: string | null;
};

export type LotteryView = {
  id: string;
  name: string;
  description: string | null;
  status: LotteryStatus;
  entryPeriod: { from: string; to: string };
  rules: EntryRule[];
  prizes: Prize[];
  algorithm: string;
  commitment: string;
  seed: string | null;
  entriesDigest: string | null;
  entrants: number | null;
  totalEntries: number | null;
  winners: WinnerView[];
  version: number;
  createdAt: string;
  updatedAt: string;
  drawnAt: string | null;
};

export type LotteryRow = Selectable<LotteriesTable>;
type WinnerRow = Selectable<LotteryWinnersTable>;

/** At most this many prize slots: the draw issues every prize in its one transaction. */
export const MAX_SLOTS = 10_000;

export function statusOf(row: Pick<LotteryRow, 'state' | 'entryFrom' | 'entryTo'>, now: Date): LotteryStatus {
  if (row.state !== 'open') return row.state;
  if (now < row.entryFrom) return 'upcoming';
  return now < row.entryTo ? 'open' : 'closed';
}

export function toView(row: LotteryRow, winners: WinnerRow[], now: Date): LotteryView {
  const prizes = row.prizes;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: statusOf(row, now),
    entryPeriod: { from: row.entryFrom.toISOString(), to: row.entryTo.toISOString() },
    rules: row.rules,
    prizes,
    algorithm: row.algorithm,
    commitment: row.commitment,
    // The seed stays in the database, never in an answer, until the draw reveals it.
    seed: row.state === 'drawn' ? row.seed : null,
    entriesDigest: row.entriesDigest,
    entrants: row.entrants,
    totalEntries: row.totalEntries === null ? null : Number(row.totalEntries),
    winners: winners
      .sort((a, b) => a.slot - b.slot)
      .map((w) => ({
        slot: w.slot,
        prizeIndex: w.prizeIndex,
        prizeName: prizes[w.prizeIndex]?.name ?? '',
        customerId: w.customerId,
        ticket: Number(w.ticket),
        attempts: w.attempts,
        rewardId: w.rewardId,
        prizeStatus: w.prizeStatus,
        orderId: w.orderId,
        failure: w.failure,
      })),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    drawnAt: row.drawnAt?.toISOString() ?? null,
  };
}

/** Rules the schema cannot say. */
function checkInput(input: LotteryInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (Date.parse(input.entryPeriod.from) >= Date.parse(input.entryPeriod.to)) problems.push({ field: 'entryPeriod.to', reason: 'must be after entryPeriod.from' });
  const slots = input.prizes.reduce((sum, prize) => sum + prize.count, 0);
  if (slots > MAX_SLOTS) problems.push({ field: 'prizes', reason: `count ${slots} winners in all; at most ${MAX_SLOTS}` });
  input.rules.forEach((rule, i) => {
    if (rule.kind === 'spend' && Object.keys(rule.tierMultipliers ?? {}).length > 50) problems.push({ field: `rules/${i}/tierMultipliers`, reason: 'names at most 50 tiers' });
  });
  return problems;
}

function refuse(problems: FieldProblem[]): never {
  throw lotteryError('lottery.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

async function winnersOf(db: DbOrTx, lotteryIds: string[]): Promise<Map<string, WinnerRow[]>> {
  const byLottery = new Map<string, WinnerRow[]>(lotteryIds.map((id) => [id, []]));
  if (lotteryIds.length === 0) return byLottery;
  const rows = await db.selectFrom('lotteryWinners').selectAll().where('lotteryId', 'in', lotteryIds).orderBy('slot').execute();
  for (const row of rows) byLottery.get(row.lotteryId)!.push(row);
  return byLottery;
}

/**
 * A new lottery with its secret seed (32 bytes from the operating system's CSPRNG) and the
 * commitment to it, published from now on: whoever reads the lottery before the draw can later
 * check that the seed revealed is the one Patron was bound to.
 */
export async function createLottery(db: Db, clock: Clock, ids: Ids, actor: Actor, input: LotteryInput): Promise<LotteryView> {
  const problems = checkInput(input);
  if (problems.length > 0) refuse(problems);
  const now = clock.now();
  const seed = randomBytes(32).toString('hex');
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('lotteries')
      .values({
        id: ids.next('ltr'),
        name: input.name,
        description: input.description ?? null,
        state: 'open',
        entryFrom: input.entryPeriod.from,
        entryTo: input.entryPeriod.to,
        rules: JSON.stringify(input.rules),
        prizes: JSON.stringify(input.prizes),
        algorithm: ALGORITHM,
        seed,
        commitment: commitmentOf(seed),
        entriesDigest: null,
        entrants: null,
        totalEntries: null,
        createdAt: now,
        updatedAt: now,
        drawnAt: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'lottery.create', entityType: 'lottery', entityId: row.id, details: { commitment: row.commitment } });
    return toView(row, [], now);
  });
}

export async function findLottery(db: DbOrTx, id: string, lock = false): Promise<LotteryRow> {
  let select = db.selectFrom('lotteries').selectAll().where('id', '=', id);
  if (lock) select = select.forUpdate();
  const row = await select.executeTakeFirst();
  if (!row) throw lotteryError('lottery.not_found', `No lottery ${id}; GET /v1/lotteries lists them`);
  return row;
}

export async function getLottery(db: DbOrTx, clock: Clock, id: string): Promise<LotteryView> {
  const row = await findLottery(db, id);
  return toView(row, (await winnersOf(db, [id])).get(id)!, clock.now());
}

export async function listLotteries(db: DbOrTx, clock: Clock, query: { limit: number; cursor?: string; status?: LotteryStatus }): Promise<Page<LotteryView>> {
  const before = decodeCursor(query.cursor, isIdKey('ltr'));
  const now = clock.now();
  let select = db.selectFrom('lotteries').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  switch (query.status) {
    case 'drawn':
    case 'cancelled':
      select = select.where('state', '=', query.status);
      break;
    case 'upcoming':
      select = select.where('state', '=', 'open').where('entryFrom', '>', now);
      break;
    case 'open':
      select = select.where('state', '=', 'open').where('entryFrom', '<=', now).where('entryTo', '>', now);
      break;
    case 'closed':
      select = select.where('state', '=', 'open').where('entryTo', '<=', now);
      break;
    case undefined:
      break;
  }
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const winners = await winnersOf(db, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toView(row, winners.get(row.id)!, now)), nextCursor: page.nextCursor };
}

const inputOf = (row: LotteryRow): LotteryInput => ({
  name: row.name,
  ...(row.description !== null ? { description: row.description } : {}),
  entryPeriod: { from: row.entryFrom.toISOString(), to: row.entryTo.toISOString() },
  rules: row.rules,
  prizes: row.prizes,
});

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * PATCH: the name and description change any time; the period, rules and prizes only while the
 * lottery is upcoming (entries are earned by the rules as published); `status: cancelled` ends a
 * lottery not yet drawn. Under the row lock, so a draw and a change do not cross.
 */
export async function patchLottery(db: Db, clock: Clock, actor: Actor, id: string, patch: Record<string, unknown>, expectedVersion?: number): Promise<LotteryView> {
  return db.transaction().execute(async (tx) => {
    const row = await findLottery(tx, id, true);
    const now = clock.now();
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw lotteryError('lottery.version_conflict', `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`, [
        { field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` },
      ]);
    }
    const { status, ...change } = patch;
    const current = inputOf(row);
    const input = checkMerged<LotteryInput>(LotteryCreate, applyMergePatch(current, change));
    const problems = checkInput(input);
    if (problems.length > 0) refuse(problems);
    const status_ = statusOf(row, now);
    const locked = (['entryPeriod', 'rules', 'prizes'] as const).filter((field) => !sameJson(input[field], current[field]));
    if (locked.length > 0 && status_ !== 'upcoming') {
      throw lotteryError('lottery.locked', `${locked.join(', ')}: the lottery is ${status_}; the period, rules and prizes change only before the entry period starts (name and description may)`, locked.map((field) => ({ field, reason: `cannot change once the lottery is ${status_}` })));
    }
    const cancel = status === 'cancelled' && row.state !== 'cancelled';
    if (cancel && row.state === 'drawn') throw lotteryError('lottery.locked', 'status: the lottery was drawn; a drawn lottery cannot be cancelled', [{ field: 'status', reason: 'the lottery was drawn' }]);
    if (!cancel && sameJson(input, current)) return toView(row, (await winnersOf(tx, [id])).get(id)!, now);
    const saved = await tx
      .updateTable('lotteries')
      .set({
        name: input.name,
        description: input.description ?? null,
        entryFrom: input.entryPeriod.from,
        entryTo: input.entryPeriod.to,
        rules: JSON.stringify(input.rules),
        prizes: JSON.stringify(input.prizes),
        ...(cancel ? { state: 'cancelled' as const } : {}),
        version: row.version + 1,
        updatedAt: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: cancel ? 'lottery.cancel' : 'lottery.update', entityType: 'lottery', entityId: id, details: { version: saved.version } });
    return toView(saved, (await winnersOf(tx, [id])).get(id)!, now);
  });
}

/** A lottery may be deleted while upcoming (nobody has earned an entry); later, cancel it. */
export async function deleteLottery(db: Db, clock: Clock, actor: Actor, id: string): Promise<LotteryView> {
  return db.transaction().execute(async (tx: Tx) => {
    const row = await findLottery(tx, id, true);
    const status = statusOf(row, clock.now());
    if (status !== 'upcoming') {
      throw lotteryError('lottery.locked', `Lottery ${id} is ${status}: only an upcoming lottery may be deleted; cancel it instead (PATCH {"status":"cancelled"})`);
    }
    await tx.deleteFrom('lotteries').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'lottery.delete', entityType: 'lottery', entityId: id, details: {} });
    return toView(row, [], clock.now());
  });
}
