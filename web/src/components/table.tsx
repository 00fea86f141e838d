import type { ReactNode } from 'react';
import type { PagedList } from '../data.ts';
import { defineText, useText } from '../i18n.tsx';
import { Empty, ErrorNote, Loading } from './ui.tsx';

const text = defineText({
  en: { more: 'Show more', shown: { one: '{count} shown', other: '{count} shown' } },
  ru: { more: 'Показать ещё', shown: { one: 'Показан {count}', few: 'Показано {count}', many: 'Показано {count}', other: 'Показано {count}' } },
});

export type Column<T> = { key: string; title: string; render: (row: T) => ReactNode; numeric?: boolean };

/** DataTable's rows, keys, loading, error, retry and "show more" for a usePagedList list of rows with ids. */
export function pagedRows<T extends { id: string }>(list: PagedList<T>) {
  return { rows: list.items, rowKey: (row: T) => row.id, loading: list.loading, error: list.error, onRetry: list.reload, hasMore: list.hasMore, onMore: list.loadMore };
}

/**
 * A table of a server-paged list: its columns, "show more" while the server has more, an empty
 * state that says what to do, and the error in words.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  caption,
  loading,
  error,
  hasMore,
  onMore,
  empty,
  onRetry,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  caption: string;
  loading?: boolean;
  error?: unknown;
  hasMore?: boolean;
  onMore?: () => void;
  empty: { title: string; hint?: ReactNode };
  onRetry?: () => void;
}) {
  const t = useText(text);
  if (error) return <ErrorNote error={error} {...(onRetry ? { onRetry } : {})} />;
  if (!loading && rows.length === 0) return <Empty title={empty.title}>{empty.hint}</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.key} className={column.numeric ? 'num' : undefined}>
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="table-foot">
        <span className="muted">{t('shown', { count: rows.length })}</span>
        {loading ? <Loading /> : hasMore && onMore ? (
          <button type="button" className="secondary" onClick={onMore}>
            {t('more')}
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** A list's filter: a labelled select whose first choice ("all") filters nothing; the value is what the list route takes. */
export function FilterSelect({ id, label, allLabel, value, onChange, options }: { id: string; label: string; allLabel: string; value: string; onChange: (value: string) => void; options: ReadonlyArray<readonly [value: string, label: string]> }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{allLabel}</option>
        {options.map(([option, words]) => (
          <option key={option} value={option}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}
