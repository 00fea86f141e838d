import { defineEvents } from '../../platform/outbox.ts';

/** `lottery.drawn` once per draw; `lottery.won` per winner (messaging congratulates them). */
export const lotteryEvents = defineEvents(['lottery.drawn', 'lottery.won'] as const);
export const emitEvents = lotteryEvents.emit;
