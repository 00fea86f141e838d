import path from 'node:path';
import pg from 'pg';
import { generateLoyaltyData, pgRunner } from '../generate/loyalty-data.ts';
import { writeReceiptsNdjson } from '../generate/receipts-ndjson.ts';
import { ceilingCopy, plainCopy } from '../harness/copy-reference.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';
import { importOutcome, uploadWithCpu } from '../harness/upload.ts';

/** See docs/performance.md: a historical receipt resolves its customer and runs the earning pipeline, which COPY does not. */
const GOAL_SHARE_OF_CEILING = 0.25;

// What a bulk load with earn=true may write, in the order foreign keys need.
const candidateTables = [
  { table: 'receipts' },
  { table: 'receipt_lines' },
  { table: 'point_lots' },
  { table: 'point_entries' },
  { table: 'point_balances' },
  { table: 'customer_tiers' },
  { table: 'outbox_events', columns: '(event_id, type, customer_id, payload, occurred_at, published_at)' },
];

/**
 * A year of historical receipts (bench/generate/receipts-ndjson.ts) uploaded to
 * POST /v1/receipts/bulk?earn=true of a server whose database holds the stores, the catalog
 * and the customers (the loyalty generator with no receipts), timed from the first byte to the
 * job's finishedAt. Beside it: a plain COPY of the same NDJSON lines into a one-column table,
 * and the ceiling: the rows the load stored (receipts, lines, and the ledger they earned),
 * COPYed into freshly migrated tables with the same indexes, checks and foreign keys.
 */
export const bulkReceipts: Scenario = {
  name: 'bulk-receipts',
  title: 'historical receipts through POST /v1/receipts/bulk?earn=true',
  goal: `≥ ${GOAL_SHARE_OF_CEILING * 100} % of the ceiling (COPY of the stored rows into the indexed tables)`,
  reference: 'plain COPY of the same NDJSON lines into a one-column table; and the ceiling: binary COPY of the receipts, lines and ledger rows the load stored into freshly migrated tables',
  async run(ctx) {
    const receipts = ctx.scale.bulkReceipts;
    const target = await ctx.scratchDatabase('patron_bench_receipts', true);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    let stores: string[];
    let products: Array<{ sku: string; price: number; weighed: boolean }>;
    try {
      const run = pgRunner(client);
      const generated = await generateLoyaltyData(run, { customers: ctx.scale.bulkCustomers, receipts: 0 });
      ctx.say(`  database ${target.name}: ${fmt(ctx.scale.bulkCustomers)} customers, the stores and the catalog, no receipts (${fmt(generated.totalMs / 1000, 1)} s)`);
      stores = (await run(`select id from stores order by id`)).rows.map((row) => String(row.id));
      products = (await run(`select sku, attributes from products order by sku`)).rows.map((row) => {
        const attributes = (typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes) as { price?: number; weighed?: boolean };
        return { sku: String(row.sku), price: Number(attributes.price ?? 9_990), weighed: Boolean(attributes.weighed) };
      });
    } finally {
      await client.end();
    }
    const file = path.join(ctx.tmp, `receipts-${receipts}.ndjson`);
    // A day back from now, so no receipt is in the future for the server.
    const asOf = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
    const written = await writeReceiptsNdjson(file, { receipts, customers: ctx.scale.bulkCustomers, stores, products, asOf });
    ctx.say(`  NDJSON: ${fmt(receipts)} receipts, ${fmt(written.lines)} lines, ${fmt(written.bytes / 1e6, 1)} MB (seed 1)`);

    const server = await ctx.startServer('receipts', { databaseUrl: target.url, dataDir: path.join(ctx.tmp, 'server-receipts') });
    const loaded = await uploadWithCpu(server, ctx.admin, target.name, {
      path: '/v1/receipts/bulk?earn=true&fileName=receipts.ndjson',
      contentType: 'application/x-ndjson',
      file,
      progress: (job, ms) => ctx.say(`    … ${fmt(job.rowsDone + job.rowsFailed)} receipts in ${fmt(ms / 1000, 1)} s`),
    }).finally(() => server.stop());
    const serverCpuMs = loaded.cpu.serverMs;
    const postgresCpuMs = loaded.cpu.postgresMs;
    const { job } = loaded;
    const rate = (receipts * 1000) / loaded.ms;
    ctx.say(`  bulk load: ${fmt(loaded.ms / 1000, 2)} s (upload ${fmt(loaded.uploadMs / 1000, 2)} s) → ${fmt(rate)} receipts/s; status ${job.status}${job.failure ? ` (${job.failure})` : ''}`);
    ctx.say(`    rowsDone ${fmt(job.rowsDone)} (created ${fmt(job.rowsCreated)}, skipped as loaded before ${fmt(job.rowsUpdated)}), rowsFailed ${fmt(job.rowsFailed)}`);
    for (const error of job.errors.slice(0, 5)) ctx.say(`    line ${error.line}: ${error.field} ${error.reason}`);
    const perReceipt = (ms: number | null) => (ms === null ? 'n/a' : `${fmt((ms * 1000) / receipts)} µs`);
    ctx.say(`    CPU per receipt: server ${perReceipt(serverCpuMs)}, PostgreSQL backends ${perReceipt(postgresCpuMs)}`);

    const copied = await plainCopy(target.url, { file, table: 'bench_copy_receipts', columns: 'line text', copyOptions: 'format text' });
    const copyRate = (copied.rows * 1000) / copied.ms;
    ctx.say(`  plain COPY of the NDJSON lines into a one-column table: ${fmt(copied.rows)} in ${fmt(copied.ms / 1000, 2)} s → ${fmt(copyRate)} receipts/s`);

    const counts = new pg.Client({ connectionString: target.url });
    await counts.connect();
    const stored: Array<{ table: string; columns?: string; rows: number }> = [];
    try {
      for (const t of candidateTables) stored.push({ ...t, rows: Number((await counts.query(`select count(*) as n from ${t.table}`)).rows[0]?.n ?? 0) });
    } finally {
      await counts.end();
    }
    const ceilingDb = await ctx.scratchDatabase('patron_bench_ceiling', true);
    const ceiling = await ceilingCopy(target.url, ceilingDb.url, { prerequisites: ['stores', 'customers'], measured: stored.filter((t) => t.rows > 0) }, ctx.tmp);
    const ceilingRate = (receipts * 1000) / ceiling.ms;
    ctx.say(`  ceiling: ${ceiling.perTable.map((t) => `${t.table} ${fmt(t.rows)} in ${fmt(t.ms / 1000, 2)} s`).join('; ')} → ${fmt(ceilingRate)} receipts/s`);

    ctx.details['bulk-receipts'] = {
      receipts,
      lines: written.lines,
      bytes: written.bytes,
      job,
      ms: loaded.ms,
      uploadMs: loaded.uploadMs,
      cpuPerReceiptUs: { server: serverCpuMs === null ? null : (serverCpuMs * 1000) / receipts, postgres: postgresCpuMs === null ? null : (postgresCpuMs * 1000) / receipts },
      copy: copied,
      ceiling,
    };
    const outcome = importOutcome(job, receipts);
    const detail = outcome.detail ? { detail: outcome.detail } : {};
    return [
      {
        scenario: 'bulk-receipts',
        figure: 'receipts/s via HTTP, earn=true (vs ceiling)',
        value: outcome.measured ? rate : null,
        unit: 'receipts/s',
        ...detail,
        goal: { text: `≥ ${GOAL_SHARE_OF_CEILING * 100} % of ceiling`, met: outcome.completed && rate >= GOAL_SHARE_OF_CEILING * ceilingRate },
        reference: { what: 'ceiling: COPY of stored rows into indexed tables', value: ceilingRate },
      },
      {
        scenario: 'bulk-receipts',
        figure: 'receipts/s via HTTP, earn=true (vs COPY)',
        value: outcome.measured ? rate : null,
        unit: 'receipts/s',
        ...detail,
        reference: { what: 'plain COPY of the NDJSON lines', value: copyRate },
      },
    ];
  },
};
