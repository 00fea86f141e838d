import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { platformError } from '../errors.ts';
import { actorOf, CONSOLE_COOKIE, cookieMustBeSecure } from '../http.ts';
import { idPattern } from '../ids.ts';
import { mergePatchMediaTypes } from '../merge-patch.ts';
import { named } from '../openapi-names.ts';
import { PageOf, pageQuery } from '../pagination.ts';
import type { RateLimiter } from '../rate-limits.ts';
import { permissions, can, type Permission } from '../roles.ts';
import { authErrors, errorResponses, StringEnum } from '../schemas.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';
import { SESSION_MAX_MS, staffRoles, type Staff, type StaffSession } from './staff-users.ts';

const StaffRole = StringEnum(staffRoles, { description: 'What the person may do: the roles table, as for API keys (pos and partner are for machines)' });
const StaffUser = named('StaffUser', Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: StaffRole,
  disabled: Type.Boolean({ description: 'A disabled user cannot sign in; their sessions ended when they were disabled' }),
  lockedUntil: Type.Union([Type.String(), Type.Null()], { description: 'Sign-in is refused until then after 5 wrong passwords in a row; a new password lifts it' }),
  createdAt: Type.String(),
  passwordChangedAt: Type.String(),
  lastSignInAt: Type.Union([Type.String(), Type.Null()]),
}));
const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const newPasswordRule = `At least ${PASSWORD_MIN_LENGTH} characters, not the e-mail`;
const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: newPasswordRule });
const StaffUserCreate = named('StaffUserCreate', Type.Object({
  email: Email,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  role: StaffRole,
  password: Type.Optional(Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: `${newPasswordRule}; left out, one is generated and shown once` })),
}, { additionalProperties: false }));
const StaffUserCreated = named('StaffUserCreated', Type.Object({
  user: StaffUser,
  password: Type.Union([Type.String(), Type.Null()], { description: 'The generated password, shown only now; null when the request set one' }),
}));
const StaffUserPatch = named('StaffUserPatch', Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  role: Type.Optional(StaffRole),
  disabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false }));
const PasswordReset = named('StaffPasswordReset', Type.Object({
  password: Type.Optional(Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: `${newPasswordRule}; left out, one is generated and shown once` })),
}, { additionalProperties: false }));
const SignIn = named('ConsoleSignIn', Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
}, { additionalProperties: false }));
const ConsoleSession = named('ConsoleSession', Type.Object({
  signedIn: Type.Boolean(),
  user: Type.Union([StaffUser, Type.Null()]),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'Send it as X-CSRF-Token with every change made with the session cookie' }),
  expiresAt: Type.Union([Type.String(), Type.Null()], { description: 'The session ends then unless used (each request moves it on, up to 7 days after sign-in)' }),
  permissions: Type.Array(Type.String(), { description: "What the user's role may do (the roles table): the console shows only these" }),
}));
const PasswordChange = named('ConsolePasswordChange', Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  newPassword: NewPassword,
}, { additionalProperties: false }));
const StaffUserPage = PageOf('StaffUserPage', StaffUser);
const StaffParams = Type.Object({ id: Type.String({ pattern: idPattern('stf') }) });

const signedOut = { signedIn: false, user: null, csrfToken: null, expiresAt: null, permissions: [] as string[] };
const sessionBody = (session: StaffSession) => ({
  signedIn: true,
  user: session.user,
  csrfToken: session.csrfToken,
  expiresAt: session.expiresAt,
  permissions: permissions.filter((permission: Permission) => can(session.user.role, permission)),
});

export type StaffRouteDeps = { staff: Staff; limiter: RateLimiter };

/**
 * Console sign-in and the owner's management of staff users. Sign-in, the session and sign-out
 * are public routes (the session is the cookie); everything the console shows and changes goes
 * through the other routes of the API with that cookie (src/platform/http.ts, installAuth).
 */
export function staffRoutes(app: FastifyInstance, { staff, limiter }: StaffRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['console'];

  const setSessionCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    // Strict: no other site's link or form carries it; the CSRF header guards the rest.
    reply.setCookie(CONSOLE_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieMustBeSecure(request), maxAge: SESSION_MAX_MS / 1000 });

  r.post('/v1/console/session', {
    schema: {
      tags,
      summary: 'Sign in to the console with an e-mail and a password: sets the session cookie and answers the CSRF token',
      description: 'Five wrong passwords in a row lock the account for 15 minutes (429 `auth.account_locked` with Retry-After). An unknown e-mail, a wrong password and a disabled account get the same 401.',
      security: [],
      body: SignIn,
      response: { 200: ConsoleSession, ...errorResponses(400, 401, 415, 429) },
    },
    handler: async (request, reply) => {
      const lockedFor = limiter.lockedOut(request.ip);
      if (lockedFor !== null) {
        reply.header('retry-after', String(lockedFor));
        throw platformError('auth.too_many_attempts', `Too many failed sign-ins from this address; retry in ${lockedFor} s`);
      }
      let result;
      try {
        result = await staff.signIn(request.body.email, request.body.password);
      } catch (error) {
        limiter.authFailed(request.ip);
        throw error;
      }
      if ('lockedForSeconds' in result) {
        reply.header('retry-after', String(result.lockedForSeconds));
        const minutes = Math.ceil(result.lockedForSeconds / 60);
        throw platformError('auth.account_locked', `After 5 wrong passwords the account is locked; try again in ${minutes} min, or ask an owner to set a new password`);
      }
      setSessionCookie(request, reply, result.token);
      return sessionBody(result.session);
    },
  });

  r.get('/v1/console/session', {
    schema: {
      tags,
      summary: 'Who is signed in to the console with this browser, and what their role may do',
      security: [],
      // Like every route, it may be refused for too many requests from one address.
      response: { 200: ConsoleSession, ...errorResponses(429) },
    },
    handler: async (request) => {
      const token = request.cookies[CONSOLE_COOKIE];
      const session = token ? await staff.session(token) : null;
      return session ? sessionBody(session) : signedOut;
    },
  });

  r.delete('/v1/console/session', {
    schema: {
      tags,
      summary: 'Sign out of the console: the session ends and its cookie is cleared (signed out already: the same answer)',
      security: [],
      response: { 200: ConsoleSession, ...errorResponses(429) },
    },
    handler: async (request, reply) => {
      const token = request.cookies[CONSOLE_COOKIE];
      if (token) await staff.signOut(token);
      reply.clearCookie(CONSOLE_COOKIE, { path: '/' });
      return signedOut;
    },
  });

  r.put('/v1/console/session/password', {
    schema: {
      tags,
      summary: "The signed-in person changes their own password (with the session cookie and X-CSRF-Token); their other sessions end",
      security: [],
      body: PasswordChange,
      response: { 200: ConsoleSession, ...errorResponses(400, 401, 403, 415) },
    },
    handler: async (request) => {
      const token = request.cookies[CONSOLE_COOKIE];
      const session = token ? await staff.session(token) : null;
      if (!token || !session) throw platformError('auth.no_session', 'Sign in to the console to change your password');
      const csrf = request.headers['x-csrf-token'];
      if (!staff.csrfMatches(session, Array.isArray(csrf) ? csrf[0] : csrf)) {
        throw platformError('auth.csrf', "A change from the console must carry its session's X-CSRF-Token header; reload the page and try again");
      }
      const actor = { keyId: session.user.id, name: session.user.name, role: session.user.role, requestId: request.id };
      await staff.changeOwnPassword({ userId: session.user.id, token }, request.body.currentPassword, request.body.newPassword, actor);
      return sessionBody((await staff.session(token)) ?? session);
    },
  });

  r.get('/v1/staff-users', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: "The console's staff users, in the order they were added (never their passwords)",
      querystring: Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 500 }), { additionalProperties: false }),
      response: { 200: StaffUserPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => staff.list(request.query.limit, request.query.cursor),
  });

  r.post('/v1/staff-users', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: 'Add a person to the console with a role; without a password one is generated and shown once',
      body: StaffUserCreate,
      response: { 201: StaffUserCreated, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await staff.create(request.body, actorOf(request))),
  });

  r.get('/v1/staff-users/:id', {
    config: { permission: 'staff:manage' },
    schema: { tags, summary: 'One staff user', params: StaffParams, response: { 200: StaffUser, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => staff.get(request.params.id),
  });

  r.patch('/v1/staff-users/:id', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: "Rename, change the role of, disable or enable a staff user (JSON merge patch); a new role or disabling ends the user's sessions",
      description: 'The last enabled owner cannot be demoted or disabled (409 `staff.last_owner`).',
      consumes: mergePatchMediaTypes,
      params: StaffParams,
      body: StaffUserPatch,
      response: { 200: StaffUser, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request) => staff.update(request.params.id, request.body, actorOf(request)),
  });

  r.post('/v1/staff-users/:id/password', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: "Set a staff user's password (forgotten, or a first one to hand over): their sessions end and a lock-out lifts",
      params: StaffParams,
      body: PasswordReset,
      response: { 200: StaffUserCreated, ...errorResponses(400, ...authErrors, 404, 415) },
    },
    handler: async (request) => staff.resetPassword(request.params.id, request.body.password, actorOf(request)),
  });
}
