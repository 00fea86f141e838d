import { useMemo } from 'react';
import { ConflictAlert, useVersionedForm } from '../../components/versioned-form.tsx';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { numberOf, type BirthdayOffer } from './engagement-types.ts';
import { PromotionPicker } from './promotion-picker.tsx';
import './engagement.css';

const text = defineText({
  en: {
    title: 'Birthday offer',
    intro: 'A gift once a year around the customer’s birthday: points at once, or a personal promo code valid through the window. Patron gives it each day to the customers whose window starts, in their own timezone, once per customer per year.',
    back: 'Bonuses for actions',
    offer: 'The offer',
    enabled: 'Give the birthday offer',
    enabledHint: 'Off: nobody gets it until you turn it on again.',
    kind: 'What the customer gets',
    points: 'Points',
    promo_code: 'A personal promo code',
    pointsField: 'Points',
    window: 'Window around the birthday',
    daysBefore: 'Days before the birthday',
    daysAfter: 'Days after the birthday',
    windowHint: 'Both in the customer’s own calendar, from 0 to 60. 0 and 7: from the birthday to a week after it.',
    timezone: 'Timezone for customers without one',
    timezoneHint: 'Like Europe/Moscow; customers with their own timezone get the offer at their midnight.',
    summary: 'In words',
    summaryOff: 'The offer is off: no customer gets it.',
    summaryPoints: 'Each customer gets {points} points {when}; the points expire as the program’s points do.',
    summaryCode: 'Each customer gets a personal code of the chosen promotion {when}, valid {until}.',
    onDay: 'on their birthday',
    before: { one: '{count} day before their birthday', other: '{count} days before their birthday' },
    untilDay: 'through the birthday',
    after: { one: 'until {count} day after it', other: 'until {count} days after it' },
    save: 'Save the offer',
    saved: 'Saved as version {version}.',
    version: 'Version {version}, saved {at}',
    conflict: 'Someone else saved the offer after you opened it. Reload to see their change, then make yours again.',
    reload: 'Reload',
    readOnly: 'Your role may read the birthday offer but not change it.',
  },
  ru: {
    title: 'Подарок ко дню рождения',
    intro: 'Подарок раз в год ко дню рождения клиента: баллы сразу или личный промокод, действующий всё окно. Patron выдаёт его каждый день тем клиентам, у кого начинается окно, по их часовому поясу, один раз в год.',
    back: 'Бонусы за действия',
    offer: 'Подарок',
    enabled: 'Дарить подарок ко дню рождения',
    enabledHint: 'Выключено — никто не получает, пока вы не включите снова.',
    kind: 'Что получает клиент',
    points: 'Баллы',
    promo_code: 'Личный промокод',
    pointsField: 'Баллы',
    window: 'Окно вокруг дня рождения',
    daysBefore: 'Дней до дня рождения',
    daysAfter: 'Дней после дня рождения',
    windowHint: 'По календарю клиента, от 0 до 60. 0 и 7: с дня рождения до недели после него.',
    timezone: 'Часовой пояс клиентов без своего',
    timezoneHint: 'Например, Europe/Moscow; клиенты со своим поясом получают подарок в свою полночь.',
    summary: 'Словами',
    summaryOff: 'Подарок выключен: никто его не получает.',
    summaryPoints: 'Каждый клиент получает {points} баллов {when}; баллы сгорают по правилам программы.',
    summaryCode: 'Каждый клиент получает личный код выбранной акции {when}, код действует {until}.',
    onDay: 'в день рождения',
    before: { one: 'за {count} день до дня рождения', few: 'за {count} дня до дня рождения', many: 'за {count} дней до дня рождения', other: 'за {count} дня до дня рождения' },
    untilDay: 'в день рождения',
    after: { one: 'ещё {count} день после него', few: 'ещё {count} дня после него', many: 'ещё {count} дней после него', other: 'ещё {count} дня после него' },
    save: 'Сохранить подарок',
    saved: 'Сохранено как версия {version}.',
    version: 'Версия {version}, сохранена {at}',
    conflict: 'Кто-то сохранил подарок после того, как вы его открыли. Обновите страницу, чтобы увидеть его изменение, и внесите своё снова.',
    reload: 'Обновить',
    readOnly: 'Ваша роль может читать подарок ко дню рождения, но не менять его.',
  },
});

type Form = { enabled: boolean; kind: 'points' | 'promo_code'; points: string; promotionId: string; daysBefore: string; daysAfter: string; timezone: string };

const formOf = (offer: BirthdayOffer): Form => ({
  enabled: offer.enabled,
  kind: offer.benefit.kind,
  points: offer.benefit.kind === 'points' ? String(offer.benefit.points) : '',
  promotionId: offer.benefit.kind === 'promo_code' ? offer.benefit.promotionId : '',
  daysBefore: String(offer.daysBefore),
  daysAfter: String(offer.daysAfter),
  timezone: offer.defaultTimezone,
});

const bodyOf = (form: Form, version: number) => ({
  enabled: form.enabled,
  benefit: form.kind === 'points' ? { kind: 'points', points: numberOf(form.points) ?? '' } : { kind: 'promo_code', promotionId: form.promotionId },
  daysBefore: numberOf(form.daysBefore) ?? '',
  daysAfter: numberOf(form.daysAfter) ?? '',
  defaultTimezone: form.timezone.trim(),
  version,
});

export default function BirthdayOfferPage() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { resource: offer, draft: form, setDraft: setForm, error, savedVersion, conflict, save } = useVersionedForm({ path: '/v1/birthday-offer', draftOf: formOf, bodyOf, conflictCode: 'birthday_offer.version_conflict' });
  const mayWrite = can('engagement:write');
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);

  if (offer.error) return <ErrorNote error={offer.error} onRetry={offer.reload} />;
  if (!form || !offer.data) return <Loading />;
  const current = offer.data;
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const shown = ['points', 'promotionId', 'daysBefore', 'daysAfter', 'defaultTimezone'];
  const unplaced = error && !conflict && !shown.some((name) => problem(name)) ? error : null;

  const numberField = (key: 'points' | 'daysBefore' | 'daysAfter', label: string, errorName: string) => (
    <Field label={label} error={problem(errorName)}>
      {(props) => <input {...props} inputMode="numeric" value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );
  const before = Number(form.daysBefore) || 0;
  const after = Number(form.daysAfter) || 0;
  const when = before > 0 ? t('before', { count: before }) : t('onDay');
  const summary = !form.enabled
    ? t('summaryOff')
    : form.kind === 'points'
      ? t('summaryPoints', { points: form.points || '?', when })
      : t('summaryCode', { when, until: after > 0 ? t('after', { count: after }) : t('untilDay') });

  return (
    <Page title={t('title')} intro={t('intro')} actions={<Link to="/program/action-rules">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      <p className="muted">{t('version', { version: current.version, at: format.dateTime(current.updatedAt) })}</p>
      <form className="form engage-form" noValidate onSubmit={(event) => void save(event)}>
        {savedVersion !== null ? <Notice tone="success">{t('saved', { version: savedVersion })}</Notice> : null}
        {conflict ? <ConflictAlert words={t('conflict')} reloadLabel={t('reload')} /> : null}
        <ErrorNote error={unplaced} />
        <fieldset className="plain" disabled={!mayWrite}>
          <Card title={t('offer')}>
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} aria-describedby="engage-birthday-enabled" /> {t('enabled')}
            </label>
            <p className="hint" id="engage-birthday-enabled">
              {t('enabledHint')}
            </p>
            <Field label={t('kind')} error={problem('kind')}>
              {(props) => (
                <select {...props} value={form.kind} onChange={(e) => set('kind', e.target.value as Form['kind'])}>
                  <option value="points">{t('points')}</option>
                  <option value="promo_code">{t('promo_code')}</option>
                </select>
              )}
            </Field>
            {form.kind === 'points' ? (
              numberField('points', t('pointsField'), 'points')
            ) : (
              <PromotionPicker value={form.promotionId} onChange={(id) => set('promotionId', id)} disabled={!mayWrite} error={problem('promotionId')} />
            )}
          </Card>
          <Card title={t('window')}>
            <p className="muted">{t('windowHint')}</p>
            <div className="form-row">
              {numberField('daysBefore', t('daysBefore'), 'daysBefore')}
              {numberField('daysAfter', t('daysAfter'), 'daysAfter')}
            </div>
            <Field label={t('timezone')} hint={t('timezoneHint')} error={problem('defaultTimezone')}>
              {(props) => <input {...props} list="engage-timezones" autoComplete="off" value={form.timezone} onChange={(e) => set('timezone', e.target.value)} />}
            </Field>
            <datalist id="engage-timezones">
              {zones.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
          </Card>
          <Card title={t('summary')}>
            <p>{summary}</p>
          </Card>
        </fieldset>
        {mayWrite ? (
          <div className="engage-save">
            <button type="submit" className="primary">
              {t('save')}
            </button>
          </div>
        ) : null}
      </form>
    </Page>
  );
}
