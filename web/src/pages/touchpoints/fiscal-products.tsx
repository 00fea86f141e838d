import { useEffect, useState } from 'react';
import { api, type Page } from '../../api.ts';
import { Card, Empty, ErrorNote, Field } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { problemAt, type Product } from './touchpoints-types.ts';

const text = defineText({
  en: {
    title: 'The brand’s products',
    intro: 'Only receipt lines of these products earn points. A line is the product when its name contains the text you give (any case, ё and е alike) or when its barcode is the one you give; the first row that matches a line wins.',
    caption: 'Products that earn on fiscal receipts',
    sku: 'SKU',
    nameContains: 'Name on the receipt contains',
    barcode: 'Or barcode',
    remove: 'Remove row {n}',
    rowSku: 'SKU, row {n}',
    rowName: 'Name on the receipt contains, row {n}',
    rowBarcode: 'Barcode, row {n}',
    none: 'No products yet: no receipt line earns.',
    noneHint: 'Find your products in the catalog below and add them, or add a row by hand.',
    addRow: 'Add a row',
    find: 'Find a product in the catalog',
    findHint: 'The start of a SKU or any part of a name, at least 2 characters',
    add: 'Add {sku} — {name}',
    added: 'added',
    nothing: 'No product in the catalog matches “{q}”.',
    nothingHint: 'Products come into the catalog with PUT /v1/products (JSON or CSV).',
    more: 'Showing the first {count}: type more of the name to narrow the list.',
  },
  ru: {
    title: 'Товары бренда',
    intro: 'Баллы дают только строки чека с этими товарами. Строка — это товар, если её название содержит заданный текст (без учёта регистра, ё и е одинаковы) или её штрихкод — заданный; выигрывает первая подходящая строка таблицы.',
    caption: 'Товары, за которые начисляются баллы по фискальным чекам',
    sku: 'Артикул',
    nameContains: 'Название в чеке содержит',
    barcode: 'Или штрихкод',
    remove: 'Удалить строку {n}',
    rowSku: 'Артикул, строка {n}',
    rowName: 'Название в чеке содержит, строка {n}',
    rowBarcode: 'Штрихкод, строка {n}',
    none: 'Товаров пока нет: ни одна строка чека не даёт баллов.',
    noneHint: 'Найдите свои товары в каталоге ниже и добавьте их или добавьте строку вручную.',
    addRow: 'Добавить строку',
    find: 'Найти товар в каталоге',
    findHint: 'Начало артикула или часть названия, не меньше 2 символов',
    add: 'Добавить {sku} — {name}',
    added: 'добавлен',
    nothing: 'В каталоге нет товара, подходящего под «{q}».',
    nothingHint: 'Товары попадают в каталог через PUT /v1/products (JSON или CSV).',
    more: 'Показаны первые {count}: уточните название, чтобы сузить список.',
  },
});

/** A row as the page edits it: the texts as typed; empty ones are left out when saved. */
export type ProductRow = { sku: string; nameContains: string; barcode: string };
const FOUND = 10;

/** The products whose receipt lines earn: a row each, added by hand or found in the catalog. */
export function FiscalProducts({ rows, onChange, error, disabled }: { rows: ProductRow[]; onChange: (rows: ProductRow[]) => void; error: unknown; disabled: boolean }) {
  const t = useText(text);
  const setAt = (index: number, change: Partial<ProductRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const problem = (index: number, name?: string) => problemAt(error, name ? `products.${index}.${name}` : `products.${index}`);
  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      {rows.length === 0 ? (
        <Empty title={t('none')}>{disabled ? null : t('noneHint')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="tp-products">
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('sku')}</th>
                <th scope="col">{t('nameContains')}</th>
                <th scope="col">{t('barcode')}</th>
                {disabled ? null : <td />}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                const n = index + 1;
                const cell = (name: keyof ProductRow, label: string) => {
                  const said = problem(index, name);
                  return (
                    <td>
                      <input aria-label={label} aria-invalid={said ? true : undefined} value={row[name]} disabled={disabled} inputMode={name === 'barcode' ? 'numeric' : undefined} onChange={(e) => setAt(index, { [name]: e.target.value })} />
                      {said ? <span className="field-error">{said}</span> : null}
                      {name === 'sku' && problem(index) ? <span className="field-error">{problem(index)}</span> : null}
                    </td>
                  );
                };
                return (
                  <tr key={index}>
                    {cell('sku', t('rowSku', { n }))}
                    {cell('nameContains', t('rowName', { n }))}
                    {cell('barcode', t('rowBarcode', { n }))}
                    {disabled ? null : (
                      <td>
                        <button type="button" className="link" onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                          {t('remove', { n })}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {disabled ? null : (
        <>
          <button type="button" className="secondary" onClick={() => onChange([...rows, { sku: '', nameContains: '', barcode: '' }])}>
            {t('addRow')}
          </button>
          <ProductFinder rows={rows} onAdd={(product) => onChange([...rows, { sku: product.sku, nameContains: product.name.slice(0, 200), barcode: '' }])} />
        </>
      )}
    </Card>
  );
}

/** A search of the catalog (GET /v1/products?q=), the first few matches each with a button that adds it. */
function ProductFinder({ rows, onAdd }: { rows: ProductRow[]; onAdd: (product: Product) => void }) {
  const t = useText(text);
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  // Searched once typing pauses, not at every key.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  const found = useResource((signal) => (query.length < 2 ? Promise.resolve(null) : api.get<Page<Product>>('/v1/products', { q: query, limit: FOUND }, signal)), [query]);
  const chosen = new Set(rows.map((row) => row.sku));
  return (
    <div className="tp-finder">
      <Field label={t('find')} hint={t('findHint')}>
        {(props) => <input {...props} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
      </Field>
      <ErrorNote error={found.error} onRetry={found.reload} />
      {found.data && found.data.items.length === 0 ? <Empty title={t('nothing', { q: query })}>{t('nothingHint')}</Empty> : null}
      {found.data && found.data.items.length > 0 ? (
        <ul className="tp-found">
          {found.data.items.map((product) => (
            <li key={product.sku}>
              {chosen.has(product.sku) ? (
                <span>
                  {product.sku} — {product.name} <span className="muted">({t('added')})</span>
                </span>
              ) : (
                <button type="button" className="secondary" onClick={() => onAdd(product)}>
                  {t('add', { sku: product.sku, name: product.name })}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {found.data?.nextCursor ? <p className="muted">{t('more', { count: FOUND })}</p> : null}
    </div>
  );
}
