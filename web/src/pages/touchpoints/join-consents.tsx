import { Card, Empty, Field } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { consentChannels, consentPurposes, nextVersion, problemAt, type JoinConsent, type JoinForm, type Localized } from './touchpoints-types.ts';

const text = defineText({
  en: {
    title: 'Consent checkboxes',
    intro: 'Each checkbox shows its exact text in the customer’s language. Every consent a customer gives through the form is stored with the version of the text they saw, as evidence. Changing a text therefore makes a new version (the page raises it for you; you may name it yourself): customers who agreed before keep the version they agreed to.',
    consent: 'Consent “{id}”',
    newConsent: 'New consent {n}',
    id: 'Name of the checkbox',
    idHint: 'Latin small letters, digits and _, starting with a letter (personal_data)',
    channel: 'Channel',
    purpose: 'Purpose',
    required: 'The form cannot be sent without it',
    textRu: 'Text in Russian',
    textEn: 'Text in English',
    version: 'Version of the text',
    savedVersion: 'Saved as version {version}.',
    notSaved: 'Not saved yet.',
    changed: 'The text changed: it is saved as version {version}. Customers who agree from now on have {version} stored with their consent; those who agreed to {old} keep {old}.',
    sameVersion: 'The text changed but the version is still {version}: new consents would be stored under the old text’s version. Give it a new version.',
    remove: 'Remove this consent',
    add: 'Add a consent',
    none: 'The form asks no consent.',
    noneHint: 'Add at least the consent to process personal data: without it, customers join with no recorded consent.',
    all: 'All channels',
    email: 'E-mail',
    sms: 'SMS',
    push: 'Push',
    messenger: 'Messenger',
    call: 'Calls',
    post: 'Post',
    personal_data: 'Personal data processing',
    marketing: 'Marketing',
    transactional: 'Service messages',
    profiling: 'Profiling',
  },
  ru: {
    title: 'Согласия',
    intro: 'Каждый флажок показывает точный текст на языке клиента. Каждое согласие, данное через форму, сохраняется с версией текста, который видел клиент, — как доказательство. Поэтому изменённый текст получает новую версию (страница повышает её сама; можно задать и свою): клиенты, согласившиеся раньше, сохраняют ту версию, на которую соглашались.',
    consent: 'Согласие «{id}»',
    newConsent: 'Новое согласие {n}',
    id: 'Имя флажка',
    idHint: 'Латинские строчные буквы, цифры и _, начиная с буквы (personal_data)',
    channel: 'Канал',
    purpose: 'Цель',
    required: 'Без него форму нельзя отправить',
    textRu: 'Текст по-русски',
    textEn: 'Текст по-английски',
    version: 'Версия текста',
    savedVersion: 'Сохранено как версия {version}.',
    notSaved: 'Ещё не сохранено.',
    changed: 'Текст изменён: он сохранится как версия {version}. У клиентов, которые согласятся теперь, с согласием сохранится {version}; у согласившихся на {old} останется {old}.',
    sameVersion: 'Текст изменён, а версия осталась {version}: новые согласия сохранятся с версией старого текста. Задайте новую версию.',
    remove: 'Убрать это согласие',
    add: 'Добавить согласие',
    none: 'Форма не спрашивает согласий.',
    noneHint: 'Добавьте хотя бы согласие на обработку персональных данных: без него клиенты вступают без записанного согласия.',
    all: 'Все каналы',
    email: 'Эл. почта',
    sms: 'SMS',
    push: 'Push',
    messenger: 'Мессенджер',
    call: 'Звонки',
    post: 'Почта',
    personal_data: 'Обработка персональных данных',
    marketing: 'Маркетинг',
    transactional: 'Сервисные сообщения',
    profiling: 'Профилирование',
  },
});

const sameText = (a: Localized, b: Localized) => (a.ru ?? '').trim() === (b.ru ?? '').trim() && (a.en ?? '').trim() === (b.en ?? '').trim();

type Props = { form: JoinForm; saved: JoinForm; onChange: (form: JoinForm) => void; error: unknown; disabled: boolean };

/** The consent checkboxes: their exact texts per language, and the version a changed text is saved under. */
export function JoinConsents({ form, saved, onChange, error, disabled }: Props) {
  const t = useText(text);
  const list = form.consents;
  const savedOf = (consent: JoinConsent) => saved.consents.find((c) => c.id === consent.id);
  const setAt = (index: number, next: JoinConsent) => onChange({ ...form, consents: list.map((c, i) => (i === index ? next : c)) });
  // A new text takes the next version while the version is the saved one; the saved text back, the saved version back.
  const setText = (index: number, consent: JoinConsent, textNow: Localized) => {
    const before = savedOf(consent);
    let version = consent.version;
    if (before && !sameText(before.text, textNow) && version === before.version) version = nextVersion(before.version);
    if (before && sameText(before.text, textNow) && version === nextVersion(before.version)) version = before.version;
    setAt(index, { ...consent, text: textNow, version });
  };
  const add = () => {
    const n = list.length + 1;
    onChange({ ...form, consents: [...list, { id: `consent_${n}`, channel: 'all', purpose: 'marketing', required: false, version: 'v1', text: {} }] });
  };
  const path = (index: number, name: string) => `consents.${index}.${name}`;
  const problem = (index: number, ...names: string[]) => names.map((name) => problemAt(error, path(index, name))).find(Boolean) ?? null;

  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      {list.length === 0 ? <Empty title={t('none')}>{t('noneHint')}</Empty> : null}
      {list.map((consent, index) => {
        const before = savedOf(consent);
        const changed = before ? !sameText(before.text, consent.text) : false;
        return (
          <fieldset key={index} className="tp-consent">
            <legend>{before ? t('consent', { id: consent.id }) : t('newConsent', { n: index + 1 })}</legend>
            <div className="form-row">
              <Field label={t('id')} hint={t('idHint')} error={problem(index, 'id')}>
                {(props) => <input {...props} value={consent.id} disabled={disabled} onChange={(e) => setAt(index, { ...consent, id: e.target.value })} />}
              </Field>
              <Field label={t('channel')} error={problem(index, 'channel')}>
                {(props) => (
                  <select {...props} value={consent.channel} disabled={disabled} onChange={(e) => setAt(index, { ...consent, channel: e.target.value as JoinConsent['channel'] })}>
                    {consentChannels.map((c) => (
                      <option key={c} value={c}>
                        {t(c)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('purpose')} error={problem(index, 'purpose')}>
                {(props) => (
                  <select {...props} value={consent.purpose} disabled={disabled} onChange={(e) => setAt(index, { ...consent, purpose: e.target.value as JoinConsent['purpose'] })}>
                    {consentPurposes.map((p) => (
                      <option key={p} value={p}>
                        {t(p)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <label className="check">
              <input type="checkbox" checked={consent.required} disabled={disabled} onChange={(e) => setAt(index, { ...consent, required: e.target.checked })} /> {t('required')}
            </label>
            <Field label={t('textRu')} error={problem(index, 'text', 'text.ru')}>
              {(props) => <textarea {...props} lang="ru" rows={2} value={consent.text.ru ?? ''} disabled={disabled} onChange={(e) => setText(index, consent, { ...consent.text, ru: e.target.value })} />}
            </Field>
            <Field label={t('textEn')} error={problem(index, 'text.en')}>
              {(props) => <textarea {...props} lang="en" rows={2} value={consent.text.en ?? ''} disabled={disabled} onChange={(e) => setText(index, consent, { ...consent.text, en: e.target.value })} />}
            </Field>
            <div className="tp-inline">
              <Field label={t('version')} hint={before ? t('savedVersion', { version: before.version }) : t('notSaved')} error={problem(index, 'version')}>
                {(props) => <input {...props} className="tp-short" value={consent.version} disabled={disabled} onChange={(e) => setAt(index, { ...consent, version: e.target.value })} />}
              </Field>
              {disabled ? null : (
                <button type="button" className="link" onClick={() => onChange({ ...form, consents: list.filter((_, i) => i !== index) })}>
                  {t('remove')}
                </button>
              )}
            </div>
            {changed && before ? (
              consent.version === before.version ? (
                <p className="tp-warning" role="status">
                  {t('sameVersion', { version: before.version })}
                </p>
              ) : (
                <p className="tp-evidence" role="status">
                  {t('changed', { version: consent.version, old: before.version })}
                </p>
              )
            ) : null}
          </fieldset>
        );
      })}
      {disabled ? null : (
        <button type="button" className="secondary" onClick={add}>
          {t('add')}
        </button>
      )}
    </Card>
  );
}
