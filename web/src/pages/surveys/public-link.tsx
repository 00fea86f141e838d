import { useId, useRef, useState } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import type { Survey } from './survey-types.ts';

const text = defineText({
  en: {
    title: 'Public link',
    label: 'The survey’s public link',
    hint: 'Anyone who has it may answer, anonymously (at most 10 answers an hour from one address).',
    copy: 'Copy the link',
    copied: 'Copied.',
    copyFailed: 'This browser did not let the page copy: select the link and copy it yourself.',
    openPage: 'Open the survey page',
    notOpen: 'The page takes answers only while the survey is open.',
    off: 'The public link is off: only customers with their own link (sent by a campaign or a journey) can answer.',
    turnOn: 'Turn the public link on',
    turnOff: 'Turn the public link off',
  },
  ru: {
    title: 'Публичная ссылка',
    label: 'Публичная ссылка на опрос',
    hint: 'Ответить по ней может любой, анонимно (не больше 10 ответов в час с одного адреса).',
    copy: 'Скопировать ссылку',
    copied: 'Скопировано.',
    copyFailed: 'Браузер не дал странице скопировать: выделите ссылку и скопируйте её сами.',
    openPage: 'Открыть страницу опроса',
    notOpen: 'Страница принимает ответы, только пока опрос открыт.',
    off: 'Публичная ссылка выключена: ответить могут только клиенты по личной ссылке (из рассылки или цепочки).',
    turnOn: 'Включить публичную ссылку',
    turnOff: 'Выключить публичную ссылку',
  },
});

/** The survey's public link to copy, and turning it on or off. */
export function PublicLink({ survey, onChanged }: { survey: Survey; onChanged: (survey: Survey) => void }) {
  const t = useText(text);
  const can = useCan();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'copied' | 'copyFailed' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const url = survey.publicUrl ?? `${window.location.origin}/s/p/${survey.id}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('copied');
    } catch {
      input.current?.select();
      setCopied('copyFailed');
    }
  };
  const toggle = async (publicLink: boolean) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.patch<Survey>(`/v1/surveys/${survey.id}`, { publicLink, version: survey.version }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('title')}>
      <ErrorNote error={error} />
      {survey.publicLink ? (
        <>
          <label htmlFor={id}>{t('label')}</label>
          <div className="copy-row">
            <input id={id} ref={input} readOnly value={url} aria-describedby={`${id}-hint`} onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" onClick={() => void copy()}>
              {t('copy')}
            </button>
          </div>
          <span className="hint" id={`${id}-hint`}>
            {t('hint')} {survey.status === 'open' ? '' : t('notOpen')}
          </span>
          {copied ? (
            <p role="status" className="muted">
              {t(copied)}
            </p>
          ) : null}
          <p>
            <a href={url} target="_blank" rel="noreferrer">
              {t('openPage')}
            </a>
          </p>
          {can('surveys:write') ? (
            <button type="button" className="link" disabled={busy} onClick={() => void toggle(false)}>
              {t('turnOff')}
            </button>
          ) : null}
        </>
      ) : (
        <>
          <p>{t('off')}</p>
          {can('surveys:write') ? (
            <button type="button" className="secondary" disabled={busy} onClick={() => void toggle(true)}>
              {t('turnOn')}
            </button>
          ) : null}
        </>
      )}
    </Card>
  );
}
