import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { compiledPglite, pgliteTemplate, testPgliteOptions } from './test-db.ts';

/** Runs the CLI the way a user does: `node bin/patron.mjs …` as a child process. */
export const root = path.resolve(import.meta.dirname, '..', '..');
export const bin = path.join(root, 'bin', 'patron.mjs');

export type Env = Record<string, string | undefined>;
export type CliResult = { status: number | null; stdout: string; stderr: string };

/** An environment of its own: this data directory, no PostgreSQL, no keys or server from the caller's shell. */
export function cliEnv(dataDir: string, extra: Env = {}): Env {
  return {
    ...process.env,
    PATRON_DATA_DIR: dataDir,
    PATRON_LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    PATRON_ADMIN_KEY: '',
    PATRON_URL: '',
    PATRON_API_KEY: '',
    ...extra,
  };
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `patron-${label}-`));
}

export function runPatron(args: string[], env: Env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * What every expected failure must look like: the exit code, exactly one line on stderr with no
 * stack frames, and that line naming each of `mentions` (the bad thing, what to do).
 */
export function expectOneLineFailure(result: CliResult, exitCode: 1 | 2, ...mentions: Array<string | RegExp>): void {
  const context = `stderr: ${result.stderr}\nstdout: ${result.stdout}`;
  expect(result.status, context).toBe(exitCode);
  expect(result.stderr.trimEnd().split('\n'), context).toHaveLength(1);
  expect(result.stderr, context).not.toMatch(/^\s+at /m);
  expect(result.stderr, context).toMatch(/^patron[ :]/);
  for (const mention of mentions) {
    if (typeof mention === 'string') expect(result.stderr, context).toContain(mention);
    else expect(result.stderr, context).toMatch(mention);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function waitForHealth(url: string, timeoutMs: number, server?: ChildProcess): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (server && server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before answering ${url}/health`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url}/health within ${timeoutMs} ms`);
}

export type RunningServer = { url: string; dataDir: string; process: ChildProcess; output(): string; stop(): Promise<void> };

/** `patron serve` on a data directory, answering /health; stop() sends SIGTERM and waits for the lock to go. */
export async function startServer(dataDir: string, timeoutMs = 110_000): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [bin, 'serve'], { cwd: root, env: cliEnv(dataDir, { PORT: String(port), HOST: '127.0.0.1' }) });
  let output = '';
  server.stdout?.on('data', (chunk) => (output += chunk));
  server.stderr?.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitForHealth(url, timeoutMs, server);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return { url, dataDir, process: server, output: () => output, stop };
}

/**
 * On PostgreSQL (TEST_DATABASE_URL), a database of this test's own, copied from the migrated
 * template, for commands run with DATABASE_URL; null on PGlite.
 */
export async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return null;
  const name = `patron_cli_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * An embedded data directory holding a copy of the migrated template (global-setup.ts): a server
 * or command then opens it in about a second instead of initialising a database for many.
 * Only on PGlite runs (the template is a PGlite dump there).
 */
export async function seedDataDir(dataDir: string): Promise<string> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (!inject('pgliteTemplate')) return dataDir;
  const pglite = await PGlite.create(path.join(dataDir, 'pglite'), { ...testPgliteOptions(), ...(await compiledPglite()), loadDataDir: pgliteTemplate() });
  await pglite.close();
  return dataDir;
}
