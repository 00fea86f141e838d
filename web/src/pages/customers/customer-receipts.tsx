import { useState } from 'react';
import { api } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Card, Dialog, ErrorNote, Loading } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { Receipt, ReceiptSummary } from './customer-types.ts';

const text = defineText({
  en: {
    receipts: 'Receipts',
    caption: 'The customer’s receipts, newest first',
    when: 'When',
    store: 'Store',
    number: 'Receipt',
    total: 'Total',
    paid: 'Paid',
    earned: 'Points earned',
    spent: 'Points spent',
    status: 'Status',
    lines: 'Lines',
    showLines: 'Lines of {number}',
    none: 'No receipts yet',
    noneHint: 'Receipts appear when the customer buys with their card or phone at the till, or when history is imported.',
    refunded: 'refunded {amount}',
    linesTitle: 'Receipt {number}, {date}',
    linesCaption: 'The lines of the receipt',
    sku: 'Item',
    qty: 'Qty',
    price: 'Price',
    discount: 'Discount',
    returned: 'Returned',
    refunds: 'Returns: {list}',
  },
  ru: {
    receipts: 'Чеки',
    caption: 'Чеки клиента, новые сверху',
    when: 'Когда',
    store: 'Магазин',
    number: 'Чек',
    total: 'Сумма',
    paid: 'Оплачено',
    earned: 'Начислено баллов',
    spent: 'Списано баллов',
    status: 'Статус',
    lines: 'Позиции',
    showLines: 'Позиции чека {number}',
    none: 'Чеков пока нет',
    noneHint: 'Чеки появляются, когда клиент покупает с картой или по телефону на кассе, или при импорте истории.',
    refunded: 'возвращено {amount}',
    linesTitle: 'Чек {number}, {date}',
    linesCaption: 'Позиции чека',
    sku: 'Товар',
    qty: 'Кол-во',
    price: 'Цена',
    discount: 'Скидка',
    returned: 'Возвращено',
    refunds: 'Возвраты: {list}',
  },
});

/** The customer's receipts, paged on the server; a receipt's lines on demand (GET /v1/receipts/{id}). */
export function ReceiptsTab({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const list = usePagedList<ReceiptSummary>(`/v1/customers/${customerId}/receipts`, {}, 20);
  const [open, setOpen] = useState<ReceiptSummary | null>(null);
  return (
    <Card title={t('receipts')}>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('none'), hint: t('noneHint') }}
        columns={[
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.occurredAt) },
          { key: 'store', title: t('store'), render: (row) => row.storeId },
          { key: 'number', title: t('number'), render: (row) => row.posReceiptId },
          {
            key: 'total',
            title: t('total'),
            numeric: true,
            render: (row) => (
              <>
                {format.money(row.total, row.currency)}
                {row.refunded ? <div className="muted c360-small">{t('refunded', { amount: format.money(row.refunded, row.currency) })}</div> : null}
              </>
            ),
          },
          { key: 'paid', title: t('paid'), numeric: true, render: (row) => format.money(row.paid, row.currency) },
          { key: 'earned', title: t('earned'), numeric: true, render: (row) => format.number(row.pointsEarned) },
          { key: 'spent', title: t('spent'), numeric: true, render: (row) => format.number(row.pointsRedeemed) },
          { key: 'status', title: t('status'), render: (row) => row.status },
          {
            key: 'lines',
            title: t('lines'),
            render: (row) => (
              <button type="button" className="link" aria-label={t('showLines', { number: row.posReceiptId })} onClick={() => setOpen(row)}>
                {t('lines')}
              </button>
            ),
          },
        ]}
      />
      <Dialog title={open ? t('linesTitle', { number: open.posReceiptId, date: format.dateTime(open.occurredAt) }) : ''} open={open !== null} onClose={() => setOpen(null)}>
        {open ? <ReceiptLines id={open.id} /> : null}
      </Dialog>
    </Card>
  );
}

function ReceiptLines({ id }: { id: string }) {
  const t = useText(text);
  const format = useFormat();
  const receipt = useResource((signal) => api.get<Receipt>(`/v1/receipts/${id}`, undefined, signal), [id]);
  if (receipt.error) return <ErrorNote error={receipt.error} onRetry={receipt.reload} />;
  if (!receipt.data) return <Loading />;
  const r = receipt.data;
  return (
    <>
      {/* Focusable: a narrow window scrolls the table sideways, and a keyboard must reach it too. */}
      <div className="table-wrap c360-lines" tabIndex={0} role="region" aria-label={t('linesCaption')}>
        <table>
          <caption className="visually-hidden">{t('linesCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sku')}</th>
              <th scope="col" className="num">{t('qty')}</th>
              <th scope="col" className="num">{t('price')}</th>
              <th scope="col" className="num">{t('discount')}</th>
              <th scope="col" className="num">{t('total')}</th>
              <th scope="col" className="num">{t('earned')}</th>
              <th scope="col" className="num">{t('spent')}</th>
            </tr>
          </thead>
          <tbody>
            {r.lines.map((line) => (
              <tr key={line.lineNo}>
                <td>
                  {line.name ?? line.sku}
                  {line.name ? <div className="muted c360-small">{line.sku}</div> : null}
                  {line.refundedQty ? <div className="muted c360-small">{t('returned')}: {format.number(line.refundedQty)}</div> : null}
                </td>
                <td className="num">{format.number(line.qty)}</td>
                <td className="num">{format.money(line.price, r.currency)}</td>
                <td className="num">{line.discount ? format.money(line.discount, r.currency) : '—'}</td>
                <td className="num">{format.money(line.total, r.currency)}</td>
                <td className="num">{format.number(line.pointsEarned)}</td>
                <td className="num">{format.number(line.pointsRedeemed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {r.refunds.length ? <p className="muted">{t('refunds', { list: r.refunds.map((refund) => `${refund.refundId} (${format.date(refund.at)})`).join(', ') })}</p> : null}
    </>
  );
}
