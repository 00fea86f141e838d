import { describe, expect, it } from 'vitest';
import { readAnswer, shellBlocks, sketchDifferences, type Sketch } from './helpers/markdown-shell.ts';

// How tests/docs-run.test.ts reads the documents: commands, their answers, and the sketch rule.

const block = (body: string, lang = 'sh', before = '') => shellBlocks('doc.md', `${before}\`\`\`${lang}\n${body}\n\`\`\`\n`)[0]!;

describe('splitting a block into commands', () => {
  it.each([
    ['one command a line', 'KEY=$(cat data/owner-key.txt)\ncurl -s localhost:8080/health   # → 200', [2, 3]],
    ['a backslash carries on', 'curl -s -X POST localhost:8080/v1/x \\\n  -H a \\\n  -d b   # → 201', [2]],
    ['a quote spans lines', "curl -s -d '{\"a\":1,\n  \"b\":2}'   # → 200", [2]],
    ['$( … ) and a pipe at the end of a line', "ID=$(curl -s localhost:8080/x |\n  node -p 'JSON.parse(fs.readFileSync(0)).id')   # → 200", [2]],
    ['a here-document', "cat > a.csv <<'CSV'\nphone,email\n# not a comment\nCSV\ncurl -s localhost:8080/x   # → 200", [2, 6]],
    ['descriptions and blank lines are not commands', '# create\ncurl -s localhost:8080/x   # → 200\n\n# look up\ncurl -s localhost:8080/y   # → 200', [3, 6]],
  ])('%s', (_name, body, lines) => {
    expect(block(body).commands.map((c) => c.line)).toEqual(lines);
  });

  it('takes the answer from the comment after the command, carried on by indented comment lines', () => {
    const [first, second] = block(
      [
        'curl -s localhost:8080/a',
        '# → 200 {"a":1,',
        '#    "b":"x…"}',
        '# the next one',
        'curl -s localhost:8080/b   # server stopped → exit 1',
      ].join('\n'),
    ).commands;
    expect(first!.expected).toEqual({
      kind: 'http',
      status: 200,
      sketch: { kind: 'object', fields: [['a', { kind: 'value', value: 1 }], ['b', { kind: 'text', parts: ['x', ''] }]] },
    });
    expect(first!.usesCurl).toBe(true);
    expect(first!.serverStopped).toBe(false);
    expect(second!.expected).toEqual({ kind: 'exit', code: 1 });
    expect(second!.serverStopped).toBe(true);
  });

  it('reads a console transcript: $ commands and the output under each', () => {
    const { commands } = block('$ patron keys create --role king --name x   # → exit 2\npatron keys create: unknown role "king".\n$ patron --version\n0.1.0', 'console');
    expect(commands.map((c) => [c.source, c.expected, c.output])).toEqual([
      ['patron keys create --role king --name x   # → exit 2', { kind: 'exit', code: 2 }, ['patron keys create: unknown role "king".']],
      ['patron --version', null, ['0.1.0']],
    ]);
  });

  it('keeps the reason of a block marked not to run, and leaves other languages alone', () => {
    expect(block('npm start', 'sh', '<!-- not run: the test starts the server -->\n\n').notRun).toBe('the test starts the server');
    expect(shellBlocks('doc.md', '```json\n{"a":1}\n```\n```\npatron help\n```\n')).toEqual([]);
  });

  it('says when an answer cannot be read', () => {
    expect(readAnswer('→ {"a":1}').answerError).toMatch(/not an answer/);
    expect(readAnswer('→ 200 {"a":}').answerError).toMatch(/cannot be read/);
    expect(readAnswer('→ 200 {"a":1}; then 404').expected).toMatchObject({ kind: 'http', status: 200 });
  });
});

describe('an answer against its sketch', () => {
  const sketch = (text: string): Sketch => {
    const read = readAnswer(`→ 200 ${text}`).expected;
    if (read?.kind !== 'http' || !read.sketch) throw new Error(`no sketch in ${text}`);
    return read.sketch;
  };
  it.each([
    ['{"status":"ok"}', { status: 'ok', extra: 1 }, 0],
    ['{"status":"ok"}', { status: 'down' }, 1],
    ['{"id":"cus_…","balance":…}', { id: 'cus_0190', balance: 12 }, 0],
    ['{"id":"cus_…"}', { id: 'rcp_0190' }, 1],
    ['{"balance":…}', {}, 1],
    ['{"items":[…],"next":null}', { items: [1, 2], next: null }, 0],
    ['{"items":[{"a":1},…]}', { items: [{ a: 1, b: 2 }, { a: 3 }] }, 0],
    ['{"items":[{"a":1}]}', { items: [{ a: 1 }, { a: 3 }] }, 1],
    ['{"items":[…,{"a":3}]}', { items: [{ a: 1 }, { a: 3 }] }, 0],
    ['{"items":[…,{"a":2},…]}', { items: [{ a: 1 }, { a: 2 }, { a: 3 }] }, 0],
    ['{"items":[…,{"a":4},…]}', { items: [{ a: 1 }, { a: 2 }, { a: 3 }] }, 1],
    ['{…"granted":true,"source":"web"…}', { granted: true, source: 'web', at: 'x' }, 0],
  ])('%s against %j: %i difference(s)', (text, actual, count) => {
    expect(sketchDifferences(sketch(text), actual)).toHaveLength(count);
  });

  it('names where the answer differs', () => {
    expect(sketchDifferences(sketch('{"customer":{"tier":{"id":"gold"}}}'), { customer: { tier: { id: 'silver' } } })).toEqual([
      '$.customer.tier.id: "silver", the document says "gold"',
    ]);
  });
});
