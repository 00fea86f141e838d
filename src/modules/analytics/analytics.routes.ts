import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { actorOf, sendJsonOrCsv } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import {
  AlertCheckRequest, AlertCheckSchema, AlertListQuery, AlertPage, AlertParamsPath, AlertRuleCreate, AlertRuleListQuery, AlertRulePage, AlertRuleParams, AlertRuleSchema, AlertRuleUpdate, AlertSchema,
  CohortQuery, CohortReportSchema, EconomicsQuery, EconomicsReportSchema, FunnelQuery, FunnelReportSchema, KpiQuery, KpiReportSchema,
  ReportCreate, ReportListQuery, ReportPage, ReportParams, ReportRunPage, ReportRunParams, ReportRunQuery, ReportRunSchema, ReportSchema, ReportUpdate,
} from './analytics.schemas.ts';
import type { ReportInput } from './scheduled-reports.ts';
import type { AlertRuleInput } from './alerts.ts';
import { analyticsError } from './analytics.errors.ts';
import type { Analytics } from './index.ts';
import { cohortCsv, economicsCsv, funnelCsv, kpiCsv } from './report-csv.ts';

const tags = ['analytics'];

/** A report's answer: JSON, or its CSV form when asked (Accept: text/csv or format=csv). */
function jsonOrCsv(schema: TSchema, csvDescription: string) {
  return {
    200: {
      description: 'The report',
      content: { 'application/json': { schema }, 'text/csv': { schema: { type: 'string', description: csvDescription } } },
    },
    ...errorResponses(400, ...authErrors),
  };
}

/** The report, or its CSV named by the report and its period. */
function answer<T extends { period: { from: string; to: string } }>(request: FastifyRequest, reply: FastifyReply, name: string, report: T, csv: (r: T) => string, format?: 'json' | 'csv') {
  return sendJsonOrCsv(request, reply, { format, json: () => report, csv: () => ({ filename: `${name}-${report.period.from}-${report.period.to}.csv`, body: csv(report) }) });
}

export function analyticsRoutes(app: FastifyInstance, { analytics }: { analytics: Analytics }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/v1/analytics/kpis', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'Key figures of a period: revenue, receipts, average check, buyers new and returning, retention, recognition rate at the till, loyalty activity — in total or by store, register, channel, tier, segment, cluster or as a series, beside the period before and a year earlier',
      querystring: KpiQuery,
      produces: ['application/json', 'text/csv'],
      response: jsonOrCsv(KpiReportSchema, 'One row per group (the total without groupBy), the compared periods\' figures in prefixed columns'),
    },
    handler: async (request, reply) => answer(request, reply, 'kpis', await analytics.kpis(request.query), kpiCsv, request.query.format),
  });
  r.get('/v1/analytics/cohorts', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'Acquisition cohorts by month or week of the first purchase: retention and cumulative revenue per customer (the LTV curve) period by period since, optionally by store, channel or first-purchase promotion',
      querystring: CohortQuery,
      produces: ['application/json', 'text/csv'],
      response: jsonOrCsv(CohortReportSchema, 'One row per cohort and period since the first purchase'),
    },
    handler: async (request, reply) => answer(request, reply, 'cohorts', await analytics.cohorts(request.query), cohortCsv, request.query.format),
  });
  r.get('/v1/analytics/funnels', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'A funnel of steps in order (default sign-up → first → second → third purchase; or message → open → click → purchase within an attribution window): customers at each step, conversion and median time between steps, optionally by sign-up source',
      querystring: FunnelQuery,
      produces: ['application/json', 'text/csv'],
      response: jsonOrCsv(FunnelReportSchema, 'One row per group and step'),
    },
    handler: async (request, reply) => answer(request, reply, 'funnel', await analytics.funnels(request.query), funnelCsv, request.query.format),
  });
  r.get('/v1/analytics/economics', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'The economics of the bonus system: points issued, redeemed, expired and outstanding, the liability in money and by expiry month, breakage, and the program\'s cost against revenue',
      querystring: EconomicsQuery,
      produces: ['application/json', 'text/csv'],
      response: jsonOrCsv(EconomicsReportSchema, 'One figure a row: name, value'),
    },
    handler: async (request, reply) => answer(request, reply, 'economics', await analytics.economics(request.query), economicsCsv, request.query.format),
  });

  r.post('/v1/alert-rules', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Set an anomaly alert on a daily key figure: a drop below its recent median, or a value outside its weekday band; checked every day',
      body: AlertRuleCreate,
      response: { 201: AlertRuleSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await analytics.alerts.create(request.body as AlertRuleInput, actorOf(request))),
  });
  r.get('/v1/alert-rules', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'Alert rules, by id', querystring: AlertRuleListQuery, response: { 200: AlertRulePage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => analytics.alerts.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/alert-rules/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'An alert rule', params: AlertRuleParams, response: { 200: AlertRuleSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.alerts.get(request.params.id),
  });
  r.patch('/v1/alert-rules/:id', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Change an alert rule (JSON merge patch): its line, its figure, switch it off',
      consumes: mergePatchMediaTypes,
      params: AlertRuleParams,
      body: AlertRuleUpdate,
      response: { 200: AlertRuleSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request) => analytics.alerts.update(request.params.id, request.body as Partial<AlertRuleInput>, actorOf(request)),
  });
  r.delete('/v1/alert-rules/:id', {
    config: { permission: 'analytics:write' },
    schema: { tags, summary: 'Delete an alert rule and the alerts it fired; answers the rule as it was', params: AlertRuleParams, response: { 200: AlertRuleSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.alerts.remove(request.params.id, actorOf(request)),
  });
  r.post('/v1/alert-rules/:id/check', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Judge one day now (a past day, or one the daily check has not reached): the value of each group against its history, and the alerts fired',
      params: AlertRuleParams,
      body: AlertCheckRequest,
      response: { 200: AlertCheckSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request) => analytics.alerts.check(request.params.id, request.body.day),
  });
  r.get('/v1/alerts', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'Alerts fired, newest first; filter by rule', querystring: AlertListQuery, response: { 200: AlertPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => analytics.alerts.alerts({ limit: request.query.limit ?? 50, ...(request.query.cursor ? { cursor: request.query.cursor } : {}), ...(request.query.ruleId ? { ruleId: request.query.ruleId } : {}) }),
  });
  r.get('/v1/alerts/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'An alert with its evidence', params: AlertParamsPath, response: { 200: AlertSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.alerts.alert(request.params.id),
  });

  r.post('/v1/reports', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Schedule a report: KPIs, cohorts, a funnel or the economics with its query, run daily, weekly or monthly once its period ends; each run kept as JSON and CSV',
      body: ReportCreate,
      response: { 201: ReportSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await analytics.scheduled.create(request.body as ReportInput, actorOf(request))),
  });
  r.get('/v1/reports', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'Scheduled reports, by id', querystring: ReportListQuery, response: { 200: ReportPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => analytics.scheduled.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/reports/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'A scheduled report', params: ReportParams, response: { 200: ReportSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.scheduled.get(request.params.id),
  });
  r.patch('/v1/reports/:id', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Change a scheduled report (JSON merge patch): its query, schedule or zone, or pause it',
      consumes: mergePatchMediaTypes,
      params: ReportParams,
      body: ReportUpdate,
      response: { 200: ReportSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request) => analytics.scheduled.update(request.params.id, request.body as Partial<ReportInput>, actorOf(request)),
  });
  r.delete('/v1/reports/:id', {
    config: { permission: 'analytics:write' },
    schema: { tags, summary: 'Delete a scheduled report and its runs; answers the report as it was', params: ReportParams, response: { 200: ReportSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.scheduled.remove(request.params.id, actorOf(request)),
  });
  r.post('/v1/reports/:id/runs', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Run the report now over its last complete period (kept beside the scheduled runs)',
      params: ReportParams,
      response: { 201: ReportRunSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => reply.status(201).send(await analytics.scheduled.runNow(request.params.id)),
  });
  r.get('/v1/reports/:id/runs', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: "A report's runs, newest first (without their answers)", params: ReportParams, querystring: ReportListQuery, response: { 200: ReportRunPage, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => analytics.scheduled.runs(request.params.id, request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/reports/:id/runs/:runId', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'A run with the report it made (Accept: text/csv or format=csv for its CSV)',
      params: ReportRunParams,
      querystring: ReportRunQuery,
      produces: ['application/json', 'text/csv'],
      response: {
        200: { description: 'The run', content: { 'application/json': { schema: ReportRunSchema }, 'text/csv': { schema: { type: 'string', description: "The report's CSV" } } } },
        ...errorResponses(400, ...authErrors, 404, 409),
      },
    },
    handler: async (request, reply) => {
      const run = await analytics.scheduled.run(request.params.id, request.params.runId);
      return sendJsonOrCsv(request, reply, {
        format: request.query.format,
        json: () => run.view,
        csv: () => {
          if (run.csv === null) throw analyticsError('analytics.report_failed', `Run ${run.view.id} failed (${run.view.failure ?? 'no reason kept'}), so it has no CSV`);
          return { filename: `report-${run.view.from}-${run.view.to}.csv`, body: run.csv };
        },
      });
    },
  });
}
