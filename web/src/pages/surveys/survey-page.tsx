import { useState } from 'react';
import { api } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Dialog, ErrorNote, Loading, Notice, Page } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { PublicLink } from './public-link.tsx';
import { SurveySummary } from './survey-summary.tsx';
import { inLocale, type Question, type Survey, type SurveyResponse } from './survey-types.ts';
import { statusTone, surveyWords } from './survey-words.ts';
import './surveys.css';

const text = defineText({
  en: {
    back: 'All surveys',
    edit: 'Change',
    open: 'Open for answers',
    close: 'Close',
    delete: 'Delete',
    created: 'The survey is created.',
    saved: 'The changes are saved.',
    opened: 'The survey is open: it takes answers now.',
    closed: 'The survey is closed: it takes no more answers.',
    draftNote: 'A draft takes no answers: open it when its questions are ready.',
    about: 'The survey',
    kind: 'Kind',
    status: 'Status',
    answered: 'Answered',
    answeredOf: '{n} of {target}',
    createdAt: 'Created',
    report: 'Report',
    reportLink: 'NPS and its trend in Analytics',
    reportNone: 'The NPS report shows NPS surveys; the answers of this one are below.',
    questions: 'Questions',
    optional: 'optional',
    ratingRange: '{min} to {max}',
    upTo: 'up to {n} characters',
    responses: 'Answers',
    responsesCaption: 'Answers, newest first',
    when: 'Answered',
    customer: 'Customer',
    anonymous: 'anonymous',
    channel: 'Through',
    channel_link: 'own link',
    channel_public: 'public link',
    channel_api: 'the app or support',
    score: 'Score',
    answers: 'Answers',
    replaced: 'answered again',
    noResponses: 'No answers yet',
    noResponsesOpen: 'Send customers the survey’s link (a campaign or the post-purchase NPS journey) or share its public link; answers show here.',
    noResponsesDraft: 'Open the survey first: a draft takes no answers.',
    deleteTitle: 'Delete the survey?',
    deleteText: 'Nobody has answered “{name}”, so it can be deleted for good.',
    deleteConfirm: 'Delete for good',
    keep: 'Keep it',
  },
  ru: {
    back: 'Все опросы',
    edit: 'Изменить',
    open: 'Открыть для ответов',
    close: 'Закрыть',
    delete: 'Удалить',
    created: 'Опрос создан.',
    saved: 'Изменения сохранены.',
    opened: 'Опрос открыт: теперь он принимает ответы.',
    closed: 'Опрос закрыт: ответы больше не принимаются.',
    draftNote: 'Черновик не принимает ответов: откройте его, когда вопросы готовы.',
    about: 'Опрос',
    kind: 'Вид',
    status: 'Статус',
    answered: 'Ответили',
    answeredOf: '{n} из {target}',
    createdAt: 'Создан',
    report: 'Отчёт',
    reportLink: 'NPS и его тренд в Аналитике',
    reportNone: 'Отчёт NPS показывает NPS-опросы; ответы на этот опрос — ниже.',
    questions: 'Вопросы',
    optional: 'необязательный',
    ratingRange: 'от {min} до {max}',
    upTo: 'до {n} символов',
    responses: 'Ответы',
    responsesCaption: 'Ответы, сначала новые',
    when: 'Когда',
    customer: 'Клиент',
    anonymous: 'анонимно',
    channel: 'Через',
    channel_link: 'личную ссылку',
    channel_public: 'публичную ссылку',
    channel_api: 'приложение или поддержку',
    score: 'Оценка',
    answers: 'Ответы',
    replaced: 'ответил повторно',
    noResponses: 'Ответов пока нет',
    noResponsesOpen: 'Отправьте клиентам ссылку на опрос (рассылкой или путём «NPS после покупки») или поделитесь публичной ссылкой; ответы появятся здесь.',
    noResponsesDraft: 'Сначала откройте опрос: черновик не принимает ответов.',
    deleteTitle: 'Удалить опрос?',
    deleteText: 'На «{name}» никто не ответил, поэтому его можно удалить насовсем.',
    deleteConfirm: 'Удалить насовсем',
    keep: 'Оставить',
  },
});

export default function SurveyPage({ params }: PageProps) {
  const t = useText(text);
  const w = useText(surveyWords);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const { query } = useLocation();
  const loaded = useResource((signal) => api.get<Survey>(`/v1/surveys/${encodeURIComponent(params.id!)}`, undefined, signal), [params.id]);
  const responses = usePagedList<SurveyResponse>(`/v1/surveys/${encodeURIComponent(params.id!)}/responses`, {}, 50);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [changed, setChanged] = useState<'opened' | 'closed' | null>(null);
  const [deleting, setDeleting] = useState(false);
  const survey = loaded.data;

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!survey) return <Loading />;

  const title = inLocale(survey.title, locale);
  const mayWrite = can('surveys:write');
  const setStatus = async (status: 'open' | 'closed') => {
    setBusy(true);
    setActionError(null);
    try {
      loaded.setData(await api.patch<Survey>(`/v1/surveys/${survey.id}`, { status, version: survey.version }));
      setChanged(status === 'open' ? 'opened' : 'closed');
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await api.delete(`/v1/surveys/${survey.id}`);
      navigate(`/surveys?deleted=${encodeURIComponent(title)}`, { replace: true });
    } catch (caught) {
      setActionError(caught);
      setBusy(false);
    }
  };

  const questionOf = (id: string) => survey.questions.find((q) => q.id === id);
  const optionText = (q: Question | undefined, id: string) => inLocale(q?.options?.find((o) => o.id === id)?.text, locale) || id;
  const answerText = (id: string, value: number | string | string[]) => {
    const q = questionOf(id);
    const label = q ? inLocale(q.text, locale) : id;
    const shown = Array.isArray(value) ? value.map((v) => optionText(q, v)).join(q?.type === 'ranking' ? ' › ' : ', ') : q?.type === 'single_choice' ? optionText(q, String(value)) : typeof value === 'number' ? format.number(value) : value;
    return { label, shown };
  };
  const settings = (q: Question) =>
    [
      w(`type_${q.type}`),
      q.type === 'rating' ? t('ratingRange', { min: q.min ?? 1, max: q.max ?? 5 }) : null,
      q.type === 'text' && q.maxLength ? t('upTo', { n: format.number(q.maxLength) }) : null,
      q.required ? null : t('optional'),
    ]
      .filter(Boolean)
      .join(' · ');

  const actions = (
    <>
      <Link to="/surveys">{t('back')}</Link>
      {mayWrite ? (
        <Link to={`/surveys/${survey.id}/edit`} className="button">
          {t('edit')}
        </Link>
      ) : null}
      {mayWrite && survey.status !== 'open' ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void setStatus('open')}>
          {t('open')}
        </button>
      ) : null}
      {mayWrite && survey.status === 'open' ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void setStatus('closed')}>
          {t('close')}
        </button>
      ) : null}
      {mayWrite && survey.respondents === 0 ? (
        <button type="button" className="danger" disabled={busy} onClick={() => setDeleting(true)}>
          {t('delete')}
        </button>
      ) : null}
    </>
  );

  return (
    <Page title={title} actions={actions}>
      {query.get('created') && !changed ? <Notice tone="success">{t('created')}</Notice> : null}
      {query.get('saved') && !changed ? <Notice tone="success">{t('saved')}</Notice> : null}
      {changed ? <Notice tone="success">{t(changed)}</Notice> : null}
      {survey.status === 'draft' && !changed ? <Notice>{t('draftNote')}</Notice> : null}
      {!deleting ? <ErrorNote error={actionError} /> : null}
      <div className="grid top-grid">
        <Card title={t('about')}>
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd>
              <Badge tone={statusTone(survey.status)}>{w(`status_${survey.status}`)}</Badge>
            </dd>
            <dt>{t('kind')}</dt>
            <dd>{w(`kind_${survey.kind}`)}</dd>
            <dt>{t('answered')}</dt>
            <dd>{survey.targetRespondents ? t('answeredOf', { n: format.number(survey.respondents), target: format.number(survey.targetRespondents) }) : format.number(survey.respondents)}</dd>
            <dt>{t('createdAt')}</dt>
            <dd>{format.dateTime(survey.createdAt)}</dd>
            <dt>{t('report')}</dt>
            <dd>{survey.kind === 'nps' ? <Link to={`/analytics/surveys?survey=${survey.id}`}>{t('reportLink')}</Link> : <span className="muted">{t('reportNone')}</span>}</dd>
          </dl>
        </Card>
        <PublicLink survey={survey} onChanged={loaded.setData} />
      </div>
      <Card title={t('questions')}>
        <ol className="question-list">
          {survey.questions.map((q) => (
            <li key={q.id}>
              <strong>{inLocale(q.text, locale)}</strong> <span className="muted">({settings(q)})</span>
              {q.options ? <span className="muted"> — {q.options.map((o) => inLocale(o.text, locale)).join(', ')}</span> : null}
            </li>
          ))}
        </ol>
      </Card>
      <SurveySummary surveyId={survey.id} respondents={survey.respondents} />
      <Card title={t('responses')}>
        <DataTable
          caption={t('responsesCaption')}
          {...pagedRows(responses)}
          empty={{ title: t('noResponses'), hint: survey.status === 'draft' ? t('noResponsesDraft') : t('noResponsesOpen') }}
          columns={[
            { key: 'when', title: t('when'), render: (row) => format.dateTime(row.answeredAt) },
            {
              key: 'customer',
              title: t('customer'),
              render: (row) => (row.customerId ? can('customers:read') ? <Link to={`/customers/${row.customerId}`}>{row.customerId}</Link> : <code>{row.customerId}</code> : <span className="muted">{t('anonymous')}</span>),
            },
            { key: 'channel', title: t('channel'), render: (row) => <>{t(`channel_${row.channel}`)}{row.replaced ? <> <Badge tone="info">{t('replaced')}</Badge></> : null}</> },
            { key: 'score', title: t('score'), numeric: true, render: (row) => (row.score === null ? '—' : format.number(row.score)) },
            {
              key: 'answers',
              title: t('answers'),
              render: (row) => (
                <dl className="answers">
                  {Object.entries(row.answers).map(([id, value]) => {
                    const { label, shown } = answerText(id, value);
                    return (
                      <div key={id}>
                        <dt>{label}</dt>
                        <dd>{shown}</dd>
                      </div>
                    );
                  })}
                </dl>
              ),
            },
          ]}
        />
      </Card>
      <Dialog title={t('deleteTitle')} open={deleting} onClose={() => !busy && setDeleting(false)}>
        <p>{t('deleteText', { name: title })}</p>
        <ErrorNote error={actionError} />
        <div className="actions form-actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
            {t('deleteConfirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setDeleting(false)}>
            {t('keep')}
          </button>
        </div>
      </Dialog>
    </Page>
  );
}
