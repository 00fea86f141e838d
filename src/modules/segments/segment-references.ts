import { platformTx, type PlatformTx } from '../../platform/db-views.ts';
import { ownTx, type Tx } from './segments.db.ts';

/**
 * Other modules name segments by id (an earning rule's `conditions.segments`, a promotion's
 * audience). Neither a save naming a segment that is not there nor a delete of one still named
 * may commit, even when the two run at once: the saver checks the ids in its own transaction
 * and holds the rows `for share` until it commits; the delete holds the row `for update` before
 * it asks who uses it. Whichever locks first, the other waits and then sees what it committed.
 */

/** Who still names the segment, in words (`earning rule "coffee-club"`); asked in the delete's transaction, after its row lock. */
export type SegmentUser = (tx: PlatformTx, segmentId: string) => Promise<string[]>;

/**
 * The ids among `ids` that are not segments. Those that are stay locked `for share` until the
 * caller's transaction ends, so no delete commits between this check and the caller's save.
 */
export async function unknownSegments(tx: PlatformTx, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const found = await ownTx(tx).selectFrom('segments').select('id').where('id', 'in', wanted).orderBy('id').forShare().execute();
  const present = new Set(found.map((row) => row.id));
  return wanted.filter((id) => !present.has(id));
}

/** What every registered user says of the segment, in the delete's transaction. */
export async function usersOf(tx: Tx, users: readonly SegmentUser[], segmentId: string): Promise<string[]> {
  const names: string[] = [];
  for (const user of users) names.push(...(await user(platformTx(tx), segmentId)));
  return names;
}
