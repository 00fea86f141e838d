import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openServices } from '../src/server.ts';
import { cliEnv, expectOneLineFailure, runPatron, scratchPostgres, seedDataDir, tempDir, type Env } from './helpers/cli.ts';

/**
 * `patron staff add | password | list`: console accounts from the command line (the first owner
 * on a server without one; an owner who lost the password), checked by signing in with what
 * the commands printed.
 */
const dir = tempDir('cli-staff');
let env: Env;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const postgres = await scratchPostgres();
  drop = postgres?.drop;
  env = postgres ? cliEnv(path.join(dir, 'data'), { DATABASE_URL: postgres.url }) : cliEnv(await seedDataDir(path.join(dir, 'data')));
}, 60_000);
afterAll(async () => {
  await drop?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Whether each password signs the person in, with the services opened on the same database as the server would. */
async function signsIn(email: string, ...passwords: string[]): Promise<boolean[]> {
  const opened = await openServices(loadConfig(env as NodeJS.ProcessEnv));
  try {
    const results = [];
    for (const password of passwords) results.push(await opened.staff.signIn(email, password).then((r) => 'token' in r, () => false));
    return results;
  } finally {
    await opened.close();
  }
}

describe('patron staff', () => {
  it('adds a person with a generated password printed once, resets it, and lists the staff', async () => {
    const added = await runPatron(['staff', 'add', '--email', 'Olga@Shop.example', '--role', 'owner', '--name', 'Olga'], env);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/Added owner olga@shop\.example \(stf_[0-9a-f]{32}\)/);
    const first = added.stdout.trim();
    expect(first).toMatch(/^[\w-]{20}$/);
    expect(await signsIn('olga@shop.example', first)).toEqual([true]);

    const reset = await runPatron(['staff', 'password', 'OLGA@shop.example'], env);
    expect(reset.status, reset.stderr).toBe(0);
    const second = reset.stdout.trim();
    expect(second).not.toBe(first);
    expect(await signsIn('olga@shop.example', first, second)).toEqual([false, true]);

    const list = await runPatron(['staff', 'list'], env);
    expect(list.stdout).toMatch(/^stf_[0-9a-f]{32}\towner\tolga@shop\.example\tOlga\tactive$/m);
    expect(list.stdout).not.toContain(second);
  }, 240_000);

  it('says in one line what is wrong: a taken e-mail, an unknown one, a role that is not for people', async () => {
    expectOneLineFailure(await runPatron(['staff', 'add', '--email', 'olga@shop.example', '--role', 'marketer', '--name', 'Twin'], env), 1, 'exists already');
    expectOneLineFailure(await runPatron(['staff', 'password', 'nobody@shop.example'], env), 1, 'no staff user "nobody@shop.example"', 'patron staff list');
    expectOneLineFailure(await runPatron(['staff', 'add', '--email', 'till@shop.example', '--role', 'pos', '--name', 'Till'], env), 2, '--role must be owner, marketer, analyst or support');
  }, 120_000);
});
