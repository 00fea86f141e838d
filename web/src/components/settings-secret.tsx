import { useState } from 'react';
import { defineText, useText } from '../i18n.tsx';

const text = defineText({
  en: {
    copy: 'Copy',
    copied: 'Copied',
    copyFailed: 'The browser did not allow copying: select the text and copy it by hand.',
    owner: 'Owner',
    marketer: 'Marketer',
    analyst: 'Analyst',
    support: 'Support',
    pos: 'Till (POS)',
    partner: 'Partner',
  },
  ru: {
    copy: 'Копировать',
    copied: 'Скопировано',
    copyFailed: 'Браузер не разрешил копирование: выделите текст и скопируйте его вручную.',
    owner: 'Владелец',
    marketer: 'Маркетолог',
    analyst: 'Аналитик',
    support: 'Поддержка',
    pos: 'Касса (POS)',
    partner: 'Партнёр',
  },
});

/**
 * A secret the server shows only once (an API key, a generated password): the value, a copy
 * button, and the warning the caller words.
 */
export function SecretOnce({ label, value, warning }: { label: string; value: string; warning: string }) {
  const t = useText(text);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="alert warning secret-once" role="status">
      <p>{warning}</p>
      <p className="secret-row">
        <span className="visually-hidden">{label}: </span>
        <code>{value}</code>
        <button type="button" className="secondary" onClick={() => void copy()}>
          {t('copy')}
        </button>
        {copied === 'yes' ? <span className="muted">{t('copied')}</span> : null}
      </p>
      {copied === 'failed' ? <p>{t('copyFailed')}</p> : null}
    </div>
  );
}

export type RoleName = 'owner' | 'marketer' | 'analyst' | 'support' | 'pos' | 'partner';

/** A role's name in the reader's language. */
export function useRoleName(): (role: string | null) => string {
  const t = useText(text);
  return (role) => (role && role in text.en ? t(role as RoleName) : (role ?? '—'));
}
