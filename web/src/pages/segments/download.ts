import { ApiError } from '../../api.ts';

/**
 * Saves what a CSV route answers as a file. The members and changes routes answer CSV only to
 * `Accept: text/csv`, which a plain link cannot send; the file is read here and handed to the
 * browser. A refusal comes back as the ApiError with the server's words.
 */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: { accept: 'text/csv' }, credentials: 'same-origin' });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem?.code ?? 'http', problem?.title ?? '', problem?.detail ?? `The server answered ${response.status}.`, problem?.errors ?? []);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
