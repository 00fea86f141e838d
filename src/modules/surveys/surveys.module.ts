import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './surveys.db.ts';
import { surveyErrors } from './surveys.errors.ts';
import { surveyEvents } from './surveys.events.ts';
import { surveyIds } from './surveys.ids.ts';

/** What the surveys module registers with the platform when buildApp wires it. */
export const surveysModule = defineModule({
  name: 'surveys',
  events: surveyEvents.types,
  idPrefixes: surveyIds.prefixes,
  errors: surveyErrors.table,
  ownTx,
});
