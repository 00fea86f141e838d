import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, newIdempotencyKey } from '../../api.ts';
import { Dialog, ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { keepsKey, minorOf, type GiftCard } from './gift-card-types.ts';

const text = defineText({
  en: {
    activate: 'Activate (sell) the card',
    activateIntro: 'Activate the card as it is sold. Its term, if counted in days, starts now.',
    load: 'Money to load',
    loadHint: 'What the customer paid at the till, e.g. 3000; left empty: only what it was issued with ({amount})',
    activateButton: 'Activate',
    block: 'Block the card',
    blockIntro: 'A blocked card pays nothing at the till until it is unblocked; its money stays on it. Use it for a lost, stolen or disputed card.',
    unblock: 'Unblock the card',
    unblockIntro: 'The card pays again: back to active, or to issued if it was never sold.',
    reason: 'Reason',
    blockReasonHint: 'Optional: e.g. “lost, reported by phone”; kept with the card and in the audit log',
    blockButton: 'Block the card',
    unblockButton: 'Unblock',
    adjust: 'Change the balance by hand',
    adjustIntro: 'Put money on the card or take it off, e.g. to correct a till’s mistake. The change is a ledger line with your reason, and it is audited.',
    direction: 'Change',
    add: 'Put money on the card',
    remove: 'Take money off the card',
    amount: 'Amount',
    amountHint: 'In {currency}, e.g. 500 or 500.50; the balance is {balance}',
    adjustReasonHint: 'Required: why, for whoever reads the ledger later',
    addButton: 'Put {amount} on the card',
    removeButton: 'Take {amount} off the card',
    adjustButton: 'Change the balance',
    cancel: 'Cancel',
  },
  ru: {
    activate: 'Активировать (продать) карту',
    activateIntro: 'Активируйте карту при продаже. Срок в днях, если он задан, начинается сейчас.',
    load: 'Зачислить на карту',
    loadHint: 'Сколько клиент заплатил на кассе, например 3000; пусто — только то, с чем карта выпущена ({amount})',
    activateButton: 'Активировать',
    block: 'Заблокировать карту',
    blockIntro: 'Заблокированная карта ничего не оплачивает, пока её не разблокируют; деньги остаются на ней. Для утерянной, украденной или спорной карты.',
    unblock: 'Разблокировать карту',
    unblockIntro: 'Карта снова платит: становится активной или выпущенной, если её ещё не продали.',
    reason: 'Причина',
    blockReasonHint: 'Необязательно: например, «потеряна, сообщили по телефону»; хранится с картой и в журнале действий',
    blockButton: 'Заблокировать карту',
    unblockButton: 'Разблокировать',
    adjust: 'Изменить баланс вручную',
    adjustIntro: 'Зачислите деньги на карту или спишите их, например чтобы исправить ошибку кассы. Изменение — строка журнала с вашей причиной, оно попадает в журнал действий.',
    direction: 'Изменение',
    add: 'Зачислить на карту',
    remove: 'Списать с карты',
    amount: 'Сумма',
    amountHint: 'В {currency}, например 500 или 500,50; сейчас на карте {balance}',
    adjustReasonHint: 'Обязательно: зачем, для того, кто потом прочтёт журнал',
    addButton: 'Зачислить {amount}',
    removeButton: 'Списать {amount}',
    adjustButton: 'Изменить баланс',
    cancel: 'Отмена',
  },
});

export type CardAction = 'activate' | 'block' | 'unblock' | 'adjust';

/**
 * One change of a card in a dialog: the form, the server's words when it refuses, and one
 * Idempotency-Key per change (kept for a retry after a lost answer).
 */
function ActionForm({ send, fields, onDone, onClose, button, danger, named }: { send: (key: string) => Promise<GiftCard>; fields: (error: unknown) => ReactNode; onDone: (card: GiftCard) => void; onClose: () => void; button: string; danger?: boolean; named: string[] }) {
  const t = useText(text);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      onDone(await send(key.current));
    } catch (caught) {
      if (!keepsKey(caught)) key.current = newIdempotencyKey();
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const shown = named.some((name) => fieldError(error, name));
  return (
    <form className="form" noValidate onSubmit={(event) => void submit(event)}>
      <ErrorNote error={shown ? null : error} />
      {fields(error)}
      <div className="actions gc-actions">
        <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
          {button}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

/** The dialog of one action on the card; `action` null keeps it closed. */
export function CardActionDialog({ action, card, onClose, onDone }: { action: CardAction | null; card: GiftCard; onClose: () => void; onDone: (card: GiftCard) => void }) {
  const t = useText(text);
  const format = useFormat();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [direction, setDirection] = useState<'add' | 'remove'>('add');
  useEffect(() => {
    if (action) {
      setAmount('');
      setReason('');
      setDirection('add');
    }
  }, [action]);
  const path = `/v1/gift-cards/${encodeURIComponent(card.id)}`;
  const reasonField = (error: unknown, hint: string, required: boolean) => (
    <Field label={t('reason')} hint={hint} error={fieldError(error, 'reason')}>
      {(props) => <textarea {...props} rows={2} maxLength={500} aria-required={required} value={reason} onChange={(e) => setReason(e.target.value)} />}
    </Field>
  );
  const typed = minorOf(amount);
  const amountText = typeof typed === 'number' && typed > 0 ? format.money(typed, card.currency) : '';

  let title = '';
  let body: ReactNode = null;
  if (action === 'activate') {
    title = t('activate');
    body = (
      <>
        <p className="muted">{t('activateIntro')}</p>
        <ActionForm
          button={t('activateButton')}
          named={['amountMinor']}
          onClose={onClose}
          onDone={onDone}
          send={(key) => api.post<GiftCard>(`${path}/activate`, typed === undefined ? {} : { amountMinor: typed }, undefined, { 'idempotency-key': key })}
          fields={(error) => (
            <Field label={t('load')} hint={t('loadHint', { amount: format.money(card.balanceMinor, card.currency) })} error={fieldError(error, 'amountMinor')}>
              {(props) => <input {...props} inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} autoFocus />}
            </Field>
          )}
        />
      </>
    );
  } else if (action === 'block' || action === 'unblock') {
    title = t(action);
    body = (
      <>
        <div className={action === 'block' ? 'alert warning' : 'muted'}>
          <p>{t(action === 'block' ? 'blockIntro' : 'unblockIntro')}</p>
        </div>
        <ActionForm
          button={t(action === 'block' ? 'blockButton' : 'unblockButton')}
          danger={action === 'block'}
          named={['reason']}
          onClose={onClose}
          onDone={onDone}
          send={() => api.post<GiftCard>(`${path}/${action}`, reason.trim() ? { reason: reason.trim() } : {})}
          fields={(error) => reasonField(error, t('blockReasonHint'), false)}
        />
      </>
    );
  } else if (action === 'adjust') {
    title = t('adjust');
    const signed = typeof typed === 'number' ? (direction === 'remove' ? -typed : typed) : typed;
    body = (
      <>
        <p className="muted">{t('adjustIntro')}</p>
        <ActionForm
          button={amountText ? t(direction === 'add' ? 'addButton' : 'removeButton', { amount: amountText }) : t('adjustButton')}
          danger={direction === 'remove'}
          named={['amountMinor', 'reason']}
          onClose={onClose}
          onDone={onDone}
          send={(key) => api.post<GiftCard>(`${path}/adjustments`, { amountMinor: signed ?? '', reason: reason.trim() }, undefined, { 'idempotency-key': key })}
          fields={(error) => (
            <>
              <fieldset className="gc-choices">
                <legend>{t('direction')}</legend>
                {(['add', 'remove'] as const).map((choice) => (
                  <label key={choice}>
                    <input type="radio" name="gc-direction" checked={direction === choice} onChange={() => setDirection(choice)} /> {t(choice)}
                  </label>
                ))}
              </fieldset>
              <Field label={t('amount')} hint={t('amountHint', { currency: card.currency, balance: format.money(card.balanceMinor, card.currency) })} error={fieldError(error, 'amountMinor')}>
                {(props) => <input {...props} inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} autoFocus />}
              </Field>
              {reasonField(error, t('adjustReasonHint'), true)}
            </>
          )}
        />
      </>
    );
  }
  return (
    <Dialog title={title || t('adjust')} open={action !== null} onClose={onClose}>
      {body}
    </Dialog>
  );
}
