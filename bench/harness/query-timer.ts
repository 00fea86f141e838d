import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export type QueryStats = Map<string, { count: number; ms: number }>;

/**
 * A Kysely plugin that adds up the wall time of every statement by what it does ("insert
 * customers"): from compiling the query to its parsed result, so it covers the round trip and
 * the driver's work on parameters and rows, not BEGIN/COMMIT.
 */
export function queryTimer(): { plugin: KyselyPlugin; stats: QueryStats; totalMs(): number } {
  const stats: QueryStats = new Map();
  const started = new WeakMap<object, { label: string; at: number }>();
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      started.set(args.queryId, { label: labelOf(args.node), at: performance.now() });
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const start = started.get(args.queryId);
      if (start) {
        const entry = stats.get(start.label) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += performance.now() - start.at;
        stats.set(start.label, entry);
      }
      return args.result;
    },
  };
  return { plugin, stats, totalMs: () => [...stats.values()].reduce((sum, s) => sum + s.ms, 0) };
}

type Node = OperationNode & Record<string, unknown>;

function tableName(node: unknown): string {
  const n = node as Node | undefined;
  if (!n) return '?';
  if (n.kind === 'TableNode') return tableName(n.table);
  if (n.kind === 'SchemableIdentifierNode') return tableName(n.identifier);
  if (n.kind === 'IdentifierNode') return String(n.name);
  if (n.kind === 'AliasNode') return tableName(n.node);
  return '?';
}

function labelOf(root: RootOperationNode): string {
  const node = root as unknown as Node;
  switch (node.kind) {
    case 'RawNode': {
      const text = (node.sqlFragments as string[]).join('$').replace(/\s+/g, ' ').trim().toLowerCase();
      const write = /^(insert into|update|delete from) (\w+)/.exec(text);
      if (write) return `${write[1]!.split(' ')[0]} ${write[2]}`;
      const read = / (?:from|join) (?!unnest)(\w+)/.exec(text);
      return read ? `select ${read[1]}` : text.slice(0, 40);
    }
    case 'InsertQueryNode':
      return `insert ${tableName(node.into)}`;
    case 'UpdateQueryNode':
      return `update ${tableName(node.table)}`;
    case 'DeleteQueryNode':
      return `delete ${tableName((node.from as Node | undefined)?.froms && ((node.from as Node).froms as unknown[])[0])}`;
    case 'SelectQueryNode':
      return `select ${tableName(((node.from as Node | undefined)?.froms as unknown[] | undefined)?.[0])}`;
    default:
      return String(node.kind);
  }
}
