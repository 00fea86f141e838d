import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api.ts';
import { ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import type { Topic } from './messaging-types.ts';

const text = defineText({
  en: {
    key: 'Key',
    keyHint: 'What templates name, in Latin letters: offers, news, surveys. It cannot change later.',
    keyMissing: 'Give the topic a key: lower-case Latin letters, digits, "_" or "-" (offers, news).',
    keyTaken: 'There is already a topic "{key}": edit it in the list instead.',
    nameRu: 'Name in Russian',
    nameEn: 'Name in English',
    nameHint: 'What customers see in the preference centre and on the account page; at least one language.',
    descriptionRu: 'Description in Russian (optional)',
    descriptionEn: 'Description in English (optional)',
    defaultSubscribed: 'A customer who never chose',
    defaultOn: 'Is on the topic until they leave it',
    defaultOff: 'Is off the topic until they join it',
    create: 'Create the topic',
    save: 'Save',
    cancel: 'Cancel',
  },
  ru: {
    key: 'Ключ',
    keyHint: 'Его указывают шаблоны, латиницей: offers, news, surveys. Потом его не изменить.',
    keyMissing: 'Задайте ключ темы: строчные латинские буквы, цифры, «_» или «-» (offers, news).',
    keyTaken: 'Тема «{key}» уже есть — измените её в списке.',
    nameRu: 'Название по-русски',
    nameEn: 'Название по-английски',
    nameHint: 'Его видят клиенты на странице настроек рассылок и в личном кабинете; хотя бы на одном языке.',
    descriptionRu: 'Описание по-русски (необязательно)',
    descriptionEn: 'Описание по-английски (необязательно)',
    defaultSubscribed: 'Клиент, который ещё не выбирал',
    defaultOn: 'Подписан, пока сам не откажется',
    defaultOff: 'Не подписан, пока сам не подпишется',
    create: 'Создать тему',
    save: 'Сохранить',
    cancel: 'Отмена',
  },
});

type Draft = { key: string; nameRu: string; nameEn: string; descriptionRu: string; descriptionEn: string; defaultSubscribed: boolean };

/** A topic's key, names, descriptions and default, saved with PUT /v1/messaging/topics/{key}; a new one must not take an existing key. */
export function TopicForm({ topic, onSaved, onCancel }: { topic: Topic | null; onSaved: (topic: Topic) => void; onCancel: () => void }) {
  const t = useText(text);
  const [draft, setDraft] = useState<Draft>({
    key: topic?.key ?? '',
    nameRu: topic?.name.ru ?? '',
    nameEn: topic?.name.en ?? '',
    descriptionRu: topic?.description.ru ?? '',
    descriptionEn: topic?.description.en ?? '',
    defaultSubscribed: topic?.defaultSubscribed ?? true,
  });
  const [error, setError] = useState<unknown>(null);
  const [keyProblem, setKeyProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const setKey = (key: string) => {
    setKeyProblem(null);
    set({ key });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setKeyProblem(null);
    const key = draft.key.trim();
    if (!key) {
      setKeyProblem(t('keyMissing'));
      return;
    }
    setBusy(true);
    try {
      const path = `/v1/messaging/topics/${encodeURIComponent(key)}`;
      if (!topic && (await exists(path))) {
        setKeyProblem(t('keyTaken', { key }));
        return;
      }
      const words = (ru: string, en: string) => ({ ...(ru.trim() ? { ru: ru.trim() } : {}), ...(en.trim() ? { en: en.trim() } : {}) });
      onSaved(
        await api.put<Topic>(path, {
          name: words(draft.nameRu, draft.nameEn),
          description: words(draft.descriptionRu, draft.descriptionEn),
          defaultSubscribed: draft.defaultSubscribed,
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const keyError = keyProblem ?? fieldError(error, 'key');
  const nameError = fieldError(error, 'name', 'name/ru', 'name/en', 'ru', 'en');
  const unplaced = error && !fieldError(error, 'key') && !nameError;
  return (
    <form className="form" noValidate onSubmit={(event) => void save(event)}>
      <fieldset disabled={busy} className="plain">
        <Field label={t('key')} hint={t('keyHint')} error={keyError}>
          {(props) => <input {...props} value={draft.key} disabled={topic !== null} autoComplete="off" spellCheck={false} onChange={(event) => setKey(event.target.value)} />}
        </Field>
        <div className="form-row">
          <Field label={t('nameRu')} hint={t('nameHint')} error={nameError}>
            {(props) => <input {...props} lang="ru" value={draft.nameRu} onChange={(event) => set({ nameRu: event.target.value })} />}
          </Field>
          <Field label={t('nameEn')} error={nameError}>
            {(props) => <input {...props} lang="en" value={draft.nameEn} onChange={(event) => set({ nameEn: event.target.value })} />}
          </Field>
        </div>
        <Field label={t('descriptionRu')} error={fieldError(error, 'description/ru')}>
          {(props) => <textarea {...props} lang="ru" rows={2} value={draft.descriptionRu} onChange={(event) => set({ descriptionRu: event.target.value })} />}
        </Field>
        <Field label={t('descriptionEn')} error={fieldError(error, 'description/en')}>
          {(props) => <textarea {...props} lang="en" rows={2} value={draft.descriptionEn} onChange={(event) => set({ descriptionEn: event.target.value })} />}
        </Field>
        <Field label={t('defaultSubscribed')} error={fieldError(error, 'defaultSubscribed')}>
          {(props) => (
            <select {...props} value={draft.defaultSubscribed ? 'on' : 'off'} onChange={(event) => set({ defaultSubscribed: event.target.value === 'on' })}>
              <option value="on">{t('defaultOn')}</option>
              <option value="off">{t('defaultOff')}</option>
            </select>
          )}
        </Field>
        {unplaced ? <ErrorNote error={error} /> : null}
        <div className="actions">
          <button type="submit" className="primary">
            {topic ? t('save') : t('create')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('cancel')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

/** Whether a topic has this key already (GET answers 404 when not). */
async function exists(path: string): Promise<boolean> {
  try {
    await api.get<Topic>(path);
    return true;
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 404) return false;
    throw caught;
  }
}
