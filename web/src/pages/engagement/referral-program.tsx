import { ConflictAlert, useVersionedForm } from '../../components/versioned-form.tsx';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { numberOf, type ReferralProgram } from './engagement-types.ts';
import './engagement.css';

const text = defineText({
  en: {
    title: 'Referral program',
    intro: 'Customers bring friends: every customer has a referral code; a new customer who names it and then makes a qualifying first purchase brings points to both.',
    how: 'How it works now',
    off: 'The program is off: codes still show, but no new customer can name a referrer.',
    step1: { one: 'A new customer names a friend’s code at the till, in the app or on the site, within {count} day of joining and before their first purchase.', other: 'A new customer names a friend’s code at the till, in the app or on the site, within {count} days of joining and before their first purchase.' },
    step2: { one: 'Within {count} day of that, they make a purchase of at least {amount} (after discounts and points, less returns).', other: 'Within {count} days of that, they make a purchase of at least {amount} (after discounts and points, less returns).' },
    step3: 'When that purchase can no longer be returned (the program’s pending period) and still stands, the friend who invited gets {referrer} points and the new customer {referee} points.',
    capMonthText: { one: 'One customer may bring at most {count} friend a calendar month.', other: 'One customer may bring at most {count} friends a calendar month.' },
    capTotalText: { one: 'One customer may bring at most {count} friend in all.', other: 'One customer may bring at most {count} friends in all.' },
    noCaps: 'There is no limit to the friends one customer may bring.',
    terms: 'A referral keeps the terms of the day the code was named: changing them here does not change a promise already given.',
    fraud: 'Against self-referral',
    fraudText: 'Patron refuses a code when the new customer looks like the one who shared it: the same phone or e-mail now or before (an e-mail’s +tag and Gmail’s dots do not hide it), the same device or payment card where the app or till sends them. It keeps only keyed hashes of these, never the values. The limits below stop a farm of fake accounts: every customer brought counts, whether they bought or not.',
    rewards: 'Rewards',
    enabled: 'The program is on: new customers may name a referrer',
    referrerPoints: 'Points to the friend who invited',
    refereePoints: 'Points to the new customer',
    qualifying: 'Least qualifying purchase',
    qualifyingHint: 'In the program’s currency; 0: any purchase',
    timing: 'Deadlines',
    joinWindowDays: 'Days after joining to name a referrer',
    qualifyWithinDays: 'Days after naming to make the purchase',
    limits: 'Limits per referrer',
    capMonth: 'Friends a month',
    capTotal: 'Friends in all',
    capHint: '0: no limit',
    link: 'Link to share',
    linkTemplate: 'Link template',
    linkHint: 'An address with {code} where the code goes, like https://shop.example/r/{code}; empty: codes only.',
    save: 'Save the program',
    saved: 'Saved as version {version}.',
    version: 'Version {version}, saved {at}',
    never: 'Version {version}, the defaults (never saved)',
    conflict: 'Someone else saved the program after you opened it. Reload to see their change, then make yours again.',
    reload: 'Reload',
    readOnly: 'Your role may read the referral program but not change it.',
    figures: 'Each customer’s code and the friends they brought are on the customer’s page:',
    customers: 'Customers',
  },
  ru: {
    title: 'Реферальная программа',
    intro: 'Клиенты приводят друзей: у каждого клиента есть реферальный код; новый клиент, который назвал его и сделал подходящую первую покупку, приносит баллы обоим.',
    how: 'Как это работает сейчас',
    off: 'Программа выключена: коды видны, но новый клиент не может назвать пригласившего.',
    step1: { one: 'Новый клиент называет код друга на кассе, в приложении или на сайте — не позже чем через {count} день после вступления и до первой покупки.', few: 'Новый клиент называет код друга на кассе, в приложении или на сайте — не позже чем через {count} дня после вступления и до первой покупки.', many: 'Новый клиент называет код друга на кассе, в приложении или на сайте — не позже чем через {count} дней после вступления и до первой покупки.', other: 'Новый клиент называет код друга на кассе, в приложении или на сайте — не позже чем через {count} дня после вступления и до первой покупки.' },
    step2: { one: 'В течение {count} дня после этого он покупает на сумму от {amount} (после скидок и баллов, за вычетом возвратов).', few: 'В течение {count} дней после этого он покупает на сумму от {amount} (после скидок и баллов, за вычетом возвратов).', many: 'В течение {count} дней после этого он покупает на сумму от {amount} (после скидок и баллов, за вычетом возвратов).', other: 'В течение {count} дня после этого он покупает на сумму от {amount} (после скидок и баллов, за вычетом возвратов).' },
    step3: 'Когда покупку уже нельзя вернуть (срок ожидания программы) и она осталась в силе, пригласивший получает {referrer} баллов, а новый клиент — {referee} баллов.',
    capMonthText: { one: 'Один клиент может привести не больше {count} друга за календарный месяц.', few: 'Один клиент может привести не больше {count} друзей за календарный месяц.', many: 'Один клиент может привести не больше {count} друзей за календарный месяц.', other: 'Один клиент может привести не больше {count} друга за календарный месяц.' },
    capTotalText: { one: 'Один клиент может привести не больше {count} друга всего.', few: 'Один клиент может привести не больше {count} друзей всего.', many: 'Один клиент может привести не больше {count} друзей всего.', other: 'Один клиент может привести не больше {count} друга всего.' },
    noCaps: 'Число друзей, которых может привести один клиент, не ограничено.',
    terms: 'Приглашение сохраняет условия дня, когда назвали код: изменение здесь не меняет уже данного обещания.',
    fraud: 'Защита от самоприглашения',
    fraudText: 'Patron отклоняет код, если новый клиент похож на того, кто им поделился: тот же телефон или почта сейчас или раньше (+метка в адресе и точки в Gmail не помогают), то же устройство или та же платёжная карта, если их передают приложение или касса. Хранятся только хеши с ключом, не сами значения. Ограничения ниже останавливают ферму поддельных аккаунтов: считается каждый приведённый, купил он или нет.',
    rewards: 'Награды',
    enabled: 'Программа включена: новые клиенты могут назвать пригласившего',
    referrerPoints: 'Баллы пригласившему другу',
    refereePoints: 'Баллы новому клиенту',
    qualifying: 'Наименьшая подходящая покупка',
    qualifyingHint: 'В валюте программы; 0 — любая покупка',
    timing: 'Сроки',
    joinWindowDays: 'Дней после вступления, чтобы назвать пригласившего',
    qualifyWithinDays: 'Дней после этого, чтобы сделать покупку',
    limits: 'Ограничения на одного пригласившего',
    capMonth: 'Друзей в месяц',
    capTotal: 'Друзей всего',
    capHint: '0 — без ограничения',
    link: 'Ссылка, которой делятся',
    linkTemplate: 'Шаблон ссылки',
    linkHint: 'Адрес с {code} на месте кода, например https://shop.example/r/{code}; пусто — только коды.',
    save: 'Сохранить программу',
    saved: 'Сохранено как версия {version}.',
    version: 'Версия {version}, сохранена {at}',
    never: 'Версия {version}, настройки по умолчанию (ещё не сохранялись)',
    conflict: 'Кто-то сохранил программу после того, как вы её открыли. Обновите страницу, чтобы увидеть его изменение, и внесите своё снова.',
    reload: 'Обновить',
    readOnly: 'Ваша роль может читать реферальную программу, но не менять её.',
    figures: 'Код каждого клиента и приведённые им друзья — на странице клиента:',
    customers: 'Клиенты',
  },
});

type Key = 'referrerPoints' | 'refereePoints' | 'qualifying' | 'joinWindowDays' | 'qualifyWithinDays' | 'capMonth' | 'capTotal' | 'linkTemplate';
type Form = Record<Key, string> & { enabled: boolean };

const formOf = (p: ReferralProgram): Form => ({
  enabled: p.enabled,
  referrerPoints: String(p.referrerPoints),
  refereePoints: String(p.refereePoints),
  qualifying: String(p.qualifyingPurchaseMinor / 100),
  joinWindowDays: String(p.joinWindowDays),
  qualifyWithinDays: String(p.qualifyWithinDays),
  capMonth: String(p.capPerReferrerPerMonth),
  capTotal: String(p.capPerReferrerTotal),
  linkTemplate: p.linkTemplate ?? '',
});

/** PUT replaces the whole document: an empty link template is left out, which removes it. */
const bodyOf = (f: Form, version: number) => ({
  enabled: f.enabled,
  referrerPoints: numberOf(f.referrerPoints) ?? '',
  refereePoints: numberOf(f.refereePoints) ?? '',
  qualifyingPurchaseMinor: numberOf(f.qualifying, 100) ?? '',
  joinWindowDays: numberOf(f.joinWindowDays) ?? '',
  qualifyWithinDays: numberOf(f.qualifyWithinDays) ?? '',
  capPerReferrerPerMonth: numberOf(f.capMonth) ?? '',
  capPerReferrerTotal: numberOf(f.capTotal) ?? '',
  ...(f.linkTemplate.trim() ? { linkTemplate: f.linkTemplate.trim() } : {}),
  version,
});

export default function ReferralProgramPage() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { resource: program, draft: form, setDraft: setForm, error, savedVersion, conflict, save } = useVersionedForm({ path: '/v1/referral-program', draftOf: formOf, bodyOf, conflictCode: 'referral_program.version_conflict' });
  const mayWrite = can('program:write');

  if (program.error) return <ErrorNote error={program.error} onRetry={program.reload} />;
  if (!form || !program.data) return <Loading />;
  const current = program.data;
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const shown = ['referrerPoints', 'refereePoints', 'qualifyingPurchaseMinor', 'joinWindowDays', 'qualifyWithinDays', 'capPerReferrerPerMonth', 'capPerReferrerTotal', 'linkTemplate'];
  const unplaced = error && !conflict && !shown.some((name) => problem(name)) ? error : null;

  const input = (key: Key, label: string, errorName: string, hint?: string) => (
    <Field label={label} hint={hint} error={problem(errorName)}>
      {(props) => <input {...props} inputMode={key === 'linkTemplate' ? 'url' : 'decimal'} value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );
  // The explanation reads the saved program, so it says what customers meet now.
  const caps = [
    current.capPerReferrerPerMonth > 0 ? t('capMonthText', { count: current.capPerReferrerPerMonth }) : null,
    current.capPerReferrerTotal > 0 ? t('capTotalText', { count: current.capPerReferrerTotal }) : null,
  ].filter(Boolean);

  return (
    <Page title={t('title')} intro={t('intro')}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      <Card title={t('how')}>
        {current.enabled ? null : <Notice tone="warning">{t('off')}</Notice>}
        <div className="engage-how">
          <ol>
            <li>{t('step1', { count: current.joinWindowDays })}</li>
            <li>{t('step2', { count: current.qualifyWithinDays, amount: format.money(current.qualifyingPurchaseMinor) })}</li>
            <li>{t('step3', { referrer: format.number(current.referrerPoints), referee: format.number(current.refereePoints) })}</li>
            <li>{caps.length ? caps.join(' ') : t('noCaps')}</li>
          </ol>
          <p className="muted">{t('terms')}</p>
          <p className="muted">
            {t('figures')} <Link to="/customers">{t('customers')}</Link>
          </p>
        </div>
      </Card>
      <Card title={t('fraud')}>
        <p>{t('fraudText')}</p>
      </Card>
      <p className="muted">{current.updatedAt ? t('version', { version: current.version, at: format.dateTime(current.updatedAt) }) : t('never', { version: current.version })}</p>
      <form className="form engage-form" noValidate onSubmit={(event) => void save(event)}>
        {savedVersion !== null ? <Notice tone="success">{t('saved', { version: savedVersion })}</Notice> : null}
        {conflict ? <ConflictAlert words={t('conflict')} reloadLabel={t('reload')} /> : null}
        <ErrorNote error={unplaced} />
        <fieldset className="plain" disabled={!mayWrite}>
          <Card title={t('rewards')}>
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> {t('enabled')}
            </label>
            <div className="form-row">
              {input('referrerPoints', t('referrerPoints'), 'referrerPoints')}
              {input('refereePoints', t('refereePoints'), 'refereePoints')}
              {input('qualifying', t('qualifying'), 'qualifyingPurchaseMinor', t('qualifyingHint'))}
            </div>
          </Card>
          <Card title={t('timing')}>
            <div className="form-row">
              {input('joinWindowDays', t('joinWindowDays'), 'joinWindowDays')}
              {input('qualifyWithinDays', t('qualifyWithinDays'), 'qualifyWithinDays')}
            </div>
          </Card>
          <Card title={t('limits')}>
            <div className="form-row">
              {input('capMonth', t('capMonth'), 'capPerReferrerPerMonth', t('capHint'))}
              {input('capTotal', t('capTotal'), 'capPerReferrerTotal', t('capHint'))}
            </div>
          </Card>
          <Card title={t('link')}>{input('linkTemplate', t('linkTemplate'), 'linkTemplate', t('linkHint'))}</Card>
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
