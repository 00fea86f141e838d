import { spawn, type ChildProcess } from 'node:child_process';
import { bin, root, waitForHealth } from '../helpers/cli.ts';

export type PatronProcessOptions = {
  /** A PostgreSQL database; empty: the embedded database in `dataDir`. */
  databaseUrl: string;
  dataDir: string;
  port: number;
  adminKey: string;
  /** More environment for the server (it wins over the defaults below). */
  env?: Record<string, string>;
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * `patron serve` as a child process of its own (the load comes from this one): started, killed
 * and started again on the same port, database and data directory.
 */
export function patronProcess(options: PatronProcessOptions) {
  const url = `http://127.0.0.1:${options.port}`;
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    PATRON_DATA_DIR: options.dataDir,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PATRON_ADMIN_KEY: options.adminKey,
    PATRON_LOG_LEVEL: 'warn',
    // The load is one client address and two keys, far above a till's rate.
    PATRON_RATE_LIMIT_PER_KEY: '0',
    PATRON_RATE_LIMIT_PER_IP: '0',
    PATRON_AUTH_FAILURES_PER_MINUTE: '0',
    PATRON_JOB_INTERVAL_SECONDS: '1',
    PATRON_URL: '',
    PATRON_API_KEY: '',
    ...options.env,
  };
  let child: ChildProcess | null = null;
  let exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  let output = '';
  let errorLines = 0;

  function launch(): ChildProcess {
    if (child) throw new Error('the server is already running');
    const started = spawn(process.execPath, [bin, 'serve'], { cwd: root, env });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      // pino level 50 (error) and 60 (fatal): unexpected failures the server logged.
      errorLines += (text.match(/"level":(50|60)/g) ?? []).length;
      output = (output + text).slice(-200_000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    exited = new Promise((resolve) => started.once('exit', (code, signal) => resolve({ code, signal })));
    void exited.then(() => {
      if (child === started) child = null;
    });
    child = started;
    return started;
  }

  return {
    url,
    /** Starts the server and waits until /health answers; returns how long that took. */
    async start(timeoutMs = 90_000): Promise<number> {
      const started = launch();
      try {
        return await waitForHealth(url, timeoutMs, started);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${output.slice(-5000)}`, { cause: error });
      }
    },
    /** Starts the server without waiting for it (to kill it while it starts). */
    launch(): void {
      launch();
    },
    /** Sends a signal and waits for the process to exit. */
    async signal(signal: NodeJS.Signals): Promise<Exit> {
      const running = child;
      if (!running) return exited;
      running.kill(signal);
      return exited;
    },
    exited: () => exited,
    running: () => child !== null,
    pid: () => child?.pid ?? null,
    output: () => output,
    /** Lines logged at level error or fatal, over every run of the server. */
    errorLines: () => errorLines,
  };
}

export type PatronProcess = ReturnType<typeof patronProcess>;
