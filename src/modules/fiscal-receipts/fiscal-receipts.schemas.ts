import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { fiscalReceiptIds } from './fiscal-receipts.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const FiscalReceiptId = Type.String({ pattern: fiscalReceiptIds.pattern('frc'), description: 'frc_… id' });
export const FiscalReceiptParams = Type.Object({ id: FiscalReceiptId });

export const ProductRuleSchema = named('FiscalProductRule', Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, description: 'A SKU of the catalog (GET /v1/products): the brand\'s product the receipt line is' }),
    nameContains: Type.Optional(Type.String({ minLength: 2, maxLength: 200, description: 'The line is this product when its name contains this text (any case; ё and е alike; spaces collapsed)' })),
    barcode: Type.Optional(Type.String({ pattern: '^[0-9]{8,14}$', patternDescription: '8 to 14 digits (EAN-8, EAN-13, GTIN-14)', description: 'Or when the service gives the line this barcode' })),
  },
  { additionalProperties: false, description: 'Which receipt lines are this SKU: by name or by barcode (at least one of the two); the first rule that matches a line wins' },
));

const settingsFields = {
  enabled: Type.Boolean({ description: 'Customers may submit receipts (needs serviceUrl and storeId)' }),
  serviceUrl: Nullable(Type.String({ pattern: '^https?://[^\\s]+$', patternDescription: 'an http:// or https:// URL', maxLength: 500, description: 'The verification service\'s endpoint: https://proverkacheka.com/api/v1/check/get, or your own service\'s' })),
  serviceFormat: StringEnum(['proverkacheka', 'generic'], {
    description: "proverkacheka: a form POST of token and qrraw, answered {code, data: {json: {items}}}; generic: a JSON POST of the QR's fields with the token as a bearer, answered {status, items}",
  }),
  timeoutMs: Type.Integer({ minimum: 500, maximum: 60_000, description: 'How long one request to the service may take; longer is a temporary failure, tried again later' }),
  allowPrivateNetwork: Type.Boolean({ description: 'Allow a service on a private network (localhost, 10.x …); off by default' }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: "The zone a receipt's printed time is read in (Europe/Moscow)" }),
  storeId: Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'The store (GET /v1/stores) the verified receipts are booked at: its earning rules apply' })),
  maxAgeDays: Type.Integer({ minimum: 1, maximum: 365, description: 'A receipt older than this many days is refused' }),
  products: Type.Array(ProductRuleSchema, { maxItems: 500, description: 'The brand\'s products on receipts: only matched lines earn' }),
};

export const FiscalSettingsSchema = named('FiscalReceiptSettings', Type.Object({
  ...settingsFields,
  tokenSet: Type.Boolean({ description: 'Whether a token is saved (the token itself is never answered)' }),
  version: Type.Integer(),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
}));

export const FiscalSettingsReplacement = named('FiscalReceiptSettingsReplacement', Type.Object(
  {
    ...settingsFields,
    token: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500, description: 'The service\'s token (write-only): a string sets it, null removes it, left out keeps it' }))),
    tokenSet: Type.Optional(Type.Boolean({ description: 'Ignored (what GET answers)' })),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'The version you read (0 before the first save): if another was saved since, 409 fiscal_receipt.version_conflict' })),
    updatedAt: Type.Optional(Nullable(Type.String({ description: 'Ignored (what GET answers)' }))),
  },
  { additionalProperties: false },
));

export const FiscalSubmit = named('FiscalReceiptSubmit', Type.Object(
  {
    qr: Type.String({ minLength: 1, maxLength: 2000, description: 'The text of the receipt\'s QR code (t=…&s=…&fn=…&i=…&fp=…&n=…), as scanned: any order, URL-encoded or a whole URL' }),
  },
  { additionalProperties: false },
));

const LineSchema = named('FiscalReceiptLine', Type.Object({
  name: Type.String({ description: 'The line as the receipt names it' }),
  sku: Type.String({ description: 'The catalog SKU it matched' }),
  priceMinor: Type.Integer(),
  quantity: Type.Number({ description: 'Units, or kilograms of weighed goods' }),
  sumMinor: Type.Integer(),
}));

export const FiscalReceiptSchema = named('FiscalReceipt', Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  status: StringEnum(['pending', 'earned', 'rejected'], { description: 'pending: waiting for the verification service; earned: verified, points given; rejected: see reason' }),
  fn: Type.String({ description: "The fiscal drive's number (QR fn)" }),
  i: Type.Integer({ description: "The fiscal document's number (QR i)" }),
  fp: Type.Integer({ description: 'The fiscal sign (QR fp)' }),
  totalMinor: Type.Integer({ description: 'The receipt\'s total (QR s), in kopecks' }),
  purchasedAt: Type.String({ format: 'date-time', description: "QR t, read in the settings' zone" }),
  reason: Nullable(Type.String({ description: 'Why it was rejected, in words' })),
  points: Nullable(Type.Integer({ description: 'The points it earned (pending for the program\'s pendingDays)' })),
  receiptId: Nullable(Type.String({ description: 'The receipt it became (GET /v1/receipts/{id}), booked at the settings\' store' })),
  lines: Type.Array(LineSchema, { description: "The receipt's lines of the brand's products (after verification)" }),
  attempts: Type.Integer({ description: 'Requests made to the verification service' }),
  lastError: Nullable(Type.String({ description: 'The last temporary failure (a timeout, a 5xx), tried again later' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  verifiedAt: Nullable(Type.String({ format: 'date-time' })),
}));

export const FiscalReceiptPage = PageOf('FiscalReceiptPage', FiscalReceiptSchema);
export const FiscalReceiptListQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 200 }) }, { additionalProperties: false });
