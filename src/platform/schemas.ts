import { Type, type TSchema } from 'typebox';
import type { ErrorStatus } from './errors.ts';

/** The body of every error response (RFC 9457 problem details plus our stable code). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code, e.g. customer.identifier_taken' }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
    traceId: Type.Optional(Type.String()),
    holderId: Type.Optional(Type.String({ description: 'customer.identifier_taken: the customer who holds the identifier (roles that may read customers only)' })),
  },
  { $id: 'Problem', description: 'application/problem+json' },
);

const errorDescriptions: Record<number, string> = {
  400: 'Bad input (request.invalid, request.malformed_json, or a module code)',
  401: 'No API key or an unknown one (auth.missing_key, auth.invalid_key)',
  403: 'The key\'s role may not do this (auth.forbidden)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large (request.body_too_large)',
  415: 'Unsupported content type (request.unsupported_media_type)',
  429: 'Too many requests from this key or address, or too many failed keys (request.rate_limited, auth.too_many_attempts); Retry-After says when to retry',
  503: 'Busy; retry (server.unavailable)',
};

/** Error responses for a route's OpenAPI entry, served as application/problem+json. */
export function errorResponses(...statuses: ErrorStatus[]): Record<number, TSchema> {
  const all = [...new Set<number>(statuses)].sort();
  return Object.fromEntries(
    all.map((status) => [
      status,
      { description: errorDescriptions[status] ?? 'Error', content: { 'application/problem+json': { schema: Type.Ref('Problem') } } } as unknown as TSchema,
    ]),
  );
}

/** A string that is one of `values`: one JSON Schema enum, so errors and docs list the choices. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A field the server fills in when it is left out: optional in the OpenAPI document (a client
 * need not send it) and present for the handler, since Ajv applies the `default` first.
 */
export function Defaulted<T extends TSchema>(schema: T): T {
  if (!('default' in schema)) throw new Error('Defaulted needs a schema with a default');
  return Type.Optional(schema) as unknown as T;
}

// Every route that needs a key may also answer 429 (rate limits, the lockout after failed keys).
export const authErrors: ErrorStatus[] = [401, 403, 429];
