import { useId, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, Empty, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource, usePagedList } from '../../data.ts';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { blankJourney, blankStep, fromJourney, newStepId, stepKinds, stepProblems, toInput, toSteps, triggerEvents, type JourneyDraft, type StepDraft, type StepKind } from './journey-draft.ts';
import { JourneyFlow } from './journey-flow.tsx';
import { RefSelect, StepFields, placedFields, stepText } from './journey-step-editor.tsx';
import { triggerWords, useTriggerText } from './journey-words.ts';
import type { Journey, Template } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    newTitle: 'New journey',
    customAction: 'A custom event from the site',
    noPurchase: 'Some days without a purchase',
    editTitle: 'Edit “{name}”',
    intro: 'A trigger starts the journey; then each step runs in turn. The flow on the right is drawn as you edit; nothing is sent until the journey is switched on.',
    back: 'Back to the journey',
    all: 'All journeys',
    basics: 'Journey',
    name: 'Name',
    trigger: 'Starts when',
    actionType: 'Custom event type',
    actionTypeHint: 'As the site reports it, for example cart.updated',
    segment: 'Segment',
    chooseSegment: 'Choose a segment',
    days: 'Days without a purchase',
    control: 'Control group, %',
    controlHint: 'This share walks the journey but is sent nothing, to measure what the journey adds',
    reentry: 'Entering again',
    never: 'Never',
    always: 'Any time after leaving',
    after_days: 'After some days',
    reentryDays: 'Days before entering again',
    steps: 'Steps',
    noSteps: 'No steps yet',
    noStepsHint: 'Add the first step below: a wait, a check, a message…',
    addKind: 'Kind of step',
    add: 'Add the step',
    flow: 'The flow',
    create: 'Create the draft',
    save: 'Save the changes',
    activeNote: 'This journey is on. Saving makes a new version: customers who enter from now walk it, those inside keep the version they entered. Pause it first if no one should enter while you edit.',
    pause: 'Pause the journey',
    paused: 'Paused: no one enters until you switch it on again.',
    archived: 'This journey is archived and cannot change: make a new one.',
    fixSteps: 'Fix the marked steps and fields, then save again.',
  },
  ru: {
    newTitle: 'Новая цепочка',
    customAction: 'Своё событие с сайта',
    noPurchase: 'Несколько дней без покупок',
    editTitle: 'Изменить «{name}»',
    intro: 'Событие запускает цепочку, затем по очереди идут шаги. Схема справа рисуется по мере правки; ничего не отправляется, пока цепочка не включена.',
    back: 'К цепочке',
    all: 'Все цепочки',
    basics: 'Цепочка',
    name: 'Название',
    trigger: 'Запускается, когда',
    actionType: 'Тип своего события',
    actionTypeHint: 'Как его передаёт сайт, например cart.updated',
    segment: 'Сегмент',
    chooseSegment: 'Выберите сегмент',
    days: 'Дней без покупок',
    control: 'Контрольная группа, %',
    controlHint: 'Эта доля проходит цепочку, но ничего не получает — так видно, что цепочка добавляет',
    reentry: 'Повторный вход',
    never: 'Никогда',
    always: 'В любой момент после выхода',
    after_days: 'Через несколько дней',
    reentryDays: 'Дней до повторного входа',
    steps: 'Шаги',
    noSteps: 'Шагов пока нет',
    noStepsHint: 'Добавьте первый шаг ниже: паузу, проверку, сообщение…',
    addKind: 'Вид шага',
    add: 'Добавить шаг',
    flow: 'Схема',
    create: 'Создать черновик',
    save: 'Сохранить изменения',
    activeNote: 'Цепочка включена. Сохранение создаёт новую версию: по ней пойдут те, кто войдёт теперь, а те, кто внутри, останутся на своей. Приостановите цепочку, если никто не должен входить, пока вы её правите.',
    pause: 'Приостановить цепочку',
    paused: 'Приостановлена: никто не войдёт, пока вы снова её не включите.',
    archived: 'Цепочка в архиве и не меняется: создайте новую.',
    fixSteps: 'Исправьте отмеченные шаги и поля и сохраните снова.',
  },
});

export default function JourneyBuilderPage({ params }: PageProps) {
  const id = params.id ?? null;
  const loaded = useResource<Journey | null>((signal) => (id ? api.get<Journey>(`/v1/journeys/${id}`, undefined, signal) : Promise.resolve(null)), [id]);
  if (loaded.loading) return <Loading />;
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  return <Builder key={id ?? 'new'} journey={loaded.data} />;
}

function Builder({ journey: initial }: { journey: Journey | null }) {
  const t = useText(text);
  const st = useText(stepText);
  const trigger = useTriggerText();
  const { locale } = useLocale();
  const [journey, setJourney] = useState(initial);
  const [draft, setDraft] = useState<JourneyDraft>(() => (initial ? fromJourney(initial) : blankJourney()));
  const [addKind, setAddKind] = useState<StepKind>('wait');
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const headingBase = useId();
  const templates = usePagedList<Template>('/v1/templates', {}, 200);
  const templateNames = useMemo(() => Object.fromEntries(templates.items.map((tpl) => [tpl.id, tpl.name])), [templates.items]);
  const problems = useMemo(() => stepProblems(error), [error]);
  const steps = useMemo(() => toSteps(draft.steps), [draft.steps]);
  const archived = journey?.status === 'archived';

  const setSteps = (next: StepDraft[]) => setDraft({ ...draft, steps: next });
  // The server's words name steps by their place: once steps move, they would point at the wrong ones.
  const reshape = (next: StepDraft[]) => {
    setSteps(next);
    setError(null);
  };
  const setTrigger = (patch: Partial<JourneyDraft['trigger']>) => setDraft({ ...draft, trigger: { ...draft.trigger, ...patch } });
  const move = (from: number, to: number) => {
    const next = [...draft.steps];
    const [step] = next.splice(from, 1);
    next.splice(to, 0, step!);
    reshape(next);
    setSelected(to);
  };
  const remove = (at: number) => {
    const gone = draft.steps[at]!.id;
    // A way that led to the removed step now leads to the step below it.
    const relink = (goto: string) => (goto === gone ? ':next' : goto);
    reshape(draft.steps.filter((_, i) => i !== at).map((s) => ({ ...s, next: relink(s.next), then: relink(s.then), else: relink(s.else) })));
    setSelected(null);
  };
  const add = () => {
    reshape([...draft.steps, blankStep(addKind, newStepId(addKind, draft.steps))]);
    setSelected(draft.steps.length);
  };
  const select = (index: number) => {
    setSelected(index);
    document.getElementById(`${headingBase}-${index}`)?.closest('section')?.querySelector<HTMLElement>('input, select')?.focus();
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = journey ? await api.patch<Journey>(`/v1/journeys/${journey.id}`, toInput(draft, true)) : await api.post<Journey>('/v1/journeys', toInput(draft, false));
      navigate(`/messaging/journeys/${saved.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const pause = async () => {
    setError(null);
    try {
      setJourney(await api.post<Journey>(`/v1/journeys/${journey!.id}/pause`));
    } catch (caught) {
      setError(caught);
    }
  };

  const tr = draft.trigger;
  const placed = ['name', 'trigger.event', 'trigger.actionType', 'trigger.segmentId', 'trigger.days', 'controlShareBp', 'reentry', 'reentryDays'].some((f) => fieldError(error, f));
  return (
    <Page
      title={journey ? t('editTitle', { name: journey.name }) : t('newTitle')}
      intro={t('intro')}
      actions={journey ? <Link to={`/messaging/journeys/${journey.id}`}>{t('back')}</Link> : <Link to="/messaging/journeys">{t('all')}</Link>}
    >
      {journey?.status === 'active' ? (
        <Notice tone="warning">
          <p>{t('activeNote')}</p>
          <button type="button" className="secondary" onClick={() => void pause()}>{t('pause')}</button>
        </Notice>
      ) : null}
      {journey?.status === 'paused' && initial?.status === 'active' ? <Notice tone="success">{t('paused')}</Notice> : null}
      {archived ? <Notice tone="warning">{t('archived')}</Notice> : null}
      <form className="form" noValidate onSubmit={(event) => void save(event)}>
        <fieldset className="plain" disabled={busy || archived}>
          <div className="messaging-split">
            <div>
              <Card title={t('basics')}>
                <Field label={t('name')} error={fieldError(error, 'name')}>
                  {(props) => <input {...props} value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} />}
                </Field>
                <div className="form-row">
                  <Field label={t('trigger')} error={fieldError(error, 'trigger.event', 'trigger')}>
                    {(props) => (
                      <select {...props} value={tr.event} onChange={(event) => setTrigger({ event: event.target.value as JourneyDraft['trigger']['event'] })}>
                        {triggerEvents.map((e) => (
                          <option key={e} value={e}>{e === 'customer.action' ? t('customAction') : e === 'no_purchase' ? t('noPurchase') : (triggerWords[locale][e] ?? e)}</option>
                        ))}
                      </select>
                    )}
                  </Field>
                  {tr.event === 'customer.action' ? (
                    <Field label={t('actionType')} hint={t('actionTypeHint')} error={fieldError(error, 'trigger.actionType')}>
                      {(props) => <input {...props} value={tr.actionType} onChange={(event) => setTrigger({ actionType: event.target.value })} />}
                    </Field>
                  ) : null}
                  {tr.event === 'segment.entered' ? (
                    <RefSelect label={t('segment')} path="/v1/segments" permission="segments:read" value={tr.segmentId} onChange={(segmentId) => setTrigger({ segmentId })} placeholder={t('chooseSegment')} error={fieldError(error, 'trigger.segmentId')} />
                  ) : null}
                  {tr.event === 'no_purchase' ? (
                    <Field label={t('days')} error={fieldError(error, 'trigger.days')}>
                      {(props) => <input {...props} inputMode="numeric" value={tr.days} onChange={(event) => setTrigger({ days: event.target.value })} />}
                    </Field>
                  ) : null}
                </div>
                <div className="form-row">
                  <Field label={t('control')} hint={t('controlHint')} error={fieldError(error, 'controlShareBp')}>
                    {(props) => <input {...props} inputMode="decimal" value={draft.controlPercent} onChange={(event) => setDraft({ ...draft, controlPercent: event.target.value })} />}
                  </Field>
                  <Field label={t('reentry')} error={fieldError(error, 'reentry')}>
                    {(props) => (
                      <select {...props} value={draft.reentry} onChange={(event) => setDraft({ ...draft, reentry: event.target.value as JourneyDraft['reentry'] })}>
                        <option value="never">{t('never')}</option>
                        <option value="always">{t('always')}</option>
                        <option value="after_days">{t('after_days')}</option>
                      </select>
                    )}
                  </Field>
                  {draft.reentry === 'after_days' ? (
                    <Field label={t('reentryDays')} error={fieldError(error, 'reentryDays')}>
                      {(props) => <input {...props} inputMode="numeric" value={draft.reentryDays} onChange={(event) => setDraft({ ...draft, reentryDays: event.target.value })} />}
                    </Field>
                  ) : null}
                </div>
              </Card>
              <Card title={t('steps')}>
                {draft.steps.length === 0 ? <Empty title={t('noSteps')}>{t('noStepsHint')}</Empty> : null}
                <ol className="builder-steps">
                  {draft.steps.map((step, i) => {
                    const here = problems.get(i);
                    const whole = here ? [...here].filter(([field]) => !placedFields.has(field)).map(([field, reason]) => (field === '' ? reason : `${field}: ${reason}`)) : [];
                    const headingId = `${headingBase}-${i}`;
                    return (
                      <li key={step.id}>
                        <section className={`builder-step${selected === i ? ' selected' : ''}${here ? ' invalid' : ''}`} aria-labelledby={headingId} onFocus={() => setSelected(i)}>
                          <div className="builder-step-head">
                            <h3 id={headingId}>{st('stepTitle', { n: i + 1, kind: st(step.kind) })}</h3>
                            <button type="button" aria-label={st('up', { n: i + 1 })} disabled={i === 0} onClick={() => move(i, i - 1)}>↑</button>
                            <button type="button" aria-label={st('down', { n: i + 1 })} disabled={i === draft.steps.length - 1} onClick={() => move(i, i + 1)}>↓</button>
                            <button type="button" className="danger" aria-label={st('remove', { n: i + 1 })} onClick={() => remove(i)}>×</button>
                          </div>
                          {whole.length > 0 ? (
                            <div className="alert error" role="alert">
                              {whole.map((line) => <p key={line}>{line}</p>)}
                            </div>
                          ) : null}
                          <StepFields step={step} index={i} steps={draft.steps} templates={templates.items} problems={here} onChange={(changed) => setSteps(draft.steps.map((s, j) => (j === i ? changed : s)))} />
                        </section>
                      </li>
                    );
                  })}
                </ol>
                {templates.error ? <ErrorNote error={templates.error} onRetry={templates.reload} /> : null}
                <div className="builder-add">
                  <Field label={t('addKind')}>
                    {(props) => (
                      <select {...props} value={addKind} onChange={(event) => setAddKind(event.target.value as StepKind)}>
                        {stepKinds.map((k) => <option key={k} value={k}>{st(k)}</option>)}
                      </select>
                    )}
                  </Field>
                  <button type="button" className="secondary" onClick={add}>{t('add')}</button>
                </div>
              </Card>
              {error ? (problems.size > 0 || placed ? <div className="alert error" role="alert"><p>{t('fixSteps')}</p></div> : <ErrorNote error={error} />) : null}
              <button type="submit" className="primary">{journey ? t('save') : t('create')}</button>
            </div>
            <div className="builder-flow">
              <Card title={t('flow')}>
                <JourneyFlow trigger={trigger({ event: tr.event, actionType: tr.actionType, days: Number(tr.days) || 0 })} steps={steps} counts={null} templateNames={templateNames} selected={selected} onSelect={select} invalid={new Set(problems.keys())} />
              </Card>
            </div>
          </div>
        </fieldset>
      </form>
    </Page>
  );
}
