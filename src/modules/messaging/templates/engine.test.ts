import { describe, expect, it } from 'vitest';
import { compilePart, defaultTemplateLimits, renderCompiledPart, renderPart } from './engine.ts';
import { sampleTemplateContext } from './sample-context.ts';
import { appErrorOf, contextWith, NOW, renderHtml, renderText } from './test-helpers.ts';

const hostile = contextWith({ firstName: '<script>alert("x")</script>', lastName: 'O\'Brien & Sons' });

describe('escaping', () => {
  it.each([
    ['{{ customer.firstName }}', '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;', '<script>alert("x")</script>'],
    ['{% echo customer.lastName %}', 'O&#39;Brien &amp; Sons', "O'Brien & Sons"],
    ['{% liquid\necho customer.lastName | upcase %}', 'O&#39;BRIEN &amp; SONS', "O'BRIEN & SONS"],
    ['{% assign n = customer.firstName %}<b>{{ n }}</b>', '<b>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</b>', '<b><script>alert("x")</script></b>'],
    ['{{ customer.lastName | raw }}', "O'Brien & Sons", "O'Brien & Sons"],
    ['<a href="{{ links.account }}?a=1&b=2">', '<a href="https://shop.example.com/account?a=1&b=2">', '<a href="https://shop.example.com/account?a=1&b=2">'],
  ])('%s: escaped in HTML, as is in text', (source, html, text) => {
    expect(renderHtml(source, hostile)).toBe(html);
    expect(renderText(source, hostile)).toBe(text);
  });
});

describe('sandbox', () => {
  it.each([
    ["{% include 'header' %}", 'include'],
    ["{% include '/etc/passwd' %}", 'include'],
    ["{% render '../../../etc/passwd' %}", 'render'],
    ["{% layout 'base' %}x", 'layout'],
    ['{% liquid\ninclude "x" %}', 'include'],
  ])('refuses %s when it is parsed', (source, tag) => {
    const error = appErrorOf(() => renderText(source));
    expect(error).toMatchObject({ code: 'template.invalid', status: 422 });
    expect(error.detail).toMatch(new RegExp(`^template, line \\d+, column \\d+: \\{% ${tag} %\\} is not available: a message template cannot read files or other templates$`));
  });

  it('stops a loop over 10^8 before building its range', () => {
    const started = performance.now();
    const error = appErrorOf(() => renderText('{% for i in (1..100000000) %}x{% endfor %}'));
    expect(error).toMatchObject({ code: 'template.render_failed', status: 422 });
    expect(error.detail).toBe('template, line 1, column 1: the template builds more than 2,000,000 characters or list items; shorten its loops and lists');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.each([
    // 10 characters doubled 24 times: 168 MB.
    ['append', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..24) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}'],
    ['capture', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..24) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}'],
    // 10,000 writes of 10,000 characters into one capture: 100 MB.
    ['capture in a loop', '{% capture k %}{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}{% endcapture %}{% capture s %}{% for i in (1..10000) %}{{ k }}{% endfor %}{% endcapture %}{{ s | size }}'],
    ['join', '{% assign a = "x,x,x,x,x,x,x,x,x,x" | split: "," %}{% for i in (1..24) %}{% assign a = a | concat: a %}{% endfor %}{{ a | join: "" | size }}'],
  ])('stops a 100 MB string built by loops (%s) at the memory limit', (_how, source) => {
    // Time enough that the memory limit is what stops it: on a loaded machine the default 250 ms ran out first.
    const error = appErrorOf(() => renderText(source, sampleTemplateContext, { renderMs: 10_000 }));
    expect(error.code).toBe('template.render_failed');
    expect(error.detail).toMatch(/^template, line 1, column \d+: the template builds more than 2,000,000 characters or list items; shorten its loops and lists$/);
  });

  it('stops a render that runs past renderLimit', () => {
    const error = appErrorOf(() => renderText('{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}', sampleTemplateContext, { renderMs: 50 }));
    expect(error.detail).toMatch(/^template, line 1, column \d+: the template takes longer than 50 ms to render; its loops run too long$/);
  });

  it('caps the output as it is written: 256 KB by default, less when asked', () => {
    // 300 writes of a 1,000-character text: 300 KB.
    const source = '{% capture k %}{% for i in (1..100) %}xxxxxxxxxx{% endfor %}{% endcapture %}{% for i in (1..300) %}{{ k }}{% endfor %}';
    expect(appErrorOf(() => renderText(source)).detail).toMatch(/: the output is longer than 256 KB, the most a message part may be$/);
    expect(appErrorOf(() => renderText('{% for i in (1..71) %}абвгдежзий{% endfor %}', sampleTemplateContext, { maxOutputBytes: 1400 })).detail).toBe(
      'template, line 1, column 23: the output is longer than 1400 bytes, the most a message part may be',
    );
    // 70 × 10 Cyrillic letters are 1400 bytes of UTF-8: just fits.
    expect(renderText('{% for i in (1..70) %}абвгдежзий{% endfor %}', sampleTemplateContext, { maxOutputBytes: 1400 })).toHaveLength(700);
    expect(defaultTemplateLimits.maxOutputBytes).toBe(256 * 1024);
  });

  it('refuses a source longer than the limit', () => {
    const error = appErrorOf(() => renderText('x'.repeat(101), sampleTemplateContext, { maxSourceLength: 100 }));
    expect(error).toMatchObject({ code: 'template.invalid', detail: 'template: the template is longer than 100 characters' });
  });

  it.each([
    '{{ customer.constructor }}',
    '{{ customer.__proto__ }}',
    "{{ customer['__proto__'] }}",
    '{{ customer.__proto__.constructor }}',
    '{{ customer.constructor.constructor }}',
    '{{ customer.firstName.constructor }}',
    '{{ recommendations.constructor }}',
    '{{ constructor }}',
    '{{ toString }}',
    '{{ customer.hasOwnProperty }}',
    '{{ customer.attributes.__proto__ }}',
    '{{ customer.constructor.name }}',
    '{% for key in customer.__proto__ %}{{ key }}{% endfor %}',
    // Filters read properties through the same rule.
    "{% assign c = recommendations | map: 'constructor' | first %}{{ c.name }}{{ c.prototype }}",
    "{{ recommendations | where_exp: 'r', 'r.constructor' | size | minus: 0 | append: '' | remove: '0' }}",
  ])('renders %s as nothing', (source) => {
    expect(renderText(source)).toBe('');
  });

  it('renders an unknown or absent variable as nothing, but an unknown filter is an error', () => {
    expect(renderText('[{{ customer.nickname }}|{{ nothing.at.all }}|{{ promoCode.code }}]', contextWith({}, { promoCode: null }))).toBe('[||]');
    expect(appErrorOf(() => renderText('{{ customer.firstName | shout }}')).detail).toBe('template, line 1, column 1: unknown filter shout');
  });

  it("leaves the caller's context as it was: increment writes to the render's own copy", () => {
    const context = structuredClone(sampleTemplateContext);
    expect(renderText('{% increment customer %}{% increment customer %}{{ customer }}', context)).toBe('012');
    expect(renderText('{{ customer.firstName }}', context)).toBe('Анна');
    expect(context).toEqual(sampleTemplateContext);
  });
});

describe('compiled parts', () => {
  it('parse once and render for many customers, each in their own locale', () => {
    const part = compilePart('{{ customer.firstName }}: {{ balance.available | points }} {{ balance.available | plural: "балл", "балла", "баллов" }}', { escapeHtml: false, partName: 'sms' });
    expect(renderCompiledPart(part, contextWith({ locale: 'ru' }), { now: NOW })).toBe('Анна: 1\u00a0250 1\u00a0250 баллов');
    expect(renderCompiledPart(part, contextWith({ locale: 'en', firstName: 'Ann' }), { now: NOW })).toBe('Ann: 1,250 1,250 баллов');
  });

  it('name the part in their errors, and give the problem as a field of the 422', () => {
    const error = appErrorOf(() => compilePart('Hi\n  {{ customer.firstName ', { escapeHtml: true, partName: 'html' }));
    expect(error).toMatchObject({ code: 'template.invalid', status: 422, title: 'The template is not valid' });
    expect(error.detail).toBe('html, line 2, column 3: {{ customer.firstName  is not closed');
    expect(error.fields).toEqual([{ field: 'html', reason: 'line 2, column 3: {{ customer.firstName  is not closed' }]);
    const failed = appErrorOf(() => renderPart('\n\n{{ 1.5 | money }}', sampleTemplateContext, { escapeHtml: false, now: NOW, partName: 'sms' }));
    expect(failed).toMatchObject({ code: 'template.render_failed', title: 'The template could not be rendered' });
    expect(failed.detail).toBe('sms, line 3, column 1: money expects an amount in minor units, a whole number such as 150050 for 1 500,50; got 1.5');
  });
});
