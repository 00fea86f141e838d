import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * A field the server fills in when it is left out is optional to a client: the OpenAPI document
 * must not mark it required, in a query string or in a request body (Defaulted in
 * src/platform/schemas.ts). Responses are not checked: there the server always sends it.
 */
type Schema = { $ref?: string; type?: string; default?: unknown; required?: string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
};

let t: TestApp;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.call({ method: 'GET', url: '/openapi.json', role: null })).json();
});
afterAll(async () => t?.close());

/** A named schema (`$ref` to components.schemas, src/platform/openapi-names.ts) as the schema it names. */
function deref(schema: Schema | undefined): Schema | undefined {
  return schema?.$ref ? deref(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]) : schema;
}

/** Every `where: field` that has a default and is listed as required, anywhere in a schema. */
function requiredWithDefault(rawSchema: Schema | undefined, where: string): string[] {
  const schema = deref(rawSchema);
  if (!schema) return [];
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined && schema.required?.includes(name)) found.push(`${where}.${name}`);
    found.push(...requiredWithDefault(property, `${where}.${name}`));
  }
  found.push(...requiredWithDefault(schema.items, `${where}[]`));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) found.push(...requiredWithDefault(branch, where));
  return found;
}

describe('the OpenAPI document and server defaults', () => {
  it('marks no query parameter or body field with a default as required', () => {
    const found: string[] = [];
    let defaults = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const parameter of operation.parameters ?? []) {
          if (parameter.schema?.default === undefined) continue;
          defaults++;
          if (parameter.required) found.push(`${where} ${parameter.in}:${parameter.name}`);
        }
        for (const [type, content] of Object.entries(operation.requestBody?.content ?? {})) {
          defaults += JSON.stringify(content.schema ?? {}).split('"default":').length - 1;
          for (const name of JSON.stringify(content.schema ?? {}).match(/(?<="#\/components\/schemas\/)[^"]+/g) ?? []) {
            defaults += JSON.stringify(doc.components.schemas[name] ?? {}).split('"default":').length - 1;
          }
          found.push(...requiredWithDefault(content.schema, `${where} (${type}) body`));
        }
      }
    }
    expect(found).toEqual([]);
    expect(defaults, 'defaults seen (so the walk found some)').toBeGreaterThan(5);
  });

  it('lets an earning rule leave out priority and active, and a tier its privileges; the server fills them in', async () => {
    const rule = deref(deref(doc.paths['/v1/earning-rules']?.put?.requestBody?.content?.['application/json']?.schema)?.properties?.rules?.items);
    expect(rule?.required).toEqual(expect.arrayContaining(['id', 'kind', 'stacking']));
    expect(rule?.required).not.toContain('priority');
    expect(rule?.required).not.toContain('active');
    const tier = deref(deref(doc.paths['/v1/tiers']?.put?.requestBody?.content?.['application/json']?.schema)?.properties?.tiers?.items);
    expect(tier?.required).not.toContain('privileges');

    const saved = await t.call({
      method: 'PUT',
      url: '/v1/earning-rules',
      payload: { rules: [{ id: 'base', name: 'Base', kind: 'percent', rateBp: 500, conditions: {}, stacking: 'sum' }] },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().rules[0]).toMatchObject({ priority: 0, active: true });
    const tiers = await t.call({
      method: 'PUT',
      url: '/v1/tiers',
      payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'base', name: 'Member', threshold: 0 }] },
    });
    expect(tiers.statusCode, tiers.body).toBe(200);
    expect(tiers.json().tiers[0]).toMatchObject({ privileges: [] });
  });
});
