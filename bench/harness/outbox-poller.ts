import type pg from 'pg';

/** How often the bare reader reads the outbox. */
export const POLL_MS = 20;

/**
 * The limit reference of the outbox scenarios: a bare reader in the bench process polling the
 * outbox every `POLL_MS` for `receipt.confirmed` rows past the last it saw, the lag of each being
 * the database's clock when it first saw the row minus its `occurred_at` — how soon any reader
 * can see an event at all (its transaction committed, the server not busy elsewhere). It starts
 * past the outbox's last row now (`firstId`); `stop()` ends it and answers the lags it saw.
 */
export async function startOutboxPoller(direct: pg.Client): Promise<{ firstId: number; stop: () => Promise<number[]> }> {
  const start = (await direct.query<{ id: string | null }>('select max(id) as id from outbox_events')).rows[0]!;
  const firstId = Number(start.id ?? 0);
  let last = firstId;
  const lags: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = (
        await direct.query<{ id: string; lag_ms: number }>(
          `select id, extract(epoch from clock_timestamp() - occurred_at) * 1000 as lag_ms from outbox_events where id > $1 and type = 'receipt.confirmed' order by id`,
          [last],
        )
      ).rows;
      for (const row of rows) {
        lags.push(Number(row.lag_ms));
        last = Math.max(last, Number(row.id));
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    firstId,
    stop: async () => {
      polling = false;
      await poller;
      return lags;
    },
  };
}
