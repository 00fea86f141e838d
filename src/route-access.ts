import { can, permissions, roles, type Permission, type Role } from './platform/roles.ts';

/** Who may call a route: holders of a permission of the roles table, or anyone ('public'). */
export type Access = Permission | 'public';

/**
 * The authorisation matrix: every route the app serves (`METHOD /path`, paths as the OpenAPI
 * document writes them), with the permission it needs; with the roles table (platform/roles.ts)
 * it says, for every route and role, allowed or denied. A route whose options need more than
 * the route's own permission has an entry of its own with the query that asks for it.
 * tests/authorization.test.ts sends every route with every role, no key and a revoked key and
 * fails on any disagreement, on a served route missing here and on an entry no route serves;
 * docs/api.md shows this table (`routeAccessMarkdown`). It lives beside app.ts, which composes
 * the modules' routes: the platform names no module's routes.
 */
export const routeAccess = {
  // platform
  'GET /health': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /docs/': 'public',
  'GET /docs/static/index.html': 'public',
  'GET /docs/static/swagger-initializer.js': 'public',
  'GET /docs/*': 'public',
  'GET /docs/json': 'public',
  'GET /docs/yaml': 'public',
  'POST /v1/api-keys': 'keys:manage',
  'GET /v1/api-keys': 'keys:manage',
  'DELETE /v1/api-keys/{id}': 'keys:manage',
  'GET /v1/audit-log': 'audit:read',
  'POST /v1/admin/backup': 'backup:create',
  'GET /v1/imports': 'imports:read',
  'GET /v1/imports/{id}': 'imports:read',
  // customers
  'POST /v1/customers': 'customers:sign-up',
  'GET /v1/customers': 'customers:read',
  'GET /v1/customers/lookup': 'customers:identify',
  'GET /v1/customers/{id}': 'customers:identify',
  'PATCH /v1/customers/{id}': 'customers:write',
  'GET /v1/customers/{id}/consents': 'customers:read',
  'PUT /v1/customers/{id}/consents': 'customers:write',
  'POST /v1/customers/{id}/merge': 'customers:merge',
  'POST /v1/customers/{id}/erase': 'customers:erase',
  'GET /v1/customer-attributes': 'attributes:read',
  'GET /v1/customer-attributes/{key}': 'attributes:read',
  'PUT /v1/customer-attributes/{key}': 'attributes:write',
  'POST /v1/imports/customers': 'customers:import',
  'GET /v1/exports/customers': 'customers:export',
  // loyalty
  'POST /v1/checkout/calculate': 'checkout',
  'POST /v1/checkout/confirm': 'checkout',
  'POST /v1/checkout/cancel': 'checkout',
  'POST /v1/receipts/{id}/refunds': 'refunds:create',
  'GET /v1/receipts/{id}': 'receipts:read',
  'GET /v1/customers/{id}/receipts': 'receipts:read',
  'POST /v1/receipts/bulk': 'receipts:import',
  'POST /v1/receipts/bulk?earn=true': 'receipts:import-earn',
  'GET /v1/customers/{id}/balance': 'points:balance',
  'GET /v1/customers/{id}/ledger': 'points:ledger',
  'POST /v1/customers/{id}/points/adjustments': 'points:adjust',
  'GET /v1/program': 'program:read',
  'PUT /v1/program': 'program:write',
  'PATCH /v1/program': 'program:write',
  'GET /v1/earning-rules': 'program:read',
  'PUT /v1/earning-rules': 'program:write',
  'PATCH /v1/earning-rules': 'program:write',
  'GET /v1/earning-rules/{id}': 'program:read',
  'PUT /v1/earning-rules/{id}': 'program:write',
  'PATCH /v1/earning-rules/{id}': 'program:write',
  'DELETE /v1/earning-rules/{id}': 'program:write',
  'GET /v1/tiers': 'program:read',
  'PUT /v1/tiers': 'program:write',
  'PATCH /v1/tiers': 'program:write',
  'GET /v1/tiers/{id}': 'program:read',
  'PATCH /v1/tiers/{id}': 'program:write',
  'GET /v1/stores': 'program:read',
  'PUT /v1/stores': 'catalog:write',
  'GET /v1/stores/{id}': 'program:read',
  'PUT /v1/stores/{id}': 'catalog:write',
  'PATCH /v1/stores/{id}': 'catalog:write',
  'GET /v1/products': 'program:read',
  'PUT /v1/products': 'catalog:write',
  'POST /v1/jobs/{name}/run': 'jobs:run',
  // promotions
  'GET /v1/promotions': 'promotions:read',
  'POST /v1/promotions': 'promotions:write',
  'GET /v1/promotions/{id}': 'promotions:read',
  'PUT /v1/promotions/{id}': 'promotions:write',
  'PATCH /v1/promotions/{id}': 'promotions:write',
  'DELETE /v1/promotions/{id}': 'promotions:write',
  'GET /v1/promo-codes': 'promotions:read',
  'POST /v1/promo-codes': 'promotions:write',
  'GET /v1/promo-codes/{code}': 'promotions:read',
  'GET /v1/promo-codes/batches': 'promotions:read',
  'POST /v1/promo-codes/batches': 'promotions:write',
  'GET /v1/promo-codes/batches/{id}': 'promotions:read',
  'GET /v1/promo-codes/batches/{id}/export': 'promotions:read',
  // gift cards
  'GET /v1/gift-cards': 'gift-cards:read',
  'POST /v1/gift-cards': 'gift-cards:write',
  'GET /v1/gift-cards/batches': 'gift-cards:read',
  'POST /v1/gift-cards/batches': 'gift-cards:write',
  'GET /v1/gift-cards/batches/{id}': 'gift-cards:read',
  'GET /v1/gift-cards/batches/{id}/export': 'gift-cards:write',
  'GET /v1/gift-cards/{code}': 'gift-cards:balance',
  'GET /v1/gift-cards/{code}/entries': 'gift-cards:read',
  'POST /v1/gift-cards/{code}/activate': 'gift-cards:activate',
  'POST /v1/gift-cards/{code}/block': 'gift-cards:adjust',
  'POST /v1/gift-cards/{code}/unblock': 'gift-cards:adjust',
  'POST /v1/gift-cards/{code}/adjustments': 'gift-cards:adjust',
  // referrals
  'GET /v1/customers/{id}/referral': 'referrals:read',
  'GET /v1/customers/{id}/referrals': 'referrals:read',
  'PUT /v1/customers/{id}/referrer': 'referrals:write',
  'POST /v1/customers/{id}/referral/fingerprints': 'referrals:write',
  'GET /v1/referral-program': 'program:read',
  'PUT /v1/referral-program': 'program:write',
  'PATCH /v1/referral-program': 'program:write',
  // partners
  'GET /v1/partners': 'partners:read',
  'POST /v1/partners': 'partners:write',
  'GET /v1/partners/{id}': 'partners:read',
  'PATCH /v1/partners/{id}': 'partners:write',
  'POST /v1/partners/{id}/api-keys': 'keys:manage',
  'GET /v1/partners/{id}/settlement': 'partners:settlement',
  // surveys
  'GET /v1/surveys': 'surveys:read',
  'POST /v1/surveys': 'surveys:write',
  'GET /v1/surveys/{id}': 'surveys:read',
  'PATCH /v1/surveys/{id}': 'surveys:write',
  'DELETE /v1/surveys/{id}': 'surveys:write',
  'POST /v1/surveys/{id}/responses': 'surveys:answer',
  'GET /v1/surveys/{id}/responses': 'surveys:read',
  'GET /v1/surveys/{id}/report': 'surveys:read',
  'GET /v1/customers/{id}/survey-responses': 'surveys:read',
  // lotteries
  'GET /v1/lotteries': 'lotteries:read',
  'POST /v1/lotteries': 'lotteries:write',
  'GET /v1/lotteries/{id}': 'lotteries:read',
  'PATCH /v1/lotteries/{id}': 'lotteries:write',
  'DELETE /v1/lotteries/{id}': 'lotteries:write',
  'POST /v1/lotteries/{id}/draw': 'lotteries:draw',
  'GET /v1/lotteries/{id}/entries': 'lotteries:read',
  'GET /v1/customers/{id}/lottery-entries': 'lotteries:read',
  // rewards
  'GET /v1/rewards': 'rewards:read',
  'POST /v1/rewards': 'rewards:write',
  'GET /v1/rewards/{id}': 'rewards:read',
  'PUT /v1/rewards/{id}': 'rewards:write',
  'PATCH /v1/rewards/{id}': 'rewards:write',
  'DELETE /v1/rewards/{id}': 'rewards:write',
  'POST /v1/rewards/{id}/vouchers': 'rewards:write',
  'GET /v1/customers/{id}/rewards': 'reward-orders:read',
  'POST /v1/customers/{id}/rewards': 'reward-orders:write',
  'POST /v1/customers/{id}/rewards/{orderId}/cancel': 'reward-orders:write',
  'GET /v1/customers/{id}/privileges': 'reward-orders:read',
  'POST /v1/reward-codes/{code}/redeem': 'reward-codes:redeem',
  // engagement
  'POST /v1/events': 'events:post',
  'GET /v1/customers/{id}/events': 'events:read',
  'GET /v1/action-rules': 'engagement:read',
  'POST /v1/action-rules': 'engagement:write',
  'GET /v1/action-rules/{id}': 'engagement:read',
  'PUT /v1/action-rules/{id}': 'engagement:write',
  'PATCH /v1/action-rules/{id}': 'engagement:write',
  'DELETE /v1/action-rules/{id}': 'engagement:write',
  'GET /v1/birthday-offer': 'engagement:read',
  'PUT /v1/birthday-offer': 'engagement:write',
  'PATCH /v1/birthday-offer': 'engagement:write',
  // segments
  'GET /v1/segment-fields': 'segments:read',
  'GET /v1/segments': 'segments:read',
  'POST /v1/segments': 'segments:write',
  'POST /v1/segments/preview': 'segments:read',
  'GET /v1/segments/{id}': 'segments:read',
  'PUT /v1/segments/{id}': 'segments:write',
  'PATCH /v1/segments/{id}': 'segments:write',
  'DELETE /v1/segments/{id}': 'segments:write',
  'POST /v1/segments/{id}/recompute': 'segments:write',
  'GET /v1/segments/{id}/recomputes/{recomputeId}': 'segments:read',
  'GET /v1/segments/{id}/members': 'segments:read',
  'GET /v1/segments/{id}/changes': 'segments:read',
  'GET /v1/segments/{id}/audience-export': 'segments:export',
  // RFM (segments module)
  'POST /v1/analytics/rfm/runs': 'segments:write',
  'GET /v1/analytics/rfm/runs/{id}': 'segments:read',
  'GET /v1/analytics/rfm': 'segments:read',
  // analytics
  'GET /v1/analytics/kpis': 'analytics:read',
  'GET /v1/analytics/cohorts': 'analytics:read',
  'GET /v1/analytics/funnels': 'analytics:read',
  'GET /v1/analytics/economics': 'analytics:read',
  'POST /v1/alert-rules': 'analytics:write',
  'GET /v1/alert-rules': 'analytics:read',
  'GET /v1/alert-rules/{id}': 'analytics:read',
  'PATCH /v1/alert-rules/{id}': 'analytics:write',
  'DELETE /v1/alert-rules/{id}': 'analytics:write',
  'POST /v1/alert-rules/{id}/check': 'analytics:write',
  'GET /v1/alerts': 'analytics:read',
  'GET /v1/alerts/{id}': 'analytics:read',
  'POST /v1/reports': 'analytics:write',
  'GET /v1/reports': 'analytics:read',
  'GET /v1/reports/{id}': 'analytics:read',
  'PATCH /v1/reports/{id}': 'analytics:write',
  'DELETE /v1/reports/{id}': 'analytics:write',
  'POST /v1/reports/{id}/runs': 'analytics:write',
  'GET /v1/reports/{id}/runs': 'analytics:read',
  'GET /v1/reports/{id}/runs/{runId}': 'analytics:read',
  // clusters (segments' permissions: clusters are read and run by whoever builds segments)
  'POST /v1/clusters/runs': 'segments:write',
  'GET /v1/clusters/runs/{id}': 'segments:read',
  'GET /v1/clusters': 'segments:read',
  // analytics
  'POST /v1/analytics/what-if': 'analytics:write',
  'GET /v1/analytics/what-if/{id}': 'analytics:read',
  'POST /v1/analytics/clv/fit': 'analytics:write',
  'GET /v1/analytics/clv/fit/{id}': 'analytics:read',
  'GET /v1/analytics/clv': 'analytics:read',
  // recommendations
  'GET /v1/customers/{id}/recommendations': 'recommendations:read',
  'POST /v1/recommendations/runs': 'recommendations:write',
  'GET /v1/recommendations/runs/{id}': 'recommendations:read',
  'GET /v1/recommendations': 'recommendations:read',
  'GET /v1/recommendations/pairs': 'recommendations:read',
  // messaging
  'POST /v1/channels': 'channels:manage',
  'GET /v1/channels': 'messaging:read',
  'GET /v1/channels/{id}': 'messaging:read',
  'PATCH /v1/channels/{id}': 'channels:manage',
  'DELETE /v1/channels/{id}': 'channels:manage',
  'GET /v1/messaging/policy': 'messaging:read',
  'PUT /v1/messaging/policy': 'messaging:write',
  'POST /v1/templates': 'messaging:write',
  'GET /v1/templates': 'messaging:read',
  'GET /v1/templates/{id}': 'messaging:read',
  'PATCH /v1/templates/{id}': 'messaging:write',
  'DELETE /v1/templates/{id}': 'messaging:write',
  'GET /v1/templates/{id}/versions': 'messaging:read',
  'POST /v1/templates/{id}/preview': 'messaging:write',
  'POST /v1/templates/{id}/test': 'messaging:write',
  'GET /v1/customers/{id}/messages': 'messages:read',
  'POST /v1/push/subscriptions': 'push:subscribe',
  'POST /v1/customers/{id}/telegram-link': 'telegram:link',
  'GET /v1/customers/{id}/telegram-link': 'telegram:link',
  'DELETE /v1/customers/{id}/telegram-link': 'telegram:link',
  'POST /t/telegram/{channelId}': 'public',
  'POST /t/sms/{channelId}/status': 'public',
  'GET /t/sms/{channelId}/status': 'public',
  'POST /v1/channels/{id}/bounces': 'channels:manage',
  'POST /v1/campaigns': 'messaging:write',
  'GET /v1/campaigns': 'messaging:read',
  'GET /v1/campaigns/{id}': 'messaging:read',
  'PATCH /v1/campaigns/{id}': 'messaging:write',
  'DELETE /v1/campaigns/{id}': 'messaging:write',
  'POST /v1/campaigns/{id}/start': 'messaging:write',
  'POST /v1/campaigns/{id}/pause': 'messaging:write',
  'POST /v1/campaigns/{id}/resume': 'messaging:write',
  'POST /v1/campaigns/{id}/cancel': 'messaging:write',
  'GET /v1/campaigns/{id}/report': 'messaging:read',
  'PUT /v1/campaigns/{id}/audience': 'messaging:write',
  'POST /v1/journeys': 'messaging:write',
  'GET /v1/journeys': 'messaging:read',
  'GET /v1/journey-recipes': 'messaging:read',
  'POST /v1/journey-recipes/{name}': 'messaging:write',
  'GET /v1/journeys/{id}': 'messaging:read',
  'PATCH /v1/journeys/{id}': 'messaging:write',
  'DELETE /v1/journeys/{id}': 'messaging:write',
  'POST /v1/journeys/{id}/activate': 'messaging:write',
  'POST /v1/journeys/{id}/pause': 'messaging:write',
  'POST /v1/journeys/{id}/archive': 'messaging:write',
  'GET /v1/journeys/{id}/entries': 'messaging:read',
  'GET /v1/journeys/{id}/report': 'messaging:read',
  'GET /v1/experiments/global-control': 'messaging:read',
  'PUT /v1/experiments/global-control': 'messaging:write',
  'GET /t/o/{token}': 'public',
  'GET /t/c/{token}': 'public',
  'GET /t/u/{token}': 'public',
  'POST /t/u/{token}': 'public',
  'POST /v1/webhooks': 'webhooks:manage',
  'GET /v1/webhooks': 'webhooks:manage',
  'GET /v1/webhooks/{id}': 'webhooks:manage',
  'PATCH /v1/webhooks/{id}': 'webhooks:manage',
  'DELETE /v1/webhooks/{id}': 'webhooks:manage',
  'GET /v1/webhooks/{id}/deliveries': 'webhooks:manage',
  'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry': 'webhooks:manage',
} as const satisfies Record<string, Access>;

export type RouteKey = keyof typeof routeAccess;

/** Whether a key of `role` may call the route (public routes: anyone, with or without a key). */
export function allowed(route: RouteKey, role: Role): boolean {
  const access: Access = routeAccess[route];
  return access === 'public' || can(role, access);
}

/** The matrix as Markdown, route by route (the public documentation routes left out): docs/api.md shows exactly this. */
export function routeAccessMarkdown(): string {
  const header = `| route | permission | ${roles.map((role) => `\`${role}\``).join(' | ')} |`;
  const rule = `| --- | --- |${roles.map(() => ' :-: |').join('')}`;
  const rows = (Object.keys(routeAccess) as RouteKey[])
    .filter((route) => !route.startsWith('GET /docs'))
    .map((route) => {
      const access: Access = routeAccess[route];
      const cells = roles.map((role) => (allowed(route, role) ? '✓' : ''));
      return `| \`${route}\` | ${access === 'public' ? 'none (public)' : `\`${access}\``} | ${cells.join(' | ')} |`;
    });
  return [header, rule, ...rows].join('\n');
}

/** Permissions no route needs: a table entry with nothing behind it. */
export function unusedPermissions(): Permission[] {
  const used = new Set<string>(Object.values(routeAccess));
  return permissions.filter((permission) => !used.has(permission));
}
