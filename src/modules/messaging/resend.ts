import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { addresses } from './enqueue.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageContent, MessageKind, MessagePurpose } from './messaging.tables.ts';
import type { Rendered, Unrendered } from './sender.ts';
import type { ContextSources } from './template-context.ts';

/**
 * Sends a message again: what support does when a customer calls to say the code never came
 * (a birthday promo code, a reward's voucher, a journey's gift). The new message carries the
 * same text as the first — the code in it was issued once and is not issued again — to the
 * customer's address of now (support may just have corrected a mistyped e-mail). It keeps the
 * first one's purpose, so consent, caps and quiet hours apply as they did: a customer who has
 * withdrawn marketing consent does not get a marketing text because someone pressed a button.
 *
 * Links in the text are the first message's tracked links, so a click on either counts for the
 * first one. A retry with the same Idempotency-Key answers the same resend and queues nothing.
 */
export type ResendDeps = { db: Db; clock: Clock; ids: Ids; sources: Pick<ContextSources, 'customers'>; render: (messages: Unrendered[]) => Promise<Rendered> };

type Original = { id: string; customerId: string | null; kind: MessageKind; purpose: MessagePurpose; source: string; templateId: string | null; templateVersion: number | null; content: MessageContent | null; reason: string | null };

export async function resendMessage(deps: ResendDeps, id: string, actor: Actor, idempotencyKey?: string): Promise<{ id: string; replayed: boolean }> {
  const { db, clock, ids } = deps;
  const dedupeKey = idempotencyKey ? `resend:${id}:${idempotencyKey}` : null;
  const original = (await db
    .selectFrom('messages')
    .select(['id', 'customerId', 'kind', 'purpose', 'source', 'templateId', 'templateVersion', 'content', 'reason'])
    .where('id', '=', id)
    .executeTakeFirst()) as Original | undefined;
  if (!original) throw messagingError('messaging.message_not_found', `No message has id ${id}`);
  if (dedupeKey) {
    const earlier = await db.selectFrom('messages').select('id').where('dedupeKey', '=', dedupeKey).executeTakeFirst();
    if (earlier) return { id: earlier.id, replayed: true };
  }
  const text = await resendableText(deps, original);
  const [record] = await deps.sources.customers([original.customerId!]);
  if (!record || record.status !== 'active') throw messagingError('messaging.not_resendable', `Message ${id} cannot be sent again: its customer is no longer an active member`);
  const recipient = (await addresses(db, original.kind, [record])).get(record.id) ?? null;
  // Push goes to every subscription the customer has when it is sent, so it needs no address here.
  if (!recipient && original.kind !== 'push') throw messagingError('messaging.no_address', `Customer ${record.id} has no ${original.kind} address now; add one to the profile, then send again`);

  const now = clock.now();
  const newId = ids.next('msg');
  return db.transaction().execute(async (tx) => {
    const inserted = await sql<{ id: string }>`
      insert into messages (id, customer_id, kind, purpose, template_id, template_version, source, source_id, dedupe_key, recipient, content, status, reason,
        next_attempt_at, created_at, updated_at)
      values (${newId}, ${record.id}, ${original.kind}, ${original.purpose}, ${original.templateId}, ${original.templateVersion}, 'resend', ${original.id},
        ${dedupeKey}, ${recipient}, ${JSON.stringify(text)}::jsonb, 'queued', null, ${now}, ${now}, ${now})
      on conflict (dedupe_key) do nothing
      returning id`.execute(tx);
    // Two requests with one key at once: the second finds the first's row and answers it.
    if (inserted.rows.length === 0) {
      const earlier = await tx.selectFrom('messages').select('id').where('dedupeKey', '=', dedupeKey!).executeTakeFirstOrThrow();
      return { id: earlier.id, replayed: true };
    }
    await tx.insertInto('messageEvents').values({ messageId: newId, customerId: record.id, status: 'queued', occurredAt: now, detail: JSON.stringify({ resendOf: original.id }) }).execute();
    await writeAudit(tx, clock, actor, { action: 'message.resend', entityType: 'message', entityId: newId, details: { resendOf: original.id, customerId: record.id, kind: original.kind } });
    return { id: newId, replayed: false };
  });
}

/**
 * The text to send again, or why there is none. A campaign's or journey's message still waiting
 * for the sender has no text yet (it is rendered when sent): it is rendered now, as the sender
 * would, under the first message's id, so its links are the first one's.
 */
async function resendableText(deps: ResendDeps, original: Original): Promise<MessageContent> {
  if (original.source === 'test') throw messagingError('messaging.not_resendable', `Message ${original.id} is a test send; send the test again from its template instead`);
  if (original.customerId === null) throw messagingError('messaging.not_resendable', `Message ${original.id} belongs to no customer (its customer was erased)`);
  if (original.content !== null) return original.content;
  if (original.reason) throw messagingError('messaging.not_resendable', `Message ${original.id} has no text to send again: it was skipped (${original.reason}) before any text was written`);
  if (original.templateId === null) throw messagingError('messaging.not_resendable', `Message ${original.id} has no text to send again and no template to write it from`);
  const rendered = (await deps.render([{ id: original.id, customerId: original.customerId, templateId: original.templateId, templateVersion: original.templateVersion }])).get(original.id);
  if (!rendered || 'skip' in rendered) {
    const why = rendered?.skip === 'template_gone' ? 'its template was deleted' : 'its customer is no longer an active member';
    throw messagingError('messaging.not_resendable', `Message ${original.id} has no text yet and cannot be written now: ${why}`);
  }
  return rendered;
}
