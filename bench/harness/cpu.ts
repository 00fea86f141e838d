import type pg from 'pg';
import { watchBackendCpu } from './backend-cpu.ts';
import type { PatronServer } from './patron-server.ts';
import { fmt } from './report.ts';

/** CPU milliseconds over one phase: the server process, the PostgreSQL backends of its database, and this (load-generating) process. */
export type CpuReading = { serverMs: number | null; postgresMs: number | null; loadMs: number };

export async function withCpu<T>(server: PatronServer, admin: pg.Client | null, database: string | null, work: () => Promise<T>): Promise<{ value: T; cpu: CpuReading }> {
  const backends = admin && database ? watchBackendCpu(admin, database) : null;
  await backends?.start();
  const serverBefore = server.cpuMs();
  const loadBefore = process.cpuUsage();
  const value = await work();
  const load = process.cpuUsage(loadBefore);
  const serverAfter = server.cpuMs();
  const postgresMs = (await backends?.stop()) ?? null;
  return {
    value,
    cpu: { serverMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore, postgresMs, loadMs: (load.user + load.system) / 1000 },
  };
}

/** CPU per answered request, in ms: on a small machine the server, PostgreSQL and the load generator share the CPUs. */
export function cpuPerRequest(cpu: CpuReading, requests: number) {
  const per = (value: number | null) => (value === null ? null : value / Math.max(1, requests));
  return { serverMs: per(cpu.serverMs), postgresMs: per(cpu.postgresMs), loadMs: per(cpu.loadMs) };
}

export function cpuLine(cpu: CpuReading, requests: number): string {
  const per = cpuPerRequest(cpu, requests);
  const ms = (value: number | null) => (value === null ? 'n/a' : `${fmt(value, 2)} ms`);
  return `CPU per answered request: server ${ms(per.serverMs)}, PostgreSQL backends ${ms(per.postgresMs)}, load generator ${ms(per.loadMs)}`;
}
