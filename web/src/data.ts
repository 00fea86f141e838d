import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Page } from './api.ts';

/** One read from the API: its data, its error in words, and a way to read it again. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | null; error: unknown; loading: boolean; reload: () => void; setData: (data: T) => void } {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: null, loading: false }),
      (error: unknown) => !controller.signal.aborted && setState({ data: null, error, loading: false }),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the read depends on
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, setData };
}

/**
 * A list paged on the server: the first page, then "more" follows nextCursor. A change of the
 * query starts over.
 */
/** A server-paged list as a page holds it: what is loaded so far, and how to load more or again. */
export type PagedList<T> = { items: T[]; loading: boolean; error: unknown; hasMore: boolean; loadMore: () => void; reload: () => void };

export function usePagedList<T>(path: string | null, query: Record<string, string | number | boolean | undefined> = {}, limit = 50): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([path, query, limit, tick]);
  const current = useRef(key);
  current.current = key;

  const fetchPage = useCallback(
    async (after: string | null, replace: boolean) => {
      if (!path) return;
      const startedFor = key;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Page<T>>(path, { ...query, limit, ...(after ? { cursor: after } : {}) });
        if (current.current !== startedFor) return;
        setItems((previous) => (replace ? page.items : [...previous, ...page.items]));
        setCursor(page.nextCursor);
      } catch (caught) {
        if (current.current === startedFor) setError(caught);
      } finally {
        if (current.current === startedFor) setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key holds path, query and limit
    [key],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    void fetchPage(null, true);
  }, [fetchPage]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => void fetchPage(cursor, false),
    reload: () => setTick((n) => n + 1),
  };
}

/**
 * Follows a long operation until it ends: reads `url` every `everyMs` while `running(data)`
 * says so. Answers the latest read.
 */
export function usePolling<T>(url: string | null, running: (data: T) => boolean, everyMs = 1000): { data: T | null; error: unknown } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const next = await api.get<T>(url);
        if (stopped) return;
        setData(next);
        if (running(next)) timer = setTimeout(read, everyMs);
      } catch (caught) {
        if (!stopped) setError(caught);
      }
    };
    void read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restarts for a new url only
  }, [url]);
  return { data, error };
}
