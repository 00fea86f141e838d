import { gunzipSync } from 'node:zlib';

export type BackupInfo = { postgresVersion: string; files: number; bytes: number };

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/**
 * Reads a backup (a tar of a PostgreSQL data directory, gzipped or not) far enough to know it
 * is whole and is one: every entry's header and length, and PG_VERSION at the top. A restore
 * checks this before it touches anything; a backup checks what it is about to write. Throws an
 * Error whose message says what is wrong.
 */
export function inspectBackup(bytes: Buffer): BackupInfo {
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`it is not a complete gzip file (${(error as Error).message}), perhaps cut short`, { cause: error });
    }
  }
  let postgresVersion: string | null = null;
  let files = 0;
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break; // the end-of-archive blocks
    const prefix = text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
    const name = (prefix ? `${prefix}/` : '') + text(header, 0, 100);
    const size = Number.parseInt(text(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('it is not a tar archive (a header is unreadable)');
    const body = offset + 512;
    if (body + size > tar.length) throw new Error(`it ends inside ${name}, perhaps cut short`);
    if (name.replace(/^\.?\/+/, '') === 'PG_VERSION') postgresVersion = tar.subarray(body, body + size).toString('utf8').trim();
    files++;
    offset = body + Math.ceil(size / 512) * 512;
  }
  if (files === 0) throw new Error('it is not a tar archive of a database');
  if (postgresVersion === null) throw new Error('it holds no PostgreSQL data directory (no PG_VERSION at the top)');
  return { postgresVersion, files, bytes: bytes.length };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
