import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { localTime, withinTime } from '../../platform/local-time.ts';
import { isTimezone } from '../../platform/time-zones.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { FrequencyCap, MessageKind, QuietHours } from './messaging.tables.ts';

/**
 * The contact policy: how hard marketing may press a customer. Frequency caps count every
 * marketing message sent (campaigns and journeys together) in a sliding window of days; quiet
 * hours hold a marketing message until the customer's morning (it waits, it is not dropped).
 * Service messages (a one-time code, a receipt) pass both.
 */
export type ContactPolicy = { caps: FrequencyCap[]; quietHours: QuietHours | null; defaultTimezone: string; defaultLocale: string; programName: string; publicUrl: string };

/** What the sender and the tracking links need beyond the policy: the link key and the global control group. */
export type MessagingSecrets = { linkSecret: string; globalControl: { shareBp: number; salt: string } };

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function checkPolicy(policy: ContactPolicy): FieldProblem[] {
  const problems: FieldProblem[] = [];
  policy.caps.forEach((cap, i) => {
    if (!Number.isInteger(cap.max) || cap.max < 0) problems.push({ field: `caps.${i}.max`, reason: 'must be a whole number of messages, 0 or more' });
    if (!Number.isInteger(cap.days) || cap.days < 1 || cap.days > 90) problems.push({ field: `caps.${i}.days`, reason: 'must be a whole number of days from 1 to 90' });
  });
  const seen = new Set<string>();
  policy.caps.forEach((cap, i) => {
    const key = `${cap.kind ?? 'all'}/${cap.days}`;
    if (seen.has(key)) problems.push({ field: `caps.${i}`, reason: `repeats the cap on ${cap.kind ?? 'all channels'} over ${cap.days} days` });
    seen.add(key);
  });
  if (policy.quietHours) {
    for (const end of ['from', 'to'] as const) {
      if (!HHMM.test(policy.quietHours[end])) problems.push({ field: `quietHours.${end}`, reason: 'must be a local time HH:MM, 00:00 to 23:59' });
    }
    if (policy.quietHours.from === policy.quietHours.to) problems.push({ field: 'quietHours', reason: 'from and to are the same time; leave quietHours null for none' });
  }
  if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(policy.defaultLocale)) problems.push({ field: 'defaultLocale', reason: 'must be a language tag such as ru or en-GB' });
  let url: URL | null;
  try {
    url = new URL(policy.publicUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) problems.push({ field: 'publicUrl', reason: 'must be this server\'s http(s) address as customers reach it, like https://club.shop.example' });
  if (policy.programName.trim() === '') problems.push({ field: 'programName', reason: 'must not be empty' });
  if (!isTimezone(policy.defaultTimezone)) problems.push({ field: 'defaultTimezone', reason: 'must be an IANA time zone such as Europe/Moscow' });
  return problems;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a marketing message due `now` may go to a customer in `timezone`: null when now is
 * outside the quiet hours, else the instant the quiet hours end (the local `to` time next
 * reached; on a day the clocks change, the first instant the local clock shows it or later).
 */
export function quietUntil(now: Date, timezone: string, quiet: QuietHours | null): Date | null {
  if (!quiet) return null;
  const local = localTime(now, timezone);
  if (!withinTime(local.minutes, quiet.from, quiet.to)) return null;
  const wait = (minutesOf(quiet.to) - local.minutes + 24 * 60) % (24 * 60);
  // Whole minutes from now's minute start; the offset may change in between (a clock going
  // forward or back an hour overnight): correct once by what the local clock shows then.
  let until = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + wait * 60_000);
  const shown = localTime(until, timezone).minutes;
  const drift = ((minutesOf(quiet.to) - shown + 36 * 60) % (24 * 60)) - 12 * 60;
  if (drift !== 0) until = new Date(until.getTime() + drift * 60_000);
  return until.getTime() > now.getTime() ? until : new Date(now.getTime() + 60_000);
}

/** Sent marketing messages of one customer: their kind and when (a message being sent counts as now). */
export type SentMark = { kind: MessageKind; at: Date };

/** The cap a further marketing message of `kind` would break, given what was sent; null when none. */
export function capReached(caps: FrequencyCap[], kind: MessageKind, sent: SentMark[], now: Date): FrequencyCap | null {
  for (const cap of caps) {
    if (cap.kind !== null && cap.kind !== kind) continue;
    const since = now.getTime() - cap.days * 86_400_000;
    const count = sent.filter((mark) => mark.at.getTime() > since && (cap.kind === null || mark.kind === cap.kind)).length;
    if (count >= cap.max) return cap;
  }
  return null;
}

export function createPolicyStore(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    async get(): Promise<ContactPolicy> {
      const row = await db.selectFrom('messagingPolicy').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      return { caps: row.caps, quietHours: row.quietHours, defaultTimezone: row.defaultTimezone, defaultLocale: row.defaultLocale, programName: row.programName, publicUrl: row.publicUrl };
    },
    async secrets(): Promise<MessagingSecrets> {
      const row = await db.selectFrom('messagingPolicy').select(['linkSecret', 'globalControlBp', 'globalControlSalt']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { linkSecret: row.linkSecret, globalControl: { shareBp: row.globalControlBp, salt: row.globalControlSalt } };
    },
    async put(policy: ContactPolicy, actor: Actor): Promise<ContactPolicy> {
      const problems = checkPolicy(policy);
      if (problems.length > 0) throw messagingError('messaging.invalid_policy', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
      return db.transaction().execute(async (tx) => {
        await tx
          .updateTable('messagingPolicy')
          .set({
            caps: JSON.stringify(policy.caps), quietHours: JSON.stringify(policy.quietHours), defaultTimezone: policy.defaultTimezone,
            defaultLocale: policy.defaultLocale, programName: policy.programName, publicUrl: policy.publicUrl.replace(/\/+$/, ''), updatedAt: clock.now(),
          })
          .where('id', '=', 1)
          .execute();
        await writeAudit(tx, clock, actor, { action: 'messaging.policy', entityType: 'messaging_policy', entityId: null, details: { caps: policy.caps.length, quietHours: policy.quietHours } });
        return policy;
      });
    },
  };
}
