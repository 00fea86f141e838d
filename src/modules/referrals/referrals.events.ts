import { defineEvents } from '../../platform/outbox.ts';

/**
 * What the referrals module tells the outbox: a referrer named (a "your friend joined" message),
 * a qualifying purchase seen (reward pending), both sides rewarded.
 */
export const referralEvents = defineEvents(['referral.named', 'referral.qualified', 'referral.rewarded'] as const);
export const emitEvents = referralEvents.emit;
