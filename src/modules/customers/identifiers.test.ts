import { describe, expect, it } from 'vitest';
import { normalizeCard, normalizeEmail, normalizeExternal, normalizeIdentifiers, normalizePhone, parseExternalRef } from './identifiers.ts';

describe('normalizePhone', () => {
  it.each([
    ['8 (912) 345-67-89', 'RU', '+79123456789'],
    ['+7 912 345 67 89', 'RU', '+79123456789'],
    ['89123456789', 'RU', '+79123456789'],
    ['9123456789', 'RU', '+79123456789'],
    ['+7(912)345-67-89', 'RU', '+79123456789'],
    ['+375 29 123-45-67', 'RU', '+375291234567'],
    ['(202) 555-0143', 'US', '+12025550143'],
    [' +44 20 7946 0958 ', 'RU', '+442079460958'],
  ])('%s in %s is %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toEqual({ ok: true, value: expected });
  });

  it.each([['12'], [''], ['8 (912) 345-67'], ['phone'], ['+7 912 345 67 89 ext. 5'], ['+0 000 000']])('refuses %j', (raw) => {
    expect(normalizePhone(raw, 'RU').ok).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Anna@Example.COM ', 'anna@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
  ])('%j is %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([['anna'], ['anna@'], ['@example.com'], ['a b@example.com'], ['anna@example'], ['a@@example.com'], [`${'a'.repeat(65)}@example.com`]])(
    'refuses %j',
    (raw) => {
      expect(normalizeEmail(raw).ok).toBe(false);
    },
  );
});

describe('normalizeCard and external ids', () => {
  it('drops spaces and dashes and upper-cases cards', () => {
    expect(normalizeCard('ab-12 34')).toEqual({ ok: true, value: 'AB1234' });
    expect(normalizeCard('12').ok).toBe(false);
    expect(normalizeCard('12#4').ok).toBe(false);
  });

  it('parses <source>:<id> references', () => {
    expect(parseExternalRef('eshop:A:1')).toEqual({ ok: true, value: { kind: 'external', source: 'eshop', value: 'A:1' } });
    expect(parseExternalRef(':x').ok).toBe(false);
    expect(parseExternalRef('Eshop:x').ok).toBe(false);
    expect(normalizeExternal('app', 'has space').ok).toBe(false);
  });

  it('collects every problem and the removals of a patch', () => {
    const result = normalizeIdentifiers({ phone: 'x', email: null, cardNumber: '1234', externalIds: { eshop: null, app: '' } }, 'RU');
    expect(result.set).toEqual([{ kind: 'card', source: '', value: '1234' }]);
    expect(result.removed).toEqual([
      { kind: 'email', source: '' },
      { kind: 'external', source: 'eshop' },
    ]);
    expect(result.problems.map((p) => p.field)).toEqual(['phone', 'externalIds.app']);
  });
});
