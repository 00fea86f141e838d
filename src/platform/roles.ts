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
  checkout: { allows: "the till's two-phase checkout and cancel", roles: ['owner', 'pos'] },
  'refunds:create': { allows: 'return goods, whole or in part', roles: ['owner', 'support', 'pos'] },
  'receipts:read': { allows: "read a receipt, and a customer's receipts (support: the whole story; pos: returns)", roles: ['owner', 'marketer', 'analyst', 'support', 'pos'] },
  'points:balance': { allows: 'read a balance: available, pending, expiring, tier and progress', roles: ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'] },
  'points:ledger': { allows: 'read every change to a balance', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'points:adjust': { allows: 'add or take points by hand, with a reason', roles: ['owner', 'support'] },
  'program:read': { allows: 'read program settings, earning rules, tiers, stores and products', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'program:write': { allows: 'change program settings, earning rules and tiers', roles: ['owner', 'marketer'] },
  'catalog:write': { allows: 'change stores and products', roles: ['owner', 'marketer'] },
  'promotions:read': { allows: 'read promotions with their usage and budget left, promo codes and code batches', roles: ['owner', 'marketer', 'analyst', 'support'] },
  'promotions:write': { allows: 'create and change promotions, promo codes and code batches', roles: ['owner', 'marketer'] },
  'jobs:run': { allows: 'run a scheduled job now', roles: ['owner'] },
  'keys:manage': { allows: 'create, list and revoke API keys', roles: ['owner'] },
  'audit:read': { allows: 'read the audit log', roles: ['owner'] },
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
 * tags or attributes. A `partner` key will also be scoped to its own stores once partners exist
 * (the promotions issue); until then it identifies customers and reads balances only.
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
