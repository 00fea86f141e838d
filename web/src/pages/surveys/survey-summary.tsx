import { api } from '../../api.ts';
import { Card, ErrorNote, Loading } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { inLocale, type Texts } from './survey-types.ts';

const text = defineText({
  en: {
    title: 'Results so far',
    none: 'No answers yet: the results show once customers answer.',
    answered: { one: '{count} answered', other: '{count} answered' },
    nps: 'NPS {nps} ± {margin}',
    npsLink: 'Its trend in Analytics',
    mean: 'Mean {mean} (95 %: {lower} … {upper})',
    csat: 'satisfied (top two values): {share}',
    choice: '{option}: {count} · {share}',
    rank: '{option}: mean rank {rank}, first for {first}',
    texts: 'The free-text answers are in the answers below.',
  },
  ru: {
    title: 'Итоги на сейчас',
    none: 'Ответов пока нет: итоги появятся, когда клиенты ответят.',
    answered: { one: 'ответил {count}', few: 'ответили {count}', many: 'ответили {count}', other: 'ответили {count}' },
    nps: 'NPS {nps} ± {margin}',
    npsLink: 'Тренд в Аналитике',
    mean: 'Среднее {mean} (95 %: {lower} … {upper})',
    csat: 'довольны (две высшие оценки): {share}',
    choice: '{option}: {count} · {share}',
    rank: '{option}: средний ранг {rank}, первым у {first}',
    texts: 'Свободные ответы — в списке ответов ниже.',
  },
});

type Interval = { lower: number; upper: number } | null;
type QuestionReport = {
  questionId: string;
  type: string;
  text: Texts;
  respondents: number;
  nps?: { nps: number | null; marginOfError: number | null };
  rating?: { mean: number | null; meanInterval: Interval; csatShare: number | null };
  choice?: { options: Array<{ optionId: string; text: Texts; count: number; share: number | null }> };
  ranking?: { options: Array<{ optionId: string; text: Texts; meanRank: number | null; firstChoices: number }>; verdict: string };
};
type Report = { respondents: number; questions: QuestionReport[] };

/** Each question's result as GET /v1/surveys/{id}/report answers it, in short; NPS trends stay in Analytics. */
export function SurveySummary({ surveyId, respondents }: { surveyId: string; respondents: number }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const report = useResource((signal) => api.get<Report>(`/v1/surveys/${surveyId}/report`, undefined, signal), [surveyId, respondents]);
  const one = (n: number | null) => (n === null ? '—' : format.number(n, { maximumFractionDigits: 1 }));
  const two = (n: number | null) => (n === null ? '—' : format.number(n, { maximumFractionDigits: 2 }));

  const result = (q: QuestionReport) => {
    if (q.nps) {
      return (
        <p>
          {t('nps', { nps: one(q.nps.nps), margin: one(q.nps.marginOfError) })} · <Link to={`/analytics/surveys?survey=${surveyId}`}>{t('npsLink')}</Link>
        </p>
      );
    }
    if (q.rating) {
      const interval = q.rating.meanInterval;
      return (
        <p>
          {t('mean', { mean: two(q.rating.mean), lower: two(interval?.lower ?? null), upper: two(interval?.upper ?? null) })}
          {q.rating.csatShare === null ? null : `; ${t('csat', { share: format.percent(q.rating.csatShare) })}`}
        </p>
      );
    }
    if (q.choice) {
      return (
        <ul>
          {q.choice.options.map((o) => (
            <li key={o.optionId}>{t('choice', { option: inLocale(o.text, locale), count: format.number(o.count), share: o.share === null ? '—' : format.percent(o.share) })}</li>
          ))}
        </ul>
      );
    }
    if (q.ranking) {
      return (
        <>
          <ol>
            {q.ranking.options.map((o) => (
              <li key={o.optionId}>{t('rank', { option: inLocale(o.text, locale), rank: two(o.meanRank), first: format.number(o.firstChoices) })}</li>
            ))}
          </ol>
          <p className="muted">{q.ranking.verdict}</p>
        </>
      );
    }
    return <p className="muted">{t('texts')}</p>;
  };

  return (
    <Card title={t('title')}>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && report.data.respondents === 0 ? <p>{t('none')}</p> : null}
      {report.data && report.data.respondents > 0
        ? report.data.questions.map((q) => (
            <section key={q.questionId} className="summary-question">
              <h3>
                {inLocale(q.text, locale)} <span className="muted">({t('answered', { count: q.respondents })})</span>
              </h3>
              {result(q)}
            </section>
          ))
        : null}
    </Card>
  );
}
