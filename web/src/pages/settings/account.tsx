import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Field, Notice, Page, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';

const text = defineText({
  en: {
    title: 'My account',
    intro: 'Who you are signed in as, and your password.',
    email: 'E-mail',
    role: 'Role',
    password: 'Change the password',
    current: 'Current password',
    next: 'New password',
    nextHint: 'At least 10 characters; a phrase of a few words is easy to remember and hard to guess',
    save: 'Change the password',
    saved: 'The password is changed. Your other sessions have ended.',
  },
  ru: {
    title: 'Моя учётная запись',
    intro: 'Под кем вы вошли, и ваш пароль.',
    email: 'Эл. почта',
    role: 'Роль',
    password: 'Смена пароля',
    current: 'Текущий пароль',
    next: 'Новый пароль',
    nextHint: 'Не короче 10 символов; фразу из нескольких слов легко запомнить и трудно подобрать',
    save: 'Сменить пароль',
    saved: 'Пароль изменён. Другие ваши сеансы завершены.',
  },
});

export default function Account() {
  const t = useText(text);
  const { user } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api.put('/v1/console/session/password', { currentPassword: current, newPassword: next });
      setSaved(true);
      setCurrent('');
      setNext('');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Page title={t('title')} intro={t('intro')}>
      <Card>
        <dl className="facts">
          <dt>{t('email')}</dt>
          <dd>{user.email}</dd>
          <dt>{t('role')}</dt>
          <dd>{user.role}</dd>
        </dl>
      </Card>
      <Card title={t('password')}>
        <form onSubmit={(event) => void submit(event)} className="form narrow" noValidate>
          {saved ? <Notice tone="success">{t('saved')}</Notice> : null}
          <ErrorNote error={fieldError(error, 'currentPassword', 'newPassword') ? null : error} />
          <Field label={t('current')} error={fieldError(error, 'currentPassword')}>
            {(props) => <input {...props} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />}
          </Field>
          <Field label={t('next')} hint={t('nextHint')} error={fieldError(error, 'newPassword', 'password')}>
            {(props) => <input {...props} type="password" autoComplete="new-password" minLength={10} value={next} onChange={(e) => setNext(e.target.value)} required />}
          </Field>
          <button type="submit" className="primary" disabled={!current || !next}>
            {t('save')}
          </button>
        </form>
      </Card>
    </Page>
  );
}
