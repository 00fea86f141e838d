import { consumeOutbox, type OutboxRow } from '../../platform/outbox-consumer.ts';
import { escapeUnstorable } from '../../platform/text.ts';
import type { FeedbackDeps } from './feedback.deps.ts';
import { MAX_BODY, MAX_SUBJECT } from './feedback.schemas.ts';
import { insertTicket, subjectFrom } from './tickets.ts';

/**
 * Tickets from surveys: the surveys module publishes `survey.answered`
 * `{surveyId, responseId, customerId | null, kind, score | null, texts: [{questionId, question, text}]}`
 * for every response; one with free text becomes a ticket (source `survey`, sourceRef the
 * response id), each answer with text an `in` message (the question kept beside it), the subject
 * the first question's. An NPS detractor (score 0–6) gets the `detractor` tag, which its
 * `ticket.created` event carries to whoever is alerted (a webhook to a chat or a helpdesk).
 *
 * Idempotent: the outbox may give an event twice, and the ticket's (source, sourceRef) is
 * unique, so the second makes nothing. A customer erased or unknown by the time the event is
 * read leaves nothing behind: their words are not kept.
 */
export const SURVEY_CONSUMER = 'survey-tickets';
export const SURVEY_EVENT = 'survey.answered';

type Answer = { question: string; text: string };
type SurveyAnswered = { responseId: string; customerId: string | null; kind: string | null; score: number | null; texts: Answer[] };

const DETRACTOR_MAX = 6;

/** The event's payload, or null when it is not one this consumer can use (logged, never a loop of failures). */
export function readPayload(payload: Record<string, unknown>): SurveyAnswered | null {
  const { responseId, customerId, kind, score, texts } = payload;
  if (typeof responseId !== 'string' || responseId === '' || responseId.length > 200) return null;
  const answers = Array.isArray(texts)
    ? texts.flatMap((item): Answer[] => {
        if (typeof item !== 'object' || item === null) return [];
        const { question, text } = item as Record<string, unknown>;
        if (typeof text !== 'string' || text.trim() === '') return [];
        return [{ question: typeof question === 'string' ? escapeUnstorable(question).slice(0, 500) : '', text: escapeUnstorable(text).slice(0, MAX_BODY) }];
      })
    : [];
  return {
    responseId,
    customerId: typeof customerId === 'string' && customerId !== '' ? customerId : null,
    kind: typeof kind === 'string' ? kind : null,
    score: typeof score === 'number' && Number.isFinite(score) ? score : null,
    texts: answers,
  };
}

export const isDetractor = (answer: Pick<SurveyAnswered, 'kind' | 'score'>) => answer.kind === 'nps' && answer.score !== null && answer.score <= DETRACTOR_MAX;

export async function openSurveyTickets(deps: FeedbackDeps, signal?: AbortSignal, woken = false): Promise<{ events: number; tickets: number }> {
  let tickets = 0;
  const { events } = await consumeOutbox(
    deps.db,
    deps.clock,
    {
      name: SURVEY_CONSUMER,
      types: [SURVEY_EVENT],
      batch: 200,
      async handle(rows) {
        for (const row of rows) {
          if (signal?.aborted) return false;
          if (await handleOne(deps, row)) tickets++;
        }
        return true;
      },
    },
    signal,
    { woken },
  );
  return { events, tickets };
}

async function handleOne(deps: FeedbackDeps, row: OutboxRow): Promise<boolean> {
  const answer = readPayload(row.payload);
  if (!answer || answer.texts.length === 0) return false;
  let customerId: string | null = null;
  if (answer.customerId !== null) {
    const record = (await deps.customers.currentRecords([answer.customerId])).get(answer.customerId);
    if (!record) return false;
    customerId = record.id;
  }
  const first = answer.texts[0]!;
  const subject = (first.question ? subjectFrom(`Survey: ${first.question}`, MAX_SUBJECT) : '') || subjectFrom(first.text);
  const made = await deps.db.transaction().execute((tx) =>
    insertTicket(
      tx,
      deps,
      { customerId, source: 'survey', sourceRef: answer.responseId, subject, tags: isDetractor(answer) ? ['detractor'] : [], contactName: null, contactEmail: null },
      answer.texts.map((text) => ({ body: text.text, question: text.question || null })),
    ),
  );
  return made !== null;
}
