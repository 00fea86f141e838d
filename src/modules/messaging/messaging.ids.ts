import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Channels (`chn_…`), templates (`tpl_…`), messages (`msg_…`), push subscriptions (`psb_…`), webhooks (`whk_…`) and their deliveries (`whd_…`), campaigns (`cmp_…`), journeys (`jrn_…`) and their entries (`jen_…`). */
export const messagingIds = defineIdPrefixes(['chn', 'tpl', 'msg', 'psb', 'whk', 'whd', 'cmp', 'jrn', 'jen'] as const);
export type MessagingIdPrefix = (typeof messagingIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<MessagingIdPrefix>;
