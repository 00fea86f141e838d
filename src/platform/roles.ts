/**
 * Who may do what, in one table. Routes name a permission; nothing else checks roles.
 * The README's roles table is this table (`rolesTableMarkdown`); tests/authorization.test.ts
 * holds the README, docs/api.md and every route of the app to it.
 */
export const roles = ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'] as const;
export type Role = (typeof roles)[number];

type PermissionSpec = { allows: string; roles: readonly Role[] };

const permissionTable = {
  'customers:identify': {
    allows: 'find a customer by one identifier or by id (analyst: contacts masked; pos, partner: the till view)',
    roles: ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'],
  },
  'customers:sign-up': {
    allows: 'create a customer (pos: phone, card and consents only, answered with the till view)',
    roles: ['owner', 'marketer', 'support', 'pos'],
  },
  'customers:read': {
    allows: 'list and search customers, read consents (analyst: contacts and consent evidence masked, search by a whole identifier or a name)',
    roles: ['owner', 'marketer', 'analyst', 'support'],
  },
  'customers:write': { allows: 'change customers and their consents', roles: ['owner', 'marketer', 'support'] },
  'customers:merge': { allows: 'merge duplicates', roles: ['owner', 'support'] },
  'customers:erase': { allows: 'erase a customer on request', roles: ['owner', 'support'] },
  'customers:import': { allows: 'import customers from CSV', roles: ['owner', 'marketer'] },
  'customers:export': { allows: 'export customers as CSV (analyst: contacts masked)', roles: ['owner', 'marketer', 'analyst'] },
  'attributes:read': { allows: 'read the declared custom attributes', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'attributes:write': { allows: 'declare custom attributes', roles: ['owner', 'marketer'] },
  'receipts:import': { allows: 'load historical receipts without points (`earn=false`)', roles: ['owner', 'marketer'] },
  'receipts:import-earn': {
    allows: 'load historical receipts that earn points (`earn=true`): it creates points, so it is the owner\'s act, audited',
    roles: ['owner'],
  },
  'imports:read': { allows: 'follow imports: progress and per-line errors', roles: ['owner', 'marketer'] },
  checkout: { allows: "the till's two-phase checkout and cancel (partner: at its own partner's stores only)", roles: ['owner', 'pos', 'partner'] },
  'refunds:create': { allows: "return goods, whole or in part (partner: receipts of its own partner's stores only)", roles: ['owner', 'support', 'pos', 'partner'] },
  'receipts:read': { allows: "read a receipt, and a customer's receipts (support: the whole story; pos: returns)", roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'points:balance': { allows: 'read a balance: available, pending, expiring, tier and progress', roles: ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'] },
  'points:ledger': { allows: 'read every change to a balance', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'points:adjust': { allows: 'add or take points by hand, with a reason', roles: ['owner', 'support'] },
  'program:read': { allows: 'read program settings, earning rules, tiers, stores and products', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'program:write': { allows: 'change program settings, earning rules and tiers', roles: ['owner', 'marketer'] },
  'catalog:write': { allows: 'change stores and products', roles: ['owner', 'marketer'] },
  'promotions:read': { allows: 'read promotions with their usage and budget left, promo codes and code batches', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'promotions:write': { allows: 'create and change promotions, promo codes and code batches', roles: ['owner', 'marketer'] },
  'gift-cards:balance': { allows: "read one gift card's status and balance (the till checks a card here)", roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'gift-cards:read': { allows: 'list gift cards (codes masked), their ledgers and batches', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'gift-cards:write': { allows: 'issue gift cards, one or in batches, and export a batch with its codes', roles: ['owner', 'marketer'] },
  'gift-cards:activate': { allows: 'activate a gift card as it is sold, loading what was paid', roles: ['owner', 'support', 'pos'] },
  'gift-cards:adjust': { allows: 'block and unblock a gift card, put money on it or take it off by hand, with a reason', roles: ['owner', 'support'] },
  'lotteries:read': { allows: 'read lotteries, their commitments, entries and winners (`patron lottery verify`)', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'lotteries:write': { allows: 'create, change and cancel lotteries', roles: ['owner', 'marketer'] },
  'lotteries:draw': { allows: 'draw a lottery whose entry period has ended (reveals the seed, issues the prizes)', roles: ['owner', 'marketer'] },
  'fiscal-receipts:submit': {
    allows: "submit a customer's fiscal receipt QR for points (the app's and site's backends; support on the customer's behalf)",
    roles: ['owner', 'support', 'pos'],
  },
  'fiscal-receipts:read': { allows: "read submitted fiscal receipts: status, points, the reason of a rejection", roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'partners:read': { allows: 'read coalition partners: their stores and rates', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'partners:write': { allows: 'add and change coalition partners, their stores and rates', roles: ['owner', 'marketer'] },
  'partners:settlement': { allows: "read a partner's settlement report, JSON or CSV (partner: its own only)", roles: ['owner', 'marketer', 'analyst', 'partner'] },
  'referrals:read': { allows: "read a customer's referral code, who brought them and whom they brought (contacts masked)", roles: ['owner', 'marketer', 'analyst', 'support'] },
  'referrals:write': { allows: "name a customer's referrer by code, record a device's or payment token's hash against self-referral", roles: ['owner', 'support', 'pos'] },
  'rewards:read': { allows: 'read the rewards catalog with usage, stock left and free partner vouchers', roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'rewards:write': { allows: 'create and change rewards, upload partner vouchers', roles: ['owner', 'marketer'] },
  'reward-orders:read': { allows: "read a customer's reward orders and the privileges they hold", roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'reward-orders:write': { allows: 'buy a reward with a customer\'s points, cancel a reward order (points and stock come back)', roles: ['owner', 'support', 'pos'] },
  'reward-codes:redeem': { allows: 'accept a goods reward code at the till (marks it used)', roles: ['owner', 'pos'] },
  'events:post': { allows: 'tell Patron a customer did something (`POST /v1/events`: app and site backends, tills); action rules turn events into points', roles: ['owner', 'pos'] },
  'events:read': { allows: "read a customer's events and what each earned (properties may hold what the customer wrote)", roles: ['owner', 'marketer', 'support'] },
  'engagement:read': { allows: 'read action rules with what they gave, and the birthday offer', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'engagement:write': { allows: 'create and change action rules and the birthday offer', roles: ['owner', 'marketer'] },
  'segments:read': { allows: 'read segments, preview rules, list members (analyst: contacts masked) and the entries and exits', roles: ['owner', 'marketer', 'analyst'] },
  'segments:write': { allows: 'create, change, recompute and delete segments', roles: ['owner', 'marketer'] },
  'segments:export': { allows: "export a segment's audience for ad platforms (hashed e-mails and phones of the members who allow profiling)", roles: ['owner', 'marketer'] },
  'recommendations:read': {
    allows: "read a customer's next best offers (with the popularity baseline), the co-purchase model, its item pairs and runs",
    roles: ['owner', 'marketer', 'analyst', 'support'],
  },
  'recommendations:write': { allows: 'rebuild the co-purchase model and evaluate it (a run)', roles: ['owner', 'marketer'] },
  'analytics:read': { allows: 'read reports: KPIs, cohorts, funnels, the economics of the bonus system, CLV, alerts, what-if runs and their reports (JSON or CSV)', roles: ['owner', 'marketer', 'analyst'] },
  'analytics:write': { allows: 'run analyses: CLV fits, a what-if replay of changed rules, tiers and promotions over past receipts (writes nothing but the run); set alert rules', roles: ['owner', 'marketer', 'analyst'] },
  'messaging:read': { allows: 'read channels (never their secrets), templates with their versions, campaigns with their reports, and the contact policy', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'touchpoints:read': { allows: 'read the settings of the customer pages (the join form\'s fields and consent texts)', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'touchpoints:write': { allows: 'change the join form: fields, consent texts and their versions, kiosk timings, sites that may embed it', roles: ['owner', 'marketer'] },
  'messaging:write': { allows: 'write templates, campaigns (start, pause, resume, cancel) and the contact policy; preview a template for a customer and send a test', roles: ['owner', 'marketer'] },
  'messages:read': { allows: "read a customer's messages: what was sent, to which address, and each one's status history", roles: ['owner', 'marketer', 'support'] },
  'messages:resend': { allows: "send a customer's message again, with the same text, to their address of now (a code that never arrived)", roles: ['owner', 'marketer', 'support'] },
  'channels:manage': { allows: 'set up channels: SMTP relay, SMS gateway, VAPID keys, Telegram bot (their secrets are written, never read)', roles: ['owner'] },
  'push:subscribe': { allows: "save a browser's web push subscription for a customer (site and app backends)", roles: ['owner', 'pos'] },
  'telegram:link': { allows: "give a customer a one-time Telegram link, see whether their chat is linked (pos: the chat id masked), unlink it", roles: ['owner', 'support', 'pos'] },
  'tickets:read': {
    allows: 'read the feedback inbox: tickets with their threads, and a customer\'s tickets (analyst: an anonymous sender\'s contact masked; the messages as written, the insight analysts look for)',
    roles: ['owner', 'marketer', 'analyst', 'support'],
  },
  'tickets:create': { allows: "turn a customer's message into a ticket (`POST /v1/tickets`: the account page, app and site backends)", roles: ['owner', 'support', 'pos'] },
  'tickets:write': { allows: 'handle tickets: status, assignee, tags; reply to the customer by e-mail, add internal notes', roles: ['owner', 'support'] },
  'webhooks:manage': { allows: 'subscribe URLs to events, read their delivery logs and redeliver', roles: ['owner'] },
  'surveys:read': { allows: "read surveys, their answers (analyst: e-mails and phones in free texts masked), reports and a customer's answers", roles: ['owner', 'marketer', 'analyst', 'support'] },
  'surveys:write': { allows: 'create, change, open, close and delete surveys', roles: ['owner', 'marketer'] },
  'surveys:answer': { allows: "record a customer's (or an anonymous) answer to an open survey (site and app backends, support on the phone)", roles: ['owner', 'marketer', 'support', 'pos'] },
  'jobs:run': { allows: 'run a scheduled job now', roles: ['owner'] },
  'keys:manage': { allows: 'create, list and revoke API keys', roles: ['owner'] },
  'audit:read': { allows: 'read the audit log', roles: ['owner'] },
  'staff:manage': { allows: "add the console's staff users, change their roles, disable them, set a new password", roles: ['owner'] },
  'backup:create': { allows: 'download a consistent snapshot of the embedded database (`patron backup --url`)', roles: ['owner'] },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof permissionTable;

export const permissions = Object.keys(permissionTable) as Permission[];

export function can(role: Role, permission: Permission): boolean {
  return (permissionTable[permission].roles as readonly Role[]).includes(role);
}

/**
 * What a role sees of a customer: the whole profile; the profile with phones, e-mails, cards and
 * consent evidence masked (the shape of the data, not the person); or the till view — id, masked
 * phone and e-mail, balance, tier and the card the till used, never birth date, other cards,
 * tags or attributes. A `partner` key bound to a partner (POST /v1/partners/{id}/api-keys) also
 * checks out and takes returns, at its own partner's stores only (platform/store-scope.ts).
 */
export type CustomerView = 'full' | 'masked' | 'till';

const customerViews = {
  owner: 'full',
  marketer: 'full',
  analyst: 'masked',
  support: 'full',
  pos: 'till',
  partner: 'till',
} as const satisfies Record<Role, CustomerView>;

export function customerViewOf(role: Role): CustomerView {
  return customerViews[role];
}

/** Roles that see personal contacts masked (the till view masks them too). */
export function seesMaskedContacts(role: Role): boolean {
  return customerViews[role] !== 'full';
}

/** The roles table as Markdown: the README shows exactly this (a test compares them). */
export function rolesTableMarkdown(): string {
  const header = `| permission | allows | ${roles.map((role) => `\`${role}\``).join(' | ')} |`;
  const rule = `| --- | --- |${roles.map(() => ' :-: |').join('')}`;
  const rows = permissions.map((permission) => {
    const spec: PermissionSpec = permissionTable[permission];
    return `| \`${permission}\` | ${spec.allows} | ${roles.map((role) => (spec.roles.includes(role) ? '✓' : '')).join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
