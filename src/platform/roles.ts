/**
 * Who may do what, in one table. Routes name a permission; nothing else checks roles.
 */
export const roles = ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'] as const;
export type Role = (typeof roles)[number];

const permissionTable = {
  // find a customer by an identifier or id: the till, partners and every console role
  'customers:identify': ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'],
  'customers:read': ['owner', 'marketer', 'analyst', 'support'],
  'customers:write': ['owner', 'marketer', 'support'],
  'customers:merge': ['owner', 'support'],
  'customers:erase': ['owner', 'support'],
  'customers:import': ['owner', 'marketer'],
  'receipts:import': ['owner', 'marketer'],
  'imports:read': ['owner', 'marketer'],
  'customers:export': ['owner', 'marketer', 'analyst'],
  'attributes:read': ['owner', 'marketer', 'analyst', 'support'],
  'attributes:write': ['owner', 'marketer'],
  // the till's two-phase checkout, cancel and returns
  checkout: ['owner', 'pos'],
  'refunds:create': ['owner', 'support', 'pos'],
  'receipts:read': ['owner', 'marketer', 'analyst', 'support', 'pos'],
  'points:balance': ['owner', 'marketer', 'analyst', 'support', 'pos', 'partner'],
  'points:ledger': ['owner', 'marketer', 'analyst', 'support'],
  'points:adjust': ['owner', 'support'],
  'program:read': ['owner', 'marketer', 'analyst', 'support', 'pos'],
  'program:write': ['owner', 'marketer'],
  'catalog:write': ['owner', 'marketer'],
  'jobs:run': ['owner'],
  'keys:manage': ['owner'],
  'audit:read': ['owner'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionTable;

export function can(role: Role, permission: Permission): boolean {
  return (permissionTable[permission] as readonly Role[]).includes(role);
}

/** Roles that see personal contacts masked. */
export function seesMaskedContacts(role: Role): boolean {
  return role === 'analyst';
}
