import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console (web/, React + Vite) is built into web/dist. `npm start` and `npm test` build it
 * when its sources changed since the last build — a hash of every source file, kept beside the
 * build — so a fresh clone needs no extra step and an unchanged one starts without waiting.
 */
export const webRoot = fileURLToPath(new URL('../../../web/', import.meta.url));
export const consoleDist = path.join(webRoot, 'dist');
const STAMP = '.source-hash';

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'dist' && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(webRoot)) hash.update(path.relative(webRoot, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Whether web/dist holds a build of the current sources. */
export function consoleIsCurrent(): boolean {
  try {
    return fs.readFileSync(path.join(consoleDist, STAMP), 'utf8').trim() === sourceHash() && fs.existsSync(path.join(consoleDist, 'index.html'));
  } catch {
    return false;
  }
}

/**
 * Builds the console if its sources changed. Vite is a development dependency: an install
 * without it (npm ci --omit=dev) serves the build it was shipped with, or says how to make one.
 */
export async function ensureConsoleBuilt(log: (message: string) => void = () => {}): Promise<'current' | 'built' | 'unavailable'> {
  if (consoleIsCurrent()) return 'current';
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('The console is not built and Vite is not installed (npm ci installs it); the API works without it.');
    return 'unavailable';
  }
  const hash = sourceHash();
  const started = performance.now();
  // Vite and the React plugin choose the production build by NODE_ENV, which a test run sets to
  // "test": the console is always built for production (React's development build is twice the
  // size, and half-switched it does not run).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(webRoot, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  fs.writeFileSync(path.join(consoleDist, STAMP), `${hash}\n`);
  log(`Console built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
