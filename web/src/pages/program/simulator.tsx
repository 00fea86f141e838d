import { useEffect, useState, type FormEvent } from 'react';
import { api, type Page as ListPage } from '../../api.ts';
import { Badge, Card, Empty, ErrorNote, Field, Loading, Notice, Page, Stat, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { Customer } from '../customers/customer-types.ts';
import { listOf, type Product, type Store } from './program-types.ts';
import './program.css';

const text = defineText({
  en: {
    title: 'Checkout simulator',
    intro: 'Try a receipt as the till would send it: see what it earns by each rule, what promotions take off, what points may pay, and why. Nothing is confirmed or stored.',
    who: 'Customer and store',
    find: 'Find a customer',
    findHint: 'A phone (+7912…) or a card number',
    choose: 'Choose {name}',
    chosen: 'Customer: {name}',
    change: 'Another customer',
    anonymous: 'No customer chosen: the receipt is priced as for a guest (no points).',
    nobody: 'No customer matches.',
    store: 'Store',
    noStores: 'There are no stores yet: add one under Stores, or through the API, before trying a receipt.',
    lines: 'Receipt lines',
    linesCaption: 'Lines of the receipt',
    sku: 'SKU',
    skuHint: 'From the catalog',
    qty: 'Quantity',
    price: 'Price per unit',
    line: 'Line {n}',
    remove: 'Remove line {n}',
    removeShort: 'Remove',
    addLine: 'Add a line',
    redeem: 'Points to pay with',
    codes: 'Promo codes',
    codesHint: 'Separated by commas',
    calculate: 'Calculate',
    calculating: 'Calculating…',
    result: 'What calculate answers',
    total: 'Total',
    discount: 'Discounts',
    payable: 'To pay',
    earn: 'Points earned',
    maxRedeem: 'May be redeemed',
    redeemed: 'Redeemed',
    balance: 'Balance {balance} points, tier {tier}',
    rules: 'Points by rule',
    rulesCaption: 'Points earned by each rule',
    rule: 'Rule',
    kind: 'Kind',
    points: 'Points',
    onLines: 'Lines',
    noRules: 'No rule earned points on this receipt.',
    promotions: 'Promotions',
    promotionsCaption: 'Promotions considered, applied or rejected with the reason',
    promotion: 'Promotion',
    outcome: 'Outcome',
    applied: 'Applied',
    rejected: 'Rejected',
    reason: 'Why',
    noPromotions: 'No promotion applied to this receipt.',
    linePoints: 'Points per line',
    linesResultCaption: 'Each line: its total, discount, points earned and paid',
    lineTotal: 'Line total',
    payableLine: 'To pay',
    pointsRedeemed: 'Points paid',
    excluded: 'excluded',
    messages: 'The till’s messages',
    percent: 'Percent',
    multiplier: 'Multiplier',
    per_item: 'Per item',
    per_receipt: 'Per receipt',
  },
  ru: {
    title: 'Симулятор кассы',
    intro: 'Проверьте чек так, как его пришлёт касса: что он даст по каждому правилу, что снимут акции, сколько можно оплатить баллами и почему. Ничего не подтверждается и не сохраняется.',
    who: 'Клиент и магазин',
    find: 'Найти клиента',
    findHint: 'Телефон (+7912…) или номер карты',
    choose: 'Выбрать: {name}',
    chosen: 'Клиент: {name}',
    change: 'Другой клиент',
    anonymous: 'Клиент не выбран: чек считается как для гостя (без баллов).',
    nobody: 'Никто не найден.',
    store: 'Магазин',
    noStores: 'Магазинов пока нет: добавьте магазин в разделе «Магазины» или через API, прежде чем проверять чек.',
    lines: 'Строки чека',
    linesCaption: 'Строки чека',
    sku: 'Артикул',
    skuHint: 'Из каталога',
    qty: 'Количество',
    price: 'Цена за единицу',
    line: 'Строка {n}',
    remove: 'Удалить строку {n}',
    removeShort: 'Удалить',
    addLine: 'Добавить строку',
    redeem: 'Оплатить баллами',
    codes: 'Промокоды',
    codesHint: 'Через запятую',
    calculate: 'Рассчитать',
    calculating: 'Считаем…',
    result: 'Что отвечает расчёт',
    total: 'Сумма',
    discount: 'Скидки',
    payable: 'К оплате',
    earn: 'Начислится баллов',
    maxRedeem: 'Можно списать',
    redeemed: 'Списано',
    balance: 'Баланс {balance} баллов, уровень {tier}',
    rules: 'Баллы по правилам',
    rulesCaption: 'Баллы по каждому правилу',
    rule: 'Правило',
    kind: 'Вид',
    points: 'Баллы',
    onLines: 'Строки',
    noRules: 'Ни одно правило не начислило баллов за этот чек.',
    promotions: 'Акции',
    promotionsCaption: 'Рассмотренные акции: применённые и отклонённые с причиной',
    promotion: 'Акция',
    outcome: 'Итог',
    applied: 'Применена',
    rejected: 'Отклонена',
    reason: 'Почему',
    noPromotions: 'К этому чеку акции не применились.',
    linePoints: 'Баллы по строкам',
    linesResultCaption: 'Каждая строка: сумма, скидка, начисленные и списанные баллы',
    lineTotal: 'Сумма строки',
    payableLine: 'К оплате',
    pointsRedeemed: 'Оплачено баллами',
    excluded: 'исключена',
    messages: 'Сообщения кассе',
    percent: 'Процент',
    multiplier: 'Множитель',
    per_item: 'За товар',
    per_receipt: 'За чек',
  },
});

type Line = { sku: string; qty: string; price: string };
type Outcome = {
  lines: Array<{ sku: string; qty: number; price: number; total: number; discount: number; excluded: boolean; pointsEarned: number; pointsRedeemed: number; payable: number }>;
  total: number;
  discount: number;
  pointsToEarn: number;
  maxRedeemable: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  payable: number;
  currency: string;
  applied: Array<{ ruleId: string; kind: string; name: string; points: number; lines: number[] }>;
  messages: string[];
  promotions: Array<{ id: string; name: string | null; code: string | null; applied: boolean; discount: number; points: number; reason: string | null; detail: string | null }>;
  customer?: { id: string; balance: number; pendingPoints: number; tier: { id: string; name: string } };
};

const numberOf = (value: string, scale = 1): number | string => {
  const n = Number(value.trim().replace(',', '.'));
  return value.trim() !== '' && Number.isFinite(n) ? Math.round(n * scale * 1000) / 1000 : value;
};
const nameOf = (c: Customer) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.phone || c.cardNumber || c.id;

export default function Simulator() {
  const t = useText(text);
  const format = useFormat();
  const stores = useResource((signal) => api.get<ListPage<Store>>('/v1/stores', { limit: 1000 }, signal), []);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [storeId, setStoreId] = useState('');
  const [lines, setLines] = useState<Line[]>([{ sku: '', qty: '1', price: '' }]);
  const [redeem, setRedeem] = useState('');
  const [codes, setCodes] = useState('');
  const [skuQuery, setSkuQuery] = useState('');
  const [products, setProducts] = useState<Product[]>([]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // The customer search and the catalog's SKUs follow what is typed, after a pause.
  useEffect(() => {
    const term = q.trim();
    if (term.length < 3) return setFound(null);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.get<ListPage<Customer>>('/v1/customers', { q: term, limit: 5 }, controller.signal).then((page) => setFound(page.items), () => setFound([]));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.get<ListPage<Product>>('/v1/products', { q: skuQuery || undefined, limit: 20 }, controller.signal).then((page) => setProducts(page.items), () => setProducts([]));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [skuQuery]);
  useEffect(() => {
    if (!storeId && stores.data?.items[0]) setStoreId(stores.data.items[0].id);
  }, [stores.data, storeId]);

  const setLine = (index: number, change: Partial<Line>) => setLines(lines.map((line, i) => (i === index ? { ...line, ...change } : line)));
  const calculate = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {
        storeId,
        lines: lines.map((line) => ({ sku: line.sku.trim(), qty: numberOf(line.qty), price: numberOf(line.price, 100) })),
      };
      if (customer) body.customer = { customerId: customer.id };
      if (redeem.trim()) body.redeemPoints = numberOf(redeem);
      if (listOf(codes).length) body.promoCodes = listOf(codes);
      setOutcome(await api.post<Outcome>('/v1/checkout/simulate', body));
    } catch (caught) {
      setError(caught);
      setOutcome(null);
    } finally {
      setBusy(false);
    }
  };
  const lineError = (index: number, name: string) => fieldError(error, `lines.${index}.${name}`, `lines/${index}/${name}`);
  const money = (minor: number) => format.money(minor, outcome?.currency);

  if (stores.loading && !stores.data) return <Loading />;
  return (
    <Page title={t('title')} intro={t('intro')}>
      <ErrorNote error={stores.error} onRetry={stores.reload} />
      {stores.data && stores.data.items.length === 0 ? <Empty title={t('noStores')} /> : null}
      <form className="form program-form" noValidate onSubmit={(event) => void calculate(event)}>
        <Card title={t('who')}>
          {customer ? (
            <div className="sim-picked">
              <span>{t('chosen', { name: nameOf(customer) })}</span>
              <button type="button" className="link" onClick={() => setCustomer(null)}>
                {t('change')}
              </button>
            </div>
          ) : (
            <>
              <Field label={t('find')} hint={t('findHint')}>
                {(props) => <input {...props} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
              </Field>
              {found && found.length === 0 ? <p className="muted">{t('nobody')}</p> : null}
              {found && found.length > 0 ? (
                <ul className="sim-found">
                  {found.map((c) => (
                    <li key={c.id}>
                      <button type="button" className="secondary" onClick={() => setCustomer(c)}>
                        {t('choose', { name: nameOf(c) })}
                      </button>{' '}
                      <span className="muted">{[c.phone, c.cardNumber].filter(Boolean).join(' · ')}</span>
                    </li>
                  ))}
                </ul>
              ) : null}
              <p className="muted">{t('anonymous')}</p>
            </>
          )}
          <Field label={t('store')} error={fieldError(error, 'storeId')}>
            {(props) => (
              <select {...props} value={storeId} onChange={(e) => setStoreId(e.target.value)}>
                {(stores.data?.items ?? []).map((store) => (
                  <option key={store.id} value={store.id}>
                    {store.name} ({store.id})
                  </option>
                ))}
              </select>
            )}
          </Field>
        </Card>
        <Card title={t('lines')}>
          <datalist id="sim-products">
            {products.map((product) => (
              <option key={product.sku} value={product.sku}>
                {product.name}
              </option>
            ))}
          </datalist>
          {lines.map((line, index) => (
            <fieldset key={index} className="form-row sim-line">
              <legend className="visually-hidden">{t('line', { n: index + 1 })}</legend>
              <Field label={`${t('sku')} (${index + 1})`} hint={index === 0 ? t('skuHint') : undefined} error={lineError(index, 'sku')}>
                {(props) => (
                  <input
                    {...props}
                    list="sim-products"
                    value={line.sku}
                    onChange={(e) => {
                      setLine(index, { sku: e.target.value });
                      setSkuQuery(e.target.value.trim());
                    }}
                  />
                )}
              </Field>
              <Field label={`${t('qty')} (${index + 1})`} error={lineError(index, 'qty')}>
                {(props) => <input {...props} inputMode="decimal" value={line.qty} onChange={(e) => setLine(index, { qty: e.target.value })} />}
              </Field>
              <Field label={`${t('price')} (${index + 1})`} error={lineError(index, 'price')}>
                {(props) => <input {...props} inputMode="decimal" value={line.price} onChange={(e) => setLine(index, { price: e.target.value })} />}
              </Field>
              {lines.length > 1 ? (
                <div className="field">
                  <button type="button" className="link" aria-label={t('remove', { n: index + 1 })} onClick={() => setLines(lines.filter((_, i) => i !== index))}>
                    {t('removeShort')}
                  </button>
                </div>
              ) : null}
            </fieldset>
          ))}
          <button type="button" className="secondary" onClick={() => setLines([...lines, { sku: '', qty: '1', price: '' }])}>
            {t('addLine')}
          </button>
          <div className="form-row">
            <Field label={t('redeem')} error={fieldError(error, 'redeemPoints')}>
              {(props) => <input {...props} inputMode="numeric" value={redeem} onChange={(e) => setRedeem(e.target.value)} />}
            </Field>
            <Field label={t('codes')} hint={t('codesHint')} error={fieldError(error, 'promoCodes')}>
              {(props) => <input {...props} value={codes} onChange={(e) => setCodes(e.target.value)} />}
            </Field>
          </div>
        </Card>
        <ErrorNote error={error} />
        <div className="actions program-actions">
          <button type="submit" className="primary" disabled={busy || !storeId}>
            {busy ? t('calculating') : t('calculate')}
          </button>
        </div>
      </form>
      {outcome ? <Result outcome={outcome} money={money} /> : null}
    </Page>
  );
}

function Result({ outcome, money }: { outcome: Outcome; money: (minor: number) => string }) {
  const t = useText(text);
  const format = useFormat();
  return (
    <div data-testid="simulation">
      <Card title={t('result')}>
        {outcome.customer ? <p>{t('balance', { balance: format.number(outcome.customer.balance), tier: outcome.customer.tier.name })}</p> : null}
        <div className="stats">
          <Stat label={t('earn')} value={<span data-testid="points-to-earn">{format.number(outcome.pointsToEarn)}</span>} />
          <Stat label={t('total')} value={money(outcome.total)} />
          <Stat label={t('discount')} value={money(outcome.discount)} />
          <Stat label={t('maxRedeem')} value={format.number(outcome.maxRedeemable)} />
          <Stat label={t('redeemed')} value={`${format.number(outcome.pointsRedeemed)} · ${money(outcome.redeemedMinor)}`} />
          <Stat label={t('payable')} value={money(outcome.payable)} />
        </div>
        {outcome.messages.length > 0 ? (
          <Notice>
            <strong>{t('messages')}: </strong>
            {outcome.messages.join(' · ')}
          </Notice>
        ) : null}
      </Card>
      <Card title={t('rules')}>
        {outcome.applied.length === 0 ? (
          <p className="muted">{t('noRules')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('rulesCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('rule')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col" className="num">{t('points')}</th>
                  <th scope="col">{t('onLines')}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.applied.map((rule) => (
                  <tr key={rule.ruleId}>
                    <td>
                      {rule.name} <span className="muted">{rule.ruleId}</span>
                    </td>
                    <td>{rule.kind === 'percent' || rule.kind === 'multiplier' || rule.kind === 'per_item' || rule.kind === 'per_receipt' ? t(rule.kind) : rule.kind}</td>
                    <td className="num">{format.number(rule.points)}</td>
                    <td>{rule.lines.map((n) => n + 1).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={t('promotions')}>
        {outcome.promotions.length === 0 ? (
          <p className="muted">{t('noPromotions')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('promotionsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('promotion')}</th>
                  <th scope="col">{t('outcome')}</th>
                  <th scope="col" className="num">{t('discount')}</th>
                  <th scope="col" className="num">{t('points')}</th>
                  <th scope="col">{t('reason')}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.promotions.map((promotion) => (
                  <tr key={`${promotion.id}:${promotion.code ?? ''}`}>
                    <td>
                      {promotion.name ?? promotion.id} {promotion.code ? <code>{promotion.code}</code> : null}
                    </td>
                    <td>{promotion.applied ? <Badge tone="good">{t('applied')}</Badge> : <Badge tone="bad">{t('rejected')}</Badge>}</td>
                    <td className="num">{money(promotion.discount)}</td>
                    <td className="num">{format.number(promotion.points)}</td>
                    <td>{promotion.detail ?? promotion.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={t('linePoints')}>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('linesResultCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('sku')}</th>
                <th scope="col" className="num">{t('qty')}</th>
                <th scope="col" className="num">{t('lineTotal')}</th>
                <th scope="col" className="num">{t('discount')}</th>
                <th scope="col" className="num">{t('points')}</th>
                <th scope="col" className="num">{t('pointsRedeemed')}</th>
                <th scope="col" className="num">{t('payableLine')}</th>
              </tr>
            </thead>
            <tbody>
              {outcome.lines.map((line, index) => (
                <tr key={index}>
                  <td>
                    {line.sku} {line.excluded ? <Badge tone="warn">{t('excluded')}</Badge> : null}
                  </td>
                  <td className="num">{format.number(line.qty)}</td>
                  <td className="num">{money(line.total)}</td>
                  <td className="num">{money(line.discount)}</td>
                  <td className="num">{format.number(line.pointsEarned)}</td>
                  <td className="num">{format.number(line.pointsRedeemed)}</td>
                  <td className="num">{money(line.payable)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
