import type { Role } from '../roles.ts';

/**
 * The roles a person can hold in the console; pos and partner are machines' roles, for API keys
 * only. A module of its own so the command line (`patron staff add --role`) names them without
 * loading the staff users' service: a usage error or `--version` answers at once (src/main.ts).
 */
export const staffRoles = ['owner', 'marketer', 'analyst', 'support'] as const satisfies readonly Role[];
export type StaffRole = (typeof staffRoles)[number];
