import { useState } from 'react';
import { Card, Field } from '../../components/ui.tsx';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import { localized, profileFields, type JoinForm } from './touchpoints-types.ts';

const text = defineText({
  en: {
    preview: 'Preview of your changes',
    previewIntro: 'How the form looks with the settings on this page, saved or not. The real form is served by the server from the saved settings.',
    previewLanguage: 'Preview language',
    russian: 'Russian',
    english: 'English',
    open: 'Open the form',
    openIntro: 'The saved form, as customers get it, opens in a new tab. The console cannot show it inside this page: the form’s security policy lets only the sites listed under “Sites that may embed the form” frame it.',
    openRu: 'Open the form in Russian',
    openEn: 'Open the form in English',
    openKiosk: 'Open the kiosk mode',
    kiosk: 'Link for a tablet at the till',
    kioskHint: 'Open it in the tablet’s browser, full screen. Large text and buttons; after each sign-up the form starts over, and never stays signed in.',
    embed: 'Code for a pop-up on your site',
    embedHint: 'Paste it into your site’s page. When a customer joins, the form tells your page, so the pop-up can close (replace closeThePopUp with your own code).',
    noSites: 'No site may show the form in a pop-up yet: add your site’s address under “Sites that may embed the form” and save.',
    copy: 'Copy',
    copyOf: 'Copy: {what}',
    copied: 'Copied',
    copyFailed: 'The browser did not allow copying: select the text and copy it by hand.',
  },
  ru: {
    preview: 'Предпросмотр изменений',
    previewIntro: 'Так выглядит форма с настройками этой страницы, сохранёнными или нет. Настоящую форму сервер показывает по сохранённым настройкам.',
    previewLanguage: 'Язык предпросмотра',
    russian: 'Русский',
    english: 'Английский',
    open: 'Открыть форму',
    openIntro: 'Сохранённая форма, как её видят клиенты, открывается в новой вкладке. Показать её внутри консоли нельзя: политика безопасности формы разрешает встраивать её только сайтам из списка «Сайты, которые могут встроить форму».',
    openRu: 'Открыть форму по-русски',
    openEn: 'Открыть форму по-английски',
    openKiosk: 'Открыть режим киоска',
    kiosk: 'Ссылка для планшета на кассе',
    kioskHint: 'Откройте её в браузере планшета во весь экран. Крупный текст и кнопки; после каждой регистрации форма начинается заново и никогда не остаётся с входом.',
    embed: 'Код всплывающего окна для вашего сайта',
    embedHint: 'Вставьте его в страницу сайта. Когда клиент вступит, форма сообщит об этом странице, и окно можно закрыть (замените closeThePopUp своим кодом).',
    noSites: 'Пока ни одному сайту нельзя показывать форму во всплывающем окне: добавьте адрес сайта в «Сайты, которые могут встроить форму» и сохраните.',
    copy: 'Копировать',
    copyOf: 'Копировать: {what}',
    copied: 'Скопировано',
    copyFailed: 'Браузер не разрешил копирование: выделите текст и скопируйте его вручную.',
  },
});

/** The customer page's own words, in the preview's language (the server's page says the same). */
const pageWords = {
  ru: { phone: 'Телефон', phoneHint: 'Пришлём SMS с кодом', email: 'Электронная почта', firstName: 'Имя', lastName: 'Фамилия', birthDate: 'Дата рождения', gender: 'Пол', city: 'Город', optional: 'необязательно', join: 'Вступить', title: 'Вступление в клуб' },
  en: { phone: 'Phone', phoneHint: 'We will text you a code', email: 'E-mail', firstName: 'First name', lastName: 'Last name', birthDate: 'Date of birth', gender: 'Gender', city: 'City', optional: 'optional', join: 'Join', title: 'Join the club' },
};

/** A copy button for a text shown beside it. */
function Copy({ value, what }: { value: string; what: string }) {
  const t = useText(text);
  const [state, setState] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('yes');
    } catch {
      setState('failed');
    }
  };
  return (
    <span className="tp-copy">
      <button type="button" className="secondary" aria-label={t('copyOf', { what })} onClick={() => void copy()}>
        {t('copy')}
      </button>
      <span role="status" className="muted">
        {state === 'yes' ? t('copied') : state === 'failed' ? t('copyFailed') : ''}
      </span>
    </span>
  );
}

/** What the form looks like with the unsaved settings, drawn here (not the server's page). */
export function JoinPreview({ form }: { form: JoinForm }) {
  const t = useText(text);
  const { locale } = useLocale();
  const [language, setLanguage] = useState<'ru' | 'en'>(locale);
  const words = pageWords[language];
  const asked = profileFields.filter((field) => form.fields[field] !== 'hidden');
  const line = (key: string, label: string, required: boolean, hint?: string) => (
    <div className="tp-preview-field" key={key}>
      <span className="tp-preview-label">
        {label}
        {required ? '' : <span className="muted"> ({words.optional})</span>}
      </span>
      <span className="tp-preview-input" />
      {hint ? <span className="muted">{hint}</span> : null}
    </div>
  );
  return (
    <Card title={t('preview')}>
      <p className="muted">{t('previewIntro')}</p>
      <Field label={t('previewLanguage')}>
        {(props) => (
          <select {...props} className="tp-short" value={language} onChange={(e) => setLanguage(e.target.value as 'ru' | 'en')}>
            <option value="ru">{t('russian')}</option>
            <option value="en">{t('english')}</option>
          </select>
        )}
      </Field>
      <div className="tp-preview" lang={language} data-testid="join-preview">
        <p className="tp-preview-title">{localized(form.title, language) || words.title}</p>
        {localized(form.intro, language) ? <p>{localized(form.intro, language)}</p> : null}
        {line('phone', words.phone, true, words.phoneHint)}
        {asked.map((field) => line(field, words[field], form.fields[field] === 'required'))}
        {form.attributes.map((attribute) => line(`attr_${attribute.key}`, localized(attribute.label, language), attribute.required))}
        {form.consents.map((consent, index) => (
          <div className="tp-preview-check" key={index}>
            <span className="tp-preview-box" />
            <span>{localized(consent.text, language)}</span>
          </div>
        ))}
        <span className="tp-preview-button">{words.join}</span>
      </div>
    </Card>
  );
}

/** The saved form's addresses: the hosted page, the kiosk link and the pop-up snippet. */
export function JoinShare({ saved }: { saved: JoinForm }) {
  const t = useText(text);
  const { locale } = useLocale();
  const origin = window.location.origin;
  const kiosk = `${origin}/join?mode=kiosk`;
  const title = localized(saved.title, locale) || pageWords[locale].title;
  const snippet = `<iframe src="${origin}/join?mode=embed" title="${title.replace(/"/g, '&quot;')}" style="width:100%;max-width:420px;height:640px;border:0"></iframe>
<script>
  window.addEventListener('message', (event) => {
    if (event.origin === '${origin}' && event.data?.type === 'patron.joined') closeThePopUp();
  });
</script>`;
  return (
    <Card title={t('open')}>
      <p className="muted">{t('openIntro')}</p>
      <p className="tp-links">
        <a href="/join?lang=ru" target="_blank" rel="noopener">
          {t('openRu')}
        </a>
        <a href="/join?lang=en" target="_blank" rel="noopener">
          {t('openEn')}
        </a>
        <a href="/join?mode=kiosk" target="_blank" rel="noopener">
          {t('openKiosk')}
        </a>
      </p>
      <h3>{t('kiosk')}</h3>
      <p className="muted">{t('kioskHint')}</p>
      <p className="tp-code-row">
        <code>{kiosk}</code>
        <Copy value={kiosk} what={t('kiosk')} />
      </p>
      <h3>{t('embed')}</h3>
      <p className="muted">{t('embedHint')}</p>
      {saved.embedOrigins.length === 0 ? <p className="tp-warning">{t('noSites')}</p> : null}
      <pre className="tp-snippet">
        <code>{snippet}</code>
      </pre>
      <Copy value={snippet} what={t('embed')} />
    </Card>
  );
}
