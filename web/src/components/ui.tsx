import { useEffect, useId, useRef, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { defineText, useText } from '../i18n.tsx';

const text = defineText({
  en: { loading: 'Loading…', close: 'Close', retry: 'Try again', forbidden: 'Your role may not open this page.' },
  ru: { loading: 'Загрузка…', close: 'Закрыть', retry: 'Повторить', forbidden: 'Вашей роли эта страница недоступна.' },
});

/** A page: its heading (the one h1), what it is for, and its actions on the right. */
export function Page({ title, intro, actions, children }: { title: string; intro?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Patron`;
  }, [title]);
  return (
    <section className="page">
      <header className="page-head">
        <div>
          <h1>{title}</h1>
          {intro ? <p className="intro">{intro}</p> : null}
        </div>
        {actions ? <div className="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, actions }: { title?: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="card">
      {title || actions ? (
        <div className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </div>
  );
}

export function Loading() {
  const t = useText(text);
  return (
    <p className="muted" role="status">
      {t('loading')}
    </p>
  );
}

/** An error in words: the server's detail, and the fields it names. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useText(text);
  if (!error) return null;
  const problem = error instanceof ApiError ? error : null;
  const detail = problem?.status === 403 && problem.code === 'auth.forbidden' ? t('forbidden') : problem ? problem.detail || problem.title : String((error as Error).message ?? error);
  return (
    <div className="alert error" role="alert">
      <p>{detail}</p>
      {problem && problem.fields.length > 1 ? (
        <ul>
          {problem.fields.map((field) => (
            <li key={`${field.field}:${field.reason}`}>
              <code>{field.field}</code>: {field.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert ${tone}`} role="status">
      {children}
    </div>
  );
}

/** What to do next when a list or report is empty. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

/** Progress of a long operation, 0..1 (or unknown). */
export function Progress({ value, label }: { value: number | null; label: string }) {
  const percent = value === null ? null : Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress">
      <div
        className="bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent === null ? {} : { 'aria-valuenow': percent })}
      >
        <span style={{ width: `${percent ?? 100}%` }} className={percent === null ? 'indeterminate' : ''} />
      </div>
      <span className="muted">{percent === null ? label : `${label}: ${percent}%`}</span>
    </div>
  );
}

/** A labelled form field with its hint and its error from the server, tied together for screen readers. */
export function Field({ label, hint, error, children, id }: { label: string; hint?: string; error?: string | null; children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode; id?: string }) {
  const auto = useId();
  const fieldId = id ?? auto;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={fieldId}>{label}</label>
      {children({ id: fieldId, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/**
 * The server's words about one field of a refused form (problem+json `errors`), if any: a body
 * field by its name or path (`name`, `body.name`, `…/name`, `….name`), a query filter as
 * `querystring:name`.
 */
export function fieldError(error: unknown, ...names: string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const found = error.fields.find((f) =>
    names.some((name) => f.field === name || f.field === `body.${name}` || f.field === `querystring:${name}` || f.field.endsWith(`/${name}`) || f.field.endsWith(`.${name}`)),
  );
  return found ? found.reason : null;
}

/** A modal dialog (the native <dialog>): focus moves in, Escape closes. */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const t = useText(text);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" aria-label={t('close')} onClick={onClose}>
          ×
        </button>
      </div>
      {open ? children : null}
    </dialog>
  );
}

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'good' | 'bad' | 'warn' | 'info' }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** Figures in a row: a label over each value, with an optional change against before. */
export function Stat({ label, value, change }: { label: string; value: ReactNode; change?: { text: string; good: boolean | null } | undefined }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {change ? <span className={`stat-change ${change.good === null ? '' : change.good ? 'good' : 'bad'}`}>{change.text}</span> : null}
    </div>
  );
}
