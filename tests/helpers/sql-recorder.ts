import pg from 'pg';

/** One statement as node-postgres sent it, and what the server said while running it. */
export type RecordedStatement = {
  text: string;
  values: unknown[];
  /** Set for named prepared statements. */
  name?: string;
  /** `code: message` when the server refused it. */
  error?: string;
  /** NOTICE messages raised while it ran (triggers report the rows it wrote this way). */
  notices: string[];
};

export type SqlRecorder = {
  /** Runs `work` and returns every statement any pg client sent meanwhile, in order. */
  during<T>(work: () => Promise<T>): Promise<{ result: T; statements: RecordedStatement[] }>;
  stop(): void;
};

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
type QueryConfig = { text?: unknown; values?: unknown; name?: unknown };

/**
 * Wraps `pg.Client.prototype.query`, so it sees what any code path sends — Kysely's queries,
 * raw `client.query` calls and named prepared statements alike — with the parameters bound.
 * Install it before the pool opens connections: code that binds `client.query` on connect
 * keeps whatever method was there then. It records only inside `during`.
 */
export function recordSql(): SqlRecorder {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const namedTexts = new Map<string, string>();
  // Per client, the statements sent and not yet answered: the first one is the one running,
  // since a client runs its queue one statement at a time.
  const running = new WeakMap<pg.Client, RecordedStatement[]>();
  let window: RecordedStatement[] | null = null;

  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const statement = window ? describe(args, namedTexts) : null;
    if (!statement || !window) return original.apply(this, args);
    window.push(statement);
    let queue = running.get(this);
    if (!queue) {
      const mine: RecordedStatement[] = (queue = []);
      running.set(this, mine);
      this.on('notice', (notice) => mine[0]?.notices.push(notice.message ?? ''));
    }
    queue.push(statement);
    const finish = (error: unknown) => {
      if (error) statement.error = `${(error as { code?: string }).code ?? ''}: ${(error as Error).message}`;
      queue.splice(queue.indexOf(statement), 1);
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => {
        finish(error);
        return (callback as (e: unknown, r: unknown) => unknown)(error, result);
      };
    }
    const result = original.apply(this, args);
    if (typeof callback !== 'function') {
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(() => finish(null), finish);
      else finish(null); // a submittable (cursor): nothing to wait on here
    }
    return result;
  };

  return {
    async during(work) {
      const statements: RecordedStatement[] = [];
      window = statements;
      try {
        return { result: await work(), statements };
      } finally {
        window = null;
      }
    },
    stop() {
      proto.query = original;
    },
  };
}

function describe(args: unknown[], namedTexts: Map<string, string>): RecordedStatement | null {
  const [first, second] = args;
  const config: QueryConfig = typeof first === 'string' ? { text: first, values: second } : ((first ?? {}) as QueryConfig);
  const name = typeof config.name === 'string' ? config.name : undefined;
  let text = typeof config.text === 'string' ? config.text : undefined;
  if (name && text) namedTexts.set(name, text);
  if (name && !text) text = namedTexts.get(name);
  if (text === undefined) return null;
  const values = Array.isArray(config.values) ? config.values : Array.isArray(second) ? second : [];
  return { text, values, ...(name ? { name } : {}), notices: [] };
}
