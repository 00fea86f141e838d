import type { Config } from '../config.ts';
import { failure } from './cli-errors.ts';
import { openDatabaseFor, openServicesFor, opening } from './open-database.ts';

export async function serveCommand(config: Config, options: { demo: boolean }): Promise<void> {
  const { serve } = await import('../server.ts');
  try {
    await opening(config, 'serve', 'Stop it first, or set PATRON_DATA_DIR to another directory.', () => serve(config, options));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw failure(`patron serve: port ${config.port} on ${config.host} is already in use (another server?). Stop it, or set PORT to a free port.`, error);
    }
    if (code === 'EACCES') throw failure(`patron serve: not allowed to listen on port ${config.port}. Set PORT to a port above 1023.`, error);
    if (code === 'EADDRNOTAVAIL') throw failure(`patron serve: this machine has no address ${config.host}. Set HOST to one of its addresses, or 0.0.0.0.`, error);
    throw error;
  }
}

export async function migrateCommand(config: Config): Promise<number> {
  const { migrate } = await import('../db/migrate.ts');
  const database = await openDatabaseFor(config, 'migrate', 'It applied the migrations when it started; stop it first to run them here.');
  try {
    const applied = await migrate(database);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
    return 0;
  } finally {
    await database.close();
  }
}

export async function demoCommand(config: Config): Promise<number> {
  const [{ loadDemoData }, { catchUpLedger }, { systemClock }] = await Promise.all([
    import('../demo/demo-data.ts'),
    import('../server.ts'),
    import('../platform/clock.ts'),
  ]);
  const services = await openServicesFor(config, 'demo', 'Stop it first, or start it with the demo: patron serve --demo.');
  try {
    const loaded = await loadDemoData(services, systemClock);
    if (loaded) await catchUpLedger(services);
    process.stdout.write(loaded ? 'demo data loaded\n' : 'demo data was loaded before\n');
    return 0;
  } finally {
    await services.close();
  }
}
