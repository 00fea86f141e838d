import { useEffect, useState, type FormEvent } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { Dialog, ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { displayName } from './customer-list.tsx';
import type { Customer } from './customer-types.ts';

const text = defineText({
  en: {
    edit: 'Edit the profile',
    firstName: 'First name',
    lastName: 'Last name',
    phone: 'Phone',
    email: 'E-mail',
    card: 'Card',
    birthDate: 'Birth date',
    city: 'City',
    tags: 'Tags',
    tagsHint: 'Separated by commas',
    save: 'Save',
    cancel: 'Cancel',
    unchanged: 'Nothing changed.',
    merge: 'Merge a duplicate into this customer',
    mergeIntro: 'Find the duplicate (another record of the same person). Its identifiers, points, receipts and history move here; the duplicate’s id then leads to this customer.',
    find: 'Find the duplicate',
    findHint: 'A phone, card, e-mail or name',
    results: 'Customers found',
    noResults: 'No other customer matches.',
    pick: 'Choose {name}',
    chosen: 'Chosen',
    confirmMerge: 'Merge {name} into {survivor}',
    mergeButton: 'Merge',
    erase: 'Erase this customer',
    eraseIntro: 'Erasing removes the customer’s name, phones, e-mails, cards, birth date and free texts for good; receipts and points stay, without the person. It cannot be undone.',
    eraseType: 'To confirm, type {word}',
    eraseWord: 'ERASE',
    eraseMismatch: 'Type {word} exactly to confirm.',
    eraseButton: 'Erase for good',
    unnamed: 'No name',
  },
  ru: {
    edit: 'Изменить профиль',
    firstName: 'Имя',
    lastName: 'Фамилия',
    phone: 'Телефон',
    email: 'Эл. почта',
    card: 'Карта',
    birthDate: 'Дата рождения',
    city: 'Город',
    tags: 'Метки',
    tagsHint: 'Через запятую',
    save: 'Сохранить',
    cancel: 'Отмена',
    unchanged: 'Ничего не изменено.',
    merge: 'Объединить дубликат с этим клиентом',
    mergeIntro: 'Найдите дубликат (другую запись того же человека). Его идентификаторы, баллы, чеки и история перейдут сюда; id дубликата будет вести к этому клиенту.',
    find: 'Найти дубликат',
    findHint: 'Телефон, карта, почта или имя',
    results: 'Найденные клиенты',
    noResults: 'Других подходящих клиентов нет.',
    pick: 'Выбрать: {name}',
    chosen: 'Выбран',
    confirmMerge: 'Объединить {name} с клиентом {survivor}',
    mergeButton: 'Объединить',
    erase: 'Удалить данные клиента',
    eraseIntro: 'Удаление навсегда стирает имя, телефоны, почту, карты, дату рождения и свободные тексты клиента; чеки и баллы остаются, но без человека. Отменить это нельзя.',
    eraseType: 'Для подтверждения введите {word}',
    eraseWord: 'УДАЛИТЬ',
    eraseMismatch: 'Введите {word} точно, чтобы подтвердить.',
    eraseButton: 'Удалить навсегда',
    unnamed: 'Без имени',
  },
});

type Form = { firstName: string; lastName: string; phone: string; email: string; cardNumber: string; birthDate: string; city: string; tags: string };
const formOf = (c: Customer): Form => ({
  firstName: c.firstName ?? '',
  lastName: c.lastName ?? '',
  phone: c.phone ?? '',
  email: c.email ?? '',
  cardNumber: c.cardNumber ?? '',
  birthDate: c.birthDate ?? '',
  city: c.city ?? '',
  tags: c.tags.join(', '),
});

/** Edit the profile: a merge patch of the fields changed (an emptied field is cleared with null). */
export function EditProfileDialog({ open, customer, onClose, onSaved }: { open: boolean; customer: Customer; onClose: () => void; onSaved: (customer: Customer) => void }) {
  const t = useText(text);
  const [form, setForm] = useState<Form>(() => formOf(customer));
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setForm(formOf(customer));
      setError(null);
      setNote(null);
    }
  }, [open, customer]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNote(null);
    const before = formOf(customer);
    const patch: Record<string, unknown> = {};
    for (const key of Object.keys(form) as Array<keyof Form>) {
      if (form[key].trim() === before[key].trim()) continue;
      if (key === 'tags') patch.tags = form.tags.split(',').map((tag) => tag.trim()).filter(Boolean);
      else patch[key] = form[key].trim() === '' ? null : form[key].trim();
    }
    if (Object.keys(patch).length === 0) {
      setNote(t('unchanged'));
      return;
    }
    setBusy(true);
    try {
      const saved = await api.patch<Customer>(`/v1/customers/${customer.id}`, patch);
      onSaved(saved);
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const fields: Array<{ key: keyof Form; label: string; type?: string; hint?: string; auto?: string }> = [
    { key: 'firstName', label: t('firstName'), auto: 'off' },
    { key: 'lastName', label: t('lastName'), auto: 'off' },
    { key: 'phone', label: t('phone'), type: 'tel', auto: 'off' },
    { key: 'email', label: t('email'), type: 'email', auto: 'off' },
    { key: 'cardNumber', label: t('card'), auto: 'off' },
    { key: 'birthDate', label: t('birthDate'), type: 'date' },
    { key: 'city', label: t('city') },
    { key: 'tags', label: t('tags'), hint: t('tagsHint') },
  ];
  const named = fields.some((field) => fieldError(error, field.key));
  return (
    <Dialog title={t('edit')} open={open} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <ErrorNote error={named ? null : error} />
        {note ? <p className="muted" role="status">{note}</p> : null}
        <div className="form-row">
          {fields.map((field) => (
            <Field key={field.key} label={field.label} {...(field.hint ? { hint: field.hint } : {})} error={fieldError(error, field.key)}>
              {(props) => <input {...props} type={field.type ?? 'text'} autoComplete={field.auto} value={form[field.key]} onChange={(e) => setForm({ ...form, [field.key]: e.target.value })} />}
            </Field>
          ))}
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('save')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Merge a duplicate into this customer: find it, choose it, confirm; the survivor's page follows. */
export function MergeDialog({ open, customer, onClose, onMerged }: { open: boolean; customer: Customer; onClose: () => void; onMerged: (survivor: Customer) => void }) {
  const t = useText(text);
  const format = useFormat();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [chosen, setChosen] = useState<Customer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setQ('');
      setFound(null);
      setChosen(null);
      setError(null);
    }
  }, [open]);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setChosen(null);
    if (!q.trim()) return;
    try {
      const page = await api.get<ApiPage<Customer>>('/v1/customers', { q: q.trim(), status: 'active', limit: 10 });
      setFound(page.items.filter((candidate) => candidate.id !== customer.id));
    } catch (caught) {
      setError(caught);
    }
  };
  const merge = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      onMerged(await api.post<Customer>(`/v1/customers/${customer.id}/merge`, { from: chosen.id }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const name = (c: Customer) => displayName(c, t('unnamed'));
  return (
    <Dialog title={t('merge')} open={open} onClose={onClose}>
      <p className="muted">{t('mergeIntro')}</p>
      <form onSubmit={(event) => void search(event)} noValidate role="search" className="c360-inline-form">
        <Field label={t('find')} hint={t('findHint')}>
          {(props) => <input {...props} type="search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />}
        </Field>
        <button type="submit" className="secondary">
          {t('find')}
        </button>
      </form>
      <ErrorNote error={error} />
      {found && found.length === 0 ? <p role="status">{t('noResults')}</p> : null}
      {found && found.length > 0 ? (
        <ul className="c360-choices" aria-label={t('results')}>
          {found.map((candidate) => (
            <li key={candidate.id}>
              <button type="button" className={chosen?.id === candidate.id ? 'primary' : 'secondary'} aria-pressed={chosen?.id === candidate.id} aria-label={t('pick', { name: name(candidate) })} onClick={() => setChosen(candidate)}>
                {name(candidate)}
              </button>{' '}
              <span className="muted">
                {[candidate.phone, candidate.email, candidate.cardNumber].filter(Boolean).join(' · ')} · {format.date(candidate.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {chosen ? (
        <div className="actions c360-confirm">
          <button type="button" className="danger" disabled={busy} onClick={() => void merge()}>
            {t('confirmMerge', { name: name(chosen), survivor: name(customer) })}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}

/** Erase on request: explained, confirmed by typing a word, then the page shows the erased record. */
export function EraseDialog({ open, customer, onClose, onErased }: { open: boolean; customer: Customer; onClose: () => void; onErased: (customer: Customer) => void }) {
  const t = useText(text);
  const [typed, setTyped] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const word = t('eraseWord');
  useEffect(() => {
    if (open) {
      setTyped('');
      setMismatch(false);
      setError(null);
    }
  }, [open]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (typed.trim().toUpperCase() !== word) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      onErased(await api.post<Customer>(`/v1/customers/${customer.id}/erase`));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('erase')} open={open} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <div className="alert warning">
          <p>{t('eraseIntro')}</p>
        </div>
        <ErrorNote error={error} />
        <Field label={t('eraseType', { word })} error={mismatch ? t('eraseMismatch', { word }) : null}>
          {(props) => <input {...props} autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />}
        </Field>
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {t('eraseButton')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
