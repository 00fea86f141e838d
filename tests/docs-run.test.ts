import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, seedDataDir, tempDir } from './helpers/cli.ts';
import { shellBlocks, sketchDifferences, type ShellBlock, type ShellCommand } from './helpers/markdown-shell.ts';
import { DemoServer, ShellSession, type StepResult } from './helpers/shell-session.ts';

/**
 * Every shell example of the README and docs/ (tests/helpers/markdown-shell.ts says how a document
 * writes the answer it promises), run in the order a new user reads them — the README, then the
 * guides in the order the README points to them — in one bash session against one demo server
 * (`patron serve --demo` on the embedded database in a fresh directory), so variables a document
 * sets (`KEY`, `POS`, ids an answer gave) carry over as in a reader's terminal. localhost:8080 is
 * that server's port; any other port a document names (localhost:18080, PORT=18080) is a free port
 * of its own.
 *
 * The documents run once, on PGlite, in the embedded-database pass of the suite: they describe
 * the first start, which is on the embedded database, and their backup, restore and "server
 * stopped" examples only exist there. The PostgreSQL pass would run the same thing again.
 */
const readingOrder = ['README.md', 'docs/api.md', 'docs/loyalty.md', 'docs/import.md', 'docs/operations.md', 'docs/scale-out.md', 'docs/performance.md', 'docs/architecture.md'];
const otherDocs = fs
  .readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)
  .filter((file) => !readingOrder.includes(file))
  .sort();
const documents = [...readingOrder, ...otherDocs].filter((file) => fs.existsSync(path.join(root, file)));
const blocks = new Map<string, ShellBlock[]>(documents.map((file) => [file, shellBlocks(file, fs.readFileSync(path.join(root, file), 'utf8'))]));

const DOC_PORT = '8080';
/** Where a document names a port: a URL on this machine, or the server's PORT setting. */
const portPattern = /(localhost:|\bPORT=)(\d+)/g;
/** A command gets this long; a GET whose answer differs is asked again for this long (an import finishing in the background). */
const STEP_TIMEOUT_MS = 45_000;
const SETTLE_MS = 10_000;

describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('the shell examples of the README and docs/, run in order', () => {
  let workDir: string;
  let server: DemoServer;
  let session: ShellSession;
  const ports = new Map<string, string>();
  const timings: Array<[string, number]> = [];

  beforeAll(async () => {
    if (spawnSync('curl', ['--version']).status !== 0) throw new Error('curl is not installed: the examples use it (apt-get install curl; .ci/run does)');
    workDir = tempDir('docs-run');
    // A copy of the migrated template: the first start skips initialising a database.
    await seedDataDir(path.join(workDir, 'data'));
    server = await DemoServer.create(path.join(workDir, 'data'));
    ports.set(DOC_PORT, String(server.port));
    const named = [...blocks.values()].flat().flatMap((block) => block.commands.flatMap((c) => [c.source, ...c.output]));
    for (const port of new Set(named.flatMap((text) => [...text.matchAll(portPattern)].map((m) => m[2]!)))) {
      if (!ports.has(port)) ports.set(port, String(await freePort()));
    }
    const started = Date.now();
    await server.start();
    timings.push([`the demo server's first start (\`patron serve --demo\`)`, Date.now() - started]);
    session = ShellSession.start(workDir);
  }, 120_000);

  afterAll(async () => {
    // Where the time goes, to keep this file within its budget (about a minute on two cores).
    const slowest = timings.sort((a, b) => b[1] - a[1]).slice(0, 6);
    process.stdout.write(`docs-run: slowest steps:\n${slowest.map(([what, ms]) => `  ${(ms / 1000).toFixed(1)} s  ${what}`).join('\n')}\n`);
    await session?.close();
    await server?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  const local = (text: string) => text.replace(portPattern, (_all, before: string, port: string) => `${before}${ports.get(port) ?? port}`);

  /** What is wrong with a command's result, one line each; empty when it gave the documented answer. */
  function problems(command: ShellCommand, result: StepResult): string[] {
    if (result.timedOut) return [`it did not finish within ${STEP_TIMEOUT_MS / 1000} s (the session ends here)`];
    const found: string[] = [];
    const expected = command.expected;
    if (expected?.kind === 'http') {
      const call = result.calls.at(-1);
      if (!call) return ['it made no HTTP request'];
      const body = call.body.startsWith('HTTP/') ? call.body.slice(call.body.search(/\r?\n\r?\n/) + 1).trim() : call.body;
      if (call.status !== expected.status) found.push(`the status is ${call.status || 'none (no answer)'}, the document says ${expected.status}`);
      if (expected.sketch && call.status !== 0) {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          found.push('the answer is not JSON');
        }
        if (json !== undefined) found.push(...sketchDifferences(expected.sketch, json));
      }
      if (expected.status < 400 && result.exit !== 0) found.push(`it exited with ${result.exit}`);
    } else {
      const code = expected?.kind === 'exit' ? expected.code : 0;
      if (result.exit !== code) found.push(`it exited with ${result.exit}, the document says ${code}`);
    }
    const printed = result.output.split('\n').map((line) => line.trimEnd());
    for (const line of command.output.map(local)) {
      if (!printed.includes(line)) found.push(`it did not print: ${line}`);
    }
    return found;
  }

  function report(command: ShellCommand, result: StepResult | null, found: string[]): string {
    const expected = command.comment.includes('→') ? command.comment.slice(command.comment.indexOf('→')).replace(/\s*\n\s*/g, ' ') : 'exit 0';
    const call = result?.calls.at(-1);
    const actual = !result ? '(not run)' : call ? `${call.status} ${call.body.trim().slice(0, 600)}` : `exit ${result.exit}`;
    const shown = result && (!call || result.exit !== 0) ? result.output.trim() : '';
    const output = shown ? `\n  printed:  ${shown.slice(0, 800).replace(/\n/g, '\n            ')}` : '';
    return [
      `${command.file}:${command.line}: ${command.source.split('\n')[0]!.slice(0, 160)}${command.source.includes('\n') ? ' …' : ''}`,
      `  expected: ${expected}`,
      `  actual:   ${actual}${output}`,
      ...found.map((line) => `  - ${line}`),
    ].join('\n');
  }

  const readOnly = (command: ShellCommand) => command.usesCurl && !/\s(-X\s*(POST|PUT|PATCH|DELETE)|-d|--data[\w-]*|-F|-T)\s/.test(` ${command.source} `);

  async function run(command: ShellCommand): Promise<string | null> {
    if (command.answerError) return report(command, null, [command.answerError]);
    if (command.usesCurl && command.expected?.kind !== 'http') {
      return report(command, null, ['a command with curl needs its answer: "# → STATUS {a key field}" (tests/helpers/markdown-shell.ts)']);
    }
    const started = Date.now();
    if (command.serverStopped) await server.stop();
    else if (command.source.includes(`localhost:${DOC_PORT}`)) await server.start();
    const where = `${command.file}:${command.line} ${command.source.split('\n')[0]!.slice(0, 80)}`;
    let result = await session.run(local(command.source), STEP_TIMEOUT_MS);
    let found = problems(command, result);
    const settleUntil = Date.now() + SETTLE_MS;
    while (found.length > 0 && !result.timedOut && readOnly(command) && Date.now() < settleUntil) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      result = await session.run(local(command.source), STEP_TIMEOUT_MS);
      found = problems(command, result);
    }
    timings.push([where, Date.now() - started]);
    return found.length > 0 ? report(command, result, found) : null;
  }

  it.each(documents)('%s', async (file) => {
    const failures: string[] = [];
    for (const block of blocks.get(file)!) {
      if (block.notRun) continue;
      for (const command of block.commands) {
        if (!session.alive) {
          failures.push(report(command, null, ['the session ended before it (see above)']));
          continue;
        }
        const failure = await run(command);
        if (failure) failures.push(failure);
      }
    }
    if (failures.length > 0) {
      const log = server.output().trim() ? `\n\nThe demo server's log (level warn), its end:\n${server.output().slice(-2000)}` : '';
      throw new Error(`${failures.length} example(s) of ${file} did not give their documented answer:\n\n${failures.join('\n\n')}${log}`);
    }
  }, 180_000);

  it('marks every block it does not run with the reason', () => {
    const notRun = [...blocks.values()].flat().filter((block) => block.notRun !== null);
    expect(notRun.filter((block) => block.notRun === '(no reason given)').map((block) => `${block.file}:${block.line}`)).toEqual([]);
  });
});
