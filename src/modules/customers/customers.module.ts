import { defineImportType } from '../../platform/imports/import-format.ts';
import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './customers.db.ts';
import { customerErrors } from './customers.errors.ts';
import { customerEvents } from './customers.events.ts';
import { customerIds } from './customers.ids.ts';
import type { Customers } from './index.ts';
import { customerSegmentFields } from './segment-fields.ts';

/** What the customers module registers with the platform when buildApp wires it. */
export const customersModule = defineModule({
  name: 'customers',
  events: customerEvents.types,
  idPrefixes: customerIds.prefixes,
  errors: customerErrors.table,
  ownTx,
  segmentFields: () => customerSegmentFields,
  imports: (customers: Customers) => [
    defineImportType({
      kind: 'customers',
      format: customers.csvFormat,
      view: ownTx,
      upload: {
        url: '/v1/imports/customers',
        permission: 'customers:import',
        contentTypes: ['text/csv', 'application/csv', 'text/plain'],
        extension: 'csv',
        tag: 'customers',
        summary: 'Import customers from CSV (streamed; see docs/import.md for the columns)',
      },
    }),
  ],
});
