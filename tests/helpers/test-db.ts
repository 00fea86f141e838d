import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgres, pgliteOptions, wrapPglite, type Database } from '../../src/db/database.ts';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * PGlite as tests open it. A test's database is small, and PGlite clears its shared memory as it
 * starts: with 32 MB of shared buffers instead of the data directory's 128 MB, and the WebAssembly
 * compiled once per worker (compiledPglite), a test file's database opens in ~0.85 s instead of
 * ~1.55 s (on two idle CPUs; the PGlite pass opens a few hundred).
 */
export const testPgliteOptions = () => pgliteOptions({ sharedBuffers: '32MB' });

/**
 * The migrated PGlite template (tests/global-setup.ts), as PGlite's `loadDataDir`. Its 45 MB are
 * read from disk once per worker (test files share a worker's modules: vitest.config.ts), not once
 * per file, and handed over as they are: Node 20's Blob.arrayBuffer() copied them in small chunks
 * for 0.6–0.9 s of CPU a file. PGlite only reads the bytes (each file's contents are sliced off
 * them), so every file may be given the same ones.
 */
export function pgliteTemplate(): Blob {
  const file = inject('pgliteTemplate');
  if (templateBytes?.file !== file) templateBytes = { file, bytes: fs.readFileSync(file) };
  return new TemplateBlob(templateBytes.bytes);
}

let templateBytes: { file: string; bytes: Buffer } | undefined;

// Node has WebAssembly as a global; the project's TypeScript libraries declare only its types.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;
let compiled: Promise<{ pgliteWasmModule: WebAssembly.Module; fsBundle: Blob }> | undefined;
/** PGlite's WebAssembly compiled and its file-system bundle read once per worker, not once per database. */
export function compiledPglite() {
  const dist = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  compiled ??= (async () => ({
    pgliteWasmModule: await wasm.compile(fs.readFileSync(path.join(dist, 'pglite.wasm'))),
    fsBundle: new Blob([fs.readFileSync(path.join(dist, 'pglite.data'))]),
  }))();
  return compiled;
}

/** A Blob whose arrayBuffer() is the bytes themselves: PGlite's loadDataDir reads nothing else of it (its type and arrayBuffer). */
class TemplateBlob extends Blob {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    super([], { type: 'application/x-tar' });
    this.#bytes = bytes;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.#bytes;
    // readFileSync of a file this large gives the Buffer an ArrayBuffer of its own, so this is no copy.
    return Promise.resolve(byteOffset === 0 && byteLength === buffer.byteLength ? (buffer as ArrayBuffer) : (buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer));
  }
}

/**
 * A fresh, migrated database of this test file's own; close() throws it away. On PostgreSQL
 * `url` names it, for a second connection pool standing for another instance.
 */
export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<Database & { url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `patron_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
    const testUrl = new URL(url);
    testUrl.pathname = `/${name}`;
    const database = await openPostgres(testUrl.toString(), options.poolSize ?? 10);
    return {
      ...database,
      url: testUrl.toString(),
      async close() {
        await database.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const pglite = await PGlite.create({ ...testPgliteOptions(), ...(await compiledPglite()), loadDataDir: pgliteTemplate() });
  return wrapPglite(pglite);
}
