import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { actorOf, sendJsonOrCsv } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Segments } from './index.ts';
import type { RfmReport } from './rfm-report.ts';
import { RfmReportQuery, RfmReportSchema, RfmRunParams, RfmRunRequest, RfmRunSchema } from './rfm.schemas.ts';

const tags = ['segments'];

/** A table of the report as CSV rows (the header first): what an analyst opens in a spreadsheet. */
export function reportCsv(report: RfmReport, table: 'grid' | 'groups' | 'transitions'): string {
  switch (table) {
    case 'grid':
      return stringify([
        ['recency', 'frequency', 'group', 'customers', 'revenue_minor', 'purchases', 'average_check_minor'],
        ...report.grid.map((c) => [c.recency, c.frequency, c.group, c.customers, c.revenueMinor, c.purchases, c.averageCheckMinor ?? '']),
      ]);
    case 'groups':
      return stringify([
        ['group', 'customers', 'share', 'revenue_minor', 'average_check_minor', 'average_recency_days', 'average_frequency', 'cells'],
        ...report.groups.map((g) => [g.group, g.customers, g.share, g.revenueMinor, g.averageCheckMinor ?? '', g.averageRecencyDays ?? '', g.averageFrequency ?? '', g.cells.map(([r, f]) => `${r}${f}`).join(' ')]),
      ]);
    case 'transitions':
      return stringify([['from', 'to', 'customers'], ...report.transitions.moves.map((m) => [m.from ?? '(not scored)', m.to ?? '(not scored)', m.customers])]);
  }
}

export function rfmRoutes(app: FastifyInstance, { segments }: { segments: Segments }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/v1/analytics/rfm/runs', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Score every customer by RFM now: a job with its phase (one under way is answered instead of a second); a run also starts every night',
      body: RfmRunRequest,
      response: { 202: RfmRunSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await segments.rfm.start(request.body ?? {}, actorOf(request))),
  });
  r.get('/v1/analytics/rfm/runs/:id', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: "An RFM run's progress", params: RfmRunParams, response: { 200: RfmRunSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => segments.rfm.get(request.params.id),
  });
  r.get('/v1/analytics/rfm', {
    config: { permission: 'segments:read' },
    schema: {
      tags,
      summary: 'The current RFM report: score ranges, the 5×5 recency × frequency grid, the named groups and the moves between groups since the run before (Accept: text/csv for one table)',
      querystring: RfmReportQuery,
      produces: ['application/json', 'text/csv'],
      response: {
        200: {
          description: 'The report',
          content: { 'application/json': { schema: RfmReportSchema }, 'text/csv': { schema: { type: 'string', description: 'One table of the report (table=grid, groups or transitions)' } } },
        },
        ...errorResponses(400, ...authErrors, 404),
      },
    },
    handler: async (request, reply) => {
      const current = await segments.rfm.report();
      const table = request.query.table ?? 'grid';
      return sendJsonOrCsv(request, reply, { format: request.query.format, json: () => current, csv: () => ({ filename: `rfm-${table}-${current.id}.csv`, body: reportCsv(current.report, table) }) });
    },
  });
}
