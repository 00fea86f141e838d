import { ApiError } from '../../api.ts';

export type DownloadProgress = { bytes: number; rows: number };
export type Downloaded = DownloadProgress & { blob: Blob };

/**
 * Reads a streamed CSV route to the end (same origin, the session cookie), telling how far it is
 * as bytes and data rows arrive: the route streams, so there is no total to show beforehand. Rows
 * are counted outside quotes, so a quoted line break in a cell does not count as a row. An error
 * answer comes back as an ApiError with the server's words, as api.ts makes them.
 */
export async function downloadCsv(path: string, onProgress: (progress: DownloadProgress) => void, signal: AbortSignal): Promise<Downloaded> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'No connection', 'The server did not answer. Check the connection and try again.');
  }
  if (!response.ok || !response.body) {
    const problem = await response.json().catch(() => null);
    if (problem && typeof problem.code === 'string') throw new ApiError(response.status, problem.code, problem.title ?? '', problem.detail ?? '', problem.errors ?? []);
    throw new ApiError(response.status, 'http', `HTTP ${response.status}`, `The server answered ${response.status}.`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let bytes = 0;
  let lines = 0;
  let quoted = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    const piece = decoder.decode(value, { stream: true });
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted) lines++;
    }
    onProgress({ bytes, rows: Math.max(0, lines - 1) });
  }
  const rows = Math.max(0, lines - 1);
  return { blob: new Blob(chunks, { type: 'text/csv;charset=utf-8' }), bytes, rows };
}
