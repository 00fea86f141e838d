import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Tickets (`tkt_…`) and the messages of their threads (`tkm_…`). */
export const feedbackIds = defineIdPrefixes(['tkt', 'tkm'] as const);
export type FeedbackIdPrefix = (typeof feedbackIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<FeedbackIdPrefix>;
