import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { ErrorNote, Field } from '../components/ui.tsx';
import { defineText, locales, useLocale, useText } from '../i18n.tsx';
import type { ConsoleSession } from '../session.tsx';

const text = defineText({
  en: {
    title: 'Sign in to Patron',
    intro: 'The console of your loyalty program. Your owner gives you an account.',
    email: 'E-mail',
    password: 'Password',
    submit: 'Sign in',
    busy: 'Signing in…',
    firstRun: 'First start? The owner account is owner@patron.local; its password is in data/console-owner.txt on the server.',
    language: 'Language',
  },
  ru: {
    title: 'Вход в Patron',
    intro: 'Консоль вашей программы лояльности. Учётную запись выдаёт владелец.',
    email: 'Эл. почта',
    password: 'Пароль',
    submit: 'Войти',
    busy: 'Входим…',
    firstRun: 'Первый запуск? Учётная запись владельца — owner@patron.local, пароль — в файле data/console-owner.txt на сервере.',
    language: 'Язык',
  },
});

export function SignIn({ onSignedIn }: { onSignedIn: (session: ConsoleSession) => void }) {
  const t = useText(text);
  const { locale, setLocale } = useLocale();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.post<ConsoleSession>('/v1/console/session', { email, password }));
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 401) setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="content">
      <form className="card" onSubmit={(event) => void submit(event)} noValidate>
        <div className="sign-in-head">
          <h1>{t('title')}</h1>
          <select value={locale} onChange={(event) => setLocale(event.target.value as typeof locale)} aria-label={t('language')}>
            {locales.map((l) => (
              <option key={l} value={l}>
                {l === 'ru' ? 'Русский' : 'English'}
              </option>
            ))}
          </select>
        </div>
        <p className="muted">{t('intro')}</p>
        <ErrorNote error={error} />
        <Field label={t('email')}>
          {(props) => <input {...props} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label={t('password')}>
          {(props) => <input {...props} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="primary wide" disabled={busy || !email || !password}>
          {busy ? t('busy') : t('submit')}
        </button>
        <p className="hint">{t('firstRun')}</p>
      </form>
    </main>
  );
}
