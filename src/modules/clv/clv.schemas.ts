import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { clvIds } from './clv.ids.ts';

export const RunParams = Type.Object({ id: Type.String({ pattern: clvIds.pattern('clv'), description: 'clv_… id' }) });

export const ClvFitRequest = named('ClvFitRequest', Type.Object({
  calibrationEnd: Type.Optional(Type.String({ format: 'date', description: 'The last day of the calibration period, YYYY-MM-DD, not after today (default today, UTC); purchases count by their store\'s local date' })),
  unit: Type.Optional(StringEnum(['week', 'day'] as const, { description: 'The time unit of the models and the horizon (default week)' })),
  horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'How far ahead CLV looks, in units: at most 520 weeks or 3660 days (default 52 weeks, or 365 days)' })),
  discountRatePerYear: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Yearly discount rate for future margin, 0.1 for 10% (default 0.1)' })),
  marginPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Margin on a purchase\'s spend in percent (default 100: CLV is discounted revenue)' })),
  minRepeatCustomers: Type.Optional(Type.Integer({ minimum: 2, maximum: 1_000_000, description: 'Customers with purchases on two or more days needed to fit (default 20); fewer is a 409' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'The optimiser\'s seed: the same purchases and seed give the same fit (default 1)' })),
}, { additionalProperties: false }));

const Params = Type.Object({
  calibrationEnd: Type.String({ format: 'date' }),
  unit: StringEnum(['week', 'day'] as const),
  horizon: Type.Integer(),
  discountRatePerYear: Type.Number(),
  marginPercent: Type.Number(),
  minRepeatCustomers: Type.Integer(),
  seed: Type.Integer(),
});

export const ClvRunSchema = named('ClvRun', Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  phase: StringEnum(['summary', 'fitting', 'predicting', 'writing', 'done'] as const, {
    description: 'summary: reading every customer\'s purchases; fitting: both models; predicting: every customer; writing: storing the predictions (processed counts them); done',
  }),
  params: Params,
  customers: Type.Integer({ description: 'Customers with a purchase by the calibration end' }),
  repeatCustomers: Type.Integer({ description: 'Of them, those who bought on a later day too (the spend model is fitted on them)' }),
  processed: Type.Integer({ description: 'Customers whose prediction is stored so far' }),
  failure: Type.Optional(Type.String()),
  requestedBy: Type.Union([Type.String(), Type.Null()], { description: 'The key that asked for it (its id or name)' }),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
}));

const Decile = Type.Object({
  decile: Type.Integer({ description: '1 is the tenth of customers with the highest CLV' }),
  customers: Type.Integer(),
  clvMinorFrom: Type.Integer({ description: 'The lowest CLV in it, minor units' }),
  clvMinorTo: Type.Integer({ description: 'The highest CLV in it, minor units' }),
  clvMinorTotal: Type.Integer({ description: 'Its customers\' CLV summed, minor units' }),
  pAliveMean: Type.Number(),
  expectedPurchasesMean: Type.Number(),
});

export const ClvReportSchema = named('ClvReport', Type.Object({
  run: ClvRunSchema,
  fittedAt: Type.String({ description: 'When the fit completed' }),
  bgnbd: Type.Object({
    r: Type.Number(), alpha: Type.Number(), a: Type.Number(), b: Type.Number(),
    logLikelihood: Type.Number({ description: 'Summed over every customer' }),
    converged: Type.Boolean(),
  }, { description: 'BG/NBD: purchase rates ~ Gamma(r, alpha) (alpha in the run\'s unit), drop-out after a purchase ~ Beta(a, b)' }),
  gammaGamma: Type.Object({
    p: Type.Number(), q: Type.Number(), v: Type.Number({ description: 'In minor units (the scale of spend)' }),
    logLikelihood: Type.Number({ description: 'Summed over the repeat customers' }),
    converged: Type.Boolean(),
  }, { description: 'Gamma-Gamma: spend per purchase ~ Gamma(p, ν), ν ~ Gamma(q, v); a customer without repeat purchases is expected to spend p·v/(q−1)' }),
  distribution: Type.Object({
    clvMinorTotal: Type.Integer({ description: 'Every customer\'s CLV summed, minor units' }),
    clvMinorMean: Type.Integer(),
    expectedPurchasesMean: Type.Number({ description: 'Purchases expected per customer over the horizon' }),
    pAliveMean: Type.Number(),
    deciles: Type.Array(Decile, { description: 'Customers in tenths by CLV, the highest first (a fixed list of at most 10, not paged)' }),
    pAlive: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), customers: Type.Integer() }), { description: 'Customers by P(alive) in ten bins, [from, to) (the last includes 1; a fixed list, not paged)' }),
  }),
}));
