import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from '../../src/db/database.ts';
import { createRng } from '../generate/rng.ts';
import { latencies, type Latencies } from './http-load.ts';

/**
 * pgbench's TPC-B-like transaction on a file-backed PGlite, run in this process one after
 * another (PGlite has one connection): the most transactions of five statements a second the
 * embedded engine gives on this machine, whatever sits in front of it. pgbench cannot drive
 * PGlite, so this is its script by hand, with the tables of `pgbench -i -s <scale>`.
 */
export async function pgliteTpcb(dir: string, options: { seconds: number; scale?: number }): Promise<{ tps: number; transactions: number; latency: Latencies }> {
  const scale = options.scale ?? 1;
  const pglite = await PGlite.create(path.join(dir, 'pglite'), pgliteOptions());
  try {
    await pglite.exec(`
      create table pgbench_branches (bid int primary key, bbalance int, filler char(88));
      create table pgbench_tellers (tid int primary key, bid int, tbalance int, filler char(84));
      create table pgbench_accounts (aid int primary key, bid int, abalance int, filler char(84));
      create table pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
      insert into pgbench_branches (bid, bbalance) select b, 0 from generate_series(1, ${scale}) b;
      insert into pgbench_tellers (tid, bid, tbalance) select t, (t - 1) / 10 + 1, 0 from generate_series(1, ${10 * scale}) t;
      insert into pgbench_accounts (aid, bid, abalance, filler) select a, (a - 1) / 100000 + 1, 0, '' from generate_series(1, ${100_000 * scale}) a;
    `);
    // One statement each: several in one exec run as one transaction, where VACUUM may not.
    await pglite.exec('vacuum analyze');
    await pglite.exec('checkpoint');
    const rng = createRng(3);
    const once = () => {
      const aid = rng.int(1, 100_000 * scale);
      const tid = rng.int(1, 10 * scale);
      const bid = rng.int(1, scale);
      const delta = rng.int(-5000, 5000);
      return pglite.transaction(async (tx) => {
        await tx.query('update pgbench_accounts set abalance = abalance + $1 where aid = $2', [delta, aid]);
        await tx.query('select abalance from pgbench_accounts where aid = $1', [aid]);
        await tx.query('update pgbench_tellers set tbalance = tbalance + $1 where tid = $2', [delta, tid]);
        await tx.query('update pgbench_branches set bbalance = bbalance + $1 where bid = $2', [delta, bid]);
        await tx.query('insert into pgbench_history (tid, bid, aid, delta, mtime) values ($1, $2, $3, $4, current_timestamp)', [tid, bid, aid, delta]);
      });
    };
    for (let i = 0; i < 200; i++) await once();
    const times: number[] = [];
    const started = performance.now();
    const end = started + options.seconds * 1000;
    while (performance.now() < end) {
      const at = performance.now();
      await once();
      times.push(performance.now() - at);
    }
    const elapsed = performance.now() - started;
    return { tps: (times.length * 1000) / elapsed, transactions: times.length, latency: latencies(times) };
  } finally {
    await pglite.close();
  }
}
