import { api, type Page } from '../../api.ts';
import type { Lottery, LotteryEntry } from './lottery-types.ts';

/**
 * The draw recomputed in the browser from what the API publishes, as docs/lotteries.md
 * describes `patron-lottery-v1`: the seed against the commitment, the frozen entries against
 * their digest, and every winner from the seed. It shares no code with the server, so it checks
 * the server rather than repeating it.
 */
export type DrawCheck = { commitment: boolean; order: boolean; digest: boolean; winners: boolean; expected: string[]; entrants: number };

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const bytesOf = (hexText: string): Uint8Array<ArrayBuffer> => new Uint8Array(hexText.match(/../g)!.map((pair) => parseInt(pair, 16)));
const sha256 = async (data: Uint8Array<ArrayBuffer>) => hex(await crypto.subtle.digest('SHA-256', data));

/** Whether this browser can check (WebCrypto needs a secure context: https or this machine). */
export const canCheckDraws = () => typeof crypto !== 'undefined' && crypto.subtle !== undefined;

async function allEntries(id: string): Promise<LotteryEntry[]> {
  const entries: LotteryEntry[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<LotteryEntry> = await api.get<Page<LotteryEntry>>(`/v1/lotteries/${id}/entries`, { limit: 10_000, ...(cursor ? { cursor } : {}) });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

export async function checkDraw(lottery: Lottery): Promise<DrawCheck> {
  const seed = bytesOf(lottery.seed ?? '');
  const entries = await allEntries(lottery.id);
  const commitment = (await sha256(seed)) === lottery.commitment;
  const ids = entries.map((e) => e.customerId);
  const order = ids.every((id, i) => i === 0 || ids[i - 1]! < id);
  const canonical = entries.map((e) => `${e.customerId}:${e.entries}\n`).join('');
  const digest = (await sha256(new TextEncoder().encode(canonical))) === lottery.entriesDigest;

  const key = await crypto.subtle.importKey('raw', seed, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const slots = lottery.prizes.flatMap((prize, index) => Array<number>(prize.count).fill(index));
  const left = entries.map((e) => ({ id: e.customerId, n: BigInt(e.entries) }));
  const expected: string[] = [];
  const range = 2n ** 64n;
  for (let k = 0; k < slots.length && left.length > 0; k++) {
    const total = left.reduce((sum, e) => sum + e.n, 0n);
    let x: bigint;
    for (let a = 0; ; a++) {
      const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${k}:${a}`));
      x = new DataView(mac).getBigUint64(0, false);
      if (x < range - (range % total)) break;
    }
    let ticket = x % total;
    const ticketText = ticket.toString();
    let i = 0;
    while (ticket >= left[i]!.n) ticket -= left[i++]!.n;
    expected.push(`${k} ${slots[k]} ${left[i]!.id} ${ticketText}`);
    left.splice(i, 1);
  }
  const published = lottery.winners.map((w) => `${w.slot} ${w.prizeIndex} ${w.customerId} ${w.ticket}`);
  return { commitment, order, digest, winners: expected.join('\n') === published.join('\n'), expected, entrants: entries.length };
}
