import { usePagedList } from '../../data.ts';
import { ErrorNote, Field } from '../../components/ui.tsx';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { END, NEXT, conditionKinds, contextOps, type StepDraft, type WaitUnit } from './journey-draft.ts';
import { kindWords } from './messaging-words.ts';
import type { Template } from './messaging-types.ts';

export const stepText = defineText({
  en: {
    wait: 'Wait',
    condition: 'Check',
    send: 'Send a message',
    award_points: 'Award points',
    promo_code: 'Give a personal code',
    tag: 'Tag the customer',
    webhook: 'Call a webhook',
    exit: 'Leave the journey',
    stepTitle: 'Step {n}: {kind}',
    up: 'Move step {n} up',
    down: 'Move step {n} down',
    remove: 'Remove step {n}',
    amount: 'Wait for',
    amountHint: 'Leave empty to wait only until a time of day',
    unit: 'Unit',
    minutes: 'minutes',
    hours: 'hours',
    days: 'days',
    until: 'Then until (HH:MM, the customer’s zone)',
    untilHint: 'Optional: 10:00 sends in the morning wherever the customer lives',
    template: 'Template',
    chooseTemplate: 'Choose a template',
    points: 'Points',
    reason: 'Reason (shown in the ledger)',
    promotion: 'Promotion',
    choosePromotion: 'Choose a promotion',
    validDays: 'Code valid for, days',
    tagName: 'Tag',
    webhookId: 'Webhook',
    chooseWebhook: 'Choose a webhook',
    check: 'What to check',
    purchased_since_entry: 'Bought since entering',
    segment: 'Is in a segment',
    has_contact: 'Has a contact on a channel',
    context: 'A value of the starting event',
    answer: 'Is it',
    yesWord: 'yes',
    noWord: 'no',
    segmentId: 'Segment',
    chooseSegment: 'Choose a segment',
    channel: 'Channel',
    path: 'Event value (dotted path)',
    pathHint: 'For example points or type',
    op: 'Comparison',
    eq: 'equals', ne: 'differs from', gt: 'is above', gte: 'is at least', lt: 'is below', lte: 'is at most', present: 'is given',
    value: 'Value',
    then: 'Then',
    ifYes: 'If yes',
    ifNo: 'If no',
    toNext: 'Go to the step below',
    toEnd: 'End the journey',
    toStep: 'Go to step {n}: {kind}',
    more: 'Show more',
    exitNote: 'The customer leaves here; nothing follows.',
  },
  ru: {
    wait: 'Пауза',
    condition: 'Проверка',
    send: 'Отправить сообщение',
    award_points: 'Начислить баллы',
    promo_code: 'Выдать личный код',
    tag: 'Пометить клиента',
    webhook: 'Вызвать вебхук',
    exit: 'Выйти из цепочки',
    stepTitle: 'Шаг {n}: {kind}',
    up: 'Поднять шаг {n}',
    down: 'Опустить шаг {n}',
    remove: 'Удалить шаг {n}',
    amount: 'Ждать',
    amountHint: 'Оставьте пустым, чтобы ждать только до времени суток',
    unit: 'Единица',
    minutes: 'минут',
    hours: 'часов',
    days: 'дней',
    until: 'Затем до (ЧЧ:ММ, по времени клиента)',
    untilHint: 'Необязательно: 10:00 — утром, где бы клиент ни жил',
    template: 'Шаблон',
    chooseTemplate: 'Выберите шаблон',
    points: 'Баллы',
    reason: 'Причина (видна в истории баллов)',
    promotion: 'Акция',
    choosePromotion: 'Выберите акцию',
    validDays: 'Код действует, дней',
    tagName: 'Метка',
    webhookId: 'Вебхук',
    chooseWebhook: 'Выберите вебхук',
    check: 'Что проверить',
    purchased_since_entry: 'Купил после входа',
    segment: 'Состоит в сегменте',
    has_contact: 'Есть контакт в канале',
    context: 'Значение из события запуска',
    answer: 'Ответ',
    yesWord: 'да',
    noWord: 'нет',
    segmentId: 'Сегмент',
    chooseSegment: 'Выберите сегмент',
    channel: 'Канал',
    path: 'Значение события (путь через точку)',
    pathHint: 'Например, points или type',
    op: 'Сравнение',
    eq: 'равно', ne: 'не равно', gt: 'больше', gte: 'не меньше', lt: 'меньше', lte: 'не больше', present: 'указано',
    value: 'Значение',
    then: 'Затем',
    ifYes: 'Если да',
    ifNo: 'Если нет',
    toNext: 'К шагу ниже',
    toEnd: 'Завершить цепочку',
    toStep: 'К шагу {n}: {kind}',
    more: 'Показать ещё',
    exitNote: 'Клиент выходит здесь; дальше ничего нет.',
  },
});

/** The fields of a step the server may name that StepFields shows at their input; others are said over the step. */
export const placedFields: ReadonlySet<string> = new Set(['minutes', 'untilLocalTime', 'templateId', 'points', 'reason', 'promotionId', 'validDays', 'tag', 'webhookId', 'if', 'if.segmentId', 'if.path', 'if.op', 'if.value', 'next', 'then', 'else']);

type Named = { id: string; name?: string; title?: string; url?: string };

/**
 * A choice of a saved thing (segment, promotion, webhook) a page at a time from its list route;
 * a role that may not list them types the id instead.
 */
export function RefSelect({ label, path, permission, value, onChange, placeholder, error }: { label: string; path: string; permission: string; value: string; onChange: (id: string) => void; placeholder: string; error?: string | null }) {
  const can = useCan();
  if (!can(permission)) {
    return <Field label={label} error={error ?? null}>{(props) => <input {...props} value={value} onChange={(event) => onChange(event.target.value.trim())} />}</Field>;
  }
  return <ListedSelect label={label} path={path} value={value} onChange={onChange} placeholder={placeholder} error={error ?? null} />;
}

function ListedSelect({ label, path, value, onChange, placeholder, error }: { label: string; path: string; value: string; onChange: (id: string) => void; placeholder: string; error: string | null }) {
  const t = useText(stepText);
  const list = usePagedList<Named>(path, {}, 100);
  const known = list.items.some((item) => item.id === value);
  return (
    <>
      <Field label={label} error={error}>
        {(props) => (
          <select {...props} value={value} onChange={(event) => onChange(event.target.value)}>
            <option value="">{placeholder}</option>
            {value && !known ? <option value={value}>{value}</option> : null}
            {list.items.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name ?? item.title ?? item.url ?? item.id}
              </option>
            ))}
          </select>
        )}
      </Field>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.hasMore ? (
        <button type="button" className="secondary" onClick={list.loadMore}>
          {t('more')}
        </button>
      ) : null}
    </>
  );
}

/** One step's settings and where it leads; `problems` are the server's words about it by field ('' for the step as a whole). */
export function StepFields({ step, index, steps, templates, problems, onChange }: {
  step: StepDraft;
  index: number;
  steps: StepDraft[];
  templates: Template[];
  problems: Map<string, string> | undefined;
  onChange: (step: StepDraft) => void;
}) {
  const t = useText(stepText);
  const { locale } = useLocale();
  const at = (field: string) => problems?.get(field) ?? null;
  const set = (patch: Partial<StepDraft>) => onChange({ ...step, ...patch });
  const setIf = (patch: Partial<StepDraft['condition']>) => onChange({ ...step, condition: { ...step.condition, ...patch } });
  const later = steps.slice(index + 1);
  const goto = (label: string, value: string, change: (value: string) => void, error: string | null) => (
    <Field label={label} error={error}>
      {(props) => (
        <select {...props} value={value} onChange={(event) => change(event.target.value)}>
          <option value={NEXT}>{t('toNext')}</option>
          <option value={END}>{t('toEnd')}</option>
          {later.map((s, i) => (
            <option key={s.id} value={s.id}>
              {t('toStep', { n: index + i + 2, kind: t(s.kind) })}
            </option>
          ))}
          {value !== NEXT && value !== END && !later.some((s) => s.id === value) ? <option value={value}>{value}</option> : null}
        </select>
      )}
    </Field>
  );
  const input = (label: string, field: keyof StepDraft, options: { hint?: string; mode?: 'numeric'; errorAt?: string } = {}) => (
    <Field label={label} error={at(options.errorAt ?? field)} {...(options.hint ? { hint: options.hint } : {})}>
      {(props) => <input {...props} inputMode={options.mode} value={step[field] as string} onChange={(event) => set({ [field]: event.target.value })} />}
    </Field>
  );

  const c = step.condition;
  return (
    <div className="builder-fields">
      {step.kind === 'wait' ? (
        <div className="form-row">
          {input(t('amount'), 'amount', { hint: t('amountHint'), mode: 'numeric', errorAt: 'minutes' })}
          <Field label={t('unit')}>
            {(props) => (
              <select {...props} value={step.unit} onChange={(event) => set({ unit: event.target.value as WaitUnit })}>
                {(['minutes', 'hours', 'days'] as const).map((u) => <option key={u} value={u}>{t(u)}</option>)}
              </select>
            )}
          </Field>
          {input(t('until'), 'untilLocalTime', { hint: t('untilHint') })}
        </div>
      ) : null}
      {step.kind === 'send' ? (
        <Field label={t('template')} error={at('templateId')}>
          {(props) => (
            <select {...props} value={step.templateId} onChange={(event) => set({ templateId: event.target.value })}>
              <option value="">{t('chooseTemplate')}</option>
              {templates.map((tpl) => (
                <option key={tpl.id} value={tpl.id}>{`${tpl.name} · ${kindWords[locale][tpl.kind] ?? tpl.kind}`}</option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {step.kind === 'award_points' ? (
        <div className="form-row">
          {input(t('points'), 'points', { mode: 'numeric' })}
          {input(t('reason'), 'reason')}
        </div>
      ) : null}
      {step.kind === 'promo_code' ? (
        <div className="form-row">
          <RefSelect label={t('promotion')} path="/v1/promotions" permission="promotions:read" value={step.promotionId} onChange={(promotionId) => set({ promotionId })} placeholder={t('choosePromotion')} error={at('promotionId')} />
          {input(t('validDays'), 'validDays', { mode: 'numeric' })}
        </div>
      ) : null}
      {step.kind === 'tag' ? input(t('tagName'), 'tag') : null}
      {step.kind === 'webhook' ? (
        <RefSelect label={t('webhookId')} path="/v1/webhooks" permission="webhooks:manage" value={step.webhookId} onChange={(webhookId) => set({ webhookId })} placeholder={t('chooseWebhook')} error={at('webhookId')} />
      ) : null}
      {step.kind === 'condition' ? (
        <>
          <div className="form-row">
            <Field label={t('check')} error={at('if')}>
              {(props) => (
                <select {...props} value={c.kind} onChange={(event) => setIf({ kind: event.target.value as StepDraft['condition']['kind'] })}>
                  {conditionKinds.map((k) => <option key={k} value={k}>{t(k)}</option>)}
                </select>
              )}
            </Field>
            {c.kind !== 'context' ? (
              <Field label={t('answer')}>
                {(props) => (
                  <select {...props} value={c.yes ? 'yes' : 'no'} onChange={(event) => setIf({ yes: event.target.value === 'yes' })}>
                    <option value="yes">{t('yesWord')}</option>
                    <option value="no">{t('noWord')}</option>
                  </select>
                )}
              </Field>
            ) : null}
            {c.kind === 'segment' ? (
              <RefSelect label={t('segmentId')} path="/v1/segments" permission="segments:read" value={c.segmentId} onChange={(segmentId) => setIf({ segmentId })} placeholder={t('chooseSegment')} error={at('if.segmentId')} />
            ) : null}
            {c.kind === 'has_contact' ? (
              <Field label={t('channel')}>
                {(props) => (
                  <select {...props} value={c.channel} onChange={(event) => setIf({ channel: event.target.value as StepDraft['condition']['channel'] })}>
                    {(['email', 'sms', 'push', 'telegram'] as const).map((k) => <option key={k} value={k}>{kindWords[locale][k]}</option>)}
                  </select>
                )}
              </Field>
            ) : null}
          </div>
          {c.kind === 'context' ? (
            <div className="form-row">
              <Field label={t('path')} hint={t('pathHint')} error={at('if.path')}>{(props) => <input {...props} value={c.path} onChange={(event) => setIf({ path: event.target.value })} />}</Field>
              <Field label={t('op')} error={at('if.op')}>
                {(props) => (
                  <select {...props} value={c.op} onChange={(event) => setIf({ op: event.target.value as StepDraft['condition']['op'] })}>
                    {contextOps.map((op) => <option key={op} value={op}>{t(op)}</option>)}
                  </select>
                )}
              </Field>
              {c.op !== 'present' ? <Field label={t('value')} error={at('if.value')}>{(props) => <input {...props} value={c.value} onChange={(event) => setIf({ value: event.target.value })} />}</Field> : null}
            </div>
          ) : null}
          <div className="form-row">
            {goto(t('ifYes'), step.then, (then) => set({ then }), at('then'))}
            {goto(t('ifNo'), step.else, (otherwise) => set({ else: otherwise }), at('else'))}
          </div>
        </>
      ) : null}
      {step.kind === 'exit' ? <p className="muted">{t('exitNote')}</p> : null}
      {step.kind !== 'condition' && step.kind !== 'exit' ? goto(t('then'), step.next, (next) => set({ next }), at('next')) : null}
    </div>
  );
}
