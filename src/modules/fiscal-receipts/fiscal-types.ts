/** The verification service's request shape: proverkacheka.com's form, or Patron's generic JSON. */
export type ServiceFormat = 'proverkacheka' | 'generic';

/** A receipt line is the brand's product when its name contains `nameContains` or its barcode is `barcode`. */
export type ProductRule = { sku: string; nameContains?: string; barcode?: string };

/** What GET /v1/fiscal-receipts/settings answers, but the token (write-only) and version. */
export type FiscalSettingsBody = {
  enabled: boolean;
  serviceUrl: string | null;
  serviceFormat: ServiceFormat;
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  /** The zone receipts' local times are read in. */
  timezone: string;
  storeId: string | null;
  maxAgeDays: number;
  products: ProductRule[];
};

export const defaultSettings: FiscalSettingsBody = {
  enabled: false,
  serviceUrl: null,
  serviceFormat: 'proverkacheka',
  timeoutMs: 10_000,
  allowPrivateNetwork: false,
  timezone: 'Europe/Moscow',
  storeId: null,
  maxAgeDays: 30,
  products: [],
};

/** A line of the brand's products as the service answered it, with the SKU it matched. */
export type ReceiptLine = { name: string; sku: string; priceMinor: number; quantity: number; sumMinor: number };

/** A line as the verification service answers it (kopecks; quantity may be fractional: weighed goods). */
export type ServiceLine = { name: string; priceMinor: number; quantity: number; sumMinor: number; barcode: string | null };
