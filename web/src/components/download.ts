import { ApiError } from '../api.ts';

/**
 * Saves what a route answers to `Accept: accept` as a file. A plain link cannot send that header
 * (the CSV routes answer CSV only to `Accept: text/csv`), so the file is read here (same origin,
 * the session cookie) and handed to the browser. A refusal comes back as an ApiError with the
 * server's words.
 */
export async function downloadFile(path: string, accept: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: { accept }, credentials: 'same-origin' });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem?.code ?? 'http', problem?.title ?? '', problem?.detail ?? `The server answered ${response.status}.`, problem?.errors ?? []);
  }
  const url = URL.createObjectURL(await response.blob());
  saveFile(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Hands a file made in the page to the browser's downloads. */
export function saveFile(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}
