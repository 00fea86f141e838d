import type { Role } from './roles.ts';

/** Who is making a change: an API key, the CLI or the system itself. Written to the audit log. */
export type Actor = {
  keyId: string | null;
  name: string;
  role: Role | null;
  requestId?: string;
};

export const systemActor: Actor = { keyId: null, name: 'system', role: null };
export const cliActor: Actor = { keyId: null, name: 'cli', role: 'owner' };
