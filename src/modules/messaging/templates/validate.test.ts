import { describe, expect, it } from 'vitest';
import { sampleTemplateContext } from './sample-context.ts';
import { appErrorOf } from './test-helpers.ts';
import { assertValidTemplate, checkTemplate } from './validate.ts';
import { catalogueEntries, variableCatalogue, type CatalogueNode } from './variables.ts';

const CUSTOMER_FIELDS = 'id, firstName, lastName, fullName, email, phone, birthDate, locale, timeZone, city, gender, attributes, createdAt';
const ROOTS = 'customer, balance, tier, promoCode, recommendations, offer, store, program, links, message';
const messages = (source: string) => checkTemplate({ html: source }).map((p) => p.message);

describe('checkTemplate accepts', () => {
  it.each([
    ['catalogue leaves', '{{ customer.firstName }} {{ balance.expiring.points }} {{ tier.next.pointsNeeded }} {{ links.unsubscribe }} {{ message.channel }}'],
    ['a whole object or list', '{% if promoCode %}{{ promoCode.code }}{% endif %}{% if recommendations != empty %}x{% endif %}'],
    ["the open map's keys", "{{ customer.attributes.shoeSize }} {{ customer.attributes['shoe size'] }} {{ customer.attributes.a.b.c }}"],
    ['list properties and indexes', '{{ recommendations.first.name }} {{ recommendations.last.url }} {{ recommendations.size }} {{ recommendations[0].sku }} {{ customer.firstName.size }}'],
    ['assign', '{% assign name = customer.firstName | default: "друг" %}{{ name }} {{ name.size }} {{ name.anything }}'],
    ['capture', '{% capture greeting %}Привет, {{ customer.firstName }}{% endcapture %}{{ greeting | upcase }}'],
    ['increment and decrement', '{% increment n %}{% decrement m %}{{ n }}{{ m }}'],
    ['a local read before it is assigned on a later pass', '{% for r in recommendations %}{% if previous %}, {% endif %}{{ r.name }}{% assign previous = r %}{% endfor %}'],
    ['for over a list, with forloop', '{% for r in recommendations limit: 3 %}{{ forloop.index }}. {{ r.name }} {{ r.priceMinor | money: r.currency }}{% if forloop.last %}.{% endif %}{% else %}none{% endfor %}'],
    ['a nested list', '{% for lot in balance.expiringSoon %}{{ lot.points | points }} {{ lot.date | local_date }}{% endfor %}'],
    ['for over a range, and an index by variable', '{% for i in (0..2) %}{{ recommendations[i].name }}{{ recommendations[forloop.index0].url }}{% endfor %}'],
    ['tablerow with tablerowloop', '<table>{% tablerow r in recommendations cols: 2 %}{{ r.name }}{{ tablerowloop.col }}{% endtablerow %}</table>'],
    ['case, unless, cycle and literals', '{% case message.channel %}{% when "sms" %}s{% else %}e{% endcase %}{% unless tier == nil or tier == blank %}{% cycle "a", "b" %}{% endunless %}{% if true %}{% endif %}'],
    ['the liquid tag', '{% liquid\n  assign points = balance.available\n  echo points | points\n%}'],
    ['raw and comments', '{% raw %}{{ not.checked }}{% endraw %}{% comment %}{{ nor.this }}{% endcomment %}{% # nor {{ this }} %}'],
    ["Patron's filters with their arguments", "{{ 100 | money }}{{ 100 | money: 'USD' }}{{ 1 | points }}{{ offer.validUntil | local_date: 'datetime' }}{{ 2 | plural: 'a', 'b' }}{{ 2 | plural_word: 'a', 'b', 'c' }}{{ balance.expiring.date | days_until }}"],
    ["Liquid's standard filters", "{{ customer.firstName | default: 'друг' | capitalize | truncate: 20 }}{{ recommendations | map: 'name' | join: ', ' }}{{ 'now' | date: '%Y' }}"],
  ])('%s', (_what, source) => {
    expect(messages(source)).toEqual([]);
  });
});

describe('checkTemplate refuses', () => {
  it.each([
    ['Hello, {{ customer.nickname }}!', [`html, line 1, column 11: unknown variable customer.nickname; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{{ customer.firstname }}', [`html, line 1, column 4: unknown variable customer.firstname (did you mean customer.firstName?); known under customer: ${CUSTOMER_FIELDS}`]],
    ['{{ customer.balance }}', [`html, line 1, column 4: unknown variable customer.balance; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{{ nickname }}', [`html, line 1, column 4: unknown variable nickname; known variables: ${ROOTS}`]],
    ['{{ custmer.id }}', [`html, line 1, column 4: unknown variable custmer.id (did you mean customer?); known variables: ${ROOTS}`]],
    ['{{ customer.firstName.initial }}', ['html, line 1, column 4: unknown variable customer.firstName.initial: customer.firstName is a single value (text) with nothing under it']],
    ['{{ balance.available.size }}', ['html, line 1, column 4: unknown variable balance.available.size: balance.available is a single value (points) with nothing under it']],
    ['{{ tier.next.points }}', ['html, line 1, column 4: unknown variable tier.next.points; known under tier.next: name, pointsNeeded, spendNeededMinor']],
    [
      '{{ recommendations.name }}',
      ['html, line 1, column 4: unknown variable recommendations.name: recommendations is a list; loop over it with {% for item in recommendations %}, or use recommendations.first, recommendations.last, recommendations.size or recommendations[0]'],
    ],
    ['{{ recommendations[0].title }}', ['html, line 1, column 4: unknown variable recommendations[0].title; known under recommendations[0]: sku, name, url, priceMinor, currency, imageUrl']],
    ['{{ customer[0] }}', [`html, line 1, column 4: unknown variable customer[0]: customer is not a list; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{% for r in recommendations %}{{ r.nmae }}{% endfor %}', ['html, line 1, column 34: unknown variable r.nmae (did you mean r.name?); known under r: sku, name, url, priceMinor, currency, imageUrl']],
    ['{% for lot in balance.expiringSoon %}{{ lot.amount }}{% endfor %}', ['html, line 1, column 41: unknown variable lot.amount; known under lot: points, date']],
    ['{% for r in recommendations %}{% endfor %}{{ r.name }}', [`html, line 1, column 46: unknown variable r.name; known variables: ${ROOTS}`]],
    ['{{ forloop.index }}', [`html, line 1, column 4: unknown variable forloop.index; known variables: ${ROOTS}`]],
    ['{% for r in recomendations %}{% endfor %}', [`html, line 1, column 13: unknown variable recomendations (did you mean recommendations?); known variables: ${ROOTS}`]],
    ['{% if customer.vip %}x{% endif %}', [`html, line 1, column 7: unknown variable customer.vip; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{% assign n = customer.nick | upcase %}', [`html, line 1, column 15: unknown variable customer.nick; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{% capture c %}{{ offer.title }}{% endcapture %}', ['html, line 1, column 19: unknown variable offer.title; known under offer: name, description, validUntil']],
    ['{% liquid\n  assign n = 1\n  echo customer.nick\n%}', [`html, line 3, column 8: unknown variable customer.nick; known under customer: ${CUSTOMER_FIELDS}`]],
    ['{{ 100 | money: program.currncy }}', ['html, line 1, column 17: unknown variable program.currncy (did you mean program.currency?); known under program: name, currency, locale, timeZone']],
    ['{{ recommendations[custmer.i].name }}', [`html, line 1, column 20: unknown variable custmer.i (did you mean customer?); known variables: ${ROOTS}`]],
    ['{{ customer.constructor }}{{ __proto__ }}', [`html, line 1, column 4: unknown variable customer.constructor; known under customer: ${CUSTOMER_FIELDS}`, `html, line 1, column 30: unknown variable __proto__; known variables: ${ROOTS}`]],
  ])('%s', (source, expected) => {
    expect(messages(source)).toEqual(expected);
  });

  it('every problem of a part at its line and column, in order, once each', () => {
    const source = ['<p>Здравствуйте, {{ customer.frstName }}!</p>', '{% for r in recommendations %}', '  <a href="{{ r.link }}">{{ r.name | shout }}</a>', '{% endfor %}', '<p>{{ customer.frstName }}</p>'].join('\n');
    expect(messages(source)).toEqual([
      `html, line 1, column 21: unknown variable customer.frstName (did you mean customer.firstName?); known under customer: ${CUSTOMER_FIELDS}`,
      'html, line 3, column 15: unknown variable r.link; known under r: sku, name, url, priceMinor, currency, imageUrl',
      'html, line 3, column 38: unknown filter shout; Patron\'s filters are money, points, local_date, plural, plural_word, days_until, survey_url, beside Liquid\'s standard ones (upcase, default, truncate …)',
      `html, line 5, column 7: unknown variable customer.frstName (did you mean customer.firstName?); known under customer: ${CUSTOMER_FIELDS}`,
    ]);
  });

  it.each([
    ['{{ offer.name | monye }}', "html, line 1, column 17: unknown filter monye (did you mean money?); Patron's filters are money, points, local_date, plural, plural_word, days_until, survey_url, beside Liquid's standard ones (upcase, default, truncate …)"],
    ["{{ 5 | plural: 'балл' }}", "html, line 1, column 8: plural takes 2 or 3 arguments; for example {{ balance.available | plural: 'балл', 'балла', 'баллов' }} → 5 баллов; in English two forms: 'point', 'points'"],
    ["{{ 5 | points: 'x' }}", 'html, line 1, column 8: points takes no arguments; for example {{ balance.available | points }} → 1 500'],
    ["{{ offer.validUntil | local_date: 'shrot' }}", 'html, line 1, column 23: local_date: "shrot" is not one of short, long, day_month, time, datetime'],
    ['{% assign customer = 1 %}', 'html, line 1, column 11: customer is a variable of the catalogue; give what you assign another name'],
    ['{% capture offer %}x{% endcapture %}', 'html, line 1, column 12: offer is a variable of the catalogue; give what you assign another name'],
  ])('a filter or a name: %s', (source, expected) => {
    expect(messages(source)).toEqual([expected]);
  });

  it.each([
    ['Hi {{ customer.firstName', 'html, line 1, column 4: {{ customer.firstName is not closed'],
    ['a\nb\n  {% if customer.id %}x', 'html, line 3, column 3: {% if customer.id %} is not closed (no {% endif %})'],
    ['<p>\n{% for r in recommendations %}\n{{ r.name }}\n', 'html, line 2, column 1: {% for r in recommendations %} is not closed (no {% endfor %})'],
    ['x\n   {% endif %}', 'html, line 2, column 4: {% endif %} closes nothing: no {% if %} is open'],
    ['{% else %}', 'html, line 1, column 1: {% else %} is outside any {% if %}, {% unless %}, {% case %} or {% for %}'],
    ['{% frob %}', 'html, line 1, column 1: unknown tag {% frob %}'],
    // Liquid points after the tag, where the text left open starts.
    ['{% raw %}{{ y }}', 'html, line 1, column 10: {% raw %} is not closed (no {% endraw %})'],
    ['{% assign = 1 %}', 'html, line 1, column 11: expected variable name'],
    ['{% for r in (1..) %}{% endfor %}', 'html, line 1, column 17: unexpected token ")", value expected'],
    ["{% include 'footer' %}", 'html, line 1, column 1: {% include %} is not available: a message template cannot read files or other templates'],
  ])('a syntax error, with its place: %j', (source, expected) => {
    expect(messages(source)).toEqual([expected]);
  });

  it('each part on its own, named, and a part too long without parsing it', () => {
    const problems = checkTemplate({ subject: '{{ customer.nickname }}', html: '<p>{% if x %}</p>', text: 'ok', sms: 'x'.repeat(20) }, { maxSourceLength: 10 });
    expect(problems.map((p) => [p.part, p.kind, p.line, p.column])).toEqual([
      ['subject', 'too_long', null, null],
      ['html', 'too_long', null, null],
      ['sms', 'too_long', null, null],
    ]);
    const found = checkTemplate({ subject: '{{ customer.nickname }}', html: '<p>{% if x %}</p>', text: 'ok' });
    expect(found.map((p) => [p.part, p.kind, p.line, p.column])).toEqual([
      ['subject', 'unknown_variable', 1, 4],
      ['html', 'syntax', 1, 4],
    ]);
    expect(found[1]!.reason).toBe('{% if x %} is not closed (no {% endif %})');
  });
});

describe('assertValidTemplate', () => {
  it('passes a valid template and refuses an invalid one with 422 template.invalid naming every problem', () => {
    expect(() => assertValidTemplate({ subject: '{{ customer.firstName }}, {{ balance.available | plural: "балл", "балла", "баллов" }}' })).not.toThrow();
    const error = appErrorOf(() => assertValidTemplate({ subject: 'Hi {{ customer.nickname }}', sms: '{{ x | monye }}' }));
    expect(error).toMatchObject({ code: 'template.invalid', status: 422 });
    expect(error.detail).toContain('subject, line 1, column 7: unknown variable customer.nickname; known under customer: id, firstName');
    expect(error.detail).toContain('; sms, line 1, column 4: unknown variable x; ');
    expect(error.fields?.map((f) => f.field)).toEqual(['subject', 'sms', 'sms']);
    expect(error.fields?.[2]?.reason).toMatch(/^line 1, column 8: unknown filter monye \(did you mean money\?\)/);
  });
});

describe('the catalogue', () => {
  /** Every path the catalogue allows, down to the leaves (a list's item as []). */
  const cataloguePaths = (node: CatalogueNode, path: string): string[] => {
    if (node.kind === 'object') return Object.entries(node.fields).flatMap(([name, child]) => cataloguePaths(child, `${path}.${name}`));
    if (node.kind === 'list') return cataloguePaths(node.item, `${path}[]`);
    return [path];
  };
  /** Every path a value has, down to its leaves (an open map stops at itself). */
  const valuePaths = (value: unknown, path: string, maps: Set<string>): string[] => {
    if (maps.has(path)) return [path];
    if (Array.isArray(value)) return [...new Set(value.flatMap((item) => valuePaths(item, `${path}[]`, maps)))];
    if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => valuePaths(child, `${path}.${key}`, maps));
    return [path];
  };

  it('matches TemplateContext: the sample context, which fills every variable, has exactly its paths', () => {
    const fromCatalogue = Object.entries(variableCatalogue).flatMap(([name, node]) => cataloguePaths(node, name)).sort();
    const maps = new Set(catalogueEntries().filter((e) => e.kind === 'map').map((e) => e.path));
    const fromSample = Object.entries(sampleTemplateContext).flatMap(([name, value]) => valuePaths(value, name, maps)).sort();
    expect(fromSample).toEqual(fromCatalogue);
    expect(maps).toEqual(new Set(['customer.attributes']));
  });

  it('describes every entry, for the docs and autocomplete', () => {
    const entries = catalogueEntries();
    expect(entries.every((e) => e.description.length > 3)).toBe(true);
    expect(entries.find((e) => e.path === 'recommendations[].priceMinor')).toEqual({ path: 'recommendations[].priceMinor', kind: 'value', type: 'money', description: 'Price in minor units', nullable: false });
    expect(entries.find((e) => e.path === 'balance.expiring')).toMatchObject({ kind: 'object', nullable: true });
    expect(entries.find((e) => e.path === 'customer.birthDate')).toMatchObject({ kind: 'value', type: 'date', nullable: true });
    expect(entries.map((e) => e.path)).toContain('tier.next.spendNeededMinor');
  });
});
