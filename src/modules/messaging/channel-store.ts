import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { channelSecretFields, validateChannelConfig } from './channels/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageKind, MessagingChannelsTable } from './messaging.tables.ts';

/**
 * Channels: the provider settings each kind of message goes out through (one active channel
 * per kind). Settings hold secrets (an SMTP password, a bot token, a VAPID key): answers never
 * show them, only which are set; a change that leaves a secret out keeps the stored one.
 */
export type ChannelInput = { name: string; kind: MessageKind; config: Record<string, unknown>; active?: boolean };
export type ChannelView = {
  id: string;
  name: string;
  kind: MessageKind;
  active: boolean;
  config: Record<string, unknown>;
  /** The secret settings that hold a value (their values are never answered). */
  secretsSet: string[];
  createdAt: string;
  updatedAt: string;
};

type Row = { [K in keyof MessagingChannelsTable]: MessagingChannelsTable[K] extends { __select__: infer S } ? S : MessagingChannelsTable[K] } & { config: Record<string, unknown> };

function getPath(value: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

function setPath(value: Record<string, unknown>, path: string, to: unknown): void {
  const keys = path.split('.');
  let node = value;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') return;
    node = node[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (to === undefined) delete node[last];
  else node[last] = to;
}

/** The config without its secrets, and the secrets that are set. */
export function maskConfig(kind: MessageKind, config: Record<string, unknown>): { config: Record<string, unknown>; secretsSet: string[] } {
  const copy = structuredClone(config);
  const secretsSet: string[] = [];
  for (const path of channelSecretFields[kind]) {
    if (getPath(copy, path) === undefined) continue;
    secretsSet.push(path);
    setPath(copy, path, undefined);
  }
  return { config: copy, secretsSet };
}

/** A new config whose secrets left out are the stored ones (a console edits settings without retyping passwords). */
export function keepSecrets(kind: MessageKind, stored: Record<string, unknown>, incoming: Record<string, unknown>): Record<string, unknown> {
  const merged = structuredClone(incoming);
  for (const path of channelSecretFields[kind]) {
    if (getPath(merged, path) !== undefined) continue;
    const old = getPath(stored, path);
    const parent = path.includes('.') ? getPath(merged, path.split('.').slice(0, -1).join('.')) : merged;
    if (old !== undefined && parent && typeof parent === 'object') setPath(merged, path, old);
  }
  return merged;
}

export function channelView(row: Row): ChannelView {
  const masked = maskConfig(row.kind, row.config);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    active: row.active,
    config: masked.config,
    secretsSet: masked.secretsSet,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function checkConfig(kind: MessageKind, config: Record<string, unknown>): void {
  const problems = validateChannelConfig(kind, config).map((p) => ({ ...p, field: `config.${p.field.replace(/^body\.?/, '')}`.replace(/\.$/, '') }));
  if (problems.length > 0) throw messagingError('messaging.invalid_channel', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

/** A unique violation of the name or of one-active-per-kind, in words. */
function conflict(error: unknown, input: { name: string; kind: MessageKind }): never {
  const constraint = (error as { constraint?: string }).constraint;
  if ((error as { code?: string }).code === '23505') {
    throw messagingError(
      'messaging.channel_exists',
      constraint === 'messaging_channels_active_kind'
        ? `An active ${input.kind} channel exists already; switch it off (active: false) before switching this one on`
        : `A channel named ${input.name} exists already`,
    );
  }
  throw error;
}

/** `switchedOn`: told after a channel is saved active (messages of its kind may be waiting for it: the sender is woken). */
export function createChannelStore(deps: { db: Db; clock: Clock; ids: Ids; switchedOn?: () => void }) {
  const { db, clock, ids } = deps;
  const told = (view: ChannelView): ChannelView => {
    if (view.active) deps.switchedOn?.();
    return view;
  };
  const load = async (id: string): Promise<Row> => {
    const row = await db.selectFrom('messagingChannels').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw messagingError('messaging.channel_not_found', `No channel ${id}; GET /v1/channels lists them`);
    return row as Row;
  };
  return {
    load,
    /** The active channel of a kind with its secrets (the sender builds its transport from it); null when there is none. */
    async activeOf(kind: MessageKind): Promise<Row | null> {
      return ((await db.selectFrom('messagingChannels').selectAll().where('kind', '=', kind).where('active', '=', true).executeTakeFirst()) as Row | undefined) ?? null;
    },
    async create(input: ChannelInput, actor: Actor): Promise<ChannelView> {
      checkConfig(input.kind, input.config);
      const now = clock.now();
      try {
        const view = await db.transaction().execute(async (tx) => {
          const row = await tx
            .insertInto('messagingChannels')
            .values({ id: ids.next('chn'), name: input.name, kind: input.kind, config: JSON.stringify(input.config), active: input.active ?? true, createdAt: now, updatedAt: now })
            .returningAll()
            .executeTakeFirstOrThrow();
          await writeAudit(tx, clock, actor, { action: 'channel.create', entityType: 'channel', entityId: row.id, details: { kind: row.kind, name: row.name } });
          return channelView(row as Row);
        });
        return told(view);
      } catch (error) {
        return conflict(error, input);
      }
    },
    get: async (id: string) => channelView(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<ChannelView>> {
      const after = decodeCursor(cursor, isIdKey('chn'));
      let query = db.selectFrom('messagingChannels').selectAll().orderBy('id').limit(limit + 1);
      if (after) query = query.where('id', '>', after);
      const page = pageOf((await query.execute()) as Row[], limit, (row) => row.id);
      return { items: page.items.map(channelView), nextCursor: page.nextCursor };
    },
    /** The merged channel (a merge patch applied to the GET answer): secrets left out are kept. */
    async replace(id: string, merged: ChannelInput, actor: Actor): Promise<ChannelView> {
      const current = await load(id);
      if (merged.kind !== current.kind) throw messagingError('messaging.invalid_channel', `kind: a channel's kind cannot change (it is ${current.kind}); create a ${merged.kind} channel instead`);
      const config = keepSecrets(current.kind, current.config, merged.config);
      checkConfig(current.kind, config);
      try {
        const view = await db.transaction().execute(async (tx) => {
          const row = await tx
            .updateTable('messagingChannels')
            .set({ name: merged.name, config: JSON.stringify(config), active: merged.active ?? current.active, updatedAt: clock.now() })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await writeAudit(tx, clock, actor, { action: 'channel.update', entityType: 'channel', entityId: id, details: { active: row.active } });
          return channelView(row as Row);
        });
        return told(view);
      } catch (error) {
        return conflict(error, merged);
      }
    },
    async remove(id: string, actor: Actor): Promise<ChannelView> {
      const view = channelView(await load(id));
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('messagingChannels').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'channel.delete', entityType: 'channel', entityId: id, details: { kind: view.kind } });
      });
      return view;
    },
  };
}

export type ChannelStore = ReturnType<typeof createChannelStore>;
