import { Field } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { listOf, numberOf, textOf, type LineTarget } from './program-types.ts';

/**
 * The two promotion kinds whose benefit names goods on both sides: "buy X, get Y" (the gift
 * lines at a percent off, 100 % = free) and a bundle at one price (up to 20 items, each a
 * target and a quantity). Kept as text while edited; the body is built on save, and the
 * server's words land at the field its error path names (benefit/buy/qty, benefit/items/1/qty).
 */
const text = defineText({
  en: {
    buyGroup: 'What the customer buys',
    getGroup: 'What the customer gets',
    getPercent: 'Off the gift, % (100 = free)',
    bundleItems: 'Items of the bundle',
    item: 'Item {n}',
    bundlePrice: 'Bundle price',
    addItem: 'Add an item',
    removeItem: 'Remove item {n}',
    qty: 'Quantity',
    skus: 'SKUs',
    categories: 'Categories',
    brands: 'Brands',
    targetHint: 'Any of these SKUs, categories or brands, separated by commas; nothing named: any line',
    money: 'In roubles, e.g. 199.90',
  },
  ru: {
    buyGroup: 'Что покупает клиент',
    getGroup: 'Что клиент получает',
    getPercent: 'Скидка на подарок, % (100 — бесплатно)',
    bundleItems: 'Товары комплекта',
    item: 'Товар {n}',
    bundlePrice: 'Цена комплекта',
    addItem: 'Добавить товар',
    removeItem: 'Убрать товар {n}',
    qty: 'Количество',
    skus: 'Артикулы',
    categories: 'Категории',
    brands: 'Бренды',
    targetHint: 'Любой из этих артикулов, категорий или брендов через запятую; ничего не указано — любая строка',
    money: 'В рублях, например 199.90',
  },
});

export type TargetText = { skus: string; categories: string; brands: string; qty: string };
export type Deal = { buy: TargetText; get: TargetText & { percent: string }; items: TargetText[]; price: string };

const emptyTarget: TargetText = { skus: '', categories: '', brands: '', qty: '1' };
export const blankDeal: Deal = { buy: emptyTarget, get: { ...emptyTarget, percent: '100' }, items: [emptyTarget, emptyTarget], price: '' };

type Side = { target?: LineTarget; qty?: number };
const textOfSide = (side: Side | undefined): TargetText => ({
  skus: textOf(side?.target?.skus),
  categories: textOf(side?.target?.categories),
  brands: textOf(side?.target?.brands),
  qty: side?.qty === undefined ? '' : String(side.qty),
});

/** The form's text for a stored buy-X-get-Y or bundle benefit. */
export function dealOf(benefit: { kind: string; [key: string]: unknown }): Deal {
  if (benefit.kind === 'buy_x_get_y') {
    const get = benefit.get as Side & { percentBp?: number };
    return { ...blankDeal, buy: textOfSide(benefit.buy as Side), get: { ...textOfSide(get), percent: get?.percentBp === undefined ? '' : String(get.percentBp / 100) } };
  }
  if (benefit.kind === 'bundle_price') {
    return { ...blankDeal, items: ((benefit.items as Side[]) ?? []).map(textOfSide), price: benefit.priceMinor === undefined ? '' : String((benefit.priceMinor as number) / 100) };
  }
  return blankDeal;
}

const targetOf = (side: TargetText): LineTarget => {
  const target: LineTarget = {};
  if (listOf(side.skus).length) target.skus = listOf(side.skus);
  if (listOf(side.categories).length) target.categories = listOf(side.categories);
  if (listOf(side.brands).length) target.brands = listOf(side.brands);
  return target;
};
const sideOf = (side: TargetText) => ({ target: targetOf(side), qty: numberOf(side.qty) });

/** The benefit the API takes for the deal's kind. */
export function dealBenefit(kind: 'buy_x_get_y' | 'bundle_price', deal: Deal): Record<string, unknown> {
  if (kind === 'buy_x_get_y') return { kind, buy: sideOf(deal.buy), get: { ...sideOf(deal.get), percentBp: numberOf(deal.get.percent, 100) } };
  return { kind, items: deal.items.map(sideOf), priceMinor: numberOf(deal.price, 100) };
}

type Props = { kind: 'buy_x_get_y' | 'bundle_price'; deal: Deal; onChange: (deal: Deal) => void; problem: (...names: string[]) => string | null };

export function DealFields({ kind, deal, onChange, problem }: Props) {
  const t = useText(text);
  const targetFields = (side: TargetText, path: string, change: (next: TargetText) => void) => (
    <div className="form-row">
      {(['skus', 'categories', 'brands'] as const).map((key) => (
        <Field key={key} label={t(key)} hint={key === 'skus' ? t('targetHint') : undefined} error={problem(`${path}/target/${key}`, `${path}.target.${key}`)}>
          {(props) => <input {...props} value={side[key]} onChange={(e) => change({ ...side, [key]: e.target.value })} />}
        </Field>
      ))}
      <Field label={t('qty')} error={problem(`${path}/qty`, `${path}.qty`)}>
        {(props) => <input {...props} inputMode="numeric" value={side.qty} onChange={(e) => change({ ...side, qty: e.target.value })} />}
      </Field>
    </div>
  );
  if (kind === 'buy_x_get_y') {
    return (
      <>
        <fieldset>
          <legend className="subhead">{t('buyGroup')}</legend>
          {targetFields(deal.buy, 'buy', (buy) => onChange({ ...deal, buy }))}
        </fieldset>
        <fieldset>
          <legend className="subhead">{t('getGroup')}</legend>
          {targetFields(deal.get, 'get', (get) => onChange({ ...deal, get: { ...deal.get, ...get } }))}
          <Field label={t('getPercent')} error={problem('get/percentBp', 'get.percentBp')}>
            {(props) => <input {...props} inputMode="decimal" value={deal.get.percent} onChange={(e) => onChange({ ...deal, get: { ...deal.get, percent: e.target.value } })} />}
          </Field>
        </fieldset>
      </>
    );
  }
  return (
    <fieldset>
      <legend className="subhead">{t('bundleItems')}</legend>
      {deal.items.map((item, index) => (
        <fieldset key={index} className="deal-item">
          <legend>{t('item', { n: index + 1 })}</legend>
          {targetFields(item, `items/${index}`, (next) => onChange({ ...deal, items: deal.items.map((old, i) => (i === index ? next : old)) }))}
          {deal.items.length > 1 ? (
            <button type="button" className="link" onClick={() => onChange({ ...deal, items: deal.items.filter((_, i) => i !== index) })}>
              {t('removeItem', { n: index + 1 })}
            </button>
          ) : null}
        </fieldset>
      ))}
      {deal.items.length < 20 ? (
        <button type="button" className="secondary" onClick={() => onChange({ ...deal, items: [...deal.items, emptyTarget] })}>
          {t('addItem')}
        </button>
      ) : null}
      <Field label={t('bundlePrice')} hint={t('money')} error={problem('priceMinor')}>
        {(props) => <input {...props} inputMode="decimal" value={deal.price} onChange={(e) => onChange({ ...deal, price: e.target.value })} />}
      </Field>
    </fieldset>
  );
}
