import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useResource } from '../data.ts';

/** What a page edits a versioned settings document with: the saved document, a draft of it, and how the last save went. */
export type VersionedForm<T, D> = {
  /** The read of the saved document: its error and reload for the page's own loading state. */
  resource: ReturnType<typeof useResource<T>>;
  draft: D | null;
  setDraft: (draft: D) => void;
  /** The last save's refusal, null after a save that went through. */
  error: unknown;
  /** The version the last save made, null until one did. */
  savedVersion: number | null;
  saving: boolean;
  /** The last save was refused because someone else saved a newer version meanwhile (409). */
  conflict: boolean;
  /** The draft differs from the saved document. */
  dirty: boolean;
  save: (event: FormEvent) => Promise<void>;
};

/**
 * A settings document that GET `path` answers with its version and PUT `path` replaces whole,
 * sent with the version it was read at, so a save over someone else's newer one is refused with
 * `conflictCode`. The draft is made from each document read or saved (not when `draftOf` alone
 * changes: a new language keeps what is typed).
 */
export function useVersionedForm<T extends { version: number }, D>({ path, draftOf, bodyOf, conflictCode }: { path: string; draftOf: (saved: T) => D; bodyOf: (draft: D, version: number) => unknown; conflictCode: string }): VersionedForm<T, D> {
  const resource = useResource((signal) => api.get<T>(path, undefined, signal), [path]);
  const [draft, setDraft] = useState<D | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (resource.data) setDraft(draftOf(resource.data));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new draft only for a new document
  }, [resource.data]);

  const current = resource.data;
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft || !current) return;
    setError(null);
    setSavedVersion(null);
    setSaving(true);
    try {
      const answer = await api.put<T>(path, bodyOf(draft, current.version));
      resource.setData(answer);
      setSavedVersion(answer.version);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return {
    resource,
    draft,
    setDraft,
    error,
    savedVersion,
    saving,
    conflict: error instanceof ApiError && error.code === conflictCode,
    dirty: draft !== null && current !== null && JSON.stringify(draft) !== JSON.stringify(draftOf(current)),
    save,
  };
}

/** The words that a save was refused for a newer version saved meanwhile, with a way to reload and see it. */
export function ConflictAlert({ words, reloadLabel }: { words: string; reloadLabel: string }) {
  return (
    <div className="alert error" role="alert">
      <p>{words}</p>
      <button type="button" className="link" onClick={() => window.location.reload()}>
        {reloadLabel}
      </button>
    </div>
  );
}
