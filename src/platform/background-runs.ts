/**
 * Work this process runs in the background, one run per id (a promo-code batch, a gift-card
 * batch, a segment recompute): each is resumable from what it saved, so `resume` takes up after
 * a restart what a stopped process left, and `stop` aborts the signal every run checks between
 * its steps and waits for them to save where they were.
 */
export function backgroundRuns(
  run: (id: string, signal: AbortSignal) => Promise<unknown>,
  onError: (error: unknown, id: string) => void,
) {
  const running = new Map<string, Promise<unknown>>();
  const controller = new AbortController();
  const start = (id: string): void => {
    if (running.has(id) || controller.signal.aborted) return;
    const work = run(id, controller.signal)
      .catch((error: unknown) => onError(error, id))
      .finally(() => running.delete(id));
    running.set(id, work);
  };
  return {
    start,
    /** Starts each id not already running here; answers the ids given. */
    resume(ids: string[]): string[] {
      ids.forEach(start);
      return ids;
    },
    /** Resolves once the run of this id ends, if this process runs it (at once otherwise). */
    async ended(id: string): Promise<void> {
      await running.get(id)?.catch(() => undefined);
    },
    /** Resolves once nothing runs (tests). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async stop(): Promise<void> {
      controller.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}
