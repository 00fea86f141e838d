import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { consumeOutbox, type OutboxRow } from '../../platform/outbox-consumer.ts';
import type { Db } from './messaging.db.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageContent, MessageSource } from './messaging.tables.ts';

/**
 * Staff mail: scheduled reports and alerts e-mailed to the addresses on the report or the alert
 * rule. The analytics module writes `report.completed`, `report.failed` and `alert.fired` with
 * the recipients and what to send; this consumer queues one service message per event and
 * address, with no customer, for the sender to send through the e-mail channel (its retries,
 * rate limits and status history). The dedupe key is the event's subject and the address, so an
 * event read twice queues nothing more.
 */
export const CONSUMER = 'staff-mail';
export const STAFF_MAIL_EVENTS = ['report.completed', 'report.failed', 'alert.fired'] as const;

type Mail = { source: MessageSource; sourceId: string; content: MessageContent };

const text = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value));
const periodWords = (from: string, to: string) => (from === to ? from : `${from} to ${to}`);
// A file name a mail client saves as it is: the report's name in plain letters, digits and dashes.
const fileName = (name: string, from: string, to: string) => `${name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report'}_${from}_${to}.csv`;

/** What one event says to its recipients; null for an event this consumer does not mail. */
export function staffMail(row: Pick<OutboxRow, 'type' | 'payload'>, programName: string): Mail | null {
  const p = row.payload;
  const name = text(p.name);
  if (row.type === 'report.completed' || row.type === 'report.failed') {
    const from = text(p.from);
    const to = text(p.to);
    const period = `${periodWords(from, to)} (${text(p.timezone)})`;
    const runPath = `GET /v1/reports/${text(p.reportId)}/runs/${text(p.runId)}`;
    if (row.type === 'report.failed') {
      return {
        source: 'report', sourceId: text(p.runId),
        content: { subject: `${programName}: the report "${name}" for ${periodWords(from, to)} failed`, text: `The scheduled report "${name}" (${text(p.kind)}) for ${period} failed: ${text(p.failure)}\n\nThe run: ${runPath}\n` },
      };
    }
    const csv = typeof p.csv === 'string' ? p.csv : null;
    const body = csv === null
      ? `The scheduled report "${name}" (${text(p.kind)}) for ${period} is too large to attach. Download it as CSV: ${runPath}?format=csv\n`
      : `The scheduled report "${name}" (${text(p.kind)}) for ${period} is attached as CSV.\n\nThe run, as JSON or CSV: ${runPath}\n`;
    return {
      source: 'report', sourceId: text(p.runId),
      content: {
        subject: `${programName}: ${name}, ${periodWords(from, to)}`,
        text: body,
        ...(csv === null ? {} : { attachments: [{ filename: fileName(name, from, to), contentType: 'text/csv; charset=utf-8', content: csv }] }),
      },
    };
  }
  if (row.type === 'alert.fired') {
    const evidence = (p.evidence ?? {}) as { history?: Array<{ day: string; value: number }> };
    const history = (evidence.history ?? []).map((h) => `  ${h.day}  ${h.value}`).join('\n');
    return {
      source: 'alert', sourceId: text(p.alertId),
      content: {
        subject: `${programName}: alert "${name}" on ${text(p.day)}`,
        text: `${text(p.message)}\n\nThe history it was judged against:\n${history || '  (none)'}\n\nThe alert: GET /v1/alerts/${text(p.alertId)}\n`,
      },
    };
  }
  return null;
}

export function createStaffMail(deps: { db: Db; clock: Clock; ids: Ids; programName: () => Promise<string>; queued?: () => void }) {
  const { db, clock, ids } = deps;
  return {
    /** The outbox consumer: each event's message to each of its recipients, queued once. */
    async collect(signal?: AbortSignal, woken = false): Promise<{ events: number; queued: number }> {
      let queued = 0;
      const { events } = await consumeOutbox(
        db,
        clock,
        {
          name: CONSUMER,
          types: STAFF_MAIL_EVENTS,
          batch: 100,
          async handle(rows) {
            const programName = await deps.programName();
            const messages = rows.flatMap((row) => {
              const mail = staffMail(row, programName);
              const recipients = Array.isArray(row.payload.recipients) ? row.payload.recipients.filter((r): r is string => typeof r === 'string') : [];
              if (!mail) return [];
              return recipients.map((address) => ({ id: ids.next('msg'), address, dedupeKey: `${row.type}:${mail.sourceId}:${address}`, ...mail }));
            });
            if (messages.length === 0) return true;
            const now = clock.now();
            const written = await sql<{ id: string }>`
              with input as (
                select * from unnest(${messages.map((m) => m.id)}::text[], ${messages.map((m) => m.address)}::text[], ${messages.map((m) => JSON.stringify(m.content))}::jsonb[],
                  ${messages.map((m) => m.source)}::text[], ${messages.map((m) => m.sourceId)}::text[], ${messages.map((m) => m.dedupeKey)}::text[])
                  as t(id, recipient, content, source, source_id, dedupe_key)
              ), inserted as (
                insert into messages (id, customer_id, kind, purpose, template_id, template_version, source, source_id, dedupe_key, recipient, content, status, reason,
                  next_attempt_at, created_at, updated_at)
                select id, null, 'email', 'service', null, null, source, source_id, dedupe_key, recipient, content, 'queued', null, ${now}, ${now}, ${now}
                from input
                on conflict (dedupe_key) do nothing
                returning id
              ), history as (
                insert into message_events (message_id, customer_id, status, occurred_at, detail) select id, null, 'queued', ${now}, '{}'::jsonb from inserted
              )
              select id from inserted`.execute(db);
            queued += written.rows.length;
            if (written.rows.length > 0) deps.queued?.();
            return true;
          },
        },
        signal,
        { woken },
      );
      return { events, queued };
    },
  };
}

export type StaffMail = ReturnType<typeof createStaffMail>;
