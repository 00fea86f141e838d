import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin, freePort, root, waitForHealth } from './cli.ts';

/** One HTTP request a command's curl made: the status (0: no answer), the body, curl's exit code. */
export type CurlCall = { status: number; body: string; exit: number };
export type StepResult = { exit: number | null; output: string; calls: CurlCall[]; timedOut: boolean };

/**
 * The environment of a reader's shell: no test database, no Patron settings, no npm or vitest
 * variables from the run that started this one; `patron` on the PATH as if installed.
 */
function readerEnv(shimDir?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(PATRON_|npm_|VITEST|TEST_)/.test(name)) continue;
    if (['DATABASE_URL', 'PORT', 'HOST', 'NODE_ENV', 'NODE_OPTIONS'].includes(name)) continue;
    env[name] = value;
  }
  if (shimDir) env.PATH = `${shimDir}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

/**
 * One bash process that runs the documents' commands one at a time, as a reader's terminal
 * would: variables, functions, the working directory and background jobs carry over from one
 * command to the next. `curl` is a function that runs the real curl and keeps each answer's
 * status and body for the test to check; each command's output goes to a file of its own.
 */
export class ShellSession {
  private step = 0;
  private stdout = '';
  private waiting: { step: number; resolve(exit: number | null): void } | null = null;

  private constructor(
    private readonly shell: ChildProcess,
    private readonly control: string,
  ) {
    shell.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      const done = /__DOC_DONE (\d+) (\d+)\n/.exec(this.stdout);
      if (done && this.waiting && Number(done[1]) === this.waiting.step) {
        this.stdout = this.stdout.slice(done.index + done[0].length);
        this.waiting.resolve(Number(done[2]));
        this.waiting = null;
      }
    });
    shell.on('exit', () => this.waiting?.resolve(null));
    shell.stdin!.on('error', () => {}); // a shell that ended is reported by run()
  }

  /** A session in `workDir` (the reader's directory: `data/` is the server's data directory). */
  static start(workDir: string): ShellSession {
    const control = path.join(workDir, '.docs-run');
    for (const dir of ['steps', 'calls', 'bin']) fs.mkdirSync(path.join(control, dir), { recursive: true });
    // `patron` is `node bin/patron.mjs`; package.json and bin/ make `npm run patron -- …` work here.
    fs.writeFileSync(path.join(control, 'bin', 'patron'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`, { mode: 0o755 });
    for (const name of ['package.json', 'bin']) {
      if (!fs.existsSync(path.join(workDir, name))) fs.symlinkSync(path.join(root, name), path.join(workDir, name));
    }
    fs.writeFileSync(
      path.join(control, 'prelude.sh'),
      `__docs_run='${control}'
curl() {
  local call="$__docs_run/calls/$__docs_step.\${EPOCHREALTIME/./}.$BASHPID"
  command curl -D "$call.headers" "$@" | tee "$call.body"
  local status=\${PIPESTATUS[0]}
  echo "$status" > "$call.exit"
  return "$status"
}
__docs_run_step() {
  __docs_step=$1
  { . "$__docs_run/steps/$1.sh"; } > "$__docs_run/steps/$1.out" 2>&1 < /dev/null
  printf '__DOC_DONE %s %s\\n' "$1" "$?"
}
`,
    );
    // Its own process group, so the end of the session also ends the background jobs it started.
    const shell = spawn('bash', ['--noprofile', '--norc'], {
      cwd: workDir,
      env: readerEnv(path.join(control, 'bin')),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    shell.stderr!.resume();
    shell.stdin!.write(`. '${control}/prelude.sh'\n`);
    return new ShellSession(shell, control);
  }

  /** Runs one command; after `timeoutMs` the session is ended and the result says so. */
  async run(source: string, timeoutMs: number): Promise<StepResult> {
    const step = ++this.step;
    if (!this.alive) return { exit: null, output: '', calls: [], timedOut: true };
    const file = (suffix: string) => path.join(this.control, 'steps', `${step}.${suffix}`);
    fs.writeFileSync(file('sh'), `${source}\n`);
    let timer: NodeJS.Timeout | undefined;
    const exit = await new Promise<number | null>((resolve) => {
      this.waiting = { step, resolve };
      timer = setTimeout(() => resolve(null), timeoutMs);
      this.shell.stdin!.write(`__docs_run_step ${step}\n`);
    });
    clearTimeout(timer);
    if (exit === null) await this.close();
    const output = fs.existsSync(file('out')) ? fs.readFileSync(file('out'), 'utf8') : '';
    return { exit, output, calls: this.calls(step), timedOut: exit === null };
  }

  get alive(): boolean {
    return this.shell.exitCode === null && this.shell.signalCode === null;
  }

  /** The HTTP requests a step made, in the order it made them. */
  private calls(step: number): CurlCall[] {
    const dir = path.join(this.control, 'calls');
    const prefix = `${step}.`;
    const names = fs
      .readdirSync(dir)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.exit'))
      .map((name) => name.slice(0, -'.exit'.length))
      .sort((a, b) => Number(BigInt(a.split('.')[1]!) - BigInt(b.split('.')[1]!)));
    return names.map((name) => {
      const read = (suffix: string) => (fs.existsSync(path.join(dir, name + suffix)) ? fs.readFileSync(path.join(dir, name + suffix), 'utf8') : '');
      const statuses = [...read('.headers').matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)];
      return { status: Number(statuses.at(-1)?.[1] ?? 0), body: read('.body'), exit: Number(read('.exit').trim()) };
    });
  }

  /** Ends the shell and everything it started in the background. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.shell.once('exit', resolve));
    try {
      process.kill(-this.shell.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await exited;
  }
}

/**
 * `patron serve --demo` on the embedded database in `dataDir`, as the README's first start runs
 * it; stopped and started again around commands that need the database to themselves.
 */
export class DemoServer {
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  static async create(dataDir: string): Promise<DemoServer> {
    return new DemoServer(await freePort(), dataDir);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** What the server printed (its log at level warn), for a failure's message. */
  output(): string {
    return this.log;
  }

  async start(timeoutMs = 110_000): Promise<void> {
    if (this.child) return;
    const env: Record<string, string> = {
      ...readerEnv(),
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PATRON_DATA_DIR: this.dataDir,
      PATRON_LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [bin, 'serve', '--demo'], { cwd: root, env });
    this.child = child;
    child.stdout!.on('data', (chunk) => (this.log += chunk));
    child.stderr!.on('data', (chunk) => (this.log += chunk));
    try {
      await waitForHealth(`http://127.0.0.1:${this.port}`, timeoutMs, child);
    } catch (error) {
      await this.stop();
      throw new Error(`the demo server did not start: ${(error as Error).message}\n${this.log}`, { cause: error });
    }
  }

  /** SIGTERM, then wait until the process is gone and its lock on the data directory with it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const lock = path.join(this.dataDir, 'patron.lock');
    for (let i = 0; i < 100 && fs.existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
