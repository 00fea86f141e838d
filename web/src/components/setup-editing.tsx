import { Fragment, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { Dialog } from './ui.tsx';

/**
 * A list whose rows are added and changed in a dialog: the row being edited ('new' for one being
 * added), and the last save's words for the list to show.
 */
export function useEditing<T>(reload: () => void) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return {
    editing,
    done,
    setDone,
    edit: (row: T | 'new') => {
      setDone(null);
      setEditing(row);
    },
    cancel: () => setEditing(null),
    saved: (words: string) => {
      setEditing(null);
      setDone(words);
      reload();
    },
  };
}

/** The dialog of `useEditing`: a fresh form for each row it opens on. */
export function EditDialog<T>({ editing, addTitle, editTitle, rowKey, onClose, children }: { editing: T | 'new' | null; addTitle: string; editTitle: (row: T) => string; rowKey: (row: T) => string; onClose: () => void; children: (row: T | null) => ReactNode }) {
  const row = editing === 'new' ? null : editing;
  return (
    <Dialog title={editing === 'new' ? addTitle : row ? editTitle(row) : ''} open={editing !== null} onClose={onClose}>
      <Fragment key={row ? rowKey(row) : 'new'}>{children(row)}</Fragment>
    </Dialog>
  );
}

/** A form's refusal in words before it asks the server, shown at `field` like the server's. */
export const refusal = (status: number, code: string, field: string, words: string) => new ApiError(status, code, '', words, [{ field, reason: words }]);

/** Whether GET `path` finds a record: PUT would replace it, so a form that creates checks first. */
export const exists = (path: string): Promise<boolean> =>
  api.get<unknown>(path).then(
    () => true,
    (caught: unknown) => {
      if (caught instanceof ApiError && caught.status === 404) return false;
      throw caught;
    },
  );
