import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { compileOnFirstUse } from './compile-on-first-use.ts';
import { makeAjv } from './http.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('route schemas compiled on first use', () => {
  it("a validator compiled on its first call reports the compiled one's answer and errors", () => {
    let compiles = 0;
    const validate = compileOnFirstUse().validator(() => {
      compiles++;
      return makeAjv(false).compile({ type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'], additionalProperties: false });
    });
    expect(compiles).toBe(0);
    expect(validate({ n: 0 })).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ instancePath: '/n', keyword: 'minimum' })]);
    expect(validate({ n: 2 })).toBe(true);
    expect(validate.errors).toBeNull();
    expect(compiles).toBe(1);
  });

  it('a request before any compiling is validated and answered as always', async () => {
    const bad = await t.call({ method: 'POST', url: '/v1/customers', payload: { birthDate: 'yesterday' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request.invalid' });
    expect(bad.json().detail).toContain('birthDate');
  });

  it("every route's validators and serializers compile (the server compiles them after it starts listening)", async () => {
    const compiled = await t.schemas.compileRemaining();
    expect(compiled).toBeGreaterThan(400);
    expect(await t.schemas.compileRemaining()).toBe(0);
  });
});
