import type { Tx } from './gift-cards.db.ts';
import { giftCardError } from './gift-cards.errors.ts';
import type { GiftCardRequestsTable } from './gift-cards.tables.ts';

/**
 * Idempotency-Key of issuing a card or a batch. The key is claimed first in the transaction that
 * makes the card or batch: a concurrent request with the same key waits on the primary key until
 * the first commits (or rolls back), so only one makes anything. A rolled-back first request
 * (the code was taken, say) leaves the key free.
 */
export type KeyClaim = { key: string; hash: string };

/**
 * Claims `key` for the card or batch `entityId` about to be made; answers null when claimed, or
 * the id of what the first request with this key made (a replay: make nothing). The same key
 * with another body is 409 gift_card.idempotency_conflict.
 */
export async function claimKey(tx: Tx, operation: GiftCardRequestsTable['operation'], claim: KeyClaim, entityId: string, now: Date): Promise<string | null> {
  const claimed = await tx
    .insertInto('giftCardRequests')
    .values({ operation, idempotencyKey: claim.key, requestHash: claim.hash, entityId, createdAt: now })
    .onConflict((oc) => oc.columns(['operation', 'idempotencyKey']).doNothing())
    .returning('entityId')
    .executeTakeFirst();
  if (claimed) return null;
  const earlier = await tx
    .selectFrom('giftCardRequests')
    .select(['requestHash', 'entityId'])
    .where('operation', '=', operation)
    .where('idempotencyKey', '=', claim.key)
    .executeTakeFirstOrThrow();
  if (earlier.requestHash !== claim.hash) {
    const what = operation === 'issue' ? `gift card ${earlier.entityId}` : `batch ${earlier.entityId}`;
    throw giftCardError('gift_card.idempotency_conflict', `This Idempotency-Key was used to issue ${what} with a different body; use a new key for a new request`);
  }
  return earlier.entityId;
}
