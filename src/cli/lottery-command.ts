import { verifyDraw, type Entry, type PublishedDraw } from '../modules/lotteries/index.ts';
import { failure, usageError } from './cli-errors.ts';
import type { OptionValues } from './parse-command-line.ts';
import { callServer, serverTarget, type ServerTarget } from './server-client.ts';

const COMMAND = 'lottery verify';

type Published = PublishedDraw & { id: string; name: string; status: string; entrants: number | null };

async function fetchJson<T>(target: ServerTarget, path: string): Promise<T> {
  const response = await callServer(COMMAND, target, path, { method: 'GET', headers: { accept: 'application/json' } }, 'lotteries:read');
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw failure(`patron ${COMMAND}: ${target.url} answered ${path.split('?')[0]} with something that is not JSON; check that --url is the Patron server's address.`, error);
  }
}

/** Every entry the draw froze, a page at a time, in the order the server lists them (the verifier checks that order). */
async function fetchEntries(target: ServerTarget, id: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=10000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await fetchJson<{ items: Entry[]; nextCursor: string | null }>(target, `/v1/lotteries/${encodeURIComponent(id)}/entries?${query}`);
    entries.push(...page.items.map((item) => ({ customerId: item.customerId, entries: item.entries })));
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

/**
 * `patron lottery verify <id>`: fetches what the lottery published (commitment, seed, entries
 * digest, prizes, winners) and the frozen entries, and rechecks the draw with the same pure
 * function the draw ran (fair-draw.ts). Exit 0 when everything matches; otherwise each
 * difference on stdout and exit 1.
 */
export async function lotteryVerifyCommand(id: string, values: OptionValues, env: NodeJS.ProcessEnv): Promise<number> {
  const target = serverTarget(COMMAND, values, env, 'read lotteries (lotteries:read: owner, marketer, analyst or support)');
  if (!target) throw usageError(`patron ${COMMAND}: needs --url (or PATRON_URL), the server whose lottery to check, e.g. --url http://localhost:8080 --key KEY.`);
  if (!/^ltr_[0-9a-f]{32}$/.test(id)) throw usageError(`patron ${COMMAND}: ${JSON.stringify(id)} is not a lottery id (ltr_ and 32 hex digits, as GET /v1/lotteries lists them).`);

  const lottery = await fetchJson<Published>(target, `/v1/lotteries/${id}`);
  if (lottery.seed === null) {
    throw failure(`patron ${COMMAND}: lottery ${id} is ${lottery.status}: its seed is revealed by the draw, so there is nothing to verify yet (its commitment is ${lottery.commitment}).`);
  }
  const entries = await fetchEntries(target, id);
  const result = verifyDraw(lottery, entries);
  const total = entries.reduce((sum, e) => sum + e.entries, 0);
  const lines = [`lottery ${id} (${lottery.name}), ${lottery.algorithm}`];
  if (result.ok) {
    lines.push(
      `  seed: SHA-256 of it is the commitment ${lottery.commitment}`,
      `  entries: ${entries.length} entrants, ${total} entries; SHA-256 ${lottery.entriesDigest} as published`,
      `  winners: ${result.winners.length} of ${lottery.prizes.reduce((sum, p) => sum + p.count, 0)} prize slots, each as published`,
    );
    for (const winner of result.winners) lines.push(`    slot ${winner.slot}: ${winner.customerId} (ticket ${winner.ticket}) — ${lottery.prizes[lottery.winners.find((w) => w.slot === winner.slot)!.prizeIndex]!.name}`);
    process.stdout.write(`${lines.join('\n')}\nOK\n`);
    return 0;
  }
  for (const problem of result.problems) lines.push(`  DIFFERS: ${problem}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  throw failure(`patron ${COMMAND}: lottery ${id} does not verify: ${result.problems.length} difference${result.problems.length === 1 ? '' : 's'}, listed above.`);
}
