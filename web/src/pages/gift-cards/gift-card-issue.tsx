import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../../api.ts';
import { CustomerPick, type PickedCustomer } from '../../components/messaging-customer-pick.tsx';
import { Dialog, ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { compact, endOfDay, integerOf, keepsKey, minorOf, type GiftCard } from './gift-card-types.ts';

const text = defineText({
  en: {
    title: 'Issue a gift card',
    amount: 'Value',
    amountHint: 'What the card holds from the start, e.g. 3000 or 3000.50; left empty: nothing, loaded when it is sold',
    validDays: 'Valid for, days',
    validDaysHint: 'Counted from the sale (activation), e.g. 365',
    expiresOn: 'Or valid until',
    expiresOnHint: 'A fixed last day, instead of days from the sale',
    code: 'Code printed elsewhere',
    codeHint: 'Optional: 16 to 64 letters and digits without 0, 1, I, O; left empty, a random code is made',
    owner: 'Given to (optional)',
    activate: 'Active at once (a card given away, e.g. as compensation); otherwise it is activated when sold',
    issue: 'Issue the card',
    cancel: 'Cancel',
  },
  ru: {
    title: 'Выпустить подарочную карту',
    amount: 'Номинал',
    amountHint: 'Сколько на карте с самого начала, например 3000 или 3000,50; пусто — ничего, деньги зачисляются при продаже',
    validDays: 'Срок действия, дней',
    validDaysHint: 'Считается с продажи (активации), например 365',
    expiresOn: 'Или действует до',
    expiresOnHint: 'Последний день, вместо дней с продажи',
    code: 'Код, напечатанный заранее',
    codeHint: 'Необязательно: от 16 до 64 букв и цифр без 0, 1, I, O; пусто — код создаётся случайно',
    owner: 'Кому выдана (необязательно)',
    activate: 'Сразу активна (подарок, например компенсация); иначе активируется при продаже',
    issue: 'Выпустить карту',
    cancel: 'Отмена',
  },
});

/**
 * Issue one card: its value, its term, an optional printed code and owner. The answer holds the
 * code in full, which the caller shows once.
 */
export function IssueCardDialog({ open, onClose, onIssued }: { open: boolean; onClose: () => void; onIssued: (card: GiftCard) => void }) {
  const t = useText(text);
  const [amount, setAmount] = useState('');
  const [validDays, setValidDays] = useState('365');
  const [expiresOn, setExpiresOn] = useState('');
  const [code, setCode] = useState('');
  const [owner, setOwner] = useState<PickedCustomer | null>(null);
  const [activate, setActivate] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  useEffect(() => {
    if (open) {
      setAmount('');
      setValidDays('365');
      setExpiresOn('');
      setCode('');
      setOwner(null);
      setActivate(false);
      setError(null);
      key.current = newIdempotencyKey();
    }
  }, [open]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = compact({
        amountMinor: minorOf(amount),
        validDays: expiresOn ? undefined : integerOf(validDays),
        expiresAt: endOfDay(expiresOn),
        code: code.trim() || undefined,
        customerId: owner?.id,
        activate: activate || undefined,
      });
      const card = await api.post<GiftCard>('/v1/gift-cards', body, undefined, { 'idempotency-key': key.current });
      key.current = newIdempotencyKey();
      onIssued(card);
    } catch (caught) {
      if (!keepsKey(caught)) key.current = newIdempotencyKey();
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const named = ['amountMinor', 'validDays', 'expiresAt', 'code', 'customerId'].some((name) => fieldError(error, name));
  return (
    <Dialog title={t('title')} open={open} onClose={onClose}>
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        <ErrorNote error={named ? null : error} />
        <div className="form-row">
          <Field label={t('amount')} hint={t('amountHint')} error={fieldError(error, 'amountMinor')}>
            {(props) => <input {...props} inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} />}
          </Field>
        </div>
        <div className="form-row">
          <Field label={t('validDays')} hint={t('validDaysHint')} error={fieldError(error, 'validDays')}>
            {(props) => <input {...props} inputMode="numeric" value={validDays} disabled={expiresOn !== ''} onChange={(e) => setValidDays(e.target.value)} />}
          </Field>
          <Field label={t('expiresOn')} hint={t('expiresOnHint')} error={fieldError(error, 'expiresAt')}>
            {(props) => <input {...props} type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />}
          </Field>
        </div>
        <Field label={t('code')} hint={t('codeHint')} error={fieldError(error, 'code')}>
          {(props) => <input {...props} autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <CustomerPick value={owner} onChange={setOwner} label={t('owner')} />
        {fieldError(error, 'customerId') ? <p className="field-error">{fieldError(error, 'customerId')}</p> : null}
        <label className="check">
          <input type="checkbox" checked={activate} onChange={(e) => setActivate(e.target.checked)} /> {t('activate')}
        </label>
        <div className="actions gc-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('issue')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
