import { describe, expect, it } from 'vitest';
import { fromRules, newGroup, placeFieldProblems, toRules, type ConditionNode, type GroupNode } from '../../web/src/pages/segments/rule-tree.ts';
import type { SegmentField } from '../../web/src/pages/segments/segment-types.ts';

/** The console's rule builder: what it sends for what was typed, and reading saved rules back. */
const window = { required: false, description: '' };
const fields = new Map<string, SegmentField>(
  (
    [
      { key: 'purchases.spentMinor', kind: 'number', params: { window, filter: window } },
      { key: 'consent', kind: 'boolean', params: { channel: { required: true, description: '' }, purpose: { required: true, description: '' } } },
      { key: 'profile.city', kind: 'text', params: {} },
      { key: 'profile.birthDate', kind: 'date', params: {} },
      { key: 'attribute', kind: 'json', params: { key: { required: true, description: '' } } },
      { key: 'events.count', kind: 'number', params: { type: { required: true, description: '' }, properties: window, window } },
    ] as const
  ).map((f) => [f.key, { ...f, description: f.key, operators: [] } as SegmentField]),
);

const condition = (field: string, op: string, value = '', params: Record<string, string> = {}, value2 = ''): ConditionNode => ({ type: 'condition', id: `${field}-${op}`, not: false, field, op, value, value2, params });
const tree = (...children: GroupNode['children']): GroupNode => ({ ...newGroup('all'), children });

describe('toRules', () => {
  it.each([
    ['money in roubles → kopecks, a window of days', condition('purchases.spentMinor', 'gt', '5000', { windowMode: 'days', windowDays: '30' }), { field: 'purchases.spentMinor', window: { days: 30 }, op: 'gt', value: 500000 }],
    ['between with a decimal comma, dates and a filter', condition('purchases.spentMinor', 'between', '10,5', { windowMode: 'range', windowFrom: '2026-01-01', 'filter.brands': 'Roastery, Bakery', 'filter.channel': 'online' }, '20'), { field: 'purchases.spentMinor', window: { from: '2026-01-01' }, filter: { brands: ['Roastery', 'Bakery'], channel: 'online' }, op: 'between', value: [1050, 2000] }],
    ['a consent with its channel and purpose', condition('consent', 'eq', 'true', { channel: 'email', purpose: 'marketing' }), { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true }],
    ['a list of text', condition('profile.city', 'in', ' Moscow, Kazan ,'), { field: 'profile.city', op: 'in', value: ['Moscow', 'Kazan'] }],
    ['isSet takes no value', condition('profile.birthDate', 'isSet'), { field: 'profile.birthDate', op: 'isSet' }],
    ['an attribute compares a number as a number', condition('attribute', 'gte', '3', { key: 'visits' }), { field: 'attribute', key: 'visits', op: 'gte', value: 3 }],
    ['event properties as name=value', condition('events.count', 'gte', '1', { type: 'review.posted', properties: 'rating=5, source=app', windowMode: 'all' }), { field: 'events.count', type: 'review.posted', properties: { rating: 5, source: 'app' }, op: 'gte', value: 1 }],
    ['a number typed wrong is sent as typed, for the server to name', condition('purchases.spentMinor', 'gt', 'a lot'), { field: 'purchases.spentMinor', op: 'gt', value: 'a lot' }],
  ])('%s', (_name, node, rule) => {
    const compiled = toRules(tree(node), fields);
    expect(compiled).toMatchObject({ unfinished: 0, rules: { all: [rule] } });
    expect(fromRules(compiled.rules!)).toMatchObject({ join: 'all', children: [{ field: node.field, op: node.op }] });
    expect(toRules(fromRules(compiled.rules!), fields).rules).toEqual(compiled.rules);
  });

  it('counts what is unfinished: an empty value, a missing required setting, an empty group; nothing to send for an empty tree', () => {
    expect(toRules(newGroup(), fields)).toMatchObject({ rules: null, unfinished: 1 });
    const compiled = toRules(tree(condition('profile.city', 'eq', ' '), condition('attribute', 'eq', 'x'), newGroup('any'), condition('purchases.spentMinor', 'gt', '1', { windowMode: 'days', windowDays: '' })), fields);
    expect(compiled.unfinished).toBe(4);
  });

  it('writes NOT and nested groups, and reads them back, double negation included', () => {
    const inner: GroupNode = { ...newGroup('any'), not: true, children: [condition('profile.city', 'eq', 'Kazan'), { ...condition('profile.birthDate', 'isSet'), not: true }] };
    const compiled = toRules(tree(condition('profile.city', 'ne', 'Moscow'), inner), fields);
    expect(compiled.rules).toEqual({ all: [{ field: 'profile.city', op: 'ne', value: 'Moscow' }, { not: { any: [{ field: 'profile.city', op: 'eq', value: 'Kazan' }, { not: { field: 'profile.birthDate', op: 'isSet' } }] } }] });
    expect(toRules(fromRules(compiled.rules!), fields).rules).toEqual(compiled.rules);
    expect(fromRules({ not: { not: { field: 'profile.city', op: 'eq', value: 'Kazan' } } })).toMatchObject({ join: 'all', children: [{ not: false, field: 'profile.city' }] });
    expect(fromRules({ field: 'profile.city', op: 'eq', value: 'Kazan' })).toMatchObject({ join: 'all', children: [{ field: 'profile.city', value: 'Kazan' }] });
    expect(fromRules({ field: 'purchases.spentMinor', op: 'between', value: [1050, 2000] })).toMatchObject({ children: [{ value: '10.5', value2: '20' }] });
  });

  it("puts the server's problems beside the node they name", () => {
    const inner: GroupNode = { ...newGroup('any'), id: 'g', not: true, children: [{ ...condition('profile.city', 'eq', 'Kazan'), id: 'c2' }] };
    const compiled = toRules(tree({ ...condition('purchases.spentMinor', 'gt', 'x'), id: 'c1' }, inner), fields);
    const problems = [
      { field: 'rules.all[0].value', reason: 'must be a number' },
      { field: 'rules.all[1].not.any[0].op', reason: 'must be one of eq' },
    ];
    expect(Object.fromEntries(placeFieldProblems(problems, compiled.paths))).toEqual({ c1: ['value: must be a number'], c2: ['op: must be one of eq'] });
  });
});
