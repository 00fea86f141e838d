import { sql } from 'kysely';
import { platformDb, type AnyDb } from './db-views.ts';
import type { PlatformTables } from './platform.tables.ts';

/**
 * Wakes the outbox's consumers when events are written, instead of leaving each event to its
 * consumers' next tick (5 s by default: 2.5 s of lag on average where a reader could see it in
 * tens of milliseconds). It asks for the outbox's highest id every `intervalMs` (one probe of the
 * primary key's last page) and calls `written` when it grew.
 *
 * Polled rather than LISTEN/NOTIFY: a NOTIFY in the confirm's transaction would take, at commit,
 * the one lock PostgreSQL serialises every notifying commit of a database on, on the checkout's
 * hot path; and a poll sees every writer alike: this process, other instances, a script's SQL.
 * The consumers' ticks stay the fallback (a watch that fails only logs).
 */
export function watchOutbox<V extends PlatformTables>(
  anyDb: AnyDb<V>,
  options: { intervalMs: number; written: () => void; log: { error(obj: object, msg: string): void } },
): { stop(): Promise<void> } {
  const db = platformDb(anyDb);
  let last: number | null = null;
  let polling: Promise<void> | null = null;
  let failing = false;
  const poll = async () => {
    try {
      const row = (await sql<{ id: string | null }>`select max(id) as id from outbox_events`.execute(db)).rows[0];
      const highest = Number(row?.id ?? 0);
      // The first look only learns where the outbox stands: the consumers' own first runs read what is there.
      if (last !== null && highest > last) options.written();
      last = highest;
      failing = false;
    } catch (error) {
      // Said once a spell of failures (the database restarting), not every interval.
      if (!failing) options.log.error({ err: error }, 'watching the outbox failed; its consumers run at their ticks until it works again');
      failing = true;
    }
  };
  const timer = setInterval(() => {
    polling ??= poll().finally(() => {
      polling = null;
    });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await polling;
    },
  };
}
