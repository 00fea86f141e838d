import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { consumeOutbox } from '../../platform/outbox-consumer.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { createWebhookTransport, retryDelay, type ChannelTransport, type SendOutcome } from './channels/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { WebhookDeliveriesTable } from './messaging.tables.ts';

/**
 * Webhooks: every outbox event of the types an endpoint subscribed to becomes a delivery (one
 * per endpoint and event, so the consumer giving an event twice delivers it once), POSTed as
 * signed JSON by the delivery job: accepted on a 2xx, retried with growing delays on a 429, a
 * 5xx or a timeout (up to `MAX_ATTEMPTS`), failed on another answer; each attempt's answer is
 * kept in the delivery log.
 */
export const CONSUMER = 'webhooks';
export const MAX_ATTEMPTS = 12;
const CLAIM_MS = 2 * 60_000;
const BATCH = 100;

export type WebhookInput = { url: string; eventTypes: string[]; description?: string | null; active?: boolean; allowPrivateNetwork?: boolean };
export type WebhookView = {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  active: boolean;
  allowPrivateNetwork: boolean;
  /** The last four characters of the signing secret (the whole secret is answered once, on creation). */
  secretHint: string;
  createdAt: string;
  updatedAt: string;
};
export type DeliveryView = {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveriesTable['status'];
  attempts: number;
  nextAttemptAt: string | null;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
};

type Row = { id: string; url: string; description: string | null; secret: string; eventTypes: string[]; active: boolean; allowPrivateNetwork: boolean; createdAt: Date; updatedAt: Date };

const view = (row: Row): WebhookView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes,
  active: row.active,
  allowPrivateNetwork: row.allowPrivateNetwork,
  secretHint: `…${row.secret.slice(-4)}`,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

function checkInput(input: WebhookInput, knownTypes: readonly string[]): void {
  const problems: FieldProblem[] = [];
  let url: URL | null = null;
  try {
    url = new URL(input.url);
  } catch {
    problems.push({ field: 'url', reason: 'must be an absolute http or https URL' });
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push({ field: 'url', reason: 'must be an http or https URL' });
  if (url && (url.username || url.password)) problems.push({ field: 'url', reason: 'must not carry a user name or password; the signature proves who sends' });
  input.eventTypes.forEach((type, i) => {
    if (type !== '*' && !knownTypes.includes(type)) problems.push({ field: `eventTypes.${i}`, reason: `${type} is not an event type; "*" takes every type, or one of: ${knownTypes.join(', ')}` });
  });
  if (problems.length > 0) throw messagingError('messaging.invalid_webhook', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

const deliveryView = (row: { [K in keyof WebhookDeliveriesTable]: unknown } & { id: string }): DeliveryView => {
  const r = row as unknown as { id: string; webhookId: string; eventId: string; eventType: string; status: DeliveryView['status']; attempts: number; nextAttemptAt: Date; responseStatus: number | null; lastError: string | null; createdAt: Date; deliveredAt: Date | null };
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventId: r.eventId,
    eventType: r.eventType,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
    responseStatus: r.responseStatus,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
  };
};

export function createWebhooks(deps: { db: Db; clock: Clock; ids: Ids; eventTypes: () => readonly string[] }) {
  const { db, clock, ids } = deps;
  const load = async (id: string): Promise<Row> => {
    const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw messagingError('messaging.webhook_not_found', `No webhook ${id}; GET /v1/webhooks lists them`);
    return row as Row;
  };
  const transports = new Map<string, { key: string; transport: ChannelTransport }>();
  const transportOf = (row: Row): ChannelTransport => {
    // One transport per endpoint as it is now (a changed secret or URL makes a new one).
    const key = `${row.secret}|${row.allowPrivateNetwork}`;
    const cached = transports.get(row.id);
    if (cached?.key === key) return cached.transport;
    void cached?.transport.close();
    const transport = createWebhookTransport({ secret: row.secret, allowPrivateNetwork: row.allowPrivateNetwork });
    transports.set(row.id, { key, transport });
    return transport;
  };

  return {
    async create(input: WebhookInput, actor: Actor): Promise<WebhookView & { secret: string }> {
      checkInput(input, deps.eventTypes());
      const now = clock.now();
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('webhooks')
          .values({
            id: ids.next('whk'), url: input.url, description: input.description ?? null, secret, eventTypes: input.eventTypes, active: input.active ?? true,
            allowPrivateNetwork: input.allowPrivateNetwork ?? false, createdAt: now, updatedAt: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'webhook.create', entityType: 'webhook', entityId: row.id, details: { eventTypes: input.eventTypes } });
        return { ...view(row as Row), secret };
      });
    },
    get: async (id: string) => view(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<WebhookView>> {
      const after = decodeCursor(cursor, isIdKey('whk'));
      let query = db.selectFrom('webhooks').selectAll().orderBy('id').limit(limit + 1);
      if (after) query = query.where('id', '>', after);
      const page = pageOf((await query.execute()) as Row[], limit, (row) => row.id);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
    async replace(id: string, merged: WebhookInput, actor: Actor): Promise<WebhookView> {
      await load(id);
      checkInput(merged, deps.eventTypes());
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('webhooks')
          .set({ url: merged.url, description: merged.description ?? null, eventTypes: merged.eventTypes, active: merged.active ?? true, allowPrivateNetwork: merged.allowPrivateNetwork ?? false, updatedAt: clock.now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'webhook.update', entityType: 'webhook', entityId: id, details: { active: row.active } });
        return view(row as Row);
      });
    },
    async remove(id: string, actor: Actor): Promise<WebhookView> {
      const current = view(await load(id));
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('webhooks').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'webhook.delete', entityType: 'webhook', entityId: id, details: {} });
      });
      transports.get(id)?.transport.close().catch(() => undefined);
      transports.delete(id);
      return current;
    },
    async deliveries(id: string, query: { limit: number; cursor?: string; status?: DeliveryView['status'] }): Promise<Page<DeliveryView>> {
      await load(id);
      const after = decodeCursor(query.cursor, isIdKey('whd'));
      let q = db.selectFrom('webhookDeliveries').selectAll().where('webhookId', '=', id).orderBy('id', 'desc').limit(query.limit + 1);
      if (query.status) q = q.where('status', '=', query.status);
      if (after) q = q.where('id', '<', after);
      const page = pageOf(await q.execute(), query.limit, (row) => row.id);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
    /** Sends a failed delivery again now (its endpoint fixed); a pending one is simply made due. */
    async redeliver(id: string, deliveryId: string, actor: Actor): Promise<DeliveryView> {
      await load(id);
      const row = await db
        .updateTable('webhookDeliveries')
        .set({ status: 'pending', nextAttemptAt: clock.now(), lockedUntil: null })
        .where('id', '=', deliveryId)
        .where('webhookId', '=', id)
        .where('status', '!=', 'delivered')
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const exists = await db.selectFrom('webhookDeliveries').selectAll().where('id', '=', deliveryId).where('webhookId', '=', id).executeTakeFirst();
        if (!exists) throw messagingError('messaging.webhook_not_found', `Webhook ${id} has no delivery ${deliveryId}`);
        return deliveryView(exists);
      }
      await writeAudit(db, clock, actor, { action: 'webhook.redeliver', entityType: 'webhook', entityId: id, details: { deliveryId } });
      return deliveryView(row);
    },

    /** The outbox consumer: each event of a subscribed type becomes a pending delivery per endpoint. */
    async collect(signal?: AbortSignal, woken = false): Promise<{ events: number; deliveries: number }> {
      let created = 0;
      const { events } = await consumeOutbox(
        db,
        clock,
        {
          name: CONSUMER,
          types: null,
          batch: 500,
          async handle(rows) {
            const hooks = await db.selectFrom('webhooks').select(['id', 'eventTypes']).where('active', '=', true).execute();
            const values = rows.flatMap((row) =>
              hooks
                .filter((hook) => hook.eventTypes.includes('*') || hook.eventTypes.includes(row.type))
                .map((hook) => ({
                  id: ids.next('whd'),
                  webhookId: hook.id,
                  eventId: row.eventId,
                  eventType: row.type,
                  payload: JSON.stringify({ type: row.type, customerId: row.customerId, occurredAt: new Date(row.occurredAt).toISOString(), data: row.payload }),
                  status: 'pending' as const,
                  nextAttemptAt: clock.now(),
                  createdAt: clock.now(),
                })),
            );
            if (values.length > 0) {
              const inserted = await db.insertInto('webhookDeliveries').values(values).onConflict((oc) => oc.columns(['webhookId', 'eventId']).doNothing()).returning('id').execute();
              created += inserted.length;
            }
            return true;
          },
        },
        signal,
        { woken },
      );
      return { events, deliveries: created };
    },

    /** The delivery job: POSTs due deliveries, SKIP LOCKED so several instances share them. */
    async deliver(signal?: AbortSignal): Promise<{ delivered: number; retried: number; failed: number }> {
      const report = { delivered: 0, retried: 0, failed: 0 };
      while (!signal?.aborted) {
        const now = clock.now();
        const due = (
          await sql<{ id: string; webhookId: string; eventId: string; eventType: string; payload: Record<string, unknown>; attempts: number }>`
            update webhook_deliveries d set locked_until = ${new Date(now.getTime() + CLAIM_MS)}, attempts = d.attempts + 1
            from (
              select id from webhook_deliveries
              where status = 'pending' and next_attempt_at <= ${now} and (locked_until is null or locked_until <= ${now})
              order by next_attempt_at limit ${BATCH} for update skip locked
            ) due
            where d.id = due.id
            returning d.id, d.webhook_id, d.event_id, d.event_type, d.payload, d.attempts`.execute(db)
        ).rows;
        if (due.length === 0) break;
        const hooks = new Map(((await db.selectFrom('webhooks').selectAll().where('id', 'in', [...new Set(due.map((d) => d.webhookId))]).execute()) as Row[]).map((row) => [row.id, row]));
        for (const delivery of due) {
          const hook = hooks.get(delivery.webhookId);
          let outcome: SendOutcome;
          if (!hook || !hook.active) outcome = { status: 'rejected', reason: 'the webhook was switched off', suppress: false };
          else {
            try {
              outcome = await transportOf(hook).send({ messageId: delivery.eventId, to: hook.url, text: '', data: { id: delivery.eventId, ...delivery.payload }, eventType: delivery.eventType });
            } catch (error) {
              outcome = { status: 'retry', retryAfterMs: null, reason: error instanceof Error ? error.message : String(error) };
            }
          }
          const at = clock.now();
          const httpStatus = Number(/\b([1-5]\d\d)\b/.exec(outcome.status === 'accepted' ? '200' : outcome.reason)?.[1] ?? NaN);
          const responseStatus = Number.isFinite(httpStatus) ? httpStatus : null;
          if (outcome.status === 'accepted') {
            await db.updateTable('webhookDeliveries').set({ status: 'delivered', deliveredAt: at, lockedUntil: null, responseStatus, lastError: null }).where('id', '=', delivery.id).execute();
            report.delivered++;
          } else if (outcome.status === 'retry' && delivery.attempts < MAX_ATTEMPTS) {
            const delay = retryDelay(delivery.attempts, outcome.retryAfterMs);
            await db.updateTable('webhookDeliveries').set({ nextAttemptAt: new Date(at.getTime() + delay), lockedUntil: null, responseStatus, lastError: outcome.reason.slice(0, 500) }).where('id', '=', delivery.id).execute();
            report.retried++;
          } else {
            await db.updateTable('webhookDeliveries').set({ status: 'failed', lockedUntil: null, responseStatus, lastError: outcome.reason.slice(0, 500) }).where('id', '=', delivery.id).execute();
            report.failed++;
          }
        }
      }
      return report;
    },
    async close(): Promise<void> {
      await Promise.all([...transports.values()].map((t) => t.transport.close().catch(() => undefined)));
      transports.clear();
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
