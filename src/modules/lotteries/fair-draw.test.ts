import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random.ts';
import { ALGORITHM, commitmentOf, draw64, drawWinners, entriesDigestOf, pickTicket, slotPrizes, verifyDraw, type Entry, type PublishedDraw } from './fair-draw.ts';

const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex');
const entries: Entry[] = [
  { customerId: 'cus_a', entries: 2 },
  { customerId: 'cus_b', entries: 1 },
  { customerId: 'cus_c', entries: 3 },
];

/** The algorithm as docs/lotteries.md words it, written plainly (linear scans, redraw on rejection): the check of the fast one. */
function naiveDraw(seedHex: string, list: Entry[], slots: number) {
  const key = Buffer.from(seedHex, 'hex');
  const left = [...list];
  const out: Array<{ slot: number; customerId: string; ticket: number; attempts: number }> = [];
  for (let slot = 0; slot < slots && left.length > 0; slot++) {
    const total = BigInt(left.reduce((sum, e) => sum + e.entries, 0));
    let attempt = 0;
    let x: bigint;
    for (;;) {
      x = createHmac('sha256', key).update(`${slot}:${attempt}`).digest().readBigUInt64BE(0);
      if (x < (1n << 64n) - ((1n << 64n) % total)) break;
      attempt++;
    }
    const ticket = Number(x % total);
    let start = 0;
    const index = left.findIndex((e) => (start += e.entries) > ticket);
    out.push({ slot, customerId: left[index]!.customerId, ticket, attempts: attempt + 1 });
    left.splice(index, 1);
  }
  return out;
}

describe('the published algorithm, by fixed vectors (rechecked with sha256sum, openssl and Python)', () => {
  it.each([
    ['32 zero bytes', '00'.repeat(32), '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925'],
    ['bytes 0 … 31', seed, commitmentOf(seed)],
  ])('commitment of %s is SHA-256 of the bytes, not of the hex text', (_name, hex, expected) => {
    expect(commitmentOf(hex)).toBe(expected);
    expect(commitmentOf(hex)).not.toBe(createHmac('sha256', '').update('').digest('hex'));
  });

  it('the entries digest is SHA-256 of "<customerId>:<entries>\\n" lines in customer-id order', () => {
    expect(entriesDigestOf(entries.slice(0, 2))).toBe('75aacbb0ec332173e0607a4f2c7d2e55358b24e65a5fb1255ae366f26a1c5cb6');
  });

  it('HMAC-SHA256(seed, "0:0") starts 2d664c31ff27713c (openssl dgst -mac HMAC), and the winners of the docs example', () => {
    expect(draw64(Buffer.from(seed, 'hex'), 0, 0)).toBe(0x2d664c31ff27713cn);
    expect(drawWinners(seed, entries, 3)).toEqual([
      { slot: 0, customerId: 'cus_c', ticket: 4, attempts: 1 },
      { slot: 1, customerId: 'cus_a', ticket: 0, attempts: 1 },
      { slot: 2, customerId: 'cus_b', ticket: 0, attempts: 1 },
    ]);
  });

  it('slots: the prizes in order, each repeated count times; more slots than entrants leave the rest empty', () => {
    expect(slotPrizes([{ count: 1 }, { count: 3 }, { count: 2 }])).toEqual([0, 1, 1, 1, 2, 2]);
    expect(drawWinners(seed, entries, 10)).toHaveLength(3);
    expect(drawWinners(seed, [], 5)).toEqual([]);
  });

  it('a value in the rejected top range is drawn again (no modulo bias), on the next attempt number', () => {
    // With T = ⌊2^64 / 2049⌋ + 1 (under 2^53), 2^64 mod T is nearly T: about one value in 2,049 is rejected. Find one.
    const total = Number((1n << 64n) / 2049n + 1n);
    const limit = (1n << 64n) - ((1n << 64n) % BigInt(total));
    const key = Buffer.from(seed, 'hex');
    let slot = 0;
    while (draw64(key, slot, 0) < limit && slot < 100_000) slot++;
    const picked = pickTicket(key, slot, total);
    expect(picked.attempts).toBeGreaterThan(1);
    expect(picked.ticket).toBe(Number(draw64(key, slot, picked.attempts - 1) % BigInt(total)));
  });
});

describe('the fast draw is the plain one', () => {
  it('on 200 random entry lists, with a winner at most once each', () => {
    const next = seededRandom(8);
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(next() * 60);
      const list = Array.from({ length: count }, (_, i) => ({ customerId: `cus_${String(i).padStart(4, '0')}`, entries: 1 + Math.floor(next() ** 3 * 500) }));
      const roundSeed = Buffer.from(Array.from({ length: 32 }, () => Math.floor(next() * 256))).toString('hex');
      const slots = Math.floor(next() * 70);
      const winners = drawWinners(roundSeed, list, slots);
      expect(winners).toEqual(naiveDraw(roundSeed, list, slots));
      expect(new Set(winners.map((w) => w.customerId)).size).toBe(winners.length);
    }
  });

  it('odds follow the entries: 1 entry against 3 wins about a quarter of 4,000 seeded draws', () => {
    let wins = 0;
    for (let i = 0; i < 4000; i++) {
      const drawSeed = Buffer.alloc(32);
      drawSeed.writeUInt32BE(i, 0);
      if (drawWinners(drawSeed.toString('hex'), [{ customerId: 'cus_a', entries: 1 }, { customerId: 'cus_b', entries: 3 }], 1)[0]!.customerId === 'cus_a') wins++;
    }
    // A binomial(4000, 1/4) is within ±4.5 standard deviations (27.4 each) of 1,000.
    expect(Math.abs(wins - 1000)).toBeLessThan(124);
  });

  it('refuses a list out of order, with a repeat, or with an entrant of no entries', () => {
    expect(() => drawWinners(seed, [entries[1]!, entries[0]!], 1)).toThrow(/does not come after/);
    expect(() => drawWinners(seed, [entries[0]!, entries[0]!], 1)).toThrow(/does not come after/);
    expect(() => drawWinners(seed, [{ customerId: 'cus_a', entries: 0 }], 1)).toThrow(/at least 1/);
  });
});

describe('verifyDraw', () => {
  const prizes = [{ name: 'Coffee machine', count: 1 }, { name: 'Mug', count: 2 }];
  const honest = (): PublishedDraw => ({
    algorithm: ALGORITHM,
    commitment: commitmentOf(seed),
    seed,
    entriesDigest: entriesDigestOf(entries),
    prizes,
    winners: drawWinners(seed, entries, 3).map((w) => ({ ...w, prizeIndex: slotPrizes(prizes)[w.slot]! })),
  });

  it('reproduces the winners from the revealed seed', () => {
    const result = verifyDraw(honest(), entries);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.winners.map((w) => w.customerId)).toEqual(['cus_c', 'cus_a', 'cus_b']);
  });

  it('one entry changed: the digest differs, and so may the winners', () => {
    const changed = entries.map((e) => (e.customerId === 'cus_b' ? { ...e, entries: 2 } : e));
    const result = verifyDraw(honest(), changed);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/^the entries \(3 entrants\) hash to [0-9a-f]{64}, not the published entriesDigest /);
    // The digest published for the changed list too (a forged record): the winners give it away.
    const forged = verifyDraw({ ...honest(), entriesDigest: entriesDigestOf(changed) }, changed);
    expect(forged.ok).toBe(false);
    expect(forged.problems.join('\n')).toMatch(/slot \d: cus_\w \(ticket \d\) should win, but cus_\w \(ticket \d\) is published/);
  });

  it('another seed: the commitment does not match, and the winners differ', () => {
    const other = 'ff'.repeat(32);
    const result = verifyDraw({ ...honest(), seed: other }, entries);
    expect(result.problems[0]).toBe(`SHA-256 of the seed is ${commitmentOf(other)}, not the published commitment ${commitmentOf(seed)}`);
    expect(result.problems.some((p) => p.includes('should win'))).toBe(true);
  });

  it('a winner or a prize swapped, a winner added or left out: each is named', () => {
    const draw = honest();
    const swapped = { ...draw, winners: draw.winners.map((w) => (w.slot === 1 ? { ...w, prizeIndex: 0 } : w)) };
    expect(verifyDraw(swapped, entries).problems).toEqual(['slot 1: the prize should be Mug, but prize 0 is published']);
    expect(verifyDraw({ ...draw, winners: draw.winners.slice(1) }, entries).problems).toEqual(['slot 0: cus_c (ticket 4) should win, but no winner is published']);
    const extra = { ...draw, prizes: [...prizes, { name: 'Pen', count: 1 }], winners: [...draw.winners, { slot: 3, prizeIndex: 2, customerId: 'cus_x', ticket: 0 }] };
    expect(verifyDraw(extra, entries).problems).toEqual(['slot 3: cus_x is published as a winner, but the draw gives nobody']);
  });

  it('before the draw: not verified, saying the seed is not revealed', () => {
    expect(verifyDraw({ ...honest(), seed: null }, entries)).toMatchObject({ ok: false, problems: ['the seed is not revealed yet: the lottery has not been drawn'] });
  });
});
