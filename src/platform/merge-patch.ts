import type { ValidateFunction } from 'ajv';
import { Type, type TObject, type TSchema } from 'typebox';
import { platformError } from './errors.ts';
import { makeAjv } from './http.ts';
import { named } from './openapi-names.ts';
import { describeAjvErrors } from './validation-messages.ts';

/**
 * PATCH with a JSON merge patch (RFC 7396), the convention wherever a person changes part of a
 * resource (docs/api.md, "Conventions"): an object merges member by member, null removes a
 * member, anything else (arrays too) replaces it. The merged whole is then checked against the
 * resource's full schema, so a patch can never leave a resource a PUT would refuse.
 */
/** What a PATCH route consumes: a merge patch, under its own media type or as plain JSON. */
export const mergePatchMediaTypes = ['application/merge-patch+json', 'application/json'];

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The body schema of a PATCH on a resource of `schema`: every member optional and nullable (null
 * removes it; removing a required one is refused once merged, saying it is required); a member
 * that is itself an object takes a partial object (checked once merged). Unknown members are
 * refused at once.
 */
export function mergePatchSchema(name: string, schema: TObject, description?: string): TObject {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([key, member]) => {
      const partial = isObjectSchema(member) ? Type.Object({}, { additionalProperties: true, description: 'Merged member by member' }) : member;
      return [key, Type.Optional(Type.Union([partial, Type.Null()]))];
    }),
  );
  return named(
    name,
    Type.Object(properties, {
      additionalProperties: false,
      description: description ?? 'A JSON merge patch (RFC 7396): members left out stay as they are; null removes an optional member',
    }),
  );
}

type SchemaNode = { type?: unknown; anyOf?: SchemaNode[]; oneOf?: SchemaNode[] };

function isObjectSchema(schema: TSchema): boolean {
  const node = schema as SchemaNode;
  const branches = node.anyOf ?? node.oneOf;
  return Array.isArray(branches) ? branches.some((branch) => branch.type === 'object') : node.type === 'object';
}

const ajv = makeAjv(false);
const validators = new WeakMap<TSchema, ValidateFunction>();

/** Throws request.invalid, in the words of every other validation error, when `value` breaks `schema`. */
export function checkMerged<T>(schema: TSchema, value: unknown): T {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (validate(value)) return value as T;
  const problems = describeAjvErrors(validate.errors ?? [], 'body');
  throw platformError('request.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}
