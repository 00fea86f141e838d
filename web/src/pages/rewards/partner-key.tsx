import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { SecretOnce } from '../../components/settings-secret.tsx';
import { Card, ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { Partner } from './rewards-types.ts';

const text = defineText({
  en: {
    title: 'API key for the partner’s tills',
    intro: 'A key with the partner role: it checks out, takes returns and reads its own settlement, at this partner’s stores only.',
    listed: 'Its keys are listed and revoked with the others in',
    settings: 'Settings → API keys',
    name: 'Key name',
    nameHint: 'Where it is used, e.g. “Station 1, till 1”',
    issue: 'Issue a key',
    secretLabel: 'Secret',
    warning: 'The secret of “{name}” is shown only now: give it to the partner over a safe channel. Patron keeps only its fingerprint and cannot show it again.',
  },
  ru: {
    title: 'API-ключ для касс партнёра',
    intro: 'Ключ с ролью «партнёр»: проводит покупки и возвраты и читает свои взаиморасчёты — только в магазинах этого партнёра.',
    listed: 'Его ключи видны и отзываются вместе с остальными в разделе',
    settings: 'Настройки → API-ключи',
    name: 'Название ключа',
    nameHint: 'Где он используется, например «АЗС 1, касса 1»',
    issue: 'Выпустить ключ',
    secretLabel: 'Секрет',
    warning: 'Секрет ключа «{name}» показан только сейчас: передайте его партнёру по надёжному каналу. Patron хранит лишь его отпечаток и не сможет показать его снова.',
  },
});

/** Issues a partner key (POST /v1/partners/{id}/api-keys); the secret is shown once, with a copy button. */
export function PartnerKey({ partner }: { partner: Partner }) {
  const t = useText(text);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSecret(null);
    setBusy(true);
    try {
      const created = await api.post<{ key: { name: string }; secret: string }>(`/v1/partners/${partner.id}/api-keys`, { name: name.trim() });
      setSecret({ name: created.key.name, secret: created.secret });
      setName('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const nameError = fieldError(error, 'name');
  return (
    <Card title={t('title')}>
      <p className="muted">
        {t('intro')} {t('listed')} <Link to="/settings/api-keys">{t('settings')}</Link>.
      </p>
      <form className="form narrow" noValidate onSubmit={(event) => void submit(event)}>
        <ErrorNote error={nameError ? null : error} />
        <Field label={t('name')} hint={t('nameHint')} error={nameError}>
          {(props) => <input {...props} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('issue')}
        </button>
      </form>
      {secret ? <SecretOnce label={t('secretLabel')} value={secret.secret} warning={t('warning', { name: secret.name })} /> : null}
    </Card>
  );
}
