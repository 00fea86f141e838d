/**
 * The template engine of messaging: Liquid in a sandbox, Patron's filters, the catalogue of
 * variables and the check made when a template is saved. A pure library: the messaging module
 * stores templates and their versions, loads the customer's data into a TemplateContext and
 * calls these.
 */
export {
  compilePart,
  defaultTemplateLimits,
  patronFilters,
  renderCompiledPart,
  renderPart,
  type CompiledPart,
  type CompileOptions,
  type FilterSpec,
  type RenderOptions,
  type TemplateLimits,
} from './engine.ts';
export { DATE_FORMATS, type DateFormat } from './filters.ts';
export type { ProblemKind, TemplateProblem } from './problems.ts';
export { templateError, templateErrors } from './templates.errors.ts';
export { assertValidTemplate, checkTemplate, surveyIdsIn } from './validate.ts';
export {
  catalogueEntries,
  variableCatalogue,
  type BalanceVars,
  type CatalogueEntry,
  type CatalogueNode,
  type CustomerVars,
  type ExpiringLot,
  type LinkVars,
  type MessageChannel,
  type MessageVars,
  type NextTierVars,
  type OfferVars,
  type ProgramVars,
  type PromoCodeVars,
  type RecommendationVars,
  type StoreVars,
  type TemplateContext,
  type TierVars,
  type ValueType,
} from './variables.ts';
export { sampleTemplateContext } from './sample-context.ts';
