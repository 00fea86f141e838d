import { sql, type RawBuilder } from 'kysely';

/**
 * What analytics reads of surveys (its KPIs' NPS): each answer to an NPS survey with a score,
 * `customer_id` (null for an anonymous answer through a public link), `answered_at`, `score`
 * (0–10). One answer per customer and survey (a unique index), so a customer answering two NPS
 * surveys counts twice, as a respondent of each.
 */
export function npsAnswerFacts(): RawBuilder<unknown> {
  return sql`select r.customer_id, r.answered_at, r.score
    from survey_responses r join surveys s on s.id = r.survey_id
    where s.kind = 'nps' and r.score is not null`;
}
