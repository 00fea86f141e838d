import { useVersionedForm } from '../../components/versioned-form.tsx';
import { Card, ErrorNote, Field, Loading, Notice, Page } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { JoinConsents } from './join-consents.tsx';
import { JoinFields } from './join-fields.tsx';
import { JoinPreview, JoinShare } from './join-share.tsx';
import { SaveState } from './save-state.tsx';
import { cleanText, hasUnplaced, problemAt, wholeOf, type JoinForm, type JoinFormSettings, type Localized } from './touchpoints-types.ts';
import './touchpoints.css';

const text = defineText({
  en: {
    title: 'Join form',
    intro: 'The page where customers join the club: on their phone from a link or a QR code, on a tablet at the till, or in a pop-up on your site.',
    readOnly: 'Your role may read the join form but not change it.',
    heading: 'Heading',
    titleRu: 'Heading in Russian',
    titleEn: 'Heading in English',
    introRu: 'Line under the heading in Russian',
    introEn: 'Line under the heading in English',
    introHint: 'What joining gives: points, a birthday gift…',
    kiosk: 'Kiosk at the till',
    idle: 'Start over after no touch, seconds',
    idleHint: 'From 15 to 3600',
    thanks: 'Show the welcome for, seconds',
    thanksHint: 'From 3 to 120, then the next person’s form',
    card: 'Digital cards',
    cardPrefix: 'Card numbers start with',
    cardPrefixHint: 'Up to 8 digits; the numbers have 13 digits, the last a check digit',
    sites: 'Sites that may embed the form',
    sitesIntro: 'Only these sites may show the form in a pop-up (an iframe). Give each as an address with no path: https://shop.example',
    site: 'Site {n}',
    removeSite: 'Remove site {n}',
    addSite: 'Add a site',
    noSites: 'No site may embed the form.',
    save: 'Save the join form',
  },
  ru: {
    title: 'Форма регистрации',
    intro: 'Страница, где клиенты вступают в клуб: с телефона по ссылке или QR-коду, на планшете у кассы или во всплывающем окне на вашем сайте.',
    readOnly: 'Ваша роль может читать форму регистрации, но не менять её.',
    heading: 'Заголовок',
    titleRu: 'Заголовок по-русски',
    titleEn: 'Заголовок по-английски',
    introRu: 'Строка под заголовком по-русски',
    introEn: 'Строка под заголовком по-английски',
    introHint: 'Что даёт участие: баллы, подарок ко дню рождения…',
    kiosk: 'Киоск у кассы',
    idle: 'Начать заново без касаний через, секунд',
    idleHint: 'От 15 до 3600',
    thanks: 'Показывать приветствие, секунд',
    thanksHint: 'От 3 до 120, затем форма для следующего',
    card: 'Цифровые карты',
    cardPrefix: 'Номера карт начинаются с',
    cardPrefixHint: 'До 8 цифр; в номере 13 цифр, последняя — контрольная',
    sites: 'Сайты, которые могут встроить форму',
    sitesIntro: 'Только эти сайты могут показать форму во всплывающем окне (iframe). Укажите каждый адресом без пути: https://shop.example',
    site: 'Сайт {n}',
    removeSite: 'Убрать сайт {n}',
    addSite: 'Добавить сайт',
    noSites: 'Ни один сайт не может встроить форму.',
    save: 'Сохранить форму',
  },
});

type Draft = Omit<JoinForm, 'kiosk'> & { kiosk: { idleSeconds: string; thanksSeconds: string } };
const CONFLICT = 'touchpoints.version_conflict';

const formOf = ({ version: _v, updatedAt: _u, ...form }: JoinFormSettings): JoinForm => form;
const draftOf = (form: JoinForm): Draft => ({ ...form, kiosk: { idleSeconds: String(form.kiosk.idleSeconds), thanksSeconds: String(form.kiosk.thanksSeconds) } });

/** PUT takes the whole form as GET answers it, with the version it was read at. */
const bodyOf = (draft: Draft, version: number) => ({
  ...draft,
  title: cleanText(draft.title),
  intro: cleanText(draft.intro),
  attributes: draft.attributes.map((a) => ({ ...a, label: cleanText(a.label) })),
  consents: draft.consents.map((c) => ({ ...c, id: c.id.trim(), version: c.version.trim(), text: cleanText(c.text) })),
  kiosk: { idleSeconds: wholeOf(draft.kiosk.idleSeconds), thanksSeconds: wholeOf(draft.kiosk.thanksSeconds) },
  cardPrefix: draft.cardPrefix.trim(),
  embedOrigins: draft.embedOrigins.map((o) => o.trim()).filter(Boolean),
  version,
});

/** The draft with its kiosk timings as numbers where they are, for the preview and the consent editor. */
const asForm = (draft: Draft, saved: JoinForm): JoinForm => ({
  ...draft,
  kiosk: { idleSeconds: Number(draft.kiosk.idleSeconds) || saved.kiosk.idleSeconds, thanksSeconds: Number(draft.kiosk.thanksSeconds) || saved.kiosk.thanksSeconds },
});

export default function JoinFormPage() {
  const t = useText(text);
  const can = useCan();
  const { resource: settings, draft, setDraft, error, savedVersion, saving, conflict, dirty, save } = useVersionedForm({
    path: '/v1/touchpoints/join-form',
    draftOf: (s: JoinFormSettings) => draftOf(formOf(s)),
    bodyOf,
    conflictCode: CONFLICT,
  });
  const mayWrite = can('touchpoints:write');

  if (settings.error) return <ErrorNote error={settings.error} onRetry={settings.reload} />;
  if (!draft || !settings.data) return <Loading />;
  const current = settings.data;
  const saved = formOf(current);
  const form = asForm(draft, saved);
  const problem = (path: string) => problemAt(error, path);
  const edit = (next: JoinForm) => setDraft({ ...next, kiosk: draft.kiosk });
  const disabled = !mayWrite;

  const localizedPair = (name: 'title' | 'intro', ruLabel: string, enLabel: string, hint?: string) => {
    const value: Localized = draft[name];
    const set = (lang: 'ru' | 'en', v: string) => setDraft({ ...draft, [name]: { ...value, [lang]: v } });
    return (
      <div className="form-row">
        <Field label={ruLabel} hint={hint} error={problem(`${name}.ru`)}>
          {(props) => <input {...props} lang="ru" value={value.ru ?? ''} disabled={disabled} onChange={(e) => set('ru', e.target.value)} />}
        </Field>
        <Field label={enLabel} hint={hint} error={problem(`${name}.en`)}>
          {(props) => <input {...props} lang="en" value={value.en ?? ''} disabled={disabled} onChange={(e) => set('en', e.target.value)} />}
        </Field>
      </div>
    );
  };
  const origins = draft.embedOrigins;
  const placed = (field: string) =>
    /^(title|intro)\.(ru|en)$/.test(field) ||
    /^fields\./.test(field) ||
    /^attributes\.\d+\.(key|label)$/.test(field) ||
    /^consents\.\d+\.(id|channel|purpose|version|text|text\.ru|text\.en)$/.test(field) ||
    /^kiosk\.(idleSeconds|thanksSeconds)$/.test(field) ||
    field === 'cardPrefix' ||
    /^embedOrigins\.\d+$/.test(field);

  return (
    <Page title={t('title')} intro={t('intro')}>
      {disabled ? <Notice>{t('readOnly')}</Notice> : null}
      <div className="tp-layout">
        <form className="form tp-form" noValidate onSubmit={(event) => void save(event)}>
          <Card title={t('heading')}>
            {localizedPair('title', t('titleRu'), t('titleEn'))}
            {localizedPair('intro', t('introRu'), t('introEn'), t('introHint'))}
          </Card>
          <JoinFields form={form} onChange={edit} error={error} disabled={disabled} />
          <JoinConsents form={form} saved={saved} onChange={edit} error={error} disabled={disabled} />
          <Card title={t('kiosk')}>
            <div className="form-row">
              <Field label={t('idle')} hint={t('idleHint')} error={problem('kiosk.idleSeconds')}>
                {(props) => <input {...props} inputMode="numeric" value={draft.kiosk.idleSeconds} disabled={disabled} onChange={(e) => setDraft({ ...draft, kiosk: { ...draft.kiosk, idleSeconds: e.target.value } })} />}
              </Field>
              <Field label={t('thanks')} hint={t('thanksHint')} error={problem('kiosk.thanksSeconds')}>
                {(props) => <input {...props} inputMode="numeric" value={draft.kiosk.thanksSeconds} disabled={disabled} onChange={(e) => setDraft({ ...draft, kiosk: { ...draft.kiosk, thanksSeconds: e.target.value } })} />}
              </Field>
            </div>
          </Card>
          <Card title={t('card')}>
            <Field label={t('cardPrefix')} hint={t('cardPrefixHint')} error={problem('cardPrefix')}>
              {(props) => <input {...props} className="tp-short" inputMode="numeric" value={draft.cardPrefix} disabled={disabled} onChange={(e) => setDraft({ ...draft, cardPrefix: e.target.value })} />}
            </Field>
          </Card>
          <Card title={t('sites')}>
            <p className="muted">{t('sitesIntro')}</p>
            {origins.length === 0 ? <p>{t('noSites')}</p> : null}
            {origins.map((origin, index) => (
              <div className="tp-inline" key={index}>
                <Field label={t('site', { n: index + 1 })} error={problem(`embedOrigins.${index}`)}>
                  {(props) => <input {...props} inputMode="url" value={origin} disabled={disabled} onChange={(e) => setDraft({ ...draft, embedOrigins: origins.map((o, i) => (i === index ? e.target.value : o)) })} />}
                </Field>
                {disabled ? null : (
                  <button type="button" className="link" onClick={() => setDraft({ ...draft, embedOrigins: origins.filter((_, i) => i !== index) })}>
                    {t('removeSite', { n: index + 1 })}
                  </button>
                )}
              </div>
            ))}
            {disabled ? null : (
              <button type="button" className="secondary" onClick={() => setDraft({ ...draft, embedOrigins: [...origins, ''] })}>
                {t('addSite')}
              </button>
            )}
          </Card>
          <SaveState dirty={dirty} version={current.version} updatedAt={current.updatedAt} savedVersion={savedVersion} conflict={conflict} error={hasUnplaced(error, placed, CONFLICT) ? error : null} saving={saving} saveLabel={mayWrite ? t('save') : null} />
        </form>
        <div className="tp-side">
          <JoinPreview form={form} />
          <JoinShare saved={saved} />
        </div>
      </div>
    </Page>
  );
}
