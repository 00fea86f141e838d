import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The boundaries between modules are types: a module's queries go through its own view of the
 * database, its events and ids through its own lists. This compiles small files placed inside
 * each module (in memory, never on disk) with the project's compiler options and checks that
 * what crosses a boundary does not compile, and that what stays inside still does — so the test
 * fails if a view is widened (say, back to the whole database) as much as if it is broken.
 */
const root = path.resolve(import.meta.dirname, '..');

type Case = { name: string; module: 'customers' | 'loyalty' | 'app'; code: string; error?: RegExp };

const cases: Case[] = [
  {
    name: 'customers query their own tables and the platform\'s',
    module: 'customers',
    code: `import type { Db } from './customers.db.ts';
      declare const db: Db;
      export const own = db.selectFrom('customers').select(['id', 'status']).where('id', '=', 'cus_1');
      export const platform = db.selectFrom('auditLog').select('action');`,
  },
  {
    name: 'customers cannot query a loyalty table',
    module: 'customers',
    code: `import type { Db } from './customers.db.ts';
      declare const db: Db;
      export const lots = db.selectFrom('pointLots').selectAll();`,
    error: /"pointLots"/,
  },
  {
    name: 'a customers transaction cannot update a loyalty table either',
    module: 'customers',
    code: `import type { Tx } from './customers.db.ts';
      declare const tx: Tx;
      export const update = tx.updateTable('pointBalances').set({ available: 0 });`,
    error: /"pointBalances"/,
  },
  {
    name: 'loyalty queries its own tables and the platform\'s',
    module: 'loyalty',
    code: `import type { Db } from './loyalty.db.ts';
      declare const db: Db;
      export const own = db.selectFrom('pointLots').select(['id', 'remaining']).where('customerId', '=', 'cus_1');
      export const platform = db.selectFrom('outboxEvents').select('type');`,
  },
  {
    name: 'loyalty cannot query the customers table',
    module: 'loyalty',
    code: `import type { Db } from './loyalty.db.ts';
      declare const db: Db;
      export const customers = db.selectFrom('customers').select('id');`,
    error: /"customers"/,
  },
  {
    name: 'loyalty cannot join the customers\' identifiers',
    module: 'loyalty',
    code: `import type { Db } from './loyalty.db.ts';
      declare const db: Db;
      export const joined = db.selectFrom('receipts').innerJoin('customerIdentifiers', 'customerIdentifiers.customerId', 'receipts.customerId').selectAll();`,
    error: /"customerIdentifiers"/,
  },
  {
    name: 'a lifecycle hook sees the transaction through loyalty\'s view',
    module: 'loyalty',
    code: `import type { CustomerLifecycleHooks } from '../customers/index.ts';
      import type { Tx } from './loyalty.db.ts';
      declare const hooks: CustomerLifecycleHooks<Tx>;
      hooks.onErase.push(async (tx, ids) => { await tx.updateTable('pointEntries').set({ reason: null }).where('customerId', 'in', ids).execute(); });
      hooks.onMerge.push(async (tx) => { await tx.selectFrom('customers').selectAll().execute(); });`,
    error: /"customers"/,
  },
  {
    name: 'a module emits only the event types it registered',
    module: 'loyalty',
    code: `import type { Clock } from '../../platform/clock.ts';
      import type { Tx } from './loyalty.db.ts';
      import { emitEvents } from './loyalty.events.ts';
      import type { Ids } from './loyalty.ids.ts';
      declare const tx: Tx; declare const clock: Clock; declare const ids: Ids;
      export const ok = emitEvents(tx, clock, ids, [{ type: 'points.earned', customerId: null, payload: {} }]);
      export const foreign = emitEvents(tx, clock, ids, [{ type: 'customer.created', customerId: null, payload: {} }]);`,
    error: /"customer\.created"/,
  },
  {
    name: 'a module makes only ids of its own prefixes (and the platform\'s)',
    module: 'customers',
    code: `import type { Ids } from './customers.ids.ts';
      declare const ids: Ids;
      export const own = [ids.next('cus'), ids.next('cns'), ids.next('evt')];
      export const typo = ids.next('cuz');`,
    error: /"cuz"/,
  },
  {
    name: 'a view made at wiring must match the whole database\'s tables',
    module: 'app',
    code: `import type { Kysely } from 'kysely';
      import { viewOf, type Db } from './db/database.ts';
      declare const db: Db;
      export const wrong: Kysely<{ customers: { id: number } }> = viewOf(db);`,
    error: /not assignable/,
  },
];

const fileOf = (c: Case, index: number) =>
  path.join(root, 'src', ...(c.module === 'app' ? [] : ['modules', c.module]), `__boundary_${index}__.ts`);

let diagnostics: Map<string, Array<{ line: number; message: string }>>;

beforeAll(() => {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const virtual = new Map(cases.map((c, i) => [fileOf(c, i), c.code]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (file) => virtual.has(path.resolve(file)) || ts.sys.fileExists(file);
  host.readFile = (file) => virtual.get(path.resolve(file)) ?? ts.sys.readFile(file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(path.resolve(file));
    return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options: { ...options, noEmit: true }, host });
  diagnostics = new Map(
    [...virtual.keys()].map((file) => [
      file,
      [...program.getSyntacticDiagnostics(program.getSourceFile(file)), ...program.getSemanticDiagnostics(program.getSourceFile(file))].map((d) => ({
        line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      })),
    ]),
  );
}, 120_000);

describe('module boundaries in the types', () => {
  it.each(cases.map((c, i) => ({ ...c, index: i })))('$name', ({ index, error, ...c }) => {
    const found = diagnostics.get(fileOf(c as Case, index)) ?? [];
    if (!error) {
      expect(found).toEqual([]);
    } else {
      // The crossing (each case's last line) fails, naming what crossed; the lines before it compile.
      const last = c.code.split('\n').length - 1;
      expect(found.map((d) => d.line)).toEqual(found.map(() => last));
      expect(found.map((d) => d.message).join('\n')).toMatch(error);
    }
  });
});
