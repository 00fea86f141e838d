import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../../api.ts';
import { DataTable } from '../../components/table.tsx';
import { Card, Dialog, ErrorNote, Field, Loading, Notice, Progress, fieldError } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import type { AdjustmentResult, Balance, LedgerLine } from './customer-types.ts';

const text = defineText({
  en: {
    balance: 'Balance',
    available: 'Available now',
    pending: 'Pending',
    pendingAt: '{points} on {date}',
    noPending: 'Nothing pending',
    expiring: 'Next expiry',
    expiringAt: '{points} on {date}',
    noExpiry: 'Nothing expires',
    lifetime: 'Over all time',
    lifetimeValue: 'earned {earned}, spent {redeemed}, expired {expired}',
    tier: 'Tier',
    privileges: 'Privileges: {list}',
    progressLabel: 'Progress to {tier}',
    toNext: '{value} of {threshold} since {since}: {remaining} more to {tier}',
    top: 'The top tier: {value} since {since}',
    metric_spend: 'spent',
    metric_points_earned: 'points earned',
    ledger: 'Points ledger',
    ledgerCaption: 'Every change to the balance, newest first',
    when: 'When',
    change: 'Change',
    pendingChange: 'Pending',
    kind: 'What',
    reason: 'Reason',
    reasonOrReceipt: 'Reason or receipt',
    noLedger: 'No points yet',
    noLedgerHint: 'Points appear with the first purchase at the till, or adjust them by hand with a reason.',
    kind_earn: 'Earned',
    kind_redeem: 'Spent',
    kind_adjust: 'Adjusted by hand',
    kind_expire: 'Expired',
    kind_activate: 'Became available',
    kind_reverse_earn: 'Earning taken back (return)',
    kind_return_redeemed: 'Spent points returned',
    adjust: 'Adjust points',
    adjustIntro: 'Add points (a positive number) or take them (a negative one). The reason is kept in the ledger and the audit log.',
    points: 'Points',
    pointsHint: 'For example 500, or -200 to take points away',
    reasonHint: 'Why: a ticket number, a lost receipt, a goodwill gesture',
    save: 'Adjust',
    cancel: 'Cancel',
    notNumber: 'Write a whole number of points other than zero, e.g. 500 or -200.',
    done: '{points} points: the balance is now {balance}.',
  },
  ru: {
    balance: 'Баланс',
    available: 'Доступно сейчас',
    pending: 'Ожидают',
    pendingAt: '{points} — {date}',
    noPending: 'Ожидающих нет',
    expiring: 'Ближайшее сгорание',
    expiringAt: '{points} — {date}',
    noExpiry: 'Ничего не сгорает',
    lifetime: 'За всё время',
    lifetimeValue: 'начислено {earned}, потрачено {redeemed}, сгорело {expired}',
    tier: 'Уровень',
    privileges: 'Привилегии: {list}',
    progressLabel: 'Путь до уровня {tier}',
    toNext: '{value} из {threshold} с {since}: до уровня {tier} осталось {remaining}',
    top: 'Высший уровень: {value} с {since}',
    metric_spend: 'потрачено',
    metric_points_earned: 'начислено баллов',
    ledger: 'История баллов',
    ledgerCaption: 'Все изменения баланса, новые сверху',
    when: 'Когда',
    change: 'Изменение',
    pendingChange: 'Ожидают',
    kind: 'Что',
    reason: 'Причина',
    reasonOrReceipt: 'Причина или чек',
    noLedger: 'Баллов пока нет',
    noLedgerHint: 'Баллы появятся с первой покупкой на кассе; можно и начислить их вручную с причиной.',
    kind_earn: 'Начислено',
    kind_redeem: 'Списано',
    kind_adjust: 'Изменено вручную',
    kind_expire: 'Сгорело',
    kind_activate: 'Стало доступно',
    kind_reverse_earn: 'Начисление отменено (возврат)',
    kind_return_redeemed: 'Списанные баллы возвращены',
    adjust: 'Изменить баллы',
    adjustIntro: 'Начислите баллы (положительное число) или спишите (отрицательное). Причина сохранится в истории и журнале аудита.',
    points: 'Баллы',
    pointsHint: 'Например, 500 или -200, чтобы списать',
    reasonHint: 'Почему: номер обращения, потерянный чек, жест доброй воли',
    save: 'Изменить',
    cancel: 'Отмена',
    notNumber: 'Укажите целое число баллов, не ноль: например, 500 или -200.',
    done: '{points} баллов: теперь на балансе {balance}.',
  },
});

type BalanceResource = { data: Balance | null; error: unknown; loading: boolean; reload: () => void; setData: (data: Balance | null) => void };

/** Balance with pending, expiry and tier progress; the ledger, paged; adjusting points with a reason. */
export function PointsTab({ customerId, balance, erased }: { customerId: string; balance: BalanceResource; erased: boolean }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const ledger = usePagedList<LedgerLine>(can('points:ledger') ? `/v1/customers/${customerId}/ledger` : null, {}, 25);
  const [adjusting, setAdjusting] = useState(false);
  const [done, setDone] = useState<AdjustmentResult | null>(null);
  const kind = (value: string) => {
    const key = `kind_${value}`;
    return key in text.en ? t(key as 'kind_earn') : value;
  };
  const signed = (n: number) => (n > 0 ? `+${format.number(n)}` : format.number(n));

  return (
    <>
      {can('points:balance') ? (
        <Card title={t('balance')}>
          {balance.error ? <ErrorNote error={balance.error} onRetry={balance.reload} /> : null}
          {!balance.data && !balance.error ? <Loading /> : null}
          {balance.data ? <BalanceFacts balance={balance.data} /> : null}
        </Card>
      ) : null}
      {can('points:ledger') ? (
        <Card
          title={t('ledger')}
          actions={
            can('points:adjust') && !erased ? (
              <button type="button" className="primary" onClick={() => setAdjusting(true)}>
                {t('adjust')}
              </button>
            ) : null
          }
        >
          {done ? <Notice tone="success">{t('done', { points: signed(done.points), balance: format.number(done.balance) })}</Notice> : null}
          <DataTable
            caption={t('ledgerCaption')}
            rows={ledger.items}
            rowKey={(row) => String(row.id)}
            loading={ledger.loading}
            error={ledger.error}
            onRetry={ledger.reload}
            hasMore={ledger.hasMore}
            onMore={ledger.loadMore}
            empty={{ title: t('noLedger'), hint: t('noLedgerHint') }}
            columns={[
              { key: 'at', title: t('when'), render: (row) => format.dateTime(row.at) },
              { key: 'kind', title: t('kind'), render: (row) => kind(row.kind) },
              { key: 'available', title: t('change'), numeric: true, render: (row) => (row.available ? signed(row.available) : '—') },
              { key: 'pending', title: t('pendingChange'), numeric: true, render: (row) => (row.pending ? signed(row.pending) : '—') },
              { key: 'reason', title: t('reasonOrReceipt'), render: (row) => row.reason ?? (row.receiptId ? <code>{row.receiptId}</code> : '—') },
            ]}
          />
        </Card>
      ) : null}
      <AdjustDialog
        open={adjusting}
        customerId={customerId}
        onClose={() => setAdjusting(false)}
        onDone={(result) => {
          setAdjusting(false);
          setDone(result);
          if (balance.data) balance.setData({ ...balance.data, available: result.balance, pendingPoints: result.pendingPoints });
          balance.reload();
          ledger.reload();
        }}
      />
    </>
  );
}

function BalanceFacts({ balance }: { balance: Balance }) {
  const t = useText(text);
  const format = useFormat();
  const progress = balance.tier.progress;
  const metric = (value: number) => (progress.metric === 'spend' ? format.money(value) : format.number(value));
  const next = progress.next;
  return (
    <>
      <dl className="facts">
        <dt>{t('available')}</dt>
        <dd className="c360-big">{format.number(balance.available)}</dd>
        <dt>{t('pending')}</dt>
        <dd>{balance.pending.length ? balance.pending.map((batch) => <div key={batch.activatesAt}>{t('pendingAt', { points: format.number(batch.points), date: format.date(batch.activatesAt) })}</div>) : t('noPending')}</dd>
        <dt>{t('expiring')}</dt>
        <dd>{balance.expiring ? t('expiringAt', { points: format.number(balance.expiring.points), date: format.date(balance.expiring.at) }) : t('noExpiry')}</dd>
        <dt>{t('lifetime')}</dt>
        <dd>{t('lifetimeValue', { earned: format.number(balance.lifetime.earned), redeemed: format.number(balance.lifetime.redeemed), expired: format.number(balance.lifetime.expired) })}</dd>
        <dt>{t('tier')}</dt>
        <dd>
          <strong>{balance.tier.name}</strong>
          {balance.tier.privileges.length ? <div className="muted">{t('privileges', { list: balance.tier.privileges.join(', ') })}</div> : null}
        </dd>
      </dl>
      <div className="c360-progress">
        {next ? (
          <>
            <Progress value={next.threshold > 0 ? progress.value / next.threshold : 1} label={t('progressLabel', { tier: next.name })} />
            <p className="muted">
              {t(`metric_${progress.metric}` as 'metric_spend')}: {t('toNext', { value: metric(progress.value), threshold: metric(next.threshold), since: format.date(progress.windowStart), remaining: metric(next.remaining), tier: next.name })}
            </p>
          </>
        ) : (
          <p className="muted">{t('top', { value: metric(progress.value), since: format.date(progress.windowStart) })}</p>
        )}
      </div>
    </>
  );
}

function AdjustDialog({ open, customerId, onClose, onDone }: { open: boolean; customerId: string; onClose: () => void; onDone: (result: AdjustmentResult) => void }) {
  const t = useText(text);
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per adjustment: sending the same one again (a lost answer, a double click) changes
  // nothing twice; new figures or words make a new adjustment with a new key.
  const attempt = useRef<string | null>(null);
  useEffect(() => {
    attempt.current = null;
  }, [points, reason]);

  const close = () => {
    setError(null);
    setLocalError(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setLocalError(null);
    const n = Number(points.replace(/\s/g, '').replace('−', '-'));
    if (!Number.isInteger(n) || n === 0 || points.trim() === '') {
      setLocalError(t('notNumber'));
      return;
    }
    setBusy(true);
    try {
      attempt.current ??= newIdempotencyKey();
      const result = await api.post<AdjustmentResult>(`/v1/customers/${customerId}/points/adjustments`, { points: n, reason: reason.trim() }, undefined, { 'idempotency-key': attempt.current });
      setPoints('');
      setReason('');
      onDone(result);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const reasonError = fieldError(error, 'reason');
  const pointsError = localError ?? fieldError(error, 'points');
  return (
    <Dialog title={t('adjust')} open={open} onClose={close}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <p className="muted">{t('adjustIntro')}</p>
        <ErrorNote error={reasonError || fieldError(error, 'points') ? null : error} />
        <Field label={t('points')} hint={t('pointsHint')} error={pointsError}>
          {(props) => <input {...props} inputMode="numeric" value={points} onChange={(e) => setPoints(e.target.value)} autoFocus />}
        </Field>
        <Field label={t('reason')} hint={t('reasonHint')} error={reasonError}>
          {(props) => <textarea {...props} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('save')}
          </button>
          <button type="button" className="secondary" onClick={close}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
