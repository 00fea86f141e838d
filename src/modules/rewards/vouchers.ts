import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformError } from '../../platform/errors.ts';
import { isStorableText } from '../../platform/text.ts';
import type { Db, Tx } from './rewards.db.ts';
import { rewardError } from './rewards.errors.ts';

export type VoucherInput = { code: string; validUntil?: string };
export type UploadResult = { added: number; duplicates: number; vouchersFree: number };

/**
 * A partner's voucher file as CSV, turned into the JSON body (`{vouchers: [{code, validUntil}]}`)
 * so one schema checks both: a header row `code` (and `valid_until`), one voucher a line.
 */
export function vouchersFromCsv(text: string): { vouchers: Array<Record<string, string>> } {
  if (!isStorableText(text)) throw platformError('request.invalid_character', 'The CSV may not hold the NUL character (U+0000)');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw rewardError('reward.vouchers_invalid', `The CSV is not well-formed${line ? ` at line ${line}` : ''}`);
  }
  const [header, ...rows] = records;
  const columns = (header ?? []).map((name) => name.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  if (!columns.includes('code')) throw rewardError('reward.vouchers_invalid', 'The CSV needs a header row with a code column (and valid_until, if the vouchers expire)');
  for (const column of columns) {
    if (column !== 'code' && column !== 'valid_until') throw rewardError('reward.vouchers_invalid', `Unknown column "${column}"; known: code, valid_until`);
  }
  return {
    vouchers: rows.map((cells) => {
      const voucher: Record<string, string> = {};
      columns.forEach((column, i) => {
        const cell = (cells[i] ?? '').trim();
        if (cell !== '') voucher[column === 'code' ? 'code' : 'validUntil'] = cell;
      });
      return voucher;
    }),
  };
}

async function countFree(db: Db | Tx, rewardId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('rewardVouchers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('rewardId', '=', rewardId)
    .where('status', '=', 'free')
    .where((eb) => eb.or([eb('validUntil', 'is', null), eb('validUntil', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds codes to a partner_voucher reward's pool; a code already in it (or repeated) is skipped, never stored twice. */
export async function uploadVouchers(db: Db, clock: Clock, actor: Actor, rewardId: string, vouchers: VoucherInput[]): Promise<UploadResult> {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    // A share lock: the reward cannot be deleted or change kind meanwhile; orders go on.
    const reward = await tx.selectFrom('rewards').select(['kind']).where('id', '=', rewardId).forShare().executeTakeFirst();
    if (!reward) throw rewardError('reward.not_found', `No reward ${rewardId}; GET /v1/rewards lists them`);
    if (reward.kind !== 'partner_voucher') throw rewardError('reward.vouchers_invalid', `Reward ${rewardId} is ${reward.kind}: only partner_voucher rewards take vouchers`);
    const codes = vouchers.map((v) => v.code);
    const until = vouchers.map((v) => (v.validUntil ? new Date(v.validUntil).toISOString() : null));
    // One statement whatever the count; ON CONFLICT keeps the first copy of a code (the pool's, or the upload's first line).
    const inserted = await sql<{ n: number }>`
      with added as (
        insert into reward_vouchers (reward_id, code, valid_until, uploaded_at)
        select ${rewardId}, code, valid_until, ${now}::timestamptz
        from unnest(${codes}::text[], ${until}::timestamptz[]) with ordinality as u(code, valid_until, n)
        order by n
        on conflict (reward_id, code) do nothing
        returning 1
      ) select count(*)::int as n from added`.execute(tx);
    const added = Number(inserted.rows[0]?.n ?? 0);
    await writeAudit(tx, clock, actor, { action: 'reward.vouchers_upload', entityType: 'reward', entityId: rewardId, details: { added, duplicates: codes.length - added } });
    return { added, duplicates: codes.length - added, vouchersFree: await countFree(tx, rewardId, now) };
  });
}

/**
 * Takes one free, unexpired voucher for an order, oldest upload first. SKIP LOCKED: concurrent
 * orders each take a different voucher instead of queueing on the first one; the status guard
 * keeps the claim to a voucher that is still free. None left: null.
 */
export async function claimVoucher(tx: Tx, rewardId: string, orderId: string, now: Date): Promise<{ code: string; validUntil: Date | null } | null> {
  const claimed = await sql<{ code: string; validUntil: Date | null }>`
    update reward_vouchers set status = 'issued', order_id = ${orderId}, issued_at = ${now}
    where reward_id = ${rewardId} and status = 'free' and code = (
      select code from reward_vouchers
      where reward_id = ${rewardId} and status = 'free' and (valid_until is null or valid_until > ${now})
      order by seq limit 1 for update skip locked)
    returning code, valid_until`.execute(tx);
  return claimed.rows[0] ?? null;
}

/** A cancelled order's voucher: void, never handed to anyone else (its customer has seen the code). */
export async function voidVoucher(tx: Tx, rewardId: string, orderId: string): Promise<void> {
  await tx.updateTable('rewardVouchers').set({ status: 'void' }).where('rewardId', '=', rewardId).where('orderId', '=', orderId).where('status', '=', 'issued').execute();
}
