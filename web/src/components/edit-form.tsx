import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNote, Field, fieldError } from './ui.tsx';

/** A form's error and busy state, and its submit: `work` sends it and throws what refuses it. */
export function useSubmit(work: () => Promise<void>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

/**
 * A form that saves or cancels: the refusal that none of `fields` shows goes above the fields
 * (each field shows its own), then the save and cancel buttons.
 */
export function EditForm({ fields, error, busy, submitLabel, cancelLabel, onSubmit, onCancel, className = 'form', actionsClassName = 'row-actions', children }: { fields: string[]; error: unknown; busy: boolean; submitLabel: string; cancelLabel: string; onSubmit: (event: FormEvent) => Promise<void>; onCancel: () => void; className?: string; actionsClassName?: string; children: ReactNode }) {
  return (
    <form className={className} onSubmit={(event) => void onSubmit(event)} noValidate>
      <ErrorNote error={fields.some((name) => fieldError(error, name)) ? null : error} />
      {children}
      <div className={actionsClassName}>
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </form>
  );
}

/** A labelled select of `values`, each shown in words by `label`. */
export function ChoiceField<V extends string>({ label, hint, error, value, values, optionLabel, onChange, disabled }: { label: string; hint?: string; error: string | null; value: V; values: readonly V[]; optionLabel: (value: V) => string; onChange: (value: V) => void; disabled?: boolean }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(props) => (
        <select {...props} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as V)}>
          {values.map((v) => (
            <option key={v} value={v}>
              {optionLabel(v)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
