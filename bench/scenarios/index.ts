import type { Scenario } from '../harness/scenario.ts';
import { bulkReceipts } from './bulk-receipts.ts';
import { calculate } from './calculate.ts';
import { calculatePromotions } from './calculate-promotions.ts';
import { clusters } from './clusters.ts';
import { clv } from './clv.ts';
import { analytics } from './analytics.ts';
import { confirm } from './confirm.ts';
import { confirmPromoCode } from './confirm-promo-code.ts';
import { customerImport } from './customer-import.ts';
import { lookup } from './lookup.ts';
import { pgliteConfirm } from './pglite-confirm.ts';
import { promoCodeBatch } from './promo-code-batch.ts';
import { rfm } from './rfm.ts';
import { recommendations } from './recommendations.ts';
import { segments } from './segments.ts';
import { serverRss } from './server-rss.ts';
import { whatIf } from './what-if.ts';
import { messaging } from './messaging.ts';
import { outboxLag } from './outbox-lag.ts';
import { segmentLive } from './segment-live.ts';

/**
 * Every scenario of `npm run bench`, in the order they run. A new one is a module in this
 * folder exporting a Scenario and a line here. The scenarios that load the shared server come
 * first and server-rss after them, so it reports the peak of their loads.
 */
export const scenarios: readonly Scenario[] = [calculate, confirm, lookup, calculatePromotions, confirmPromoCode, segments, rfm, clusters, clv, recommendations, analytics, whatIf, messaging, outboxLag, segmentLive, serverRss, customerImport, bulkReceipts, promoCodeBatch, pgliteConfirm];
