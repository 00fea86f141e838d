import type { GiftCardsTables } from '../modules/gift-cards/gift-cards.tables.ts';
import type { CustomersTables } from '../modules/customers/customers.tables.ts';
import type { EngagementTables } from '../modules/engagement/engagement.tables.ts';
import type { ClustersTables } from '../modules/clusters/clusters.tables.ts';
import type { AnalyticsTables } from '../modules/analytics/analytics.tables.ts';
import type { ClvTables } from '../modules/clv/clv.tables.ts';
import type { SegmentsTables } from '../modules/segments/segments.tables.ts';
import type { RecommendationsTables } from '../modules/recommendations/recommendations.tables.ts';
import type { LotteriesTables } from '../modules/lotteries/lotteries.tables.ts';
import type { LoyaltyTables } from '../modules/loyalty/loyalty.tables.ts';
import type { PartnersTables } from '../modules/partners/partners.tables.ts';
import type { PromotionsTables } from '../modules/promotions/promotions.tables.ts';
import type { ReferralsTables } from '../modules/referrals/referrals.tables.ts';
import type { RewardsTables } from '../modules/rewards/rewards.tables.ts';
import type { PlatformTables } from '../platform/platform.tables.ts';
import type { WhatIfTables } from '../modules/what-if/what-if.tables.ts';
import type { FeedbackTables } from '../modules/feedback/feedback.tables.ts';
import type { MessagingTables } from '../modules/messaging/messaging.tables.ts';
import type { TouchpointsTables } from '../modules/touchpoints/touchpoints.tables.ts';
import type { FiscalReceiptsTables } from '../modules/fiscal-receipts/fiscal-receipts.tables.ts';
import type { SurveysTables } from '../modules/surveys/surveys.tables.ts';

/**
 * The whole database: the platform's tables and every module's. Each module declares its
 * tables beside its code and queries only through its own view (`<module>.db.ts`); this union
 * is for migrations, tests and buildApp's wiring, where each module's view is made from it.
 */
export type DB = PlatformTables & CustomersTables & LoyaltyTables & PromotionsTables & PartnersTables & LotteriesTables & ReferralsTables & RewardsTables & GiftCardsTables & EngagementTables & SegmentsTables & ClustersTables & RecommendationsTables & AnalyticsTables & WhatIfTables & ClvTables & MessagingTables & TouchpointsTables & FeedbackTables & FiscalReceiptsTables & SurveysTables;
