import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { colocatedWithCustomers, distributedBy } from './partitioned-copy.ts';
import type { RecordedStatement } from './sql-recorder.ts';

/** Which partitions of which partitioned tables a statement touched (none for reference tables). */
export type StatementTouch = { text: string; partitions: Record<string, string[]> };
/** What is wrong, and the statement it is wrong with (one line); none for a whole call's fault. */
export type Violation = { problem: string; statement: string | null };
export type RouterReport = { violations: Violation[]; touches: StatementTouch[] };

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
/** A statement's text as known-violation patterns match it: one line, identifiers unquoted. */
export const normalizeSql = (text: string) => oneLine(text).replaceAll('"', '');
export const describeViolation = (v: Violation) => (v.statement === null ? v.problem : `${v.problem}: ${v.statement}`);
// Statements may open with a comment naming them (`/*ps:receipt_store*/ select …`).
const withoutLeadingComments = (text: string) => text.replace(/^(\s+|\/\*[\s\S]*?\*\/|--[^\n]*(\n|$))*/, '');

function relationNames(node: unknown, into: string[]): void {
  if (Array.isArray(node)) for (const child of node) relationNames(child, into);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Relation Name' && typeof value === 'string') into.push(value);
      else relationNames(value, into);
    }
  }
}

/**
 * Checks statements recorded against the partitioned copy (partitioned-copy.ts) by Citus's
 * router-query rule: each touches at most one partition of every partitioned table, and all of
 * them together at most one customer's shard. Reads come from `EXPLAIN` with the statement's own
 * parameters (pruned partitions are absent from the plan); rows written come from the copy's
 * triggers, since an INSERT's plan does not say where its rows go.
 */
export async function checkRouterQueries(db: Db, statements: RecordedStatement[]): Promise<RouterReport> {
  const parents = new Map(
    (await sql<{ child: string; parent: string }>`select c.relname as child, p.relname as parent
      from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent`.execute(db)).rows.map((r) => [r.child, r.parent]),
  );
  const violations: Violation[] = [];
  const flag = (problem: string, statement: string | null) => {
    if (!violations.some((v) => v.problem === problem && v.statement === statement)) violations.push({ problem, statement });
  };
  const touches: StatementTouch[] = [];
  const shards = new Set<string>();
  for (const statement of statements) {
    const text = oneLine(statement.text);
    if (statement.error) {
      flag(`fails on the partitioned copy (${statement.error})`, text);
      touches.push({ text, partitions: {} });
      continue;
    }
    const relations: string[] = [];
    if (/^(select|insert|update|delete|with)\b/i.test(withoutLeadingComments(statement.text))) {
      try {
        const plan = await db.executeQuery(CompiledQuery.raw(`explain (format json) ${statement.text}`, statement.values));
        relationNames(plan.rows.map((row) => Object.values(row as object)[0]), relations);
      } catch (error) {
        flag(`cannot be planned on the partitioned copy (${(error as Error).message})`, text);
        touches.push({ text, partitions: {} });
        continue;
      }
    }
    for (const notice of statement.notices) {
      const written = /^scale-out touch (\S+) (t|f)$/.exec(notice);
      if (!written) continue;
      relations.push(written[1]!);
      const table = parents.get(written[1]!)!;
      if (written[2] === 't') flag(`writes a row with a null ${distributedBy[table]} into ${table}, which Citus cannot place`, text);
    }
    const byTable: Record<string, Set<string>> = {};
    for (const relation of relations) {
      const parent = parents.get(relation);
      if (parent) (byTable[parent] ??= new Set()).add(relation);
    }
    for (const [table, partitions] of Object.entries(byTable)) {
      if (partitions.size > 1) flag(`touches ${partitions.size} partitions of ${table} (no ${distributedBy[table]} = constant to route by)`, text);
      // Colocated partitions share their number: customer X's rows are in *_p<n> of every table.
      else if (colocatedWithCustomers(table)) shards.add([...partitions][0]!.replace(/^.*_p/, ''));
    }
    touches.push({ text, partitions: Object.fromEntries(Object.entries(byTable).map(([table, set]) => [table, [...set].sort()])) });
  }
  if (shards.size > 1) flag(`its single-partition statements reach ${shards.size} customer shards (_p${[...shards].sort().join(', _p')}): one operation should touch one customer`, null);
  return { violations, touches };
}

/** One line per statement: the partitions it touched per table, then its text. */
export function formatTouches(report: RouterReport): string {
  const lines = report.touches.map(({ text, partitions }) => {
    const counts = Object.entries(partitions).map(([table, list]) => `${table} ${list.length}`).join(', ');
    return `  ${(counts || '-').padEnd(32)} | ${text.length > 150 ? `${text.slice(0, 150)}…` : text}`;
  });
  return [...lines, ...report.violations.map((v) => `  VIOLATION ${describeViolation(v)}`)].join('\n');
}
