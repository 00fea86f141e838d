import { useState } from 'react';
import { api } from '../api.ts';
import { defineText, useText } from '../i18n.tsx';
import { Dialog, ErrorNote } from './ui.tsx';

const text = defineText({
  en: {
    title: 'Cancel the order “{name}”?',
    points: { one: 'The customer gets {count} point back, and the unit goes back to stock.', other: 'The customer gets {count} points back, and the unit goes back to stock.' },
    prize: 'It was a prize: no points come back; the unit goes back to stock.',
    voucher: 'The partner voucher is voided, never given to anyone else: the customer has seen its code.',
    confirm: 'Cancel the order',
    keep: 'Keep it',
  },
  ru: {
    title: 'Отменить заказ «{name}»?',
    points: { one: 'Клиенту вернётся {count} балл, а штука вернётся в запас.', few: 'Клиенту вернутся {count} балла, а штука вернётся в запас.', many: 'Клиенту вернутся {count} баллов, а штука вернётся в запас.', other: 'Клиенту вернутся {count} балла, а штука вернётся в запас.' },
    prize: 'Это был приз: баллы не возвращаются; штука вернётся в запас.',
    voucher: 'Ваучер партнёра аннулируется и никому больше не выдаётся: клиент уже видел его код.',
    confirm: 'Отменить заказ',
    keep: 'Не отменять',
  },
});

export type CancellableOrder = { id: string; reward: { name: string; kind: string }; source: string; points: number };

/**
 * Confirms and cancels a customer's reward order (POST /v1/customers/{id}/rewards/{orderId}/cancel):
 * points and stock come back; the server's words if it refuses (a used code cannot be cancelled).
 */
export function CancelRewardOrderDialog({ customerId, order, onClose, onCancelled }: { customerId: string; order: CancellableOrder | null; onClose: () => void; onCancelled: () => void }) {
  const t = useText(text);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setError(null);
    onClose();
  };
  const confirm = async () => {
    if (!order) return;
    setError(null);
    setBusy(true);
    try {
      await api.post(`/v1/customers/${customerId}/rewards/${order.id}/cancel`);
      onCancelled();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={order ? t('title', { name: order.reward.name }) : ''} open={order !== null} onClose={close}>
      {order ? (
        <>
          <p>{order.source === 'prize' ? t('prize') : t('points', { count: order.points })}</p>
          {order.reward.kind === 'partner_voucher' ? <p>{t('voucher')}</p> : null}
        </>
      ) : null}
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
          {t('confirm')}
        </button>
        <button type="button" className="secondary" onClick={close}>
          {t('keep')}
        </button>
      </div>
    </Dialog>
  );
}
