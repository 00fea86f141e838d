import { defineEvents } from '../../platform/outbox.ts';

/**
 * - `report.completed` `{reportId, runId, name, kind, from, to, timezone, recipients, csv, csvOmitted}`:
 *   a scheduled report ran over its period; `csv` is its CSV (null and `csvOmitted` true past
 *   `CSV_IN_EVENT_MAX` characters: GET /v1/reports/{id}/runs/{runId} has it).
 * - `report.failed` `{reportId, runId, name, kind, from, to, timezone, recipients, failure}`.
 * - `alert.fired` `{alertId, ruleId, name, day, group, kpi, value, message, evidence, recipients}`.
 * Webhooks subscribed to them deliver them; messaging e-mails them to their `recipients`.
 */
export const analyticsEvents = defineEvents(['report.completed', 'report.failed', 'alert.fired'] as const);
export const emitEvents = analyticsEvents.emit;

/** A CSV larger than this (characters) is left out of the event and of the e-mail: a link to the run is sent instead. */
export const CSV_IN_EVENT_MAX = 2_000_000;
