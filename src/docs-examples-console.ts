import type { DocExample } from './docs-examples.ts';
import { can, permissions } from './platform/roles.ts';

/**
 * The console's chapter of the worked examples (docs/console.md): the owner adds a marketer, the
 * marketer signs in, looks at the session, changes the password and signs out. The entries
 * marked `session` are sent with the cookie and CSRF token of the sign-in before them.
 */
export const consoleExampleIds = {
  staffMarketer: 'stf_0195f3c3c1a27b3c4d5e6f708192a3b4',
} as const;

/** The CSRF token a sign-in answers: 24 random bytes in base64url. */
export const consoleDrawnValues: Record<string, RegExp> = {
  'q3JmY2V4YW1wbGV0b2tlbi1mb3ItZG9jcw': /^[\w-]{32}$/,
};

const at = '2026-03-01T09:00:00.000Z';
const SIGNED_OUT = { signedIn: false, user: null, csrfToken: null, expiresAt: null, permissions: [] };

export function consoleExamples(): DocExample[] {
  const marketer = {
    id: consoleExampleIds.staffMarketer, email: 'maria@coffee.example', name: 'Maria Sokolova', role: 'marketer', disabled: false,
    lockedUntil: null, createdAt: at, passwordChangedAt: at, lastSignInAt: null,
  };
  const SIGNED_IN = {
    signedIn: true,
    user: { ...marketer, name: 'Maria Sokolova-Ivanova', lastSignInAt: at },
    csrfToken: 'q3JmY2V4YW1wbGV0b2tlbi1mb3ItZG9jcw',
    expiresAt: '2026-03-01T21:00:00.000Z',
    permissions: MARKETER_PERMISSIONS,
  };
  return [
    {
      route: 'POST /v1/staff-users',
      summary: 'The owner adds a marketer to the console with a first password to hand over (left out, one is generated and shown once)',
      role: 'owner',
      body: { email: 'Maria@Coffee.example', name: 'Maria Sokolova', role: 'marketer', password: 'espresso-doppio-42' },
      status: 201,
      response: { user: marketer, password: null },
    },
    {
      route: 'GET /v1/staff-users',
      summary: 'The staff users, in the order they were added',
      role: 'owner',
      status: 200,
      response: { items: [marketer], nextCursor: null },
    },
    {
      route: 'GET /v1/staff-users/{id}',
      summary: 'One staff user',
      role: 'owner',
      params: { id: consoleExampleIds.staffMarketer },
      status: 200,
      response: marketer,
    },
    {
      route: 'PATCH /v1/staff-users/{id}',
      summary: 'Rename a staff user (a new role or disabling would also end their sessions)',
      role: 'owner',
      params: { id: consoleExampleIds.staffMarketer },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { name: 'Maria Sokolova-Ivanova' },
      status: 200,
      response: { ...marketer, name: 'Maria Sokolova-Ivanova' },
    },
    {
      route: 'POST /v1/staff-users/{id}/password',
      summary: 'Set a new password for a staff user who forgot theirs: their sessions end, a lock-out lifts',
      role: 'owner',
      params: { id: consoleExampleIds.staffMarketer },
      body: { password: 'flat-white-2026' },
      status: 200,
      response: { user: { ...marketer, name: 'Maria Sokolova-Ivanova' }, password: null },
    },
    {
      route: 'POST /v1/console/session',
      summary: 'Sign in: the answer sets the httpOnly session cookie and gives the CSRF token to send with every change',
      role: null,
      body: { email: 'maria@coffee.example', password: 'flat-white-2026' },
      status: 200,
      response: SIGNED_IN,
    },
    {
      route: 'GET /v1/console/session',
      summary: 'Who is signed in with this browser, and what their role may do (without the cookie: signedIn false and nothing else)',
      role: null,
      session: true,
      status: 200,
      response: SIGNED_IN,
    },
    {
      route: 'PUT /v1/console/session/password',
      summary: "Change one's own password (the session cookie and X-CSRF-Token): the person's other sessions end, this one stays",
      role: null,
      session: true,
      body: { currentPassword: 'flat-white-2026', newPassword: 'cortado-with-oat-milk' },
      status: 200,
      response: { ...SIGNED_IN, user: { ...SIGNED_IN.user, passwordChangedAt: at } },
    },
    {
      route: 'DELETE /v1/console/session',
      summary: 'Sign out: the session ends and the cookie is cleared',
      role: null,
      session: true,
      status: 200,
      response: SIGNED_OUT,
    },
  ];
}

// What a marketer may do, as the sign-in answers it: the roles table's marketer column.
const MARKETER_PERMISSIONS: string[] = permissions.filter((permission) => can('marketer', permission));
