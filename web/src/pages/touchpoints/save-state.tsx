import { ErrorNote, Notice } from '../../components/ui.tsx';
import { ConflictAlert } from '../../components/versioned-form.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';

const text = defineText({
  en: {
    saved: 'Saved as version {version}.',
    version: 'Version {version}, saved {at}.',
    never: 'The built-in settings: never saved yet.',
    conflict: 'Someone else saved these settings after you opened them. Their change is kept and yours is not saved: reload to see theirs, then make yours again.',
    reload: 'Reload',
    dirty: 'Changes on this page are not saved yet.',
  },
  ru: {
    saved: 'Сохранено как версия {version}.',
    version: 'Версия {version}, сохранена {at}.',
    never: 'Настройки по умолчанию: ещё не сохранялись.',
    conflict: 'Кто-то другой сохранил эти настройки после того, как вы их открыли. Его изменение сохранено, ваше — нет: обновите страницу, чтобы увидеть его, и внесите своё снова.',
    reload: 'Обновить',
    dirty: 'Изменения на этой странице ещё не сохранены.',
  },
});

/** The settings' saved version, what the last save did (saved, refused for a change made meanwhile, or refused in words), and the save button where the role may save (`saveLabel`). */
export function SaveState({ version, updatedAt, savedVersion, conflict, error, dirty, saving, saveLabel }: { version: number; updatedAt: string | null; savedVersion: number | null; conflict: boolean; error: unknown; dirty: boolean; saving: boolean; saveLabel: string | null }) {
  const t = useText(text);
  const format = useFormat();
  return (
    <>
      <p className="muted">{updatedAt ? t('version', { version, at: format.dateTime(updatedAt) }) : t('never')}</p>
      {savedVersion !== null && !dirty ? <Notice tone="success">{t('saved', { version: savedVersion })}</Notice> : null}
      {dirty ? <p className="tp-dirty">{t('dirty')}</p> : null}
      {conflict ? <ConflictAlert words={t('conflict')} reloadLabel={t('reload')} /> : null}
      <ErrorNote error={error} />
      {saveLabel ? (
        <div className="tp-save">
          <button type="submit" className="primary" disabled={saving}>
            {saveLabel}
          </button>
        </div>
      ) : null}
    </>
  );
}
