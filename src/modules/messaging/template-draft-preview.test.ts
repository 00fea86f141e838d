import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * POST /v1/templates/preview: an unsaved draft rendered for a real customer through the same
 * render as a saved template's preview, refused in the same words as saving it, and nothing
 * stored (no template, no version, no message, no audit line).
 */
describe('draft template preview', () => {
  let t: TestApp;
  let anna: string;
  const counts = async () => {
    const db = t.database.db;
    const count = async (table: 'messageTemplates' | 'messageTemplateVersions' | 'messages' | 'auditLog') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { templates: await count('messageTemplates'), versions: await count('messageTemplateVersions'), messages: await count('messages'), audit: await count('auditLog') };
  };
  const preview = (payload: Record<string, unknown>) => t.call({ method: 'POST', url: '/v1/templates/preview', payload });

  beforeAll(async () => {
    t = await createTestApp();
    const made = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110001', email: 'anna@example.com', firstName: 'Anna', locale: 'en' } });
    expect(made.statusCode, made.body).toBe(201);
    anna = made.json().id;
    const policy = await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    expect(policy.statusCode, policy.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('renders a draft as a saved template of the same parts renders, and stores nothing', async () => {
    const parts = { subject: 'Hello, {{ customer.firstName }}', text: 'You have {{ balance.available | points }} points at {{ program.name }}.' };
    const before = await counts();
    const draft = await preview({ customerId: anna, kind: 'email', name: 'Not saved', purpose: 'marketing', parts });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toEqual({ kind: 'email', customerId: anna, parts: { subject: 'Hello, Anna', text: 'You have 0 points at Club.' }, content: { subject: 'Hello, Anna', text: 'You have 0 points at Club.' } });
    expect(await counts()).toEqual(before);

    const saved = await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Saved', kind: 'email', purpose: 'marketing', parts } });
    expect(saved.statusCode, saved.body).toBe(201);
    const savedPreview = await t.call({ method: 'POST', url: `/v1/templates/${saved.json().id}/preview`, payload: { customerId: anna } });
    const { templateId: _id, version: _v, ...rendered } = savedPreview.json();
    expect(rendered).toEqual(draft.json());
  });

  it('refuses a draft in the words saving would use: a Liquid mistake with its line, a missing part, an unknown customer', async () => {
    const before = await counts();
    const broken = await preview({ customerId: anna, kind: 'sms', parts: { text: 'Hi {{ customer.firstName }}\n{% if balance.available > 0 %}you have points' } });
    expect(broken.statusCode, broken.body).toBe(422);
    expect(broken.json().errors).toEqual([{ field: 'parts.text', reason: expect.stringMatching(/^line 2, column \d+: /) }]);
    const unknown = await preview({ customerId: anna, kind: 'sms', parts: { text: 'Hi {{ customer.nickname }}' } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].reason).toContain('unknown variable customer.nickname');
    const missing = await preview({ customerId: anna, kind: 'email', parts: { text: 'No subject' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ field: 'parts.subject', reason: 'is required for email templates' }]);
    const nobody = await preview({ customerId: 'cus_0190c0ffee00700080000000000000ab', kind: 'sms', parts: { text: 'Hi' } });
    expect(nobody.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });
});
