import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';

type Cap = { kind: 'email' | 'sms' | 'push' | 'telegram' | null; max: number; days: number };
type Policy = { caps: Cap[]; quietHours: { from: string; to: string } | null; defaultTimezone: string; defaultLocale: string; programName: string; publicUrl: string };
type GlobalControl = { shareBp: number; redrawEveryDays: number | null; drawnAt: string };

const text = defineText({
  en: {
    policy: 'Contact policy',
    policyIntro: 'Marketing messages wait out the quiet hours in the customer’s time zone, and stop at the caps; service messages (codes, receipts) are not held.',
    quietFrom: 'Quiet from (HH:MM)',
    quietTo: 'Quiet until (HH:MM)',
    quietHint: 'Leave both empty for no quiet hours',
    caps: 'Frequency caps',
    capKind: 'Kind of cap {n}',
    capMax: 'At most (cap {n})',
    capDays: 'In days (cap {n})',
    allKinds: 'All kinds together',
    removeCap: 'Remove cap {n}',
    addCap: 'Add a cap',
    noCaps: 'No caps: a customer may get any number of marketing messages.',
    timezone: 'Time zone of customers without one',
    save: 'Save the policy',
    saved: 'The contact policy is saved.',
    control: 'Global control group',
    controlIntro: 'Customers held out of all marketing, to measure what marketing adds.',
    share: 'Share held out, %',
    shareHint: 'From 0 (off) to 50',
    redraw: 'Draw new members every (days)',
    redrawHint: 'Leave empty to keep the group until redrawn',
    drawnAt: 'Drawn {date}',
    saveControl: 'Save the control group',
    controlSaved: 'The control group is saved.',
    email: 'E-mail',
    sms: 'SMS',
    push: 'Push',
    telegram: 'Telegram',
  },
  ru: {
    policy: 'Правила контактов',
    policyIntro: 'Рекламные сообщения пережидают тихие часы по времени клиента и останавливаются на лимитах; служебные (коды, чеки) не задерживаются.',
    quietFrom: 'Тихие часы с (ЧЧ:ММ)',
    quietTo: 'Тихие часы до (ЧЧ:ММ)',
    quietHint: 'Оставьте оба поля пустыми, если тихих часов нет',
    caps: 'Лимиты частоты',
    capKind: 'Вид лимита {n}',
    capMax: 'Не больше (лимит {n})',
    capDays: 'За дней (лимит {n})',
    allKinds: 'Все виды вместе',
    removeCap: 'Убрать лимит {n}',
    addCap: 'Добавить лимит',
    noCaps: 'Лимитов нет: клиент может получить сколько угодно рекламных сообщений.',
    timezone: 'Часовой пояс клиентов, у которых он не указан',
    save: 'Сохранить правила',
    saved: 'Правила контактов сохранены.',
    control: 'Глобальная контрольная группа',
    controlIntro: 'Клиенты, которым не отправляется никакой маркетинг, — чтобы измерить, что он даёт.',
    share: 'Доля в контроле, %',
    shareHint: 'От 0 (выключено) до 50',
    redraw: 'Переизбирать каждые (дней)',
    redrawHint: 'Оставьте пустым, чтобы группа сохранялась до ручного переизбрания',
    drawnAt: 'Выбрана {date}',
    saveControl: 'Сохранить контрольную группу',
    controlSaved: 'Контрольная группа сохранена.',
    email: 'Эл. почта',
    sms: 'SMS',
    push: 'Push',
    telegram: 'Telegram',
  },
});

/** The messaging policy (quiet hours, caps) and the global control group, editable with messaging:write. */
export function ContactPolicyCard() {
  const t = useText(text);
  const policy = useResource((signal) => api.get<Policy>('/v1/messaging/policy', undefined, signal), []);
  const control = useResource((signal) => api.get<GlobalControl>('/v1/experiments/global-control', undefined, signal), []);
  return (
    <>
      <Card title={t('policy')}>
        <p className="muted">{t('policyIntro')}</p>
        {policy.error ? <ErrorNote error={policy.error} onRetry={policy.reload} /> : policy.data ? <PolicyForm policy={policy.data} onSaved={policy.setData} /> : <Loading />}
      </Card>
      <Card title={t('control')}>
        <p className="muted">{t('controlIntro')}</p>
        {control.error ? <ErrorNote error={control.error} onRetry={control.reload} /> : control.data ? <ControlForm control={control.data} onSaved={control.setData} /> : <Loading />}
      </Card>
    </>
  );
}

function PolicyForm({ policy, onSaved }: { policy: Policy; onSaved: (policy: Policy) => void }) {
  const t = useText(text);
  const can = useCan();
  const readOnly = !can('messaging:write');
  const [from, setFrom] = useState(policy.quietHours?.from ?? '');
  const [to, setTo] = useState(policy.quietHours?.to ?? '');
  const [caps, setCaps] = useState(policy.caps.map((cap) => ({ kind: cap.kind ?? '', max: String(cap.max), days: String(cap.days) })));
  const [timezone, setTimezone] = useState(policy.defaultTimezone);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const body: Policy = {
        ...policy,
        quietHours: from.trim() || to.trim() ? { from: from.trim(), to: to.trim() } : null,
        caps: caps.map((cap) => ({ kind: (cap.kind || null) as Cap['kind'], max: Number(cap.max), days: Number(cap.days) })),
        defaultTimezone: timezone.trim(),
      };
      onSaved(await api.put<Policy>('/v1/messaging/policy', body));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  };
  const quietError = fieldError(error, 'quietHours', 'from', 'to');
  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate>
      {saved ? <Notice tone="success">{t('saved')}</Notice> : null}
      <ErrorNote error={error} />
      <fieldset disabled={readOnly}>
        <div className="form-row">
          <Field label={t('quietFrom')} hint={t('quietHint')} error={quietError}>
            {(props) => <input {...props} value={from} placeholder="21:00" onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label={t('quietTo')}>{(props) => <input {...props} value={to} placeholder="09:00" onChange={(e) => setTo(e.target.value)} />}</Field>
        </div>
        <Field label={t('timezone')} error={fieldError(error, 'defaultTimezone')}>
          {(props) => <input {...props} value={timezone} onChange={(e) => setTimezone(e.target.value)} />}
        </Field>
        <h3>{t('caps')}</h3>
        {caps.length === 0 ? <p className="muted">{t('noCaps')}</p> : null}
        {caps.map((cap, i) => {
          const n = String(i + 1);
          const update = (patch: Partial<typeof cap>) => setCaps(caps.map((c, j) => (j === i ? { ...c, ...patch } : c)));
          return (
            <div className="form-row" key={i}>
              <Field label={t('capKind', { n })}>
                {(props) => (
                  <select {...props} value={cap.kind} onChange={(e) => update({ kind: e.target.value })}>
                    <option value="">{t('allKinds')}</option>
                    {(['email', 'sms', 'push', 'telegram'] as const).map((kind) => (
                      <option key={kind} value={kind}>
                        {t(kind)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('capMax', { n })}>{(props) => <input {...props} inputMode="numeric" value={cap.max} onChange={(e) => update({ max: e.target.value })} />}</Field>
              <Field label={t('capDays', { n })}>{(props) => <input {...props} inputMode="numeric" value={cap.days} onChange={(e) => update({ days: e.target.value })} />}</Field>
              {readOnly ? null : (
                <button type="button" className="secondary" onClick={() => setCaps(caps.filter((_, j) => j !== i))}>
                  {t('removeCap', { n })}
                </button>
              )}
            </div>
          );
        })}
      </fieldset>
      {readOnly ? null : (
        <div className="row-actions">
          <button type="button" className="secondary" onClick={() => setCaps([...caps, { kind: '', max: '4', days: '7' }])}>
            {t('addCap')}
          </button>
          <button type="submit" className="primary">
            {t('save')}
          </button>
        </div>
      )}
    </form>
  );
}

function ControlForm({ control, onSaved }: { control: GlobalControl; onSaved: (control: GlobalControl) => void }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const readOnly = !can('messaging:write');
  const [share, setShare] = useState(String(control.shareBp / 100));
  const [redraw, setRedraw] = useState(control.redrawEveryDays === null ? '' : String(control.redrawEveryDays));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const shareBp = Math.round(Number(share.replace(',', '.')) * 100);
      onSaved(await api.put<GlobalControl>('/v1/experiments/global-control', { shareBp, redrawEveryDays: redraw.trim() ? Number(redraw) : null }));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form className="form narrow" onSubmit={(event) => void submit(event)} noValidate>
      {saved ? <Notice tone="success">{t('controlSaved')}</Notice> : null}
      <ErrorNote error={fieldError(error, 'shareBp', 'redrawEveryDays') ? null : error} />
      <fieldset disabled={readOnly}>
        <Field label={t('share')} hint={t('shareHint')} error={fieldError(error, 'shareBp')}>
          {(props) => <input {...props} inputMode="decimal" value={share} onChange={(e) => setShare(e.target.value)} />}
        </Field>
        <Field label={t('redraw')} hint={t('redrawHint')} error={fieldError(error, 'redrawEveryDays')}>
          {(props) => <input {...props} inputMode="numeric" value={redraw} onChange={(e) => setRedraw(e.target.value)} />}
        </Field>
      </fieldset>
      <p className="muted">{t('drawnAt', { date: format.dateTime(control.drawnAt) })}</p>
      {readOnly ? null : (
        <button type="submit" className="primary">
          {t('saveControl')}
        </button>
      )}
    </form>
  );
}
