import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformError } from '../../platform/errors.ts';
import type { ListIdentifierKind, ResolvedListValue } from '../customers/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';

/**
 * A campaign's audience from a CSV file: a header row naming one identifier column (customerId,
 * phone, email or cardNumber; other columns are passed over), then one customer a row. The file
 * is read as it streams in, a batch of `BATCH` rows resolved at a time through the customers'
 * port; what matched replaces the draft's list in one transaction at the end, so a list is
 * never half replaced, and sending the same file again gives the same list (a dropped
 * connection is answered by sending again). 100,000 rows take seconds: no job is needed.
 */
const BATCH = 5000;
const MAX_MEMBERS = 500_000;
const MAX_BYTES = 64 * 1024 * 1024;
/** Lines listed per kind of problem in the answer (the counts are whole). */
const LISTED = 100;
const COLUMNS: readonly ListIdentifierKind[] = ['customerId', 'phone', 'email', 'cardNumber'];

export type AudienceUpload = {
  campaignId: string;
  column: ListIdentifierKind;
  rows: number;
  matched: number;
  listSize: number;
  unknown: { count: number; lines: number[] };
  duplicates: { count: number; lines: number[] };
  invalid: { count: number; rows: Array<{ line: number; reason: string }> };
};

export type ResolveList = (kind: ListIdentifierKind, values: readonly string[]) => Promise<ResolvedListValue[]>;

const invalidAudience = (detail: string) => messagingError('messaging.invalid_audience', detail, [{ field: 'body', reason: detail }]);

function headerColumn(header: string[]): { index: number; kind: ListIdentifierKind } {
  const found = COLUMNS.flatMap((kind) => {
    const index = header.findIndex((name) => name.trim().toLowerCase() === kind.toLowerCase());
    return index >= 0 ? [{ index, kind }] : [];
  });
  if (found.length !== 1) {
    const named = found.map((f) => f.kind).join(', ');
    throw invalidAudience(`The header row must name exactly one of customerId, phone, email, cardNumber${found.length > 1 ? `, not ${named}` : ''}`);
  }
  return found[0]!;
}

export async function uploadAudience(deps: { db: Db; clock: Clock; resolve: ResolveList }, campaignId: string, body: Readable, actor: Actor): Promise<AudienceUpload> {
  const { db, clock } = deps;
  const current = await db.selectFrom('campaigns').select('status').where('id', '=', campaignId).executeTakeFirst();
  if (!current) throw messagingError('messaging.campaign_not_found', `No campaign ${campaignId}; GET /v1/campaigns lists them`);
  if (current.status !== 'draft') throw messagingError('messaging.campaign_state', `Campaign ${campaignId} is ${current.status}; only a draft's audience can be replaced`);

  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BYTES) body.destroy(platformError('request.body_too_large', `An audience file is limited to ${MAX_BYTES} bytes; use a segment for more`));
  });
  const parser = body.pipe(parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true }));
  body.on('error', (error) => parser.destroy(error));
  const members = new Set<string>();
  const report: AudienceUpload = {
    campaignId, column: 'customerId', rows: 0, matched: 0, listSize: 0, unknown: { count: 0, lines: [] }, duplicates: { count: 0, lines: [] }, invalid: { count: 0, rows: [] },
  };
  let column: { index: number; kind: ListIdentifierKind } | null = null;
  let batch: Array<{ line: number; value: string; problem?: string }> = [];
  const listed = <T>(list: T[], item: T) => {
    if (list.length < LISTED) list.push(item);
  };
  const flush = async () => {
    if (batch.length === 0 || !column) return;
    const looked = batch.filter((b) => !b.problem);
    const answers = await deps.resolve(column.kind, looked.map((b) => b.value));
    const resolved = new Map(looked.map((b, i) => [b, answers[i]]));
    batch.forEach((item) => {
      const { line } = item;
      const found = item.problem ? { problem: item.problem } : resolved.get(item);
      if (found === null || found === undefined) {
        report.unknown.count++;
        listed(report.unknown.lines, line);
      } else if ('problem' in found) {
        report.invalid.count++;
        listed(report.invalid.rows, { line, reason: found.problem });
      } else if (members.has(found.customerId)) {
        report.duplicates.count++;
        listed(report.duplicates.lines, line);
      } else {
        members.add(found.customerId);
        report.matched++;
      }
    });
    batch = [];
    if (members.size > MAX_MEMBERS) throw invalidAudience(`The file names more than ${MAX_MEMBERS} customers; use a segment for an audience this large`);
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!column) {
        column = headerColumn(record);
        report.column = column.kind;
        continue;
      }
      report.rows++;
      const value = (record[column.index] ?? '').trim();
      // Kept in the batch, so every kind of problem is listed in line order.
      const problem = value === '' ? `${column.kind} is empty` : value.length > 200 ? `${column.kind} is longer than 200 characters` : undefined;
      batch.push({ line: info.lines, value, ...(problem ? { problem } : {}) });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } catch (error) {
    const csv = error as CsvError;
    if (typeof csv.code === 'string' && csv.code.startsWith('CSV_')) throw invalidAudience(`The file is not valid CSV at line ${(csv as { lines?: number }).lines ?? '?'}: check its quotes`);
    throw error;
  }
  if (!column) throw invalidAudience('The file is empty: send a header row naming customerId, phone, email or cardNumber, then one customer a row');

  const ids = [...members];
  await db.transaction().execute(async (tx) => {
    // Still a draft (the row locked: a start waits for this list, or this finds it started).
    const updated = await tx.updateTable('campaigns').set({ audience: JSON.stringify({ kind: 'list' }), updatedAt: clock.now() }).where('id', '=', campaignId).where('status', '=', 'draft').returning('id').executeTakeFirst();
    if (!updated) throw messagingError('messaging.campaign_state', `Campaign ${campaignId} started meanwhile; only a draft's audience can be replaced`);
    await tx.deleteFrom('campaignListMembers').where('campaignId', '=', campaignId).execute();
    for (let i = 0; i < ids.length; i += BATCH) {
      await sql`insert into campaign_list_members (campaign_id, customer_id) select ${campaignId}, unnest(${ids.slice(i, i + BATCH)}::text[])`.execute(tx);
    }
    await writeAudit(tx, clock, actor, {
      action: 'campaign.audience_upload', entityType: 'campaign', entityId: campaignId,
      details: { column: report.column, rows: report.rows, matched: report.matched, unknown: report.unknown.count, duplicates: report.duplicates.count, invalid: report.invalid.count },
    });
  });
  report.listSize = ids.length;
  return report;
}
