import { useMemo, useState, type FormEvent } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { RuleBuilder } from './rule-builder.tsx';
import { countConditions, fromRules, newGroup, toRules, type GroupNode } from './rule-tree.ts';
import { SegmentActivity } from './segment-activity.tsx';
import { memberName, type Segment, type SegmentField } from './segment-types.ts';
import { placeProblems, usePreview } from './use-preview.ts';
import './segments.css';

const text = defineText({
  en: {
    newTitle: 'New segment',
    intro: 'Describe who belongs: conditions joined by AND or OR, groups within groups, NOT to leave some out. The count beside updates as you edit.',
    back: 'All segments',
    name: 'Name',
    description: 'Description',
    descriptionHint: 'Optional: what the segment is for',
    rules: 'Rules',
    live: 'Customers who match now',
    counting: 'Counting…',
    unfinished: { one: 'Finish {count} condition to see the count: fill in its value.', other: 'Finish {count} conditions to see the count: fill in their values; an empty group needs a condition.' },
    noRules: 'Add a condition to see how many customers match.',
    matches: { one: '{count} customer', other: '{count} customers' },
    sample: 'First customers who match',
    sampleCaption: 'The first customers who match, by id',
    customer: 'Customer',
    contact: 'Phone and e-mail',
    unnamed: 'No name',
    nobody: 'Nobody matches these rules now.',
    create: 'Save the segment',
    save: 'Save changes',
    saving: 'Saving…',
    saved: 'Saved. New rules are being recomputed.',
    readOnly: 'Your role may count with the builder but not save segments.',
    tooMany: 'A segment holds at most 60 conditions.',
  },
  ru: {
    newTitle: 'Новый сегмент',
    intro: 'Опишите, кто входит: условия через И или ИЛИ, группы внутри групп, НЕ — чтобы исключить. Число справа обновляется по мере правки.',
    back: 'Все сегменты',
    name: 'Название',
    description: 'Описание',
    descriptionHint: 'Необязательно: для чего сегмент',
    rules: 'Правила',
    live: 'Подходят сейчас',
    counting: 'Считаем…',
    unfinished: { one: 'Заполните {count} условие, чтобы увидеть число.', few: 'Заполните {count} условия, чтобы увидеть число; пустой группе нужно условие.', many: 'Заполните {count} условий, чтобы увидеть число; пустой группе нужно условие.', other: 'Заполните {count} условия, чтобы увидеть число.' },
    noRules: 'Добавьте условие, чтобы увидеть, сколько клиентов подходит.',
    matches: { one: '{count} клиент', few: '{count} клиента', many: '{count} клиентов', other: '{count} клиента' },
    sample: 'Первые подходящие клиенты',
    sampleCaption: 'Первые подходящие клиенты по id',
    customer: 'Клиент',
    contact: 'Телефон и почта',
    unnamed: 'Без имени',
    nobody: 'Под эти правила сейчас никто не подходит.',
    create: 'Сохранить сегмент',
    save: 'Сохранить изменения',
    saving: 'Сохраняем…',
    saved: 'Сохранено. Новые правила пересчитываются.',
    readOnly: 'Ваша роль может считать в конструкторе, но не сохранять сегменты.',
    tooMany: 'В сегменте не больше 60 условий.',
  },
});

type Loaded = { fields: SegmentField[]; segments: Array<{ id: string; name: string }>; segment: Segment | null };

export default function SegmentEditor({ params }: PageProps) {
  const id = params.id ?? null;
  const loaded = useResource<Loaded>(
    async (signal) => {
      const [fields, list, segment] = await Promise.all([
        api.get<{ fields: SegmentField[] }>('/v1/segment-fields', undefined, signal),
        // For the "member of segment" condition: the names of the first 500 (the list's largest page).
        api.get<ApiPage<Segment>>('/v1/segments', { limit: 500 }, signal),
        id ? api.get<Segment>(`/v1/segments/${encodeURIComponent(id)}`, undefined, signal) : Promise.resolve(null),
      ]);
      return { fields: fields.fields, segments: list.items.filter((s) => s.id !== id).map((s) => ({ id: s.id, name: s.name })), segment };
    },
    [id],
  );
  const t = useText(text);
  if (loaded.error) return <Page title={t('newTitle')}><ErrorNote error={loaded.error} onRetry={loaded.reload} /></Page>;
  if (!loaded.data) return <Loading />;
  return <Editor key={loaded.data.segment?.id ?? 'new'} {...loaded.data} />;
}

function Editor({ fields, segments, segment: initial }: Loaded) {
  const t = useText(text);
  const can = useCan();
  const mayWrite = can('segments:write');
  const [segment, setSegment] = useState<Segment | null>(initial);
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [root, setRoot] = useState<GroupNode>(() => (initial ? fromRules(initial.rules) : newGroup()));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const fieldMap = useMemo(() => new Map(fields.map((f) => [f.key, f])), [fields]);
  const compiled = useMemo(() => toRules(root, fieldMap), [root, fieldMap]);
  const live = usePreview(compiled);
  const conditions = countConditions(root);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaveError(null);
    setSaved(false);
    setSaving(true);
    try {
      const rules = compiled.rules ?? {};
      if (!segment) {
        const created = await api.post<Segment>('/v1/segments', { name, ...(description ? { description } : {}), rules });
        navigate(`/segments/${created.id}`);
        return;
      }
      const next = await api.patch<Segment>(`/v1/segments/${segment.id}`, { name, description, rules, version: segment.version });
      setSegment(next);
      setSaved(true);
    } catch (caught) {
      setSaveError(caught);
    } finally {
      setSaving(false);
    }
  };

  const nameProblem = fieldError(saveError, 'name');
  const descriptionProblem = fieldError(saveError, 'description');
  const ruleProblems = usePlacedSaveProblems(saveError, compiled.paths);
  const problems = live.problems.size ? live.problems : ruleProblems;

  return (
    <Page title={segment ? segment.name : t('newTitle')} intro={t('intro')} actions={<Link to="/segments">{t('back')}</Link>}>
      <form className="segment-editor" onSubmit={(event) => void submit(event)} noValidate>
        <div className="segment-main">
          <Card>
            <div className="form-row">
              <Field label={t('name')} error={nameProblem}>
                {(props) => <input {...props} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
              </Field>
              <Field label={t('description')} hint={t('descriptionHint')} error={descriptionProblem}>
                {(props) => <input {...props} value={description} maxLength={1000} onChange={(e) => setDescription(e.target.value)} />}
              </Field>
            </div>
          </Card>
          <Card title={t('rules')}>
            <RuleBuilder root={root} onChange={setRoot} fields={fields} segments={segments} problems={problems} />
            {conditions > 60 ? <p className="field-error">{t('tooMany')}</p> : null}
          </Card>
          {mayWrite ? (
            <div className="save-bar">
              <ErrorNote error={nameProblem || descriptionProblem || ruleProblems.size ? null : saveError} />
              {saveError && ruleProblems.size ? <ErrorNote error={saveError} /> : null}
              {saved ? <Notice tone="success">{t('saved')}</Notice> : null}
              <button type="submit" className="primary" disabled={saving}>
                {saving ? t('saving') : segment ? t('save') : t('create')}
              </button>
            </div>
          ) : (
            <Notice>{t('readOnly')}</Notice>
          )}
        </div>
        <aside className="segment-live" aria-labelledby="segment-live-title">
          <Card>
            <h2 id="segment-live-title">{t('live')}</h2>
            <LiveCount compiled={compiled} live={live} />
            {live.preview && live.preview.sample.length > 0 ? (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">{t('sampleCaption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('customer')}</th>
                      <th scope="col">{t('contact')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {live.preview.sample.map((member) => (
                      <tr key={member.customerId}>
                        <td><Link to={`/customers/${member.customerId}`}>{memberName(member, t('unnamed'))}</Link></td>
                        <td>
                          {member.phone ?? '—'}
                          {member.email ? <span className="hint">{member.email}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </Card>
        </aside>
      </form>
      {segment ? <SegmentActivity segment={segment} onChanged={setSegment} /> : null}
    </Page>
  );
}

function LiveCount({ compiled, live }: { compiled: ReturnType<typeof toRules>; live: ReturnType<typeof usePreview> }) {
  const t = useText(text);
  if (!compiled.rules) return <p className="muted">{t('noRules')}</p>;
  if (compiled.unfinished > 0) return <p className="muted" role="status">{t('unfinished', { count: compiled.unfinished })}</p>;
  return (
    <div role="status" aria-live="polite" aria-busy={live.counting}>
      {live.error ? <ErrorNote error={live.error} /> : null}
      {live.preview ? (
        <p className={`live-count${live.counting ? ' stale' : ''}`} data-count={live.preview.count}>
          {t('matches', { count: live.preview.count })}
        </p>
      ) : null}
      {live.counting ? <p className="muted">{t('counting')}</p> : null}
      {live.preview && live.preview.count === 0 && !live.counting ? <p className="muted">{t('nobody')}</p> : null}
    </div>
  );
}

/** Problems a save was refused for, placed beside their conditions as the preview's are. */
function usePlacedSaveProblems(error: unknown, paths: Map<string, string>): Map<string, string[]> {
  return useMemo(() => placeProblems(error, paths), [error, paths]);
}
