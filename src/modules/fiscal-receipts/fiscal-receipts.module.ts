import { defineModule } from '../../platform/registry.ts';
import type { FiscalReceipts } from './index.ts';
import { ownTx } from './fiscal-receipts.db.ts';
import { fiscalReceiptErrors } from './fiscal-receipts.errors.ts';
import { fiscalReceiptEvents } from './fiscal-receipts.events.ts';
import { fiscalReceiptIds } from './fiscal-receipts.ids.ts';

/** What the fiscal-receipts module registers with the platform when buildApp wires it. */
export const fiscalReceiptsModule = defineModule({
  name: 'fiscal-receipts',
  events: fiscalReceiptEvents.types,
  idPrefixes: fiscalReceiptIds.prefixes,
  errors: fiscalReceiptErrors.table,
  ownTx,
  // Live: a customer who scanned a receipt waits for its points.
  jobs: (fiscalReceipts: FiscalReceipts) => [{ name: 'verify-fiscal-receipts', cadence: 'live', run: (signal) => fiscalReceipts.verifyDue(signal) }],
});
