import { useEffect, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../../api.ts';
import { Dialog, ErrorNote } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import type { Message } from './customer-types.ts';

const text = defineText({
  en: {
    title: 'Send the message again',
    intro: 'The same text goes to the customer’s address of now: a code in it stays the same code. Consent, caps and quiet hours apply as they did to the first message.',
    what: 'Message',
    send: 'Send again',
    cancel: 'Cancel',
  },
  ru: {
    title: 'Отправить сообщение повторно',
    intro: 'Тот же текст уйдёт на текущий адрес клиента: код в нём останется тем же. Согласия, лимиты и тихие часы действуют так же, как для первого сообщения.',
    what: 'Сообщение',
    send: 'Отправить повторно',
    cancel: 'Отмена',
  },
});

/** Whether a message can be sent again: it has text and is not a marketer's test send (the server says the same). */
export const resendable = (message: Message) => message.content !== null && message.source !== 'test';

/**
 * The confirmation before a resend. One Idempotency-Key per opening of the dialog, so a double
 * click or a retry after a lost answer queues one message, not two.
 */
export function ResendDialog({ message, onClose, onSent }: { message: Message | null; onClose: () => void; onSent: (sent: Message) => void }) {
  const t = useText(text);
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (message) {
      setKey(newIdempotencyKey());
      setError(null);
    }
  }, [message]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!message) return;
    setError(null);
    setBusy(true);
    try {
      onSent(await api.post<Message>(`/v1/messages/${message.id}/resend`, undefined, undefined, { 'Idempotency-Key': key }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('title')} open={message !== null} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <p>{t('intro')}</p>
        {message ? (
          <dl className="facts">
            <dt>{t('what')}</dt>
            <dd>{message.content?.subject ?? message.content?.text}</dd>
          </dl>
        ) : null}
        <ErrorNote error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('send')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
