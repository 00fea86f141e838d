import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { patronFilters } from './engine.ts';
import { contextWith, renderText } from './test-helpers.ts';
import { catalogueEntries, variableCatalogue } from './variables.ts';

/** docs/message-templates.md: every ```liquid example followed by a ```text block is rendered and compared. */
const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../../docs/message-templates.md'), 'utf8');
const examples = [...doc.matchAll(/```liquid\n([\s\S]*?)```\s*```text\n([\s\S]*?)```/g)].map((m) => ({ source: m[1]!.replace(/\n$/, ''), output: m[2]!.replace(/\n$/, '') }));
// The page shows U+00A0 as a space (it says so), and a loop's last line break is not seen.
const plain = (text: string) => text.replaceAll('\u00a0', ' ').replace(/\n$/, '');

describe('docs/message-templates.md', () => {
  it('has its examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it.each(examples)('renders $source as the page shows', ({ source, output }) => {
    expect(plain(renderText(source))).toBe(output);
  });

  it('shows what a customer in Vladivostok whose locale is en reads, as the page says', () => {
    const en = contextWith({ locale: 'en', timeZone: 'Asia/Vladivostok' });
    for (const { source } of examples.filter((e) => e.source.startsWith('{{ 150050 | money }}') || e.source.startsWith("{{ message.sentAt | local_date: 'short' }}"))) {
      expect(doc).toContain(`\`${plain(renderText(source, en))}\``);
    }
  });

  it('names every variable and every filter', () => {
    const variables = doc.slice(doc.indexOf('## Variables'), doc.indexOf('## Filters'));
    for (const root of Object.keys(variableCatalogue)) expect(variables).toContain(`\`${root}`);
    for (const entry of catalogueEntries()) expect(variables).toMatch(new RegExp(`\\b${entry.path.split('.').at(-1)!.replace('[]', '')}\\b`));
    const filters = doc.slice(doc.indexOf('## Filters'), doc.indexOf('## HTML'));
    for (const name of Object.keys(patronFilters)) expect(filters).toContain(`| \`${name}\` |`);
  });
});
