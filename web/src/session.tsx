import { createContext, useContext, type ReactNode } from 'react';

/** The signed-in person as GET /v1/console/session answers, and what their role may do. */
export type StaffUser = { id: string; email: string; name: string; role: 'owner' | 'marketer' | 'analyst' | 'support' };
export type ConsoleSession = { signedIn: boolean; user: StaffUser | null; csrfToken: string | null; expiresAt: string | null; permissions: string[] };

type SessionContext = { user: StaffUser; permissions: Set<string>; can: (permission: string) => boolean; signOut: () => Promise<void> };
const Context = createContext<SessionContext | null>(null);

export function SessionProvider({ value, children }: { value: SessionContext; children: ReactNode }) {
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** Whether the signed-in role may do `permission` (the same table the server checks). */
export function useCan(): (permission: string) => boolean {
  return useSession().can;
}
