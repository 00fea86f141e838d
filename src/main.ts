import { parseArgs } from 'node:util';
import { importCommand } from './cli/import-command.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DataDirLockedError, openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { loadDemoData } from './demo/demo-data.ts';
import { cliActor } from './platform/actor.ts';
import { systemClock } from './platform/clock.ts';
import { roles, type Role } from './platform/roles.ts';
import { catchUpLedger, openServices, serve } from './server.ts';

const usage = `patron — loyalty program and CRM-marketing platform

  patron serve [--demo]                 start the server (PORT, default 8080); --demo loads demo data first
  patron migrate                        apply database migrations
  patron demo                           load the demo data set (once)
  patron keys create --role R --name N  create an API key and print it (roles: ${roles.join(', ')})
  patron keys list                      list API keys
  patron keys revoke ID                 revoke an API key
  patron import customers FILE.csv      import customers with a progress bar
  patron import receipts FILE.ndjson    load historical receipts [--earn: accrue points]
        [--url URL --key KEY]           …through a running server's API instead of the database

Commands that change data open the database directly. On the embedded database (PGlite)
only one process may do that: stop the server first, or use --url to go through its API.
Environment: see README.md (PORT, PATRON_DATA_DIR, DATABASE_URL, PATRON_ADMIN_KEY, …).
`;

async function keysCommand(config: Config, action: string | undefined, rest: string[], values: { role?: string; name?: string }): Promise<number> {
  const services = await openServices(config);
  try {
    if (action === 'create') {
      if (!values.role || !(roles as readonly string[]).includes(values.role) || !values.name) {
        process.stderr.write(`usage: patron keys create --role <${roles.join('|')}> --name NAME\n`);
        return 2;
      }
      const { key, secret } = await services.apiKeys.create({ name: values.name, role: values.role as Role, source: 'cli' }, cliActor);
      process.stderr.write(`Created ${key.role} key ${key.id} (${key.name}). The secret is shown only now:\n`);
      process.stdout.write(`${secret}\n`);
      return 0;
    }
    if (action === 'list') {
      for (const key of await services.apiKeys.list()) {
        process.stdout.write(`${key.id}\t${key.role}\t${key.name}\t${key.hint}\t${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}\n`);
      }
      return 0;
    }
    if (action === 'revoke' && rest[0]) {
      const key = await services.apiKeys.revoke(rest[0], cliActor);
      process.stdout.write(`revoked ${key.id} (${key.name})\n`);
      return 0;
    }
    process.stderr.write(usage);
    return 2;
  } finally {
    await services.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      role: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      earn: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = 'serve', ...rest] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config, { demo: Boolean(values.demo) || config.demo });
      return -1; // keeps running
    case 'migrate': {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrate(database);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'demo': {
      const services = await openServices(config);
      try {
        const loaded = await loadDemoData(services, systemClock);
        if (loaded) await catchUpLedger(services);
        process.stdout.write(loaded ? 'demo data loaded\n' : 'demo data was loaded before\n');
      } finally {
        await services.close();
      }
      return 0;
    }
    case 'keys':
      return keysCommand(config, rest[0], rest.slice(1), values);
    case 'import':
      return importCommand(config, rest[0], rest[1], { url: values.url ?? process.env.PATRON_URL, key: values.key ?? process.env.PATRON_API_KEY, earn: values.earn });
    default:
      process.stderr.write(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DataDirLockedError) {
      process.stderr.write(`patron: ${error.message}\n`);
    } else {
      process.stderr.write(`patron: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
