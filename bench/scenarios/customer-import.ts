import path from 'node:path';
import { customerCsvColumns, writeCustomersCsv } from '../generate/customers-csv.ts';
import { ceilingCopy, plainCopy } from '../harness/copy-reference.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';
import { importOutcome, uploadWithCpu } from '../harness/upload.ts';

const GOAL_SHARE_OF_CEILING = 0.5;

// What the import writes, in the order foreign keys need; outbox ids come from the identity column.
const writtenTables = [
  { table: 'customers' },
  { table: 'customer_identifiers' },
  { table: 'consent_events' },
  { table: 'outbox_events', columns: '(event_id, type, customer_id, payload, occurred_at, published_at)' },
];

/**
 * A retailer's customer export (bench/generate/customers-csv.ts: phones in every local
 * spelling, mixed-case e-mails, ~2 % repeated customers, ~0.5 % malformed cells) uploaded to
 * POST /v1/imports/customers of a server on an empty database, timed from the first byte to
 * the job's finishedAt. Beside it: a plain COPY of the same file into a bare all-text table,
 * and the ceiling: the rows the import stored, COPYed into freshly migrated tables (same
 * indexes, checks, foreign keys), which no way of writing them can beat.
 */
export const customerImport: Scenario = {
  name: 'customer-import',
  title: 'customer CSV upload through POST /v1/imports/customers',
  goal: `≥ ${GOAL_SHARE_OF_CEILING * 100} % of the ceiling (COPY of the stored rows into the indexed tables)`,
  reference: 'plain COPY of the same CSV into a bare all-text table; and the ceiling: binary COPY of the rows the import stored into freshly migrated tables',
  async run(ctx) {
    const rows = ctx.scale.csvRows;
    const file = path.join(ctx.tmp, `customers-${rows}.csv`);
    const generated = await writeCustomersCsv(file, { rows });
    ctx.say(`  CSV: ${fmt(rows)} rows, ${fmt(generated.bytes / 1e6, 1)} MB (seed 1)`);
    const target = await ctx.scratchDatabase('patron_bench_import');
    const server = await ctx.startServer('import', { databaseUrl: target.url, dataDir: path.join(ctx.tmp, 'server-import') });
    const imported = await uploadWithCpu(server, ctx.admin, target.name, {
      path: '/v1/imports/customers?fileName=customers.csv',
      contentType: 'text/csv',
      file,
      progress: (job, ms) => ctx.say(`    … ${fmt(job.rowsDone + job.rowsFailed)} rows in ${fmt(ms / 1000, 1)} s`),
    }).finally(() => server.stop());
    const serverCpuMs = imported.cpu.serverMs;
    const postgresCpuMs = imported.cpu.postgresMs;
    const { job } = imported;
    const importRate = (rows * 1000) / imported.ms;
    ctx.say(`  import: ${fmt(imported.ms / 1000, 2)} s (upload ${fmt(imported.uploadMs / 1000, 2)} s) → ${fmt(importRate)} rows/s; status ${job.status}${job.failure ? ` (${job.failure})` : ''}`);
    ctx.say(`    rowsDone ${fmt(job.rowsDone)} (created ${fmt(job.rowsCreated)}, updated ${fmt(job.rowsUpdated)}), rowsFailed ${fmt(job.rowsFailed)}`);
    const perRow = (ms: number | null) => (ms === null ? 'n/a' : `${fmt((ms * 1000) / rows)} µs`);
    ctx.say(`    CPU per row: server ${perRow(serverCpuMs)}, PostgreSQL backends ${perRow(postgresCpuMs)}`);

    const copied = await plainCopy(target.url, { file, table: 'bench_copy_customers', columns: customerCsvColumns.map((name) => `"${name}" text`).join(', '), copyOptions: 'format csv, header true' });
    const copyRate = (copied.rows * 1000) / copied.ms;
    ctx.say(`  plain COPY (csv, header) into a bare all-text table: ${fmt(copied.rows)} rows in ${fmt(copied.ms / 1000, 2)} s → ${fmt(copyRate)} rows/s`);

    const ceilingDb = await ctx.scratchDatabase('patron_bench_ceiling', true);
    const ceiling = await ceilingCopy(target.url, ceilingDb.url, { prerequisites: [], measured: writtenTables }, ctx.tmp);
    const ceilingRate = (rows * 1000) / ceiling.ms;
    ctx.say(`  ceiling: ${ceiling.perTable.map((t) => `${t.table} ${fmt(t.rows)} in ${fmt(t.ms / 1000, 2)} s`).join('; ')} → ${fmt(ceilingRate)} CSV rows/s`);

    ctx.details['customer-import'] = {
      rows,
      bytes: generated.bytes,
      job,
      ms: imported.ms,
      uploadMs: imported.uploadMs,
      cpuPerRowUs: { server: serverCpuMs === null ? null : (serverCpuMs * 1000) / rows, postgres: postgresCpuMs === null ? null : (postgresCpuMs * 1000) / rows },
      copy: copied,
      ceiling,
    };
    const outcome = importOutcome(job, rows);
    const detail = outcome.detail ? { detail: outcome.detail } : {};
    return [
      {
        scenario: 'customer-import',
        figure: 'CSV rows/s via HTTP (vs ceiling)',
        value: outcome.measured ? importRate : null,
        unit: 'rows/s',
        ...detail,
        goal: { text: `≥ ${GOAL_SHARE_OF_CEILING * 100} % of ceiling`, met: outcome.completed && importRate >= GOAL_SHARE_OF_CEILING * ceilingRate },
        reference: { what: 'ceiling: COPY of stored rows into indexed tables', value: ceilingRate },
      },
      {
        scenario: 'customer-import',
        figure: 'CSV rows/s via HTTP (vs COPY)',
        value: outcome.measured ? importRate : null,
        unit: 'rows/s',
        ...detail,
        reference: { what: 'plain COPY of the CSV, bare table', value: copyRate },
      },
    ];
  },
};
