import { useVersionedForm } from '../../components/versioned-form.tsx';
import { Badge, Card, Empty, ErrorNote, Field, Loading, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, formatNumber, useLocale, useText, type Locale } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { FiscalProducts, type ProductRow } from './fiscal-products.tsx';
import { SaveState } from './save-state.tsx';
import { hasUnplaced, problemAt, wholeOf, type FiscalSettings, type Store } from './touchpoints-types.ts';
import './touchpoints.css';

const text = defineText({
  en: {
    title: 'Fiscal receipts',
    intro: 'Points for the brand’s products bought at other shops’ tills: the customer scans the QR code of the receipt on their account page or in your app, a receipt check service gives its lines, and the lines of your products earn by the earning rules, once per receipt.',
    readOnly: 'Your role may read these settings but not change them.',
    enabled: 'Customers may submit receipts',
    enabledHint: 'Needs the service’s address and the store receipts are booked at.',
    service: 'Receipt check service',
    serviceUrl: 'Service address',
    serviceUrlHint: 'https://proverkacheka.com/api/v1/check/get, or your own service’s',
    format: 'Service kind',
    proverkacheka: 'proverkacheka.com (a form with the token and the QR text)',
    generic: 'Your own service (JSON with the token as a bearer)',
    token: 'Service token',
    tokenSet: 'Token set',
    tokenNone: 'No token',
    tokenSetHint: 'A token is saved; it is never shown. Leave empty to keep it; type a new one to replace it.',
    tokenNewHint: 'Written, never shown back.',
    tokenRemove: 'Remove the saved token',
    timeout: 'Wait for the service at most, seconds',
    timeoutHint: 'From 0.5 to 60; longer is a temporary failure, tried again later',
    timeoutWrong: 'Give a number of seconds from 0.5 to 60, like 10 or 2.5.',
    privateNetwork: 'The service is on our private network (localhost, 10.x …)',
    booking: 'Where receipts are booked',
    store: 'Store the verified receipts are booked at',
    storeHint: 'Its earning rules apply to the receipt.',
    noStore: 'None chosen',
    moreStores: 'Load more stores',
    noStores: 'There are no stores yet.',
    noStoresHint: 'Add one for receipts from other shops (PUT /v1/stores, for instance a store “fiscal”), then pick it here.',
    timezone: 'Time zone of the receipts’ printed time',
    timezoneHint: 'An IANA zone such as Europe/Moscow',
    maxAge: 'Oldest receipt taken, days',
    maxAgeHint: 'From 1 to 365; an older receipt is refused',
    save: 'Save the settings',
  },
  ru: {
    title: 'Фискальные чеки',
    intro: 'Баллы за товары бренда, купленные на кассах других магазинов: клиент сканирует QR-код чека в личном кабинете или в вашем приложении, сервис проверки чеков отдаёт его строки, и строки ваших товаров дают баллы по правилам начисления — один раз на чек.',
    readOnly: 'Ваша роль может читать эти настройки, но не менять их.',
    enabled: 'Клиенты могут присылать чеки',
    enabledHint: 'Нужны адрес сервиса и магазин, в котором проводятся чеки.',
    service: 'Сервис проверки чеков',
    serviceUrl: 'Адрес сервиса',
    serviceUrlHint: 'https://proverkacheka.com/api/v1/check/get или адрес вашего сервиса',
    format: 'Вид сервиса',
    proverkacheka: 'proverkacheka.com (форма с токеном и текстом QR-кода)',
    generic: 'Ваш сервис (JSON, токен в заголовке Bearer)',
    token: 'Токен сервиса',
    tokenSet: 'Токен задан',
    tokenNone: 'Токена нет',
    tokenSetHint: 'Токен сохранён и никогда не показывается. Оставьте пустым, чтобы сохранить его; введите новый, чтобы заменить.',
    tokenNewHint: 'Записывается и никогда не показывается.',
    tokenRemove: 'Удалить сохранённый токен',
    timeout: 'Ждать ответа сервиса не дольше, секунд',
    timeoutHint: 'От 0,5 до 60; дольше — временный сбой, попытка позже',
    timeoutWrong: 'Укажите число секунд от 0,5 до 60, например 10 или 2,5.',
    privateNetwork: 'Сервис во внутренней сети (localhost, 10.x …)',
    booking: 'Где проводятся чеки',
    store: 'Магазин, в котором проводятся проверенные чеки',
    storeHint: 'К чеку применяются правила начисления этого магазина.',
    noStore: 'Не выбран',
    moreStores: 'Загрузить ещё магазины',
    noStores: 'Магазинов пока нет.',
    noStoresHint: 'Добавьте магазин для чеков других магазинов (PUT /v1/stores, например магазин «fiscal») и выберите его здесь.',
    timezone: 'Часовой пояс времени в чеке',
    timezoneHint: 'Зона IANA, например Europe/Moscow',
    maxAge: 'Самый старый принимаемый чек, дней',
    maxAgeHint: 'От 1 до 365; более старый чек отклоняется',
    save: 'Сохранить настройки',
  },
});

type Draft = {
  enabled: boolean;
  serviceUrl: string;
  serviceFormat: FiscalSettings['serviceFormat'];
  token: string;
  removeToken: boolean;
  timeoutSeconds: string;
  allowPrivateNetwork: boolean;
  timezone: string;
  storeId: string;
  maxAgeDays: string;
  products: ProductRow[];
};
const CONFLICT = 'fiscal_receipt.version_conflict';

const draftOf = (s: FiscalSettings, locale: Locale): Draft => ({
  enabled: s.enabled,
  serviceUrl: s.serviceUrl ?? '',
  serviceFormat: s.serviceFormat,
  token: '',
  removeToken: false,
  timeoutSeconds: formatNumber(s.timeoutMs / 1000, locale, { useGrouping: false, maximumFractionDigits: 3 }),
  allowPrivateNetwork: s.allowPrivateNetwork,
  timezone: s.timezone,
  storeId: s.storeId ?? '',
  maxAgeDays: String(s.maxAgeDays),
  products: s.products.map((p) => ({ sku: p.sku, nameContains: p.nameContains ?? '', barcode: p.barcode ?? '' })),
});

/** PUT takes what GET answers; the token only when typed (a string sets it, null removes it, left out keeps it). */
const bodyOf = (d: Draft, version: number) => {
  const seconds = wholeOf(d.timeoutSeconds);
  return {
    enabled: d.enabled,
    serviceUrl: d.serviceUrl.trim() || null,
    serviceFormat: d.serviceFormat,
    ...(d.token.trim() ? { token: d.token.trim() } : d.removeToken ? { token: null } : {}),
    timeoutMs: typeof seconds === 'number' ? Math.round(seconds * 1000) : seconds,
    allowPrivateNetwork: d.allowPrivateNetwork,
    timezone: d.timezone.trim(),
    storeId: d.storeId || null,
    maxAgeDays: wholeOf(d.maxAgeDays),
    products: d.products.map((p) => ({ sku: p.sku.trim(), ...(p.nameContains.trim() ? { nameContains: p.nameContains.trim() } : {}), ...(p.barcode.trim() ? { barcode: p.barcode.trim() } : {}) })),
    // Version 0 before the first save: a first save by someone else meanwhile is refused too.
    version,
  };
};

export default function FiscalReceiptsPage() {
  const t = useText(text);
  const can = useCan();
  const { locale } = useLocale();
  const { resource: settings, draft, setDraft, error, savedVersion, saving, conflict, dirty, save } = useVersionedForm({
    path: '/v1/fiscal-receipts/settings',
    draftOf: (s: FiscalSettings) => draftOf(s, locale),
    bodyOf,
    conflictCode: CONFLICT,
  });
  const stores = usePagedList<Store>('/v1/stores', {}, 100);
  const mayWrite = can('program:write');

  if (settings.error) return <ErrorNote error={settings.error} onRetry={settings.reload} />;
  if (!draft || !settings.data) return <Loading />;
  const current = settings.data;
  const disabled = !mayWrite;
  const problem = (path: string) => problemAt(error, path);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });
  const placed = (field: string) => ['serviceUrl', 'token', 'timeoutMs', 'timezone', 'storeId', 'maxAgeDays'].includes(field) || /^products\.\d+(\.(sku|nameContains|barcode))?$/.test(field);

  const loadedIds = new Set(stores.items.map((s) => s.id));
  const tokenHint = current.tokenSet ? t('tokenSetHint') : t('tokenNewHint');

  return (
    <Page title={t('title')} intro={t('intro')}>
      {disabled ? <Notice>{t('readOnly')}</Notice> : null}
      <form className="form tp-form" noValidate onSubmit={(event) => void save(event)}>
        <Card>
          <label className="check">
            <input type="checkbox" checked={draft.enabled} disabled={disabled} onChange={(e) => set('enabled', e.target.checked)} /> {t('enabled')}
          </label>
          <p className="muted">{t('enabledHint')}</p>
        </Card>
        <Card title={t('service')} actions={<Badge tone={current.tokenSet ? 'good' : 'neutral'}>{current.tokenSet ? t('tokenSet') : t('tokenNone')}</Badge>}>
          <Field label={t('serviceUrl')} hint={t('serviceUrlHint')} error={problem('serviceUrl')}>
            {(props) => <input {...props} inputMode="url" value={draft.serviceUrl} disabled={disabled} onChange={(e) => set('serviceUrl', e.target.value)} />}
          </Field>
          <Field label={t('format')} error={problem('serviceFormat')}>
            {(props) => (
              <select {...props} value={draft.serviceFormat} disabled={disabled} onChange={(e) => set('serviceFormat', e.target.value as Draft['serviceFormat'])}>
                <option value="proverkacheka">{t('proverkacheka')}</option>
                <option value="generic">{t('generic')}</option>
              </select>
            )}
          </Field>
          {disabled ? null : (
            <>
              <Field label={t('token')} hint={tokenHint} error={problem('token')}>
                {(props) => <input {...props} type="password" autoComplete="new-password" value={draft.token} onChange={(e) => setDraft({ ...draft, token: e.target.value, removeToken: false })} />}
              </Field>
              {current.tokenSet ? (
                <label className="check">
                  <input type="checkbox" checked={draft.removeToken} onChange={(e) => setDraft({ ...draft, removeToken: e.target.checked, token: '' })} /> {t('tokenRemove')}
                </label>
              ) : null}
            </>
          )}
          <div className="form-row">
            <Field label={t('timeout')} hint={t('timeoutHint')} error={problem('timeoutMs') ? t('timeoutWrong') : null}>
              {(props) => <input {...props} inputMode="decimal" value={draft.timeoutSeconds} disabled={disabled} onChange={(e) => set('timeoutSeconds', e.target.value)} />}
            </Field>
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.allowPrivateNetwork} disabled={disabled} onChange={(e) => set('allowPrivateNetwork', e.target.checked)} /> {t('privateNetwork')}
          </label>
        </Card>
        <Card title={t('booking')}>
          {!stores.loading && !stores.error && stores.items.length === 0 && !draft.storeId ? <Empty title={t('noStores')}>{t('noStoresHint')}</Empty> : null}
          <ErrorNote error={stores.error} onRetry={stores.reload} />
          <div className="tp-inline">
            <Field label={t('store')} hint={t('storeHint')} error={problem('storeId')}>
              {(props) => (
                <select {...props} value={draft.storeId} disabled={disabled} onChange={(e) => set('storeId', e.target.value)}>
                  <option value="">{t('noStore')}</option>
                  {draft.storeId && !loadedIds.has(draft.storeId) ? <option value={draft.storeId}>{draft.storeId}</option> : null}
                  {stores.items.map((store) => (
                    <option key={store.id} value={store.id}>
                      {store.name} ({store.id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {stores.hasMore && !disabled ? (
              <button type="button" className="link" onClick={stores.loadMore}>
                {t('moreStores')}
              </button>
            ) : null}
          </div>
          <div className="form-row">
            <Field label={t('timezone')} hint={t('timezoneHint')} error={problem('timezone')}>
              {(props) => <input {...props} value={draft.timezone} disabled={disabled} onChange={(e) => set('timezone', e.target.value)} />}
            </Field>
            <Field label={t('maxAge')} hint={t('maxAgeHint')} error={problem('maxAgeDays')}>
              {(props) => <input {...props} inputMode="numeric" value={draft.maxAgeDays} disabled={disabled} onChange={(e) => set('maxAgeDays', e.target.value)} />}
            </Field>
          </div>
        </Card>
        <FiscalProducts rows={draft.products} onChange={(products) => set('products', products)} error={error} disabled={disabled} />
        <SaveState dirty={dirty} version={current.version} updatedAt={current.updatedAt} savedVersion={savedVersion} conflict={conflict} error={hasUnplaced(error, placed, CONFLICT) ? error : null} saving={saving} saveLabel={mayWrite ? t('save') : null} />
      </form>
    </Page>
  );
}
