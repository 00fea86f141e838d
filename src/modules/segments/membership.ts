import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { FieldContext, PreparedFields, SegmentField } from '../../platform/segment-fields.ts';
import { compileRules } from './compile.ts';
import type { RuleNode } from './rules.ts';
import type { DbOrTx, Tx } from './segments.db.ts';
import { emitEvents } from './segments.events.ts';
import type { Ids } from './segments.ids.ts';

/**
 * Membership: which customers a segment's rules match, and the writing of the difference.
 * The same compiled query answers a preview, a recompute's page and the live update of a few
 * customers; only the restriction changes (nothing, an id range, a list of ids).
 */
export type Population = { from: RawBuilder<unknown>; where: RawBuilder<unknown>; context: (now: Date, perCustomer: boolean) => FieldContext };

export type Compiler = {
  fields: ReadonlyMap<string, SegmentField>;
  population: Population;
};

/** Which customers a page or an update looks at: `c` is the population's alias, `column` the members' customer id. */
export type Restriction = { kind: 'all' } | { kind: 'range'; after: string; upto: string | null } | { kind: 'ids'; ids: string[] };

function restrict(column: RawBuilder<unknown>, restriction: Restriction): RawBuilder<unknown> {
  switch (restriction.kind) {
    case 'all':
      return sql`true`;
    case 'range':
      return sql`${column} > ${restriction.after} ${restriction.upto === null ? sql`` : sql`and ${column} <= ${restriction.upto}`}`;
    case 'ids':
      return sql`${column} = any(${restriction.ids}::text[])`;
  }
}

/**
 * Asks every field that prepares (the purchases' rollups: repaired and ready, or not) once, before
 * a query is built; outside any transaction. Fields sharing one `prepare` share its answer.
 */
export async function prepareFields(compiler: Compiler): Promise<PreparedFields> {
  const answers = new Map<() => Promise<unknown>, Promise<unknown>>();
  const prepared = new Map<string, unknown>();
  for (const field of compiler.fields.values()) {
    if (!field.prepare) continue;
    if (!answers.has(field.prepare)) answers.set(field.prepare, field.prepare());
    prepared.set(field.key, await answers.get(field.prepare));
  }
  return prepared;
}

const nothingPrepared: PreparedFields = new Map();

/** `select c.id from … where <active> and <restriction> and <rules>`: the customers the rules match now. */
export function matchingQuery(compiler: Compiler, rules: RuleNode, now: Date, restriction: Restriction, prepared: PreparedFields = nothingPrepared): RawBuilder<{ id: string }> {
  const { population } = compiler;
  // Over everyone, purchase conditions as semi-joins (one pass over the window's receipts); over a
  // page or a few ids, a lookup per customer, which the planner would otherwise trade for that pass.
  const everyone = restriction.kind === 'all';
  const joins = new Map<string, { alias: string; source: RawBuilder<unknown> }>();
  const join = (key: string, source: RawBuilder<unknown>) => {
    const alias = joins.get(key)?.alias ?? `j${joins.size}`;
    if (!joins.has(key)) joins.set(key, { alias, source });
    return alias;
  };
  const expression = compileRules(rules, compiler.fields, { ...population.context(now, !everyone), join, prepared }, everyone);
  const joined = [...joins.values()].map(({ alias, source }) => sql`left join (${source}) as ${sql.ref(alias)} on ${sql.ref(`${alias}.customer_id`)} = c.id`);
  return sql<{ id: string }>`select c.id from ${population.from} ${sql.join(joined, sql` `)} where ${population.where} and ${restrict(sql`c.id`, restriction)} and ${expression}`;
}

export type Diff = { entered: string[]; left: string[] };

/**
 * Writes the difference between the segment's members and what the rules match (or `found`), for
 * the customers in `restriction`, in one statement: entries inserted, exits deleted, both logged in
 * segment_changes, then `segment.entered` / `segment.left` emitted and the count moved. The
 * caller's transaction holds the segment row's lock (lockSegment), so a recompute's page and a
 * live update of the same customers take turns, and each reads what the other wrote.
 */
export async function writeDiff(
  tx: Tx,
  deps: { clock: Clock; ids: Ids; compiler: Compiler },
  segment: { id: string; rules: RuleNode },
  restriction: Restriction,
  cause: 'recompute' | 'event',
  /** What matches, when already found (a recompute's matches over everyone); the rules are run otherwise. */
  found?: RawBuilder<{ id: string }>,
  /** What the fields prepared (prepareFields), asked before the caller's transaction began. */
  prepared?: PreparedFields,
): Promise<Diff> {
  const now = deps.clock.now();
  const matched = found ?? matchingQuery(deps.compiler, segment.rules, now, restriction, prepared);
  const rows = (
    await sql<{ customerId: string; change: 'entered' | 'left' }>`
      with matched as (${matched}),
      entered as (
        insert into segment_members (segment_id, customer_id, entered_at)
        select ${segment.id}, id, ${now}::timestamptz from matched
        on conflict (segment_id, customer_id) do nothing
        returning customer_id),
      gone as (
        delete from segment_members m
        where m.segment_id = ${segment.id} and ${restrict(sql`m.customer_id`, restriction)}
          and not exists (select 1 from matched x where x.id = m.customer_id)
        returning m.customer_id)
      insert into segment_changes (segment_id, customer_id, change, cause, at)
      select ${segment.id}, customer_id, 'entered', ${cause}, ${now}::timestamptz from entered
      union all
      select ${segment.id}, customer_id, 'left', ${cause}, ${now}::timestamptz from gone
      returning customer_id, change`.execute(tx)
  ).rows;
  const diff: Diff = { entered: [], left: [] };
  for (const row of rows) (row.change === 'entered' ? diff.entered : diff.left).push(row.customerId);
  if (rows.length === 0) return diff;
  await tx
    .updateTable('segments')
    .set((eb) => ({ memberCount: eb('memberCount', '+', diff.entered.length - diff.left.length) }))
    .where('id', '=', segment.id)
    .execute();
  await emitEvents(tx, deps.clock, deps.ids, [
    ...diff.entered.map((customerId) => ({ type: 'segment.entered' as const, customerId, payload: { segmentId: segment.id, customerId, cause } })),
    ...diff.left.map((customerId) => ({ type: 'segment.left' as const, customerId, payload: { segmentId: segment.id, customerId, cause } })),
  ]);
  return diff;
}

/** The segment's row lock, taken first by every writer of its members; null when it was deleted meanwhile. */
export async function lockSegment(tx: Tx, id: string): Promise<{ id: string; rules: RuleNode } | null> {
  const row = await sql<{ id: string; rules: RuleNode }>`select id, rules from segments where id = ${id} for no key update`.execute(tx);
  return row.rows[0] ?? null;
}

/** The segments a customer is in now, with their names (the customer view). */
export async function namedSegmentsOf(db: DbOrTx, customerId: string): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('segmentMembers as m')
    .innerJoin('segments as s', 's.id', 'm.segmentId')
    .select(['s.id', 's.name'])
    .where('m.customerId', '=', customerId)
    .orderBy('s.name')
    .execute();
}

/** The segments a customer is in now: one index read (the checkout's membership provider). */
export async function segmentsOfCustomer(db: DbOrTx, customerId: string): Promise<string[]> {
  return (await db.selectFrom('segmentMembers').select('segmentId').where('customerId', '=', customerId).orderBy('segmentId').execute()).map((row) => row.segmentId);
}
