import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, Empty, ErrorNote, Field, Page, fieldError } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { kindWords } from './messaging-words.ts';
import type { Campaign, Schedule, Segment, Template } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    title: 'New campaign',
    intro: 'Saved as a draft: you start it from its page, after a test send.',
    back: 'All campaigns',
    name: 'Name',
    audience: 'Audience',
    segment: 'Segment',
    audienceKind: 'Who gets it',
    bySegment: 'The members of a segment',
    byFile: 'A list from a CSV file',
    fileNext: 'Save the draft, then upload the file on the campaign’s page: its report says which lines matched no customer.',
    segmentHint: 'Its members when the campaign starts',
    pickSegment: 'Choose a segment',
    members: { one: '{name} · {count} member', other: '{name} · {count} members' },
    moreSegments: 'More segments',
    noSegments: 'No segments yet',
    noSegmentsHint: 'Make a segment of the customers to reach first (Segments), then come back.',
    noTemplates: 'No templates yet',
    noTemplatesHint: 'Write the message first in Templates, then come back.',
    variants: 'Variants and channels',
    variantsHint: 'One variant sends to everyone; two or more make an A/B test. Each variant’s channels are tried in order: a customer gets the first one that reaches them.',
    variant: 'Variant {key}',
    key: 'Name of the variant',
    share: 'Share of the messaged customers, %',
    channel: 'Template {n}',
    fallbackHint: 'Tried when the one above does not reach the customer',
    pickTemplate: 'Choose a template',
    addFallback: 'Add a fallback channel',
    removeStep: 'Remove template {n}',
    addVariant: 'Add a variant (A/B test)',
    removeVariant: 'Remove variant {key}',
    schedule: 'When to send',
    now: 'As soon as it starts',
    at: 'At a date and time',
    local: 'At a local time in each customer’s zone',
    atField: 'Date and time',
    date: 'Date',
    time: 'Local time',
    holdout: 'Control group, %',
    holdoutHint: 'Customers held out and sent nothing, to measure what the campaign changed; 10 % by default',
    attribution: 'Attribution window, days',
    attributionHint: 'Purchases this many days from the start count in the report',
    throttle: 'At most messages a minute (optional)',
    create: 'Save the draft',
    weightsSum: 'The variants’ shares must add up to 100 %; now {sum} %.',
  },
  ru: {
    title: 'Новая рассылка',
    intro: 'Сохраняется черновиком: запустите её со страницы рассылки после тестовой отправки.',
    back: 'Все рассылки',
    name: 'Название',
    audience: 'Получатели',
    segment: 'Сегмент',
    audienceKind: 'Кому',
    bySegment: 'Участникам сегмента',
    byFile: 'Списку из CSV-файла',
    fileNext: 'Сохраните черновик и загрузите файл на странице рассылки: отчёт покажет строки, для которых не нашлось клиента.',
    segmentHint: 'Его участники на момент запуска',
    pickSegment: 'Выберите сегмент',
    members: { one: '{name} · {count} участник', few: '{name} · {count} участника', many: '{name} · {count} участников', other: '{name} · {count} участника' },
    moreSegments: 'Ещё сегменты',
    noSegments: 'Сегментов пока нет',
    noSegmentsHint: 'Сначала создайте сегмент получателей (Сегменты) и вернитесь.',
    noTemplates: 'Шаблонов пока нет',
    noTemplatesHint: 'Сначала напишите сообщение в разделе «Шаблоны» и вернитесь.',
    variants: 'Варианты и каналы',
    variantsHint: 'Один вариант уходит всем; два и больше — это A/B-тест. Каналы варианта пробуются по порядку: клиент получает первый, который до него доходит.',
    variant: 'Вариант {key}',
    key: 'Имя варианта',
    share: 'Доля получателей, %',
    channel: 'Шаблон {n}',
    fallbackHint: 'Используется, если предыдущий не доходит до клиента',
    pickTemplate: 'Выберите шаблон',
    addFallback: 'Добавить запасной канал',
    removeStep: 'Убрать шаблон {n}',
    addVariant: 'Добавить вариант (A/B-тест)',
    removeVariant: 'Убрать вариант {key}',
    schedule: 'Когда отправить',
    now: 'Сразу после запуска',
    at: 'В заданные дату и время',
    local: 'В местное время каждого клиента',
    atField: 'Дата и время',
    date: 'Дата',
    time: 'Местное время',
    holdout: 'Контрольная группа, %',
    holdoutHint: 'Клиенты, которым ничего не отправляется, — чтобы измерить эффект рассылки; по умолчанию 10 %',
    attribution: 'Окно атрибуции, дней',
    attributionHint: 'Покупки за столько дней от запуска учитываются в отчёте',
    throttle: 'Не больше сообщений в минуту (необязательно)',
    create: 'Сохранить черновик',
    weightsSum: 'Доли вариантов должны давать в сумме 100 %; сейчас {sum} %.',
  },
});

type VariantDraft = { key: string; share: string; steps: string[] };
const letters = 'ABCDEFGHIJ';

export default function CampaignNew() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const segments = usePagedList<Segment>('/v1/segments', {}, 100);
  const templates = usePagedList<Template>('/v1/templates', {}, 200);
  const [name, setName] = useState('');
  const [audienceKind, setAudienceKind] = useState<'segment' | 'list'>('segment');
  const [segmentId, setSegmentId] = useState('');
  const [variants, setVariants] = useState<VariantDraft[]>([{ key: 'A', share: '100', steps: [''] }]);
  const [scheduleKind, setScheduleKind] = useState<Schedule['kind']>('now');
  const [at, setAt] = useState('');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('11:00');
  const [holdout, setHoldout] = useState('10');
  const [attribution, setAttribution] = useState('7');
  const [throttle, setThrottle] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const setVariant = (i: number, change: Partial<VariantDraft>) => setVariants(variants.map((v, j) => (j === i ? { ...v, ...change } : v)));
  const addVariant = () => {
    const next = [...variants, { key: letters[variants.length] ?? `V${variants.length + 1}`, share: '0', steps: [''] }];
    const even = Math.floor(100 / next.length);
    setVariants(next.map((v, i) => ({ ...v, share: String(i === 0 ? 100 - even * (next.length - 1) : even) })));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const sum = variants.reduce((total, v) => total + Number(v.share || 0), 0);
    if (Math.round(sum * 100) !== 10_000) {
      setError(new Error(t('weightsSum', { sum: format.number(sum) })));
      return;
    }
    const schedule: Schedule = scheduleKind === 'at' ? { kind: 'at', at: at ? new Date(at).toISOString() : '' } : scheduleKind === 'local' ? { kind: 'local', date, time } : { kind: 'now' };
    const body = {
      name,
      audience: audienceKind === 'list' ? { kind: 'list', customerIds: [] } : { kind: 'segment', segmentId },
      variants: variants.map((v) => ({ key: v.key, weightBp: Math.round(Number(v.share) * 100), steps: v.steps.map((templateId) => ({ templateId })) })),
      schedule,
      controlShareBp: Math.round(Number(holdout || 0) * 100),
      attributionDays: Number(attribution || 7),
      ...(throttle.trim() ? { throttlePerMinute: Number(throttle) } : {}),
    };
    setBusy(true);
    try {
      const created = await api.post<Campaign>('/v1/campaigns', body);
      navigate(`/messaging/campaigns/${created.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <Page title={t('title')} intro={t('intro')} actions={<Link to="/messaging/campaigns">{t('back')}</Link>}>
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        <Card>
          <Field label={t('name')} error={fieldError(error, 'name')}>
            {(props) => <input {...props} value={name} onChange={(event) => setName(event.target.value)} />}
          </Field>
        </Card>
        <Card title={t('audience')}>
          <Field label={t('audienceKind')}>
            {(props) => (
              <select {...props} value={audienceKind} onChange={(event) => setAudienceKind(event.target.value as 'segment' | 'list')}>
                <option value="segment">{t('bySegment')}</option>
                <option value="list">{t('byFile')}</option>
              </select>
            )}
          </Field>
          {audienceKind === 'list' ? (
            <p className="muted">{t('fileNext')}</p>
          ) : !segments.loading && segments.items.length === 0 && !segments.error ? (
            <Empty title={t('noSegments')}>{t('noSegmentsHint')}</Empty>
          ) : (
            <Field label={t('segment')} hint={t('segmentHint')} error={fieldError(error, 'segmentId', 'audience')}>
              {(props) => (
                <select {...props} value={segmentId} onChange={(event) => setSegmentId(event.target.value)}>
                  <option value="">{t('pickSegment')}</option>
                  {segments.items.map((s) => (
                    <option key={s.id} value={s.id}>
                      {t('members', { name: s.name, count: s.memberCount })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {audienceKind === 'segment' && segments.error ? <ErrorNote error={segments.error} onRetry={segments.reload} /> : null}
          {audienceKind === 'segment' && segments.hasMore ? (
            <button type="button" className="secondary" onClick={segments.loadMore}>
              {t('moreSegments')}
            </button>
          ) : null}
        </Card>
        <Card title={t('variants')}>
          <p className="muted">{t('variantsHint')}</p>
          {!templates.loading && templates.items.length === 0 && !templates.error ? <Empty title={t('noTemplates')}>{t('noTemplatesHint')}</Empty> : null}
          {templates.error ? <ErrorNote error={templates.error} onRetry={templates.reload} /> : null}
          {variants.map((variant, i) => (
            <fieldset key={i} className="variant">
              <legend>{t('variant', { key: variant.key })}</legend>
              <div className="form-row">
                <Field label={t('key')}>{(props) => <input {...props} value={variant.key} onChange={(event) => setVariant(i, { key: event.target.value })} />}</Field>
                <Field label={t('share')}>{(props) => <input {...props} inputMode="decimal" value={variant.share} onChange={(event) => setVariant(i, { share: event.target.value })} />}</Field>
              </div>
              {variant.steps.map((step, n) => (
                <div className="step-row" key={n}>
                  <Field label={t('channel', { n: n + 1 })} {...(n > 0 ? { hint: t('fallbackHint') } : {})}>
                    {(props) => (
                      <select {...props} value={step} onChange={(event) => setVariant(i, { steps: variant.steps.map((s, m) => (m === n ? event.target.value : s)) })}>
                        <option value="">{t('pickTemplate')}</option>
                        {templates.items.map((tpl) => (
                          <option key={tpl.id} value={tpl.id}>
                            {`${kindWords[locale][tpl.kind]} · ${tpl.name}`}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  {n > 0 ? (
                    <button type="button" className="link" onClick={() => setVariant(i, { steps: variant.steps.filter((_s, m) => m !== n) })}>
                      {t('removeStep', { n: n + 1 })}
                    </button>
                  ) : null}
                </div>
              ))}
              {variant.steps.length < 4 ? (
                <button type="button" className="secondary" onClick={() => setVariant(i, { steps: [...variant.steps, ''] })}>
                  {t('addFallback')}
                </button>
              ) : null}
              {variants.length > 1 ? (
                <button type="button" className="link" onClick={() => setVariants(variants.filter((_v, j) => j !== i))}>
                  {t('removeVariant', { key: variant.key })}
                </button>
              ) : null}
            </fieldset>
          ))}
          {variants.length < 10 ? (
            <button type="button" className="secondary" onClick={addVariant}>
              {t('addVariant')}
            </button>
          ) : null}
        </Card>
        <Card title={t('schedule')}>
          <fieldset className="plain schedule-choice">
            <legend className="visually-hidden">{t('schedule')}</legend>
            {(['now', 'at', 'local'] as const).map((kind) => (
              <label key={kind} className="inline">
                <input type="radio" name="schedule" value={kind} checked={scheduleKind === kind} onChange={() => setScheduleKind(kind)} /> {t(kind)}
              </label>
            ))}
          </fieldset>
          {scheduleKind === 'at' ? <Field label={t('atField')} error={fieldError(error, 'at')}>{(props) => <input {...props} type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} />}</Field> : null}
          {scheduleKind === 'local' ? (
            <div className="form-row">
              <Field label={t('date')} error={fieldError(error, 'date')}>{(props) => <input {...props} type="date" value={date} onChange={(event) => setDate(event.target.value)} />}</Field>
              <Field label={t('time')} error={fieldError(error, 'time')}>{(props) => <input {...props} type="time" value={time} onChange={(event) => setTime(event.target.value)} />}</Field>
            </div>
          ) : null}
          <div className="form-row">
            <Field label={t('holdout')} hint={t('holdoutHint')} error={fieldError(error, 'controlShareBp')}>{(props) => <input {...props} inputMode="decimal" value={holdout} onChange={(event) => setHoldout(event.target.value)} />}</Field>
            <Field label={t('attribution')} hint={t('attributionHint')} error={fieldError(error, 'attributionDays')}>{(props) => <input {...props} inputMode="numeric" value={attribution} onChange={(event) => setAttribution(event.target.value)} />}</Field>
            <Field label={t('throttle')} error={fieldError(error, 'throttlePerMinute')}>{(props) => <input {...props} inputMode="numeric" value={throttle} onChange={(event) => setThrottle(event.target.value)} />}</Field>
          </div>
        </Card>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('create')}
        </button>
      </form>
    </Page>
  );
}
