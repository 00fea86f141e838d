import type { Config } from '../config.ts';
import { cliActor } from '../platform/actor.ts';
import { AppError } from '../platform/errors.ts';
import { roles, type Role } from '../platform/roles.ts';
import { failure, usageError } from './cli-errors.ts';
import { orList } from './commands.ts';
import { openServicesFor } from './open-database.ts';
import type { OptionValues } from './parse-command-line.ts';

/** `keys create`: both options checked before the database is opened. */
function createInput(values: OptionValues): { role: Role; name: string } {
  const role = values.role as string | undefined;
  const name = (values.name as string | undefined)?.trim();
  const usage = `usage: patron keys create --role ${roles.join('|')} --name NAME`;
  if (role === undefined) throw usageError(`patron keys create: --role is required, one of ${roles.join(', ')} (${usage}).`);
  if (!(roles as readonly string[]).includes(role)) {
    throw usageError(`patron keys create: unknown role ${JSON.stringify(role)}; use ${orList(roles)}.`);
  }
  if (name === undefined) throw usageError(`patron keys create: --name is required: what the key is for, e.g. --name "till 1" (${usage}).`);
  if (name.length === 0 || name.length > 100) throw usageError('patron keys create: --name must be 1 to 100 characters.');
  return { role: role as Role, name };
}

export async function keysCommand(config: Config, action: 'create' | 'list' | 'revoke', args: string[], values: OptionValues): Promise<number> {
  const input = action === 'create' ? createInput(values) : null;
  const advice = {
    create: 'Stop it first, or create the key through its API: POST /v1/api-keys with an owner key.',
    list: 'Stop it first, or list the keys through its API: GET /v1/api-keys with an owner key.',
    revoke: 'Stop it first, or revoke the key through its API: DELETE /v1/api-keys/ID with an owner key.',
  }[action];
  const services = await openServicesFor(config, `keys ${action}`, advice);
  try {
    if (input) {
      const { key, secret } = await services.apiKeys.create({ ...input, source: 'cli' }, cliActor);
      process.stderr.write(`Created ${key.role} key ${key.id} (${key.name}). The secret is shown only now:\n`);
      process.stdout.write(`${secret}\n`);
    } else if (action === 'list') {
      let cursor: string | undefined;
      do {
        const page = await services.apiKeys.list(500, cursor);
        for (const key of page.items) {
          process.stdout.write(`${key.id}\t${key.role}\t${key.name}\t${key.hint}\t${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}\n`);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } else {
      const id = args[0]!;
      try {
        const key = await services.apiKeys.revoke(id, cliActor);
        process.stdout.write(`revoked ${key.id} (${key.name})\n`);
      } catch (error) {
        if (error instanceof AppError && error.code === 'apikey.not_found') {
          throw failure(`patron keys revoke: there is no API key ${JSON.stringify(id)}. "patron keys list" shows the keys and their ids.`, error);
        }
        if (error instanceof AppError && error.code === 'apikey.last_owner') {
          throw failure(`patron keys revoke: ${id} is the last active owner key. Create another first: patron keys create --role owner --name NAME.`, error);
        }
        throw error;
      }
    }
    return 0;
  } finally {
    await services.close();
  }
}
