import fs from 'node:fs';
import { describeError, stackOf } from './cli/cli-errors.ts';
import { commandHelp, generalHelp } from './cli/commands.ts';
import { backupCommand, restoreCommand } from './cli/backup-command.ts';
import { importCommand } from './cli/import-command.ts';
import { keysCommand } from './cli/keys-command.ts';
import { staffCommand } from './cli/staff-command.ts';
import { migrateCommand, demoCommand, serveCommand } from './cli/server-commands.ts';
import { parseCommandLine, type CommandLine } from './cli/parse-command-line.ts';
import { loadConfig } from './config.ts';

// Only the command line, its help and the error messages load eagerly: a usage error or
// `--version` answers at once, and each command loads the database and the app when it runs.

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs one command; a number is the exit code, null means it keeps running (serve). */
async function run(line: CommandLine, env: NodeJS.ProcessEnv): Promise<number | null> {
  if (line.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (line.kind === 'help') {
    process.stdout.write(line.specs ? commandHelp(line.specs) : generalHelp(version()));
    return 0;
  }
  const { command, args, values } = line;
  const config = loadConfig(env);
  switch (command.name) {
    case 'serve':
      await serveCommand(config, { demo: values.demo === true || config.demo });
      return null;
    case 'migrate':
      return migrateCommand(config);
    case 'demo':
      return demoCommand(config);
    case 'keys create':
    case 'keys list':
    case 'keys revoke':
      return keysCommand(config, command.name.slice(5) as 'create' | 'list' | 'revoke', args, values);
    case 'staff add':
    case 'staff password':
    case 'staff list':
      return staffCommand(config, command.name.slice(6) as 'add' | 'password' | 'list', args, values);
    case 'import customers':
    case 'import receipts':
      return importCommand(config, command.name.slice(7) as 'customers' | 'receipts', args[0]!, values, env);
    case 'backup':
      return backupCommand(config, args[0]!, values, env);
    case 'restore':
      return restoreCommand(config, args[0]!, values);
    case 'lottery verify': {
      const { lotteryVerifyCommand } = await import('./cli/lottery-command.ts');
      return lotteryVerifyCommand(args[0]!, values, env);
    }
    case 'clv fit': {
      const { clvFitCommand } = await import('./cli/clv-command.ts');
      return clvFitCommand(values);
    }
    default:
      throw new Error(`the command table names "${command.name}" but main.ts does not run it`);
  }
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  let line: CommandLine | undefined;
  try {
    line = parseCommandLine(argv);
    const code = await run(line, env);
    if (code !== null) process.exitCode = code;
  } catch (error) {
    const { message, exitCode } = describeError(error, env);
    const prefix = message.startsWith('patron') ? '' : `patron${line?.kind === 'run' ? ` ${line.command.name}` : ''}: `;
    process.stderr.write(`${prefix}${message}\n`);
    if (line?.debug ?? argv.includes('--debug')) process.stderr.write(`${stackOf(error)}\n`);
    process.exitCode = exitCode;
    // A server that failed to start may leave timers or an open database behind: stop here.
    if (line?.kind === 'run' && line.command.name === 'serve') process.exit(exitCode);
  }
}

await main(process.argv.slice(2), process.env);
