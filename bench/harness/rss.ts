import fs from 'node:fs';

/** Resident memory of a process on this machine in MB (VmRSS of /proc/<pid>/status), or null when it cannot be read. */
export function rssMbOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs` while `work` runs and returns the highest sample
 * (null off Linux). The first and last samples are taken right at the edges of the window.
 */
export async function peakRssDuring<T>(pid: number, work: () => Promise<T>, intervalMs = 100): Promise<{ value: T; peakMb: number | null }> {
  let peak: number | null = null;
  const sample = () => {
    const mb = rssMbOf(pid);
    if (mb !== null) peak = Math.max(peak ?? 0, mb);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    const value = await work();
    sample();
    return { value, peakMb: peak };
  } finally {
    clearInterval(timer);
  }
}
