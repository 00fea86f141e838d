import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { namesShownField, numberOf, problemAt } from '../../components/lotteries-fields.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { QuestionEditor, blankQuestion, type QuestionForm } from './question-editor.tsx';
import { hasOptions, surveyKinds, type Survey, type SurveyKind, type Texts } from './survey-types.ts';
import { surveyWords } from './survey-words.ts';
import './surveys.css';

const text = defineText({
  en: {
    newTitle: 'New survey',
    editTitle: 'Change the survey',
    intro: 'Every text in Russian and English (at least one of the two). A customer answers once: a second answer replaces the first.',
    back: 'Back',
    about: 'The survey',
    kind: 'Kind',
    kindHint: 'NPS needs an NPS question, CSAT a rating, privilege ranking a ranking; custom: any questions',
    titleRu: 'Title in Russian',
    titleEn: 'Title in English',
    titleHint: 'At least one of the two',
    target: 'Target number of answers',
    targetHint: 'Optional: the sample the report holds the answers to (250, say)',
    publicLink: 'Anyone with the public link may answer, anonymously',
    openNow: 'Open it at once (else it is saved as a draft that takes no answers)',
    thankYouRu: 'Thanks after an answer, in Russian',
    thankYouEn: 'Thanks after an answer, in English',
    thankYouHint: 'Optional',
    questions: 'Questions',
    addQuestion: 'Add a question',
    create: 'Create the survey',
    save: 'Save the changes',
    locked: 'The survey has answers: its kind and questions stay as they were asked. To ask other questions, create a new survey.',
    readOnly: 'Your role may read surveys but not change them.',
    conflict: 'Someone else saved this survey after you opened it. Reload the page to see their version, then make your change again.',
    reload: 'Reload',
  },
  ru: {
    newTitle: 'Новый опрос',
    editTitle: 'Изменить опрос',
    intro: 'Каждый текст — на русском и английском (хотя бы на одном). Клиент отвечает один раз: повторный ответ заменяет прежний.',
    back: 'Назад',
    about: 'Опрос',
    kind: 'Вид',
    kindHint: 'NPS требует вопроса NPS, CSAT — оценки, ранжирование привилегий — ранжирования; свой — любые вопросы',
    titleRu: 'Название по-русски',
    titleEn: 'Название по-английски',
    titleHint: 'Хотя бы одно из двух',
    target: 'Цель по числу ответов',
    targetHint: 'Необязательно: размер выборки, с которым сравнивает отчёт (например, 250)',
    publicLink: 'Отвечать может любой по публичной ссылке, анонимно',
    openNow: 'Сразу открыть (иначе сохранится черновик, который не принимает ответов)',
    thankYouRu: 'Благодарность после ответа по-русски',
    thankYouEn: 'Благодарность после ответа по-английски',
    thankYouHint: 'Необязательно',
    questions: 'Вопросы',
    addQuestion: 'Добавить вопрос',
    create: 'Создать опрос',
    save: 'Сохранить изменения',
    locked: 'На опрос уже отвечали: вид и вопросы остаются такими, как их задали. Чтобы задать другие вопросы, создайте новый опрос.',
    readOnly: 'Ваша роль может смотреть опросы, но не менять их.',
    conflict: 'Кто-то сохранил этот опрос после того, как вы его открыли. Обновите страницу, чтобы увидеть его версию, и внесите изменение снова.',
    reload: 'Обновить',
  },
});

type Form = { kind: SurveyKind; titleRu: string; titleEn: string; target: string; publicLink: boolean; openNow: boolean; thankYouRu: string; thankYouEn: string; questions: QuestionForm[] };

const blank: Form = { kind: 'nps', titleRu: '', titleEn: '', target: '', publicLink: true, openNow: false, thankYouRu: '', thankYouEn: '', questions: [blankQuestion('nps')] };

function formOf(survey: Survey): Form {
  return {
    kind: survey.kind,
    titleRu: survey.title.ru ?? '',
    titleEn: survey.title.en ?? '',
    target: survey.targetRespondents ? String(survey.targetRespondents) : '',
    publicLink: survey.publicLink,
    openNow: false,
    thankYouRu: survey.thankYou?.ru ?? '',
    thankYouEn: survey.thankYou?.en ?? '',
    questions: survey.questions.map((q) => ({
      id: q.id,
      type: q.type,
      ru: q.text.ru ?? '',
      en: q.text.en ?? '',
      required: q.required,
      min: q.min === undefined ? '' : String(q.min),
      max: q.max === undefined ? '' : String(q.max),
      maxLength: q.maxLength === undefined ? '' : String(q.maxLength),
      options: (q.options ?? []).map((o) => ({ id: o.id, ru: o.text.ru ?? '', en: o.text.en ?? '' })),
    })),
  };
}

const textsOf = (ru: string, en: string): Texts => ({ ...(ru.trim() ? { ru: ru.trim() } : {}), ...(en.trim() ? { en: en.trim() } : {}) });
const compact = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== ''));

/** Ids for what has none yet that no kept one holds (the server's q1, q2 … would collide after a reorder). */
function withIds<T extends { id?: string }>(items: T[], prefix: string): Array<T & { id: string }> {
  const used = new Set(items.map((item) => item.id).filter(Boolean));
  let next = 1;
  return items.map((item) => {
    if (item.id) return item as T & { id: string };
    while (used.has(`${prefix}${next}`)) next++;
    used.add(`${prefix}${next}`);
    return { ...item, id: `${prefix}${next}` };
  });
}

function questionBody(q: QuestionForm): Record<string, unknown> {
  return compact({
    id: q.id,
    type: q.type,
    text: textsOf(q.ru, q.en),
    required: q.required,
    ...(q.type === 'rating' ? { min: numberOf(q.min), max: numberOf(q.max) } : {}),
    ...(q.type === 'text' ? { maxLength: numberOf(q.maxLength) } : {}),
    ...(hasOptions(q.type) ? { options: withIds(q.options, 'o').map((o) => ({ id: o.id, text: textsOf(o.ru, o.en) })) } : {}),
  });
}

export default function SurveyForm({ params }: PageProps) {
  const t = useText(text);
  const w = useText(surveyWords);
  const can = useCan();
  const creating = !params.id;
  const loaded = useResource((signal) => (creating ? Promise.resolve(null) : api.get<Survey>(`/v1/surveys/${encodeURIComponent(params.id!)}`, undefined, signal)), [params.id]);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const current = loaded.data;
  const mayWrite = can('surveys:write');

  useEffect(() => {
    if (current && !form) setForm(formOf(current));
  }, [current, form]);

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!form || (!creating && !current)) return <Loading />;

  const locked = current !== null && current.respondents > 0;
  const back = current ? `/surveys/${current.id}` : '/surveys';
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const problem = (...paths: string[]) => problemAt(error, ...paths);
  const moveQuestion = (i: number, by: number) => {
    const questions = [...form.questions];
    const [moved] = questions.splice(i, 1);
    questions.splice(i + by, 0, moved!);
    set({ questions });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const thankYou = textsOf(form.thankYouRu, form.thankYouEn);
    const target = numberOf(form.target);
    const definition = { kind: form.kind, questions: withIds(form.questions, 'q').map(questionBody) };
    setSaving(true);
    setError(null);
    try {
      if (current) {
        const patch = {
          title: textsOf(form.titleRu, form.titleEn),
          targetRespondents: target ?? null,
          publicLink: form.publicLink,
          thankYou: Object.keys(thankYou).length ? thankYou : null,
          ...(locked ? {} : definition),
          version: current.version,
        };
        await api.patch<Survey>(`/v1/surveys/${current.id}`, patch);
        navigate(`/surveys/${current.id}?saved=1`);
      } else {
        const body = {
          ...definition,
          title: textsOf(form.titleRu, form.titleEn),
          status: form.openNow ? 'open' : 'draft',
          publicLink: form.publicLink,
          ...(target === undefined ? {} : { targetRespondents: target }),
          ...(Object.keys(thankYou).length ? { thankYou } : {}),
        };
        const created = await api.post<Survey>('/v1/surveys', body);
        navigate(`/surveys/${created.id}?created=1`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  const conflict = error instanceof ApiError && error.code === 'survey.version_conflict';
  const shownField = (field: string) =>
    /^(kind|title(\.(ru|en))?|targetRespondents|thankYou(\.(ru|en))?|questions\.\d+\.(type|text(\.(ru|en))?|min|max|maxLength|options(\.\d+\.(id|text(\.(ru|en))?))?))$/.test(field);
  const unplaced = error && !conflict && !namesShownField(error, shownField) ? error : null;
  const input = (label: string, key: 'titleRu' | 'titleEn' | 'target' | 'thankYouRu' | 'thankYouEn', paths: string[], hint?: string) => (
    <Field label={label} hint={hint} error={problem(...paths)}>
      {(props) => <input {...props} inputMode={key === 'target' ? 'numeric' : undefined} value={form[key]} onChange={(e) => set({ [key]: e.target.value })} />}
    </Field>
  );

  return (
    <Page title={creating ? t('newTitle') : t('editTitle')} intro={t('intro')} actions={<Link to={back}>{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {locked ? <Notice tone="warning">{t('locked')}</Notice> : null}
      <form className="form survey-form" noValidate onSubmit={(event) => void submit(event)}>
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict')}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={unplaced} />
        <fieldset className="all" disabled={!mayWrite}>
          <Card title={t('about')}>
            <Field label={t('kind')} hint={t('kindHint')} error={problem('kind')}>
              {(props) => (
                <select {...props} value={form.kind} disabled={locked} onChange={(e) => set({ kind: e.target.value as SurveyKind })}>
                  {surveyKinds.map((kind) => (
                    <option key={kind} value={kind}>
                      {w(`kind_${kind}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="form-row">
              {input(t('titleRu'), 'titleRu', ['title', 'title.ru'], t('titleHint'))}
              {input(t('titleEn'), 'titleEn', ['title.en'])}
            </div>
            {input(t('target'), 'target', ['targetRespondents'], t('targetHint'))}
            <label className="check">
              <input type="checkbox" checked={form.publicLink} onChange={(e) => set({ publicLink: e.target.checked })} />
              {t('publicLink')}
            </label>
            {creating ? (
              <label className="check">
                <input type="checkbox" checked={form.openNow} onChange={(e) => set({ openNow: e.target.checked })} />
                {t('openNow')}
              </label>
            ) : null}
            <div className="form-row thanks">
              {input(t('thankYouRu'), 'thankYouRu', ['thankYou', 'thankYou.ru'], t('thankYouHint'))}
              {input(t('thankYouEn'), 'thankYouEn', ['thankYou.en'])}
            </div>
          </Card>
          <Card title={t('questions')}>
            {problem('questions') ? <p className="field-error">{problem('questions')}</p> : null}
            <fieldset className="all" disabled={locked}>
              {form.questions.map((question, i) => (
                <QuestionEditor
                  key={i}
                  question={question}
                  index={i}
                  count={form.questions.length}
                  problem={problem}
                  onChange={(changed) => set({ questions: form.questions.map((q, j) => (j === i ? changed : q)) })}
                  onMove={(by) => moveQuestion(i, by)}
                  onRemove={() => set({ questions: form.questions.filter((_, j) => j !== i) })}
                />
              ))}
              <button type="button" className="secondary" onClick={() => set({ questions: [...form.questions, blankQuestion('text')] })}>
                {t('addQuestion')}
              </button>
            </fieldset>
          </Card>
          <div className="actions form-actions">
            <button type="submit" className="primary" disabled={saving}>
              {creating ? t('create') : t('save')}
            </button>
          </div>
        </fieldset>
      </form>
    </Page>
  );
}
