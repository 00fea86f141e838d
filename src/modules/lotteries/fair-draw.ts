import { createHash, createHmac } from 'node:crypto';

/**
 * The provably fair draw, as a pure function of public data: no database, no clock, no
 * randomness. The draw (draw.ts) runs it to pick the winners; `patron lottery verify` runs it
 * again on what GET /v1/lotteries/{id} and …/entries publish. docs/lotteries.md states the same
 * algorithm in words, so anyone can recheck a draw without Patron. Changing anything here
 * changes the winners of draws already made: make a new `algorithm` name instead.
 */
export const ALGORITHM = 'patron-lottery-v1';

export type Entry = { customerId: string; entries: number };
export type Winner = { slot: number; customerId: string; ticket: number; attempts: number };

const TWO_64 = 1n << 64n;

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The commitment published before the draw: SHA-256 of the 32 seed bytes (not of their hex text), in hex. */
export const commitmentOf = (seedHex: string): string => sha256Hex(Buffer.from(seedHex, 'hex'));

/**
 * Ordered by customer id, compared as bytes (the ids are ASCII): the order the digest and the
 * ticket numbers use. JavaScript's `<` on ASCII strings is that order; so is SQL's `collate "C"`.
 */
export const byCustomerId = (a: Entry, b: Entry): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/** The canonical entries list: one line `<customerId>:<entries>\n` per entrant, in customer-id order. */
export const canonicalEntries = (entries: readonly Entry[]): string => entries.map((e) => `${e.customerId}:${e.entries}\n`).join('');

/** SHA-256 of the canonical entries list (UTF-8), in hex: `printf 'cus_a:2\ncus_b:1\n' | sha256sum` gives the same. */
export const entriesDigestOf = (entries: readonly Entry[]): string => sha256Hex(canonicalEntries(entries));

/** What makes an entries list unusable for a draw, in plain words (empty when it is fine). */
export function entriesProblems(entries: readonly Entry[]): string[] {
  const problems: string[] = [];
  let total = 0;
  entries.forEach((entry, i) => {
    if (!/^[\x21-\x39\x3b-\x7e]{1,64}$/.test(entry.customerId)) problems.push(`entry ${i}: customer id ${JSON.stringify(entry.customerId)} is not 1 to 64 printable ASCII characters without ":"`);
    if (!Number.isSafeInteger(entry.entries) || entry.entries < 1) problems.push(`entry ${i}: ${entry.entries} entries is not a whole number of at least 1`);
    else total += entry.entries;
    const previous = entries[i - 1];
    if (previous && previous.customerId >= entry.customerId) problems.push(`entry ${i}: ${entry.customerId} does not come after ${previous.customerId} (the list is in customer-id order, each entrant once)`);
  });
  if (!Number.isSafeInteger(total)) problems.push('the entries add up to more than 2^53 - 1');
  return problems;
}

/**
 * A Fenwick tree over the entrants' entries: the ticket ranges in customer-id order, with
 * winners taken out in O(log n), so a draw of many prizes among millions of entrants stays fast.
 */
function ticketTree(entries: readonly Entry[]) {
  const n = entries.length;
  const tree = new Array<number>(n + 1).fill(0);
  let total = 0;
  const add = (index: number, delta: number) => {
    for (let i = index + 1; i <= n; i += i & -i) tree[i]! += delta;
    total += delta;
  };
  entries.forEach((entry, i) => add(i, entry.entries));
  let top = 1;
  while (top * 2 <= n) top *= 2;
  return {
    total: () => total,
    remove: (index: number) => add(index, -entries[index]!.entries),
    /** The entrant whose range holds `ticket` (0 ≤ ticket < total), counting only those still in. */
    holder(ticket: number): number {
      let position = 0;
      let rest = ticket;
      for (let step = top; step > 0; step >>= 1) {
        const next = position + step;
        if (next <= n && tree[next]! <= rest) {
          position = next;
          rest -= tree[next]!;
        }
      }
      return position;
    },
  };
}

/** The first 8 bytes of HMAC-SHA256(key = seed, message = "<slot>:<attempt>") as an unsigned big-endian number. */
export function draw64(seed: Buffer, slot: number, attempt: number): bigint {
  return createHmac('sha256', seed).update(`${slot}:${attempt}`, 'utf8').digest().readBigUInt64BE(0);
}

/** A uniform ticket in [0, total) for a slot: rejection sampling, so no ticket is likelier than another. */
export function pickTicket(seed: Buffer, slot: number, total: number): { ticket: number; attempts: number } {
  const t = BigInt(total);
  const limit = TWO_64 - (TWO_64 % t);
  let attempt = 0;
  let x = draw64(seed, slot, attempt);
  while (x >= limit) x = draw64(seed, slot, ++attempt);
  return { ticket: Number(x % t), attempts: attempt + 1 };
}

/**
 * The winners: for prize slot k = 0, 1, … (the prizes in their listed order, each repeated
 * `count` times), attempt a = 0, 1, …: x = draw64(seed, k, a); if x ≥ 2^64 − (2^64 mod T) the
 * attempt is rejected (so x mod T has no modulo bias) and a + 1 is tried; else the ticket is
 * x mod T, and the winner is the entrant whose range of tickets holds it. T and the ranges count
 * only the entrants who have not won yet (in customer-id order, each holding as many consecutive
 * tickets as entries), so nobody wins twice: the same odds as drawing again on a repeat winner,
 * without a run of redraws when one entrant holds most tickets. Slots left when every entrant
 * has won stay empty.
 */
export function drawWinners(seedHex: string, entries: readonly Entry[], slots: number): Winner[] {
  const problems = entriesProblems(entries);
  if (problems.length > 0) throw new Error(`the entries cannot be drawn from: ${problems[0]}`);
  const seed = Buffer.from(seedHex, 'hex');
  const tree = ticketTree(entries);
  const winners: Winner[] = [];
  for (let slot = 0; slot < slots && tree.total() > 0; slot++) {
    const { ticket, attempts } = pickTicket(seed, slot, tree.total());
    const index = tree.holder(ticket);
    winners.push({ slot, customerId: entries[index]!.customerId, ticket, attempts });
    tree.remove(index);
  }
  return winners;
}

/** Prize slots in order: each prize repeated `count` times; slot k's prize is `prizes[slotPrizes[k]]`. */
export function slotPrizes(prizes: ReadonlyArray<{ count: number }>): number[] {
  return prizes.flatMap((prize, index) => new Array<number>(prize.count).fill(index));
}

/** What a draw published, as GET /v1/lotteries/{id} shows it. */
export type PublishedDraw = {
  algorithm: string;
  commitment: string;
  seed: string | null;
  entriesDigest: string | null;
  prizes: ReadonlyArray<{ name: string; count: number }>;
  winners: ReadonlyArray<{ slot: number; prizeIndex: number; customerId: string; ticket: number }>;
};

/**
 * Rechecks a draw from public data alone: the seed matches the commitment published before the
 * draw, the entries match their digest, and the winners are the ones the algorithm gives. Each
 * difference is one line in `problems`; none means the draw is what it claims.
 */
export function verifyDraw(published: PublishedDraw, entries: readonly Entry[]): { ok: boolean; problems: string[]; winners: Winner[] } {
  const problems: string[] = [];
  if (published.algorithm !== ALGORITHM) problems.push(`the algorithm is ${published.algorithm}; this verifier knows ${ALGORITHM}`);
  if (published.seed === null) return { ok: false, problems: [...problems, 'the seed is not revealed yet: the lottery has not been drawn'], winners: [] };
  if (!/^[0-9a-f]{64}$/.test(published.seed)) return { ok: false, problems: [...problems, 'the seed is not 32 bytes in lower-case hex'], winners: [] };
  const commitment = commitmentOf(published.seed);
  if (commitment !== published.commitment) problems.push(`SHA-256 of the seed is ${commitment}, not the published commitment ${published.commitment}`);
  const digest = entriesDigestOf(entries);
  if (digest !== published.entriesDigest) problems.push(`the entries (${entries.length} entrants) hash to ${digest}, not the published entriesDigest ${published.entriesDigest}`);
  const shape = entriesProblems(entries);
  if (shape.length > 0) return { ok: false, problems: [...problems, ...shape.slice(0, 5)], winners: [] };

  const slots = slotPrizes(published.prizes);
  const winners = drawWinners(published.seed, entries, slots.length);
  const claimed = new Map(published.winners.map((w) => [w.slot, w]));
  for (const winner of winners) {
    const shown = claimed.get(winner.slot);
    claimed.delete(winner.slot);
    if (!shown) problems.push(`slot ${winner.slot}: ${winner.customerId} (ticket ${winner.ticket}) should win, but no winner is published`);
    else if (shown.customerId !== winner.customerId || shown.ticket !== winner.ticket) {
      problems.push(`slot ${winner.slot}: ${winner.customerId} (ticket ${winner.ticket}) should win, but ${shown.customerId} (ticket ${shown.ticket}) is published`);
    } else if (shown.prizeIndex !== slots[winner.slot]) {
      problems.push(`slot ${winner.slot}: the prize should be ${published.prizes[slots[winner.slot]!]!.name}, but prize ${shown.prizeIndex} is published`);
    }
  }
  for (const extra of claimed.values()) problems.push(`slot ${extra.slot}: ${extra.customerId} is published as a winner, but the draw gives nobody`);
  return { ok: problems.length === 0, problems, winners };
}
