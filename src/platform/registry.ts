import { platformErrors, type ErrorSpec, type ErrorTable } from './errors.ts';
import type { PlatformTx } from './db-views.ts';
import { platformIdPrefixes } from './ids.ts';
import type { ImportType } from './imports/import-format.ts';
import type { SegmentField } from './segment-fields.ts';

/**
 * What a module brings to the platform: the event types it emits, the id prefixes it makes,
 * its error table and the files it imports. The platform names none of them; buildApp
 * registers each module's definition, and a name two modules claim stops the start.
 */
export type ModuleDefinition<S = unknown, T = unknown> = {
  name: string;
  events: readonly string[];
  idPrefixes: readonly string[];
  errors: ErrorTable;
  /**
   * How the module sees a transaction handed to it (an import batch, another module's hook):
   * its own view of the database. It lives in the module's `<module>.db.ts`.
   */
  ownTx: (tx: PlatformTx) => T;
  /** Import types, made from the module's service (their formats need its database view). */
  imports?: (service: S) => ImportType[];
  /** Scheduled jobs, made from the module's service: the server runs them, an owner may run one now. */
  jobs?: (service: S) => ScheduledJob[];
  /** What segment rules can say about a customer from this module's data (segment-fields.ts). */
  segmentFields?: (service: S) => SegmentField[];
};

/**
 * A job the server runs on a schedule: 'live' every few seconds (an outbox consumer whose effect
 * people wait for), 'frequent' every job interval (cheap when nothing is due), 'daily' at the
 * slower interval (walks every member). Jobs select what is due by time, so a
 * missed run, a restart or two instances running one at once does no harm; `run` answers counts.
 * A job that works in batches stops after the batch it is writing once `signal` is aborted (the
 * server stopping): the next run carries on, and a SIGTERM is not kept waiting for a long walk.
 */
export type ScheduledJob = {
  name: string;
  cadence: 'live' | 'frequent' | 'daily';
  /** `woken`: run now because what it waits for happened (wakeJob, or new outbox events), not at its tick. */
  run: (signal: AbortSignal, woken: boolean) => Promise<Record<string, number>>;
  /** An outbox consumer: the server wakes it when events are written (outbox-watch.ts), its tick the fallback. */
  readsOutbox?: boolean;
};

export function defineModule<S, T>(definition: ModuleDefinition<S, T>): ModuleDefinition<S, T> {
  return definition;
}

export function createRegistry() {
  const eventOwners = new Map<string, string>();
  const prefixOwners = new Map<string, string>(platformIdPrefixes.map((prefix) => [prefix, 'platform']));
  const errors = new Map<string, ErrorSpec & { module: string }>(
    Object.entries(platformErrors.table).map(([code, spec]) => [code, { ...spec, module: 'platform' }]),
  );
  const importTypes: ImportType[] = [];
  const importOwners = new Map<string, string>();
  const jobs: ScheduledJob[] = [];
  const jobOwners = new Map<string, string>();
  const segmentFields: SegmentField[] = [];
  const wakers = new Map<string, () => void>();
  const fieldOwners = new Map<string, string>();

  const claim = (owners: Map<string, string>, what: string, name: string, module: string) => {
    const owner = owners.get(name);
    if (owner !== undefined) throw new Error(`${what} ${name} of module ${module} is already ${owner}'s`);
    owners.set(name, module);
  };

  return {
    register<S, T>(definition: ModuleDefinition<S, T>, service: S): void {
      const { name } = definition;
      for (const type of definition.events) claim(eventOwners, 'event type', type, name);
      for (const prefix of definition.idPrefixes) claim(prefixOwners, 'id prefix', prefix, name);
      for (const [code, spec] of Object.entries(definition.errors)) {
        const owner = errors.get(code);
        if (owner) throw new Error(`error code ${code} of module ${name} is already ${owner.module}'s`);
        errors.set(code, { ...spec, module: name });
      }
      for (const type of definition.imports?.(service) ?? []) {
        // The kind is stored in import_jobs.kind (checked there too) and names audit actions.
        if (!/^[a-z][a-z0-9_-]{0,39}$/.test(type.kind)) throw new Error(`import kind ${type.kind} of module ${name} is not a short lower-case name`);
        claim(importOwners, 'import kind', type.kind, name);
        claim(importOwners, 'import route', `POST ${type.upload.url}`, name);
        importTypes.push(type);
      }
      for (const job of definition.jobs?.(service) ?? []) {
        if (!/^[a-z][a-z0-9-]{0,39}$/.test(job.name)) throw new Error(`job ${job.name} of module ${name} is not a short lower-case name`);
        claim(jobOwners, 'job', job.name, name);
        jobs.push(job);
      }
      for (const field of definition.segmentFields?.(service) ?? []) {
        if (!/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)*$/.test(field.key)) throw new Error(`segment field ${field.key} of module ${name} is not a dotted camel-case name`);
        claim(fieldOwners, 'segment field', field.key, name);
        segmentFields.push(field);
      }
    },
    /** Every event type a module emits: what the outbox's consumers may subscribe to. */
    eventTypes: (): string[] => [...eventOwners.keys()].sort(),
    idPrefixes: (): Map<string, string> => new Map(prefixOwners),
    /** Every error code with its status, title and module (the docs and the fuzz suite read it). */
    errorCodes: (): Map<string, ErrorSpec & { module: string }> => new Map(errors),
    importTypes: (): ImportType[] => [...importTypes],
    /** Every module's scheduled jobs, in registration order. */
    jobs: (): ScheduledJob[] => [...jobs],
    /** The server's loop of a job registers how to wake it (server.ts): a loop of its own a live job. */
    onWake(name: string, wake: () => void): void {
      wakers.set(name, wake);
    },
    /**
     * Runs a job in this process now rather than at its loop's next tick (up to a tick later,
     * 5 s by default): a module that has just made work for it (a campaign started) asks. No
     * loop in this process (tests, the CLI, another instance holding the lease): nothing
     * happens, and the job finds the work at its next run as before.
     */
    wakeJob(name: string): void {
      wakers.get(name)?.();
    },
    /** Every module's segment fields, in registration order. */
    segmentFields: (): SegmentField[] => [...segmentFields],
  };
}

export type Registry = ReturnType<typeof createRegistry>;
