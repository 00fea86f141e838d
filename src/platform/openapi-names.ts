import type { TSchema } from 'typebox';

/**
 * Names for the request and response schemas, so the OpenAPI document lists them under
 * `components.schemas` and the operations `$ref` them (CheckoutRequest, Customer, Balance, …).
 *
 * A route keeps using the schema object itself: Fastify validates and serializes exactly as
 * before, nothing resolves a `$ref` at request time. Only the documentation sees names:
 * `namedComponents` gives the document a copy of each named schema (with `$id` = its name), and
 * `refNamedSchemas` — the swagger `transform` — swaps every named schema inside a route's body
 * and responses for `{ $ref: name }`, which @fastify/swagger turns into
 * `#/components/schemas/<name>`.
 */
const names = new WeakMap<object, string>();
const byName = new Map<string, TSchema>();

/** Gives `schema` a name in the OpenAPI document (and a `title`, which Swagger UI shows). Returns the same object. */
export function named<T extends TSchema>(name: string, schema: T): T {
  const known = byName.get(name);
  if (known && known !== schema) throw new Error(`Two schemas are named ${name}`);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error(`Schema names are PascalCase: ${name}`);
  (schema as { title?: string }).title = name;
  names.set(schema, name);
  byName.set(name, schema);
  return schema;
}

type Json = Record<string, unknown>;

/** A copy of `schema` with every named schema inside it (itself too, unless `keepRoot`) replaced by a `$ref`. */
function withRefs(schema: unknown, keepRoot = false): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const name = keepRoot ? undefined : names.get(schema);
  if (name) return { $ref: name };
  const source = schema as Json;
  const copy: Json = { ...source };
  const each = (key: string) => {
    const value = source[key];
    if (Array.isArray(value)) copy[key] = value.map((item) => withRefs(item));
    else if (typeof value === 'object' && value !== null) copy[key] = withRefs(value);
  };
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties', 'not']) if (key in source) each(key);
  for (const key of ['properties', 'patternProperties']) {
    const value = source[key];
    if (typeof value === 'object' && value !== null) copy[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRefs(v)]));
  }
  return copy;
}

/**
 * Each named schema as a component of the OpenAPI document (`$id` = its name), with the named
 * schemas inside it as `$ref`s. Given to @fastify/swagger as `openapi.components.schemas`, not to
 * Fastify: shared schemas would be handed to every route's serializer, for nothing.
 */
export function namedComponents(): Record<string, TSchema> {
  return Object.fromEntries([...byName].map(([name, schema]) => [name, { ...(withRefs(schema, true) as Json), $id: name } as TSchema]));
}

/** The swagger `transform`: a route's body and responses with named schemas as `$ref`s; everything else as it is. */
export function refNamedSchemas({ schema, url }: { schema: unknown; url: string }): { schema: Json; url: string } {
  const source = (schema ?? {}) as Json;
  const copy: Json = { ...source };
  if (source.body) copy.body = withRefs(source.body);
  if (source.response && typeof source.response === 'object') {
    copy.response = Object.fromEntries(Object.entries(source.response as Json).map(([status, response]) => [status, withContentRefs(response)]));
  }
  return { schema: copy, url };
}

/** A response given per media type (`{content: {'application/json': {schema}, 'text/csv': …}}`, JSON or CSV): each media type's schema named. */
function withContentRefs(response: unknown): unknown {
  const content = (response as { content?: unknown } | null)?.content;
  if (typeof content !== 'object' || content === null) return withRefs(response);
  const media = Object.fromEntries(Object.entries(content as Json).map(([type, value]) => [type, { ...(value as Json), schema: withRefs((value as Json).schema) }]));
  return { ...(response as Json), content: media };
}
