import { Type } from 'typebox';
import { defineImportType } from '../../platform/imports/import-format.ts';
import { Defaulted } from '../../platform/schemas.ts';
import { defineModule } from '../../platform/registry.ts';
import type { Loyalty } from './index.ts';
import { ownTx } from './loyalty.db.ts';
import { loyaltyErrors } from './loyalty.errors.ts';
import { loyaltyEvents } from './loyalty.events.ts';
import { loyaltyIds } from './loyalty.ids.ts';

/** What the loyalty module registers with the platform when buildApp wires it. */
export const loyaltyModule = defineModule({
  name: 'loyalty',
  events: loyaltyEvents.types,
  idPrefixes: loyaltyIds.prefixes,
  errors: loyaltyErrors.table,
  ownTx,
  segmentFields: (loyalty: Loyalty) => loyalty.segmentFields(),
  jobs: (loyalty: Loyalty) => [
    { name: 'activate-points', cadence: 'frequent', run: (signal) => loyalty.runJob('activate-points', signal) },
    { name: 'expire-points', cadence: 'frequent', run: (signal) => loyalty.runJob('expire-points', signal) },
    { name: 'announce-expiring-points', cadence: 'frequent', run: (signal) => loyalty.runJob('announce-expiring-points', signal) },
    // Live: closing the last hour and repairing a refund's hour take milliseconds; a backfill goes a day a step for at most 5 s a run.
    { name: 'fold-rollups', cadence: 'live', run: async (signal) => ({ ...(await loyalty.rollups.fold(signal, 5_000)) }) },
    { name: 'review-tiers', cadence: 'daily', run: (signal) => loyalty.runJob('review-tiers', signal) },
  ],
  imports: (loyalty: Loyalty) => [
    defineImportType({
      kind: 'receipts',
      format: loyalty.receiptNdjsonFormat,
      view: ownTx,
      upload: {
        url: '/v1/receipts/bulk',
        permission: 'receipts:import',
        contentTypes: ['application/x-ndjson', 'application/jsonl', 'text/plain'],
        extension: 'ndjson',
        tag: 'receipts',
        summary: 'Load historical receipts from NDJSON, one receipt a line (earn=true to accrue points: owner only)',
        query: {
          earn: Defaulted(
            Type.Boolean({
              default: false,
              description: 'Accrue points by the current rules, pending from the load. Creates points, so it needs receipts:import-earn (the owner); audited with the points per batch',
            }),
          ),
        },
        options: (query) => ({ earn: query.earn === true }),
        optionPermission: (options) => (options.earn === true ? { permission: 'receipts:import-earn', doing: 'load receipts with earn=true: that creates points' } : null),
      },
    }),
  ],
});
