import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Field, Notice, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { RewardOrder } from './rewards-types.ts';

const text = defineText({
  en: {
    title: 'Redeem a code at the desk',
    intro: 'A customer shows a reward code (RWC-…): accept it here and hand over the reward. A code is accepted once.',
    code: 'Reward code',
    codeHint: 'In any case, with or without dashes',
    redeem: 'Accept the code',
    done: 'Accepted: “{name}” ({points} points, ordered {date}). Hand it over: the code is now used.',
    needCode: 'Type the code the customer shows.',
  },
  ru: {
    title: 'Принять код награды',
    intro: 'Клиент показывает код награды (RWC-…): примите его здесь и выдайте награду. Код принимается один раз.',
    code: 'Код награды',
    codeHint: 'В любом регистре, с дефисами или без',
    redeem: 'Принять код',
    done: 'Принято: «{name}» ({points} баллов, заказ от {date}). Выдайте награду: код теперь использован.',
    needCode: 'Введите код, который показывает клиент.',
  },
});

/** The desk's form: a goods reward code accepted once (POST /v1/reward-codes/{code}/redeem), the answer in words. */
export function RedeemCode() {
  const t = useText(text);
  const format = useFormat();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [done, setDone] = useState<RewardOrder | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const trimmed = code.trim();
    setMissing(trimmed === '');
    if (!trimmed) return;
    setBusy(true);
    try {
      setDone(await api.post<RewardOrder>(`/v1/reward-codes/${encodeURIComponent(trimmed)}/redeem`));
      setCode('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const codeError = missing ? t('needCode') : fieldError(error, 'code');
  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      <form className="form narrow" noValidate onSubmit={(event) => void submit(event)}>
        <Field label={t('code')} hint={t('codeHint')} error={codeError}>
          {(props) => <input {...props} autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('redeem')}
        </button>
      </form>
      <div className="rewards-answer">
        {error && !codeError ? <ErrorNote error={error} /> : null}
        {done ? <Notice tone="success">{t('done', { name: done.reward.name, points: format.number(done.points), date: format.date(done.createdAt) })}</Notice> : null}
      </div>
    </Card>
  );
}
