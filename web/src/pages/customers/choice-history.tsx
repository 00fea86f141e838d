import type { ReactNode } from 'react';
import { useFormat } from '../../i18n.tsx';

type Choice = { id: string; at: string; evidence?: Record<string, string | undefined> | null };

/**
 * What a customer chose over time (consents, topics), newest first: when, the columns the choice
 * has, and the evidence kept with it. `empty` is said instead of an empty table, where given.
 */
export function ChoiceHistory<C extends Choice>({ title, caption, whenTitle, evidenceTitle, empty, entries, columns }: { title: string; caption: string; whenTitle: string; evidenceTitle: string; empty?: string; entries: C[]; columns: Array<{ title: string; render: (entry: C) => ReactNode }> }) {
  const format = useFormat();
  return (
    <>
      <h3>{title}</h3>
      {empty !== undefined && entries.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{whenTitle}</th>
                {columns.map((column) => (
                  <th key={column.title} scope="col">
                    {column.title}
                  </th>
                ))}
                <th scope="col">{evidenceTitle}</th>
              </tr>
            </thead>
            <tbody>
              {[...entries].reverse().map((entry) => (
                <tr key={entry.id}>
                  <td>{format.dateTime(entry.at)}</td>
                  {columns.map((column) => (
                    <td key={column.title}>{column.render(entry)}</td>
                  ))}
                  <td className="c360-small">
                    {Object.entries(entry.evidence ?? {})
                      .filter(([, value]) => value)
                      .map(([key, value]) => `${key}: ${value}`)
                      .join('; ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
