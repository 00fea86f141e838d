import { Suspense, useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken, whenSignedOut } from './api.ts';
import { ErrorNote, Loading, Page } from './components/ui.tsx';
import { defineText, LocaleProvider, locales, useLocale, useText } from './i18n.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { navigation, routes } from './routes.ts';
import { SessionProvider, useSession, type ConsoleSession } from './session.tsx';

const text = defineText({
  en: {
    skip: 'Skip to content',
    menu: 'Main menu',
    signOut: 'Sign out',
    language: 'Language',
    notFoundTitle: 'Page not found',
    notFound: 'There is no such page.',
    forbiddenTitle: 'Not for your role',
    forbidden: 'Your role ({role}) may not open this page. Ask an owner if you need it.',
    home: 'Go to the first page',
    roles_owner: 'owner',
    roles_marketer: 'marketer',
    roles_analyst: 'analyst',
    roles_support: 'support',
  },
  ru: {
    skip: 'К содержимому',
    menu: 'Главное меню',
    signOut: 'Выйти',
    language: 'Язык',
    notFoundTitle: 'Страница не найдена',
    notFound: 'Такой страницы нет.',
    forbiddenTitle: 'Недоступно вашей роли',
    forbidden: 'Вашей роли ({role}) эта страница недоступна. Если она нужна, обратитесь к владельцу.',
    home: 'На первую страницу',
    roles_owner: 'владелец',
    roles_marketer: 'маркетолог',
    roles_analyst: 'аналитик',
    roles_support: 'поддержка',
  },
});

export function App() {
  return (
    <LocaleProvider>
      <Console />
    </LocaleProvider>
  );
}

function Console() {
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    setError(null);
    api.get<ConsoleSession>('/v1/console/session').then((next) => {
      setCsrfToken(next.csrfToken);
      setSession(next);
    }, setError);
  }, []);
  useEffect(() => {
    load();
    // Any request that finds the session gone (expired, signed out elsewhere) shows the sign-in page.
    whenSignedOut(() => setSession({ signedIn: false, user: null, csrfToken: null, expiresAt: null, permissions: [] }));
  }, [load]);

  if (error) return <ErrorNote error={error} onRetry={load} />;
  if (!session) return <Loading />;
  if (!session.signedIn || !session.user) {
    return (
      <SignIn
        onSignedIn={(next) => {
          setCsrfToken(next.csrfToken);
          setSession(next);
        }}
      />
    );
  }
  const permissions = new Set(session.permissions);
  const signOut = async () => {
    await api.delete('/v1/console/session').catch(() => undefined);
    setCsrfToken(null);
    setSession({ signedIn: false, user: null, csrfToken: null, expiresAt: null, permissions: [] });
  };
  return (
    <SessionProvider value={{ user: session.user, permissions, can: (p) => permissions.has(p), signOut }}>
      <Shell />
    </SessionProvider>
  );
}

function firstPageFor(can: (permission: string) => boolean): string {
  for (const section of navigation) for (const item of section.items) if (can(item.permission)) return item.to;
  return '/settings/account';
}

function Shell() {
  const t = useText(text);
  const { locale, setLocale } = useLocale();
  const { path } = useLocation();
  const { user, can, signOut } = useSession();

  useEffect(() => {
    if (path === '/' || path === '') navigate(firstPageFor(can), { replace: true });
  }, [path, can]);

  // The menu entry of this page: the longest one its path starts with (/segments/rfm is RFM's, not Segments').
  const currentItem = navigation
    .flatMap((section) => section.items.map((item) => item.to))
    .filter((to) => path === to || path.startsWith(`${to}/`))
    .sort((a, b) => b.length - a.length)[0];
  const found = routes.map((route) => ({ route, params: match(route.path, path) })).find((candidate) => candidate.params !== null);
  const role = t(`roles_${user.role}` as 'roles_owner');
  let content;
  if (!found) {
    content = (
      <Page title={t('notFoundTitle')}>
        <p>
          {t('notFound')} <Link to="/">{t('home')}</Link>
        </p>
      </Page>
    );
  } else if (!can(found.route.permission)) {
    content = (
      <Page title={t('forbiddenTitle')}>
        <div className="alert error" role="alert">
          <p>{t('forbidden', { role })}</p>
        </div>
      </Page>
    );
  } else {
    const RoutePage = found.route.page;
    content = (
      <Suspense fallback={<Loading />}>
        <RoutePage params={found.params!} />
      </Suspense>
    );
  }

  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t('skip')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Patron
        </Link>
        <div className="topbar-right">
          <label className="inline">
            <span className="visually-hidden">{t('language')}</span>
            <select value={locale} onChange={(event) => setLocale(event.target.value as typeof locale)} aria-label={t('language')}>
              {locales.map((l) => (
                <option key={l} value={l}>
                  {l === 'ru' ? 'Русский' : 'English'}
                </option>
              ))}
            </select>
          </label>
          <span className="who">
            {user.name} <span className="muted">· {role}</span>
          </span>
          <button type="button" className="secondary" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label={t('menu')}>
        {navigation.map((section) => {
          const items = section.items.filter((item) => can(item.permission));
          if (items.length === 0) return null;
          return (
            <div key={section.label.en} className="nav-section">
              <h2>{section.label[locale]}</h2>
              <ul>
                {items.map((item) => (
                  <li key={item.to}>
                    <Link to={item.to} aria-current={item.to === currentItem ? 'page' : undefined}>
                      {item.label[locale]}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="content" className="content" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
