import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';

/** A receipt of another shop's till the customer sent from /me or the app (docs/fiscal-receipts.md). */
type FiscalReceipt = { id: string; status: 'pending' | 'earned' | 'rejected'; totalMinor: number; purchasedAt: string; reason: string | null; points: number | null; createdAt: string };

const text = defineText({
  en: {
    title: 'Receipts from other shops',
    intro: 'Till receipts of other shops the customer sent by their QR code: checked with the verification service, they earn on the brand’s products once.',
    caption: 'The customer’s fiscal receipts, newest first',
    sent: 'Sent',
    bought: 'Bought',
    total: 'Total',
    status: 'Status',
    points: 'Points',
    pending: 'Being checked',
    earned: 'Earned',
    rejected: 'Refused',
  },
  ru: {
    title: 'Чеки других магазинов',
    intro: 'Кассовые чеки других магазинов, которые клиент прислал по QR-коду: после проверки в сервисе они один раз приносят баллы за товары бренда.',
    caption: 'Фискальные чеки клиента, новые сверху',
    sent: 'Прислан',
    bought: 'Покупка',
    total: 'Сумма',
    status: 'Статус',
    points: 'Баллы',
    pending: 'Проверяется',
    earned: 'Начислено',
    rejected: 'Отклонён',
  },
});

const tone = { pending: 'info', earned: 'good', rejected: 'bad' } as const;

/** Shown to roles that may read them, and only for a customer who sent any: most programs have no such receipts. */
export function FiscalReceipts({ customerId }: { customerId: string }) {
  const can = useCan();
  const allowed = can('fiscal-receipts:read');
  const list = usePagedList<FiscalReceipt>(allowed ? `/v1/customers/${customerId}/fiscal-receipts` : null, {}, 20);
  const t = useText(text);
  const format = useFormat();
  if (!allowed || list.items.length === 0) return null;
  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: '', hint: '' }}
        columns={[
          { key: 'sent', title: t('sent'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'bought', title: t('bought'), render: (row) => format.dateTime(row.purchasedAt) },
          { key: 'total', title: t('total'), render: (row) => format.money(row.totalMinor) },
          { key: 'status', title: t('status'), render: (row) => <><Badge tone={tone[row.status]}>{t(row.status)}</Badge>{row.reason ? <span className="muted"> {row.reason}</span> : null}</> },
          { key: 'points', title: t('points'), render: (row) => (row.points === null ? '—' : format.number(row.points)) },
        ]}
      />
    </Card>
  );
}
