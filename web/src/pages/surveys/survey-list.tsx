import { useState } from 'react';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Badge, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { inLocale, surveyKinds, surveyStatuses, type Survey } from './survey-types.ts';
import { statusTone, surveyWords } from './survey-words.ts';
import './surveys.css';

const text = defineText({
  en: {
    title: 'Surveys',
    intro: 'NPS, CSAT, privilege-ranking and custom surveys in Russian and English: build one, open it, send its link, and read the answers as they come.',
    add: 'New survey',
    status: 'Status',
    kind: 'Kind',
    all: 'All',
    caption: 'Surveys, newest first',
    name: 'Survey',
    questions: 'Questions',
    respondents: 'Answered',
    target: 'of {target}',
    created: 'Created',
    empty: 'No survey yet',
    emptyHint: 'Create one with “New survey”: an NPS question to start with, then send its link after purchases.',
    emptyRead: 'A marketer creates surveys; they show here with their answers.',
    none: 'No survey matches',
    noneHint: 'Choose “All” in the filters to see every survey.',
    deleted: 'The survey “{name}” is deleted.',
  },
  ru: {
    title: 'Опросы',
    intro: 'NPS, CSAT, ранжирование привилегий и свои опросы на русском и английском: соберите опрос, откройте его, отправьте ссылку и читайте ответы по мере поступления.',
    add: 'Новый опрос',
    status: 'Статус',
    kind: 'Вид',
    all: 'Все',
    caption: 'Опросы, сначала новые',
    name: 'Опрос',
    questions: 'Вопросов',
    respondents: 'Ответили',
    target: 'из {target}',
    created: 'Создан',
    empty: 'Опросов пока нет',
    emptyHint: 'Создайте опрос кнопкой «Новый опрос»: для начала вопрос NPS, затем отправляйте ссылку после покупок.',
    emptyRead: 'Опросы создаёт маркетолог; они появятся здесь вместе с ответами.',
    none: 'Нет подходящих опросов',
    noneHint: 'Выберите «Все» в фильтрах, чтобы увидеть все опросы.',
    deleted: 'Опрос «{name}» удалён.',
  },
});

export default function SurveyList() {
  const t = useText(text);
  const w = useText(surveyWords);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const { query } = useLocation();
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const list = usePagedList<Survey>('/v1/surveys', { ...(status ? { status } : {}), ...(kind ? { kind } : {}) }, 50);
  const mayWrite = can('surveys:write');
  const deleted = query.get('deleted');

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        mayWrite ? (
          <Link to="/surveys/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {deleted ? <Notice tone="success">{t('deleted', { name: deleted })}</Notice> : null}
      <div className="form-row search">
        <FilterSelect id="survey-status" label={t('status')} allLabel={t('all')} value={status} onChange={setStatus} options={surveyStatuses.map((value) => [value, w(`status_${value}`)] as const)} />
        <FilterSelect id="survey-kind" label={t('kind')} allLabel={t('all')} value={kind} onChange={setKind} options={surveyKinds.map((value) => [value, w(`kind_${value}`)] as const)} />
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={status || kind ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: mayWrite ? t('emptyHint') : t('emptyRead') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/surveys/${row.id}`}>{inLocale(row.title, locale)}</Link> },
          { key: 'kind', title: t('kind'), render: (row) => w(`kind_${row.kind}`) },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{w(`status_${row.status}`)}</Badge> },
          { key: 'questions', title: t('questions'), numeric: true, render: (row) => format.number(row.questions.length) },
          {
            key: 'respondents',
            title: t('respondents'),
            numeric: true,
            render: (row) => (row.targetRespondents ? `${format.number(row.respondents)} ${t('target', { target: format.number(row.targetRespondents) })}` : format.number(row.respondents)),
          },
          { key: 'created', title: t('created'), render: (row) => format.date(row.createdAt) },
        ]}
      />
    </Page>
  );
}
