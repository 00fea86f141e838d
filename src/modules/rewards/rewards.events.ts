import { defineEvents } from '../../platform/outbox.ts';

/** The events the rewards module emits (buildApp registers the list; a typo does not compile). */
export const rewardEvents = defineEvents(['reward.ordered', 'reward.cancelled', 'reward.redeemed'] as const);
export const emitEvents = rewardEvents.emit;
