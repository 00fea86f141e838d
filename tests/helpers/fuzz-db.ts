import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';

/**
 * Tells whether a request wrote anything, whatever the size of the tables: triggers on every
 * table of the fuzzer's own database log each statement that changed rows into `fuzz_writes`, in
 * the statement's transaction — so a write that was rolled back leaves no entry, and one that
 * was committed always does. A mark is the log's last id; the tables written since a mark are the
 * entries after it. (Hashing every row before and after each request cost seconds a request once
 * a run had made a million promo codes.)
 */
export type WriteWatch = {
  /** The log's position now. */
  mark(): Promise<number>;
  /** The tables written since `mark`, with how (`customers INSERT`). */
  writtenSince(mark: number): Promise<string[]>;
};

/**
 * Columns whose change a refused request may commit, by design; an update that sets only these is
 * not logged. api_keys.last_used_at: authenticating a key stamps it (minute precision,
 * api-keys.ts) before the route knows whether the request is any good — a 400 with a valid key is
 * still a use of it.
 */
// A wrong console password is refused and counted (five in a row lock the account): the one
// write a refused request must make.
const IGNORED_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'], staff_users: ['failed_attempts', 'locked_until'] };
const DERIVED_TABLES = /^rollup_/;

export async function watchWrites(database: Database): Promise<WriteWatch> {
  const db = database.db;
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'fuzz_writes'
    order by table_name`.execute(db);
  const statements = [
    'create table fuzz_writes (id bigint generated always as identity primary key, t text not null, op text not null)',
    // Statement-level with the rows it changed: one log entry a statement (a batch of 50,000 codes is one), none when it changed no row.
    `create function fuzz_note_changed() returns trigger language plpgsql as $$
     begin if exists (select 1 from fuzz_changed) then insert into fuzz_writes (t, op) values (TG_TABLE_NAME, TG_OP); end if; return null; end $$`,
    `create function fuzz_note() returns trigger language plpgsql as $$
     begin insert into fuzz_writes (t, op) values (TG_TABLE_NAME, TG_OP); return null; end $$`,
  ];
  for (const { name } of rows) {
    // The reporting rollups are derived upkeep: a report reading them first repairs the few hours
    // a refund or a merge left marked (loyalty's rollupsForReport), by design, so a read may write
    // them. Every table they are derived from is watched.
    if (DERIVED_TABLES.test(name)) continue;
    const table = `"${name}"`;
    statements.push(
      `create trigger fuzz_i after insert on ${table} referencing new table as fuzz_changed for each statement execute function fuzz_note_changed()`,
      `create trigger fuzz_d after delete on ${table} referencing old table as fuzz_changed for each statement execute function fuzz_note_changed()`,
      `create trigger fuzz_t after truncate on ${table} for each statement execute function fuzz_note()`,
    );
    const ignored = IGNORED_COLUMNS[name];
    if (ignored) {
      // A column list allows no transition table: one entry a row, for updates that set a watched column.
      const { rows: columns } = await sql<{ name: string }>`
        select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${name}`.execute(db);
      const watched = columns.map((c) => `"${c.name}"`).filter((c) => !ignored.includes(c.slice(1, -1)));
      statements.push(`create trigger fuzz_u after update of ${watched.join(', ')} on ${table} for each row execute function fuzz_note()`);
    } else {
      statements.push(`create trigger fuzz_u after update on ${table} referencing new table as fuzz_changed for each statement execute function fuzz_note_changed()`);
    }
  }
  await database.runScript(statements.map((s) => `${s};`).join('\n'));
  return {
    async mark() {
      const { rows: [row] } = await sql<{ id: string }>`select coalesce(max(id), 0)::text as id from fuzz_writes`.execute(db);
      return Number(row?.id ?? 0);
    },
    async writtenSince(mark) {
      const { rows: written } = await sql<{ t: string; op: string; n: string }>`
        select t, op, count(*)::text as n from fuzz_writes where id > ${mark} group by t, op order by t, op`.execute(db);
      return written.map((w) => `${w.t} ${w.op}${w.n === '1' ? '' : ` ×${w.n}`}`);
    },
  };
}
