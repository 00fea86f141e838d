import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { SegmentField } from '../../platform/segment-fields.ts';
import { checkRules, referencedSegments, type RuleNode } from './rules.ts';
import { usersOf, type SegmentUser } from './segment-references.ts';
import type { Db, DbOrTx, Tx } from './segments.db.ts';
import { segmentError } from './segments.errors.ts';
import type { Ids } from './segments.ids.ts';
import type { SegmentRecomputesTable, SegmentsTable } from './segments.tables.ts';

/** Saved segments: a name, a rule tree, and what the latest recompute did. Changes are versioned and audited. */
export type SegmentInput = { name: string; description?: string; rules: RuleNode };

export type RecomputeView = {
  id: string;
  segmentId: string;
  status: 'running' | 'completed' | 'failed';
  customers: number;
  processed: number;
  entered: number;
  left: number;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};

export type SegmentView = SegmentInput & {
  id: string;
  memberCount: number;
  computedAt: string | null;
  lastRecompute: RecomputeView | null;
  version: number;
  createdAt: string;
  updatedAt: string;
};

type Row = Selectable<SegmentsTable>;

export function recomputeView(row: Selectable<SegmentRecomputesTable>): RecomputeView {
  return {
    id: row.id,
    segmentId: row.segmentId,
    status: row.status,
    customers: row.total,
    processed: row.processed,
    entered: row.entered,
    left: row.leftCount,
    ...(row.failure ? { failure: row.failure } : {}),
    startedAt: row.startedAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
  };
}

async function lastRecomputes(db: DbOrTx, segmentIds: string[]): Promise<Map<string, RecomputeView>> {
  const found = new Map<string, RecomputeView>();
  if (segmentIds.length === 0) return found;
  const rows = await db
    .selectFrom('segmentRecomputes')
    .selectAll()
    .distinctOn('segmentId')
    .where('segmentId', 'in', segmentIds)
    .orderBy('segmentId')
    .orderBy('startedAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) found.set(row.segmentId, recomputeView(row));
  return found;
}

function toView(row: Row, last: RecomputeView | null): SegmentView {
  return {
    id: row.id,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    rules: row.rules,
    memberCount: row.memberCount,
    computedAt: row.computedAt?.toISOString() ?? null,
    lastRecompute: last,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const notFound = (id: string) => segmentError('segment.not_found', `No segment ${id}; GET /v1/segments lists them`);

function refuse(problems: FieldProblem[]): never {
  throw segmentError('segment.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

/**
 * The rules' own checks, then the segments they name: each must exist, and none may lead back to
 * this one (a segment built on itself, directly or through others, has no answer).
 */
export async function checkSegmentInput(db: DbOrTx, fields: ReadonlyMap<string, SegmentField>, input: SegmentInput, selfId: string | null): Promise<void> {
  const problems = checkRules(input.rules, fields);
  if (problems.length > 0) refuse(problems);
  const named = [...new Set(referencedSegments(input.rules))];
  if (named.length === 0) return;
  const seen = new Set<string>();
  let frontier = named;
  while (frontier.length > 0) {
    if (selfId !== null && frontier.includes(selfId)) refuse([{ field: 'rules', reason: `leads back to this segment through ${named.join(', ')}: a segment cannot be built on itself` }]);
    const rows = await db.selectFrom('segments').select(['id', 'rules']).where('id', 'in', frontier).execute();
    if (seen.size === 0) {
      const missing = named.filter((id) => !rows.some((row) => row.id === id));
      if (missing.length > 0) refuse([{ field: 'rules', reason: `names ${missing.join(', ')}, which is not a segment (GET /v1/segments lists them)` }]);
    }
    for (const id of frontier) seen.add(id);
    frontier = [...new Set(rows.flatMap((row) => referencedSegments(row.rules)))].filter((id) => !seen.has(id));
  }
}

async function nameTaken(db: DbOrTx, name: string, selfId: string | null): Promise<void> {
  const other = await db.selectFrom('segments').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
  if (other && other.id !== selfId) throw segmentError('segment.name_taken', `Segment ${other.id} is already called "${name}"; choose another name`, [{ field: 'name', reason: 'is taken' }]);
}

export type StoreDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  fields: ReadonlyMap<string, SegmentField>;
  /** Other modules that name segments (earning rules, promotions), asked before a delete. */
  users: readonly SegmentUser[];
};

export async function createSegment(deps: StoreDeps, actor: Actor, input: SegmentInput): Promise<SegmentView> {
  const { db, clock, ids } = deps;
  await checkSegmentInput(db, deps.fields, input, null);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    await nameTaken(tx, input.name, null);
    const row = await tx
      .insertInto('segments')
      .values({ id: ids.next('seg'), name: input.name, description: input.description ?? null, rules: JSON.stringify(input.rules), version: 1, computedAt: null, createdAt: now, updatedAt: now })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        // Two creates with one name at once: the unique index turns the second away.
        if ((error as { code?: string }).code === '23505') throw segmentError('segment.name_taken', `Another segment is already called "${input.name}"; choose another name`, [{ field: 'name', reason: 'is taken' }]);
        throw error;
      });
    await writeAudit(tx, clock, actor, { action: 'segment.create', entityType: 'segment', entityId: row.id, details: { name: row.name } });
    return toView(row, null);
  });
}

export async function getSegment(db: DbOrTx, id: string): Promise<SegmentView> {
  const row = await db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return toView(row, (await lastRecomputes(db, [id])).get(id) ?? null);
}

export async function listSegments(db: DbOrTx, query: { limit: number; cursor?: string }): Promise<Page<SegmentView>> {
  const before = decodeCursor(query.cursor, isIdKey('seg'));
  let select = db.selectFrom('segments').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const last = await lastRecomputes(db, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toView(row, last.get(row.id) ?? null)), nextCursor: page.nextCursor };
}

async function locked(tx: Tx, id: string): Promise<Row> {
  const row = await tx.selectFrom('segments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound(id);
  return row;
}

function checkVersion(row: Row, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw segmentError('segment.version_conflict', `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`, [
      { field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` },
    ]);
  }
}

const inputOf = (row: Row): SegmentInput => ({ name: row.name, ...(row.description ? { description: row.description } : {}), rules: row.rules });

/** PUT and PATCH: `change(current)` saved under the row lock; answers whether the rules changed (the caller recomputes). */
export async function saveSegment(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  change: (current: SegmentInput) => SegmentInput,
  expectedVersion?: number,
): Promise<{ view: SegmentView; rulesChanged: boolean }> {
  const { db, clock } = deps;
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    checkVersion(row, expectedVersion);
    const current = inputOf(row);
    const input = change(current);
    await checkSegmentInput(tx, deps.fields, input, id);
    if (canonicalJson(input) === canonicalJson(current)) return { view: toView(row, (await lastRecomputes(tx, [id])).get(id) ?? null), rulesChanged: false };
    if (input.name.toLowerCase() !== row.name.toLowerCase()) await nameTaken(tx, input.name, id);
    const saved = await tx
      .updateTable('segments')
      .set({ name: input.name, description: input.description ?? null, rules: JSON.stringify(input.rules), version: row.version + 1, updatedAt: clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const rulesChanged = canonicalJson(input.rules) !== canonicalJson(current.rules);
    await writeAudit(tx, clock, actor, { action: 'segment.update', entityType: 'segment', entityId: id, details: { version: saved.version, rulesChanged } });
    return { view: toView(saved, (await lastRecomputes(tx, [id])).get(id) ?? null), rulesChanged };
  });
}

/** Deletes a segment, its members and its history; one that another segment is built on, or another module names, stays (409). */
export async function deleteSegment(deps: StoreDeps, actor: Actor, id: string, expectedVersion?: number): Promise<SegmentView> {
  const { db, clock } = deps;
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    checkVersion(row, expectedVersion);
    const others = await tx.selectFrom('segments').select(['id', 'rules']).where('id', '<>', id).execute();
    const users = others.filter((other) => referencedSegments(other.rules).includes(id)).map((other) => other.id);
    if (users.length > 0) throw segmentError('segment.in_use', `Segments ${users.join(', ')} are built on ${id}; change their rules first`);
    // Asked under the row lock taken above: a save naming this segment either committed before
    // (and is seen here) or waits on its `for share` check and then finds the segment gone.
    const named = await usersOf(tx, deps.users, id);
    if (named.length > 0) throw segmentError('segment.in_use', `Segment ${id} is named by ${named.join(', ')}; change or delete them first`);
    const view = toView(row, (await lastRecomputes(tx, [id])).get(id) ?? null);
    await tx.deleteFrom('segments').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'segment.delete', entityType: 'segment', entityId: id, details: { name: row.name } });
    return view;
  });
}

/** Every segment with its rules, each after the segments it is built on (live updates evaluate in this order). */
export async function segmentsInOrder(db: DbOrTx): Promise<Array<{ id: string; rules: RuleNode }>> {
  const rows = await db.selectFrom('segments').select(['id', 'rules']).orderBy('id').execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered: Array<{ id: string; rules: RuleNode }> = [];
  const placed = new Set<string>();
  const place = (row: { id: string; rules: RuleNode }) => {
    if (placed.has(row.id)) return;
    placed.add(row.id);
    for (const dependency of referencedSegments(row.rules)) {
      const found = byId.get(dependency);
      if (found) place(found);
    }
    ordered.push(row);
  };
  rows.forEach(place);
  return ordered;
}
