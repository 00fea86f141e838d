import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, expectOneLineFailure, freePort, root, runPatron, scratchPostgres, seedDataDir, tempDir, type Env } from './helpers/cli.ts';

/**
 * The CLI as a user meets it: every expected failure ends in one line saying what is wrong and
 * what to do, exit code 2 when the command line is wrong and 1 when a command failed, and no
 * stack unless --debug. (Failures that need a running server: tests/cli-backup.test.ts.)
 */
const dir = tempDir('cli');
const env = cliEnv(path.join(dir, 'data'));
const csv = path.join(dir, 'few.csv');
const notABackup = path.join(dir, 'not-a-backup.tar.gz');
fs.writeFileSync(csv, 'phone,first_name\n+79035550001,Ann\n');
fs.writeFileSync(notABackup, 'phone,first_name\n');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Case = [name: string, args: string[], exitCode: 1 | 2, mentions: Array<string | RegExp>, env?: Env];
const noPostgres = { DATABASE_URL: 'postgres://patron@127.0.0.1:1/patron' };

const usageCases: Case[] = [
  ['an unknown command', ['frobnicate'], 2, ['unknown command "frobnicate"', '"patron help"']],
  ['help for an unknown command', ['help', 'frobnicate'], 2, ['unknown command "frobnicate"']],
  ['an unknown option', ['serve', '--bogus'], 2, ['patron serve: unknown option --bogus', '"patron help serve"']],
  ['an option of another command', ['serve', '--earn'], 2, ['unknown option --earn', 'patron import receipts']],
  ['a value for a flag', ['serve', '--demo=yes'], 2, ['--demo takes no value']],
  ['a group without its command', ['keys'], 2, ['create, list or revoke', '"patron help keys"']],
  ['an unknown keys command', ['keys', 'frob'], 2, ['unknown keys command "frob"', 'create, list or revoke']],
  ['a bad role', ['keys', 'create', '--role', 'king', '--name', 'till'], 2, ['unknown role "king"', 'owner, marketer, analyst, support, pos or partner']],
  ['no role', ['keys', 'create', '--name', 'till'], 2, ['--role is required', 'owner']],
  ['an option without its value', ['keys', 'create', '--role'], 2, ['--role needs a value', '--role ROLE']],
  ['no key id', ['keys', 'revoke'], 2, ['missing ID', 'patron keys revoke ID']],
  ['one argument too many', ['keys', 'revoke', 'key_a', 'key_b'], 2, ['unexpected argument "key_b"']],
  ['no file to import', ['import', 'customers'], 2, ['missing FILE.csv']],
  ['a missing file', ['import', 'customers', 'no-such.csv'], 2, ['no such file: no-such.csv']],
  ['a --url that is no address', ['import', 'customers', csv, '--url', 'localhost:8080', '--key', 'k'], 2, ['--url must be', '"localhost:8080"', 'http://localhost:8080']],
  ['--url without a key', ['import', 'customers', csv, '--url', 'http://127.0.0.1:8080'], 2, ['--url needs --key', 'PATRON_API_KEY']],
  ['--key without --url', ['import', 'customers', csv, '--key', 'k'], 2, ['--key goes with --url']],
  ['no backup file', ['backup'], 2, ['missing FILE']],
  ['a backup into no directory', ['backup', path.join(dir, 'nowhere', 'b.tar.gz')], 2, ['no directory', 'nowhere']],
  ['a missing backup to restore', ['restore', 'no-such.tar.gz'], 2, ['no such file: no-such.tar.gz']],
  ['backup on PostgreSQL', ['backup', path.join(dir, 'b.tar.gz')], 2, ['PostgreSQL (DATABASE_URL)', 'pg_dump', 'docs/operations.md'], noPostgres],
  ['restore on PostgreSQL', ['restore', notABackup], 2, ['PostgreSQL (DATABASE_URL)', 'pg_restore', 'docs/operations.md'], noPostgres],
  ['a bad setting', ['serve'], 2, ['PORT must be a whole number', '"abc"', 'README.md'], { PORT: 'abc' }],
];

const failureCases: Case[] = [
  ['an unreachable PostgreSQL', ['migrate'], 1, ['patron migrate: cannot reach PostgreSQL at 127.0.0.1:1', 'connection refused', 'DATABASE_URL'], noPostgres],
  ['no embedded database to back up', ['backup', path.join(dir, 'b.tar.gz')], 1, ['no embedded database in', 'PATRON_DATA_DIR']],
  ['a file that is no backup', ['restore', notABackup], 1, ['not-a-backup.tar.gz is not a Patron backup', 'Nothing was changed']],
];

describe.concurrent('the command line is checked before anything is opened', () => {
  it.each(usageCases)('%s: exit 2 and one line', async (_name, args, exitCode, mentions, extra) => {
    expectOneLineFailure(await runPatron(args, { ...env, ...extra }), exitCode, ...mentions);
  });

  it.each(failureCases)('%s: exit 1 and one line', async (_name, args, exitCode, mentions, extra) => {
    expectOneLineFailure(await runPatron(args, { ...env, ...extra }), exitCode, ...mentions);
  });

  it('a server that is not running: exit 1, naming the address', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runPatron(['import', 'customers', csv, '--url', url, '--key', 'patron_x'], env);
    expectOneLineFailure(result, 1, `cannot reach the Patron server at ${url}`, 'connection refused', 'is it running?', '--url');
  });

  it('--version prints the version of package.json', async () => {
    const result = await runPatron(['--version'], env);
    expect(result).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('help lists every command; help keys and keys create --help show their usage', async () => {
    const [all, keys, create] = await Promise.all([runPatron(['help'], env), runPatron(['help', 'keys'], env), runPatron(['keys', 'create', '--help'], env)]);
    expect(all.status).toBe(0);
    for (const command of ['serve', 'migrate', 'demo', 'keys create', 'keys revoke', 'import customers', 'backup FILE', 'restore FILE']) expect(all.stdout).toContain(`patron ${command}`);
    expect(keys.status).toBe(0);
    expect(keys.stdout).toContain('usage: patron keys create --role ROLE --name NAME');
    expect(keys.stdout).toContain('usage: patron keys list');
    expect(keys.stdout).toContain('usage: patron keys revoke ID');
    expect(keys.stdout).toContain('owner, marketer, analyst, support, pos, partner');
    expect(create.status).toBe(0);
    expect(create.stdout).toContain('usage: patron keys create');
    expect(create.stdout).not.toContain('keys revoke');
  });

  it('--debug adds the stack to a usage error', async () => {
    const result = await runPatron(['frobnicate', '--debug'], env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toMatch(/^\s+at /m);
  });
});

describe('while another process holds the embedded database', () => {
  const held = path.join(dir, 'held');
  // The lock file names a live process (this test's), as a running server's would.
  beforeAll(() => {
    fs.mkdirSync(held, { recursive: true });
    fs.writeFileSync(path.join(held, 'patron.lock'), String(process.pid));
  });

  it('a bad role is still a usage error, not the lock message', async () => {
    const result = await runPatron(['keys', 'create', '--role', 'king', '--name', 'till'], cliEnv(held));
    expectOneLineFailure(result, 2, 'unknown role "king"');
    expect(result.stderr).not.toContain('Another Patron process');
  });

  it('a good command says who holds it and what to do instead', async () => {
    const result = await runPatron(['keys', 'create', '--role', 'pos', '--name', 'till'], cliEnv(held));
    expectOneLineFailure(result, 1, `Another Patron process (pid ${process.pid})`, held, 'Stop it first', 'POST /v1/api-keys');
  });
});

describe('an unknown id', () => {
  // The commands run against a copy of the migrated template: a database on PostgreSQL, a data directory on PGlite.
  let commandEnv: Env;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const postgres = await scratchPostgres();
    drop = postgres?.drop;
    commandEnv = postgres ? cliEnv(path.join(dir, 'ids'), { DATABASE_URL: postgres.url }) : cliEnv(await seedDataDir(path.join(dir, 'ids')));
  });
  afterAll(async () => drop?.());

  it('keys revoke key_nope: exit 1, naming the id and how to list the keys; --debug shows the stack', async () => {
    const plain = await runPatron(['keys', 'revoke', 'key_nope'], commandEnv);
    expectOneLineFailure(plain, 1, 'no API key "key_nope"', 'patron keys list');
    const debug = await runPatron(['keys', 'revoke', 'key_nope', '--debug'], commandEnv);
    expect(debug.status).toBe(1);
    expect(debug.stderr.split('\n')[0]).toBe(plain.stderr.trimEnd());
    expect(debug.stderr).toMatch(/^\s+at /m);
    expect(debug.stderr).toContain('AppError: No API key key_nope'); // the cause, under the line
  }, 120_000);

  it.runIf(process.env.TEST_DATABASE_URL)('a database that does not exist on the PostgreSQL server: exit 1, saying to create it', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/patron_no_such_database';
    const result = await runPatron(['migrate'], { ...env, DATABASE_URL: url.toString() });
    expectOneLineFailure(result, 1, 'database "patron_no_such_database" does not exist', 'createdb', 'DATABASE_URL');
  });
});
