import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { CustomerPick, type PickedCustomer } from '../../components/messaging-customer-pick.tsx';
import { ExperimentResults } from '../../components/messaging-experiment.tsx';
import { Badge, Card, Empty, ErrorNote, Field, Loading, Notice, Page, Progress, Stat, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { AudienceFile } from './campaign-audience-file.tsx';
import { campaignStatusWords, statusTone } from './messaging-words.ts';
import type { Campaign, CampaignReport, Message, Segment } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    back: 'All campaigns',
    start: 'Start',
    pause: 'Pause',
    resume: 'Resume',
    cancel: 'Cancel the campaign',
    confirmCancel: 'Cancel this campaign? Messages not yet sent are dropped.',
    audience: 'Audience',
    segment: 'Segment',
    list: { one: 'A list of {count} customer', other: 'A list of {count} customers' },
    schedule: 'When',
    now: 'As soon as it starts',
    at: 'At {at}',
    local: '{date} at {time} in each customer’s zone',
    holdout: 'Control group',
    attribution: 'Attribution window',
    days: { one: '{count} day', other: '{count} days' },
    variants: 'Variants',
    variant: 'Variant {key} · {share}',
    progress: 'Progress',
    queuedOf: 'Messages queued',
    inAudience: 'In the audience',
    heldOut: 'Held out',
    toMessage: 'To message',
    queued: 'Queued',
    notStarted: 'Not started yet: start it when the test send looks right.',
    test: 'Test send',
    testHint: 'Sends one template of the campaign once, rendered for the chosen customer, to the address you give (or to the customer).',
    template: 'Template',
    to: 'Send to (your own address or phone)',
    send: 'Send a test',
    sent: 'The test is queued for {to}; the channel sends it within seconds.',
    sentCustomer: 'the customer',
    pickFirst: 'Pick a customer first: their data fills the template.',
    results: 'Results',
    resultsEmpty: 'No results yet',
    resultsHint: 'Results appear once the campaign has started: each arm’s sends, opens, clicks and purchases in the attribution window.',
    window: 'Purchases from {from} to {to}',
    windowOpen: 'the window is still open: the figures will grow',
    arm: 'Arm',
    control: 'Control',
    recipients: 'Recipients',
    sentCol: 'Sent',
    opened: 'Opened',
    clicked: 'Clicked',
    converted: 'Bought',
    revenue: 'Revenue',
    armsCaption: 'Each arm of the campaign',
    experiment: 'Experiment',
  },
  ru: {
    back: 'Все рассылки',
    start: 'Запустить',
    pause: 'Приостановить',
    resume: 'Продолжить',
    cancel: 'Отменить рассылку',
    confirmCancel: 'Отменить рассылку? Ещё не отправленные сообщения не уйдут.',
    audience: 'Получатели',
    segment: 'Сегмент',
    list: { one: 'Список из {count} клиента', other: 'Список из {count} клиентов' },
    schedule: 'Когда',
    now: 'Сразу после запуска',
    at: '{at}',
    local: '{date} в {time} по времени клиента',
    holdout: 'Контрольная группа',
    attribution: 'Окно атрибуции',
    days: { one: '{count} день', few: '{count} дня', many: '{count} дней', other: '{count} дня' },
    variants: 'Варианты',
    variant: 'Вариант {key} · {share}',
    progress: 'Ход отправки',
    queuedOf: 'Поставлено в очередь',
    inAudience: 'Получателей',
    heldOut: 'В контроле',
    toMessage: 'К отправке',
    queued: 'В очереди',
    notStarted: 'Ещё не запущена: запустите, когда тестовая отправка будет в порядке.',
    test: 'Тестовая отправка',
    testHint: 'Отправляет один шаблон рассылки один раз с данными выбранного клиента — на указанный адрес (или самому клиенту).',
    template: 'Шаблон',
    to: 'Куда отправить (ваш адрес или телефон)',
    send: 'Отправить тест',
    sent: 'Тест поставлен в очередь на {to}; канал отправит его через несколько секунд.',
    sentCustomer: 'адрес клиента',
    pickFirst: 'Сначала выберите клиента: шаблон заполняется его данными.',
    results: 'Результаты',
    resultsEmpty: 'Результатов пока нет',
    resultsHint: 'Результаты появятся после запуска: отправки, открытия, клики и покупки каждой группы в окне атрибуции.',
    window: 'Покупки с {from} по {to}',
    windowOpen: 'окно ещё открыто: цифры будут расти',
    arm: 'Группа',
    control: 'Контроль',
    recipients: 'Получатели',
    sentCol: 'Отправлено',
    opened: 'Открыли',
    clicked: 'Кликнули',
    converted: 'Купили',
    revenue: 'Выручка',
    armsCaption: 'Каждая группа рассылки',
    experiment: 'Эксперимент',
  },
});

const sending = (status: string) => status === 'running' || status === 'scheduled';

export default function CampaignPage({ params }: PageProps) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const id = params.id!;
  const loaded = useResource((signal) => api.get<Campaign>(`/v1/campaigns/${id}`, undefined, signal), [id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const campaign = loaded.data;
  const status = campaign?.status;

  // While it sends, read its progress every two seconds.
  useEffect(() => {
    if (!status || !sending(status)) return;
    const timer = setTimeout(loaded.reload, 2000);
    return () => clearTimeout(timer);
  }, [status, campaign, loaded.reload]);

  if (!campaign) return loaded.error ? <ErrorNote error={loaded.error} onRetry={loaded.reload} /> : <Loading />;

  const act = async (action: 'start' | 'pause' | 'resume' | 'cancel') => {
    if (action === 'cancel' && !window.confirm(t('confirmCancel'))) return;
    setBusy(true);
    setActionError(null);
    try {
      loaded.setData(await api.post<Campaign>(`/v1/campaigns/${id}/${action}`));
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  };
  const writable = can('messaging:write');
  const s = campaign.status;
  const actions = writable ? (
    <>
      {s === 'draft' ? <button type="button" className="primary" disabled={busy} onClick={() => void act('start')}>{t('start')}</button> : null}
      {s === 'running' || s === 'scheduled' ? <button type="button" disabled={busy} onClick={() => void act('pause')}>{t('pause')}</button> : null}
      {s === 'paused' ? <button type="button" className="primary" disabled={busy} onClick={() => void act('resume')}>{t('resume')}</button> : null}
      {s === 'draft' || s === 'scheduled' || s === 'running' || s === 'paused' ? <button type="button" className="danger" disabled={busy} onClick={() => void act('cancel')}>{t('cancel')}</button> : null}
    </>
  ) : null;
  const sc = campaign.schedule;
  const p = campaign.progress;
  const share = (bp: number) => format.percent(bp / 10_000, 2);

  return (
    <Page title={campaign.name} intro={<Badge tone={statusTone(s)}>{campaignStatusWords[locale][s] ?? s}</Badge>} actions={<>{actions}<Link to="/messaging/campaigns">{t('back')}</Link></>}>
      <ErrorNote error={actionError} />
      <Card title={t('progress')}>
        {p.toMessage === null ? (
          <p className="muted">{t('notStarted')}</p>
        ) : (
          <>
            <Progress value={p.toMessage > 0 ? p.queued / p.toMessage : s === 'completed' ? 1 : null} label={t('queuedOf')} />
            <div className="stats">
              <Stat label={t('inAudience')} value={format.number(p.audience ?? 0)} />
              <Stat label={t('heldOut')} value={format.number(p.control ?? 0)} />
              <Stat label={t('toMessage')} value={format.number(p.toMessage)} />
              <Stat label={t('queued')} value={format.number(p.queued)} />
            </div>
          </>
        )}
      </Card>
      <div className="messaging-split">
        <Card title={t('audience')}>
          <dl className="facts">
            <dt>{t('audience')}</dt>
            <dd>{campaign.audience.kind === 'segment' ? <SegmentName id={campaign.audience.segmentId!} /> : t('list', { count: campaign.progress.audience ?? campaign.audience.listSize ?? 0 })}</dd>
            <dt>{t('schedule')}</dt>
            <dd>{sc.kind === 'now' ? t('now') : sc.kind === 'at' ? t('at', { at: format.dateTime(sc.at) }) : t('local', { date: format.date(`${sc.date}T12:00:00Z`), time: sc.time })}</dd>
            <dt>{t('holdout')}</dt>
            <dd>{share(campaign.controlShareBp)}</dd>
            <dt>{t('attribution')}</dt>
            <dd>{t('days', { count: campaign.attributionDays })}</dd>
            <dt>{t('variants')}</dt>
            <dd>
              <ul className="plain-list">
                {campaign.variants.map((v) => (
                  <li key={v.key}>
                    {t('variant', { key: v.key, share: share(v.weightBp) })}:{' '}
                    {v.steps.map((step, i) => (
                      <span key={step.templateId}>
                        {i > 0 ? ' → ' : ''}
                        <Link to={`/messaging/templates/${step.templateId}`}><TemplateName id={step.templateId} /></Link>
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </Card>
        {writable ? <CampaignTest campaign={campaign} /> : null}
      </div>
      {s === 'draft' && writable ? <AudienceFile campaignId={id} onUploaded={loaded.reload} /> : null}
      {s === 'draft' ? null : <Results id={id} status={s} />}
    </Page>
  );
}

function SegmentName({ id }: { id: string }) {
  const segment = useResource((signal) => api.get<Segment>(`/v1/segments/${id}`, undefined, signal), [id]);
  return <>{segment.data?.name ?? id}</>;
}

function TemplateName({ id }: { id: string }) {
  const template = useResource((signal) => api.get<{ name: string }>(`/v1/templates/${id}`, undefined, signal), [id]);
  return <>{template.data?.name ?? id}</>;
}

function CampaignTest({ campaign }: { campaign: Campaign }) {
  const t = useText(text);
  const templateIds = [...new Set(campaign.variants.flatMap((v) => v.steps.map((s) => s.templateId)))];
  const [templateId, setTemplateId] = useState(templateIds[0] ?? '');
  const [customer, setCustomer] = useState<PickedCustomer | null>(null);
  const [to, setTo] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSent(null);
    if (!customer) {
      setError(new Error(t('pickFirst')));
      return;
    }
    setBusy(true);
    try {
      // A started campaign sends the versions it started with: the test sends the same.
      const version = campaign.variants.flatMap((v) => v.steps).find((step) => step.templateId === templateId)?.version;
      setSent(await api.post<Message>(`/v1/templates/${templateId}/test`, { customerId: customer.id, ...(version ? { version } : {}), ...(to.trim() ? { to: to.trim() } : {}) }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('test')}>
      <form className="form" noValidate onSubmit={(event) => void send(event)}>
        <p className="muted">{t('testHint')}</p>
        {templateIds.length > 1 ? (
          <Field label={t('template')}>
            {(props) => (
              <select {...props} value={templateId} onChange={(event) => setTemplateId(event.target.value)}>
                {templateIds.map((tid) => (
                  <option key={tid} value={tid}>
                    <TemplateName id={tid} />
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <CustomerPick value={customer} onChange={setCustomer} />
        <Field label={t('to')} error={fieldError(error, 'to')}>
          {(props) => <input {...props} value={to} onChange={(event) => setTo(event.target.value)} autoComplete="off" />}
        </Field>
        {error && !fieldError(error, 'to') ? <ErrorNote error={error} /> : null}
        {sent ? <Notice tone="success">{t('sent', { to: sent.recipient ?? t('sentCustomer') })}</Notice> : null}
        <button type="submit" className="secondary" disabled={busy}>
          {t('send')}
        </button>
      </form>
    </Card>
  );
}

function Results({ id, status }: { id: string; status: string }) {
  const t = useText(text);
  const format = useFormat();
  const report = useResource((signal) => api.get<CampaignReport>(`/v1/campaigns/${id}/report`, undefined, signal), [id, status]);
  if (report.loading && !report.data) return <Loading />;
  if (report.error) return <ErrorNote error={report.error} onRetry={report.reload} />;
  const r = report.data!;
  return (
    <Card title={t('results')}>
      {r.arms.length === 0 ? (
        <Empty title={t('resultsEmpty')}>{t('resultsHint')}</Empty>
      ) : (
        <>
          <p className="muted">
            {t('window', { from: format.date(r.window.from), to: format.date(r.window.to) })}
            {r.window.complete ? '' : ` — ${t('windowOpen')}`}
          </p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('armsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('arm')}</th>
                  <th scope="col" className="num">{t('recipients')}</th>
                  <th scope="col" className="num">{t('sentCol')}</th>
                  <th scope="col" className="num">{t('opened')}</th>
                  <th scope="col" className="num">{t('clicked')}</th>
                  <th scope="col" className="num">{t('converted')}</th>
                  <th scope="col" className="num">{t('revenue')}</th>
                </tr>
              </thead>
              <tbody>
                {r.arms.map((arm) => (
                  <tr key={arm.key}>
                    <th scope="row">{arm.key === 'control' ? t('control') : arm.key}</th>
                    <td className="num">{format.number(arm.recipients)}</td>
                    <td className="num">{format.number(arm.sent)}</td>
                    <td className="num">{format.number(arm.opened)}</td>
                    <td className="num">{format.number(arm.clicked)}</td>
                    <td className="num">{format.number(arm.converted)}</td>
                    <td className="num">{format.money(arm.revenueMinor, r.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {r.experiment && r.experiment.comparisons.length > 0 ? (
            <section aria-labelledby="experiment-heading">
              <h3 id="experiment-heading">{t('experiment')}</h3>
              <ExperimentResults experiment={r.experiment} currency={r.currency} />
            </section>
          ) : null}
        </>
      )}
    </Card>
  );
}
