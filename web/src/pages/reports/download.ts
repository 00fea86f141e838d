import { ApiError } from '../../api.ts';

/**
 * Saves a run as a file in the format the run route gives (format=csv or json). The route is
 * read here and handed to the browser as a file; a refusal comes back as an ApiError with the
 * server's words (a failed run has no CSV: 409).
 */
export async function downloadRun(reportId: string, runId: string, format: 'csv' | 'json', filename: string): Promise<void> {
  const response = await fetch(`/v1/reports/${reportId}/runs/${runId}?format=${format}`, {
    headers: { accept: format === 'csv' ? 'text/csv' : 'application/json' },
    credentials: 'same-origin',
  });
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
