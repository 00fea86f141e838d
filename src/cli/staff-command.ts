import type { Config } from '../config.ts';
import { cliActor } from '../platform/actor.ts';
import { AppError } from '../platform/errors.ts';
import { staffRoles, type StaffRole } from '../platform/staff/staff-roles.ts';
import { failure, usageError } from './cli-errors.ts';
import { orList } from './commands.ts';
import { openServicesFor } from './open-database.ts';
import type { OptionValues } from './parse-command-line.ts';

/**
 * `patron staff add|password|list`: console accounts from the command line, for the first owner
 * on a server without one and for an owner who lost their password. A password is generated and
 * printed once (stdout), like a key's secret.
 */
export async function staffCommand(config: Config, action: 'add' | 'password' | 'list', args: string[], values: OptionValues): Promise<number> {
  const input = action === 'add' ? addInput(values) : null;
  const advice = {
    add: 'Stop it first, or add the person in the console (Settings → Users) or with POST /v1/staff-users and an owner key.',
    password: "Stop it first, or set the password in the console (Settings → Users) or with POST /v1/staff-users/ID/password and an owner key.",
    list: 'Stop it first, or list them in the console (Settings → Users) or with GET /v1/staff-users and an owner key.',
  }[action];
  const services = await openServicesFor(config, `staff ${action}`, advice);
  try {
    if (input) {
      const { user, password } = await services.staff.create(input, cliActor);
      process.stderr.write(`Added ${user.role} ${user.email} (${user.id}). The password is shown only now:\n`);
      process.stdout.write(`${password}\n`);
    } else if (action === 'password') {
      const email = args[0]!.trim();
      const user = await services.staff.byEmail(email);
      if (!user) throw failure(`patron staff password: there is no staff user ${JSON.stringify(email)}. "patron staff list" shows them.`);
      const { password } = await services.staff.resetPassword(user.id, undefined, cliActor);
      process.stderr.write(`New password for ${user.email}; their sessions have ended and a lock-out is lifted. Shown only now:\n`);
      process.stdout.write(`${password}\n`);
    } else {
      let cursor: string | undefined;
      do {
        const page = await services.staff.list(500, cursor);
        for (const user of page.items) process.stdout.write(`${user.id}\t${user.role}\t${user.email}\t${user.name}\t${user.disabled ? 'disabled' : 'active'}\n`);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return 0;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'staff.email_taken' || error.code === 'staff.weak_password')) throw failure(`patron staff ${action}: ${error.detail}.`, error);
    throw error;
  } finally {
    await services.close();
  }
}

function addInput(values: OptionValues): { email: string; name: string; role: StaffRole } {
  const usage = `usage: patron staff add --email EMAIL --role ${staffRoles.join('|')} --name NAME`;
  const email = (values.email as string | undefined)?.trim();
  const role = values.role as string | undefined;
  const name = (values.name as string | undefined)?.trim();
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw usageError(`patron staff add: --email is required, the address the person signs in with (${usage}).`);
  if (role === undefined || !(staffRoles as readonly string[]).includes(role)) {
    throw usageError(`patron staff add: --role must be ${orList(staffRoles)} (${usage}).`);
  }
  if (!name || name.length > 100) throw usageError(`patron staff add: --name is required, 1 to 100 characters (${usage}).`);
  return { email, name, role: role as StaffRole };
}
