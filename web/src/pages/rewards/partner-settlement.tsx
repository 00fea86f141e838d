import { useState, type FormEvent } from 'react';
import { api, withQuery } from '../../api.ts';
import { Card, Empty, ErrorNote, Field, Loading, Stat, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { Partner, Settlement, SettlementFigures } from './rewards-types.ts';

const text = defineText({
  en: {
    title: 'Settlement',
    intro: 'What the ledger did at the partner’s stores in a period of whole days (UTC), and what each side owes the other, at the partner’s current rates.',
    from: 'From',
    to: 'To (inclusive)',
    show: 'Show the settlement',
    partnerOwes: '{name} owes the operator',
    operatorOwes: 'The operator owes {name}',
    net: 'Balance',
    partnerPays: '{name} pays the operator {amount}',
    operatorPays: 'The operator pays {name} {amount}',
    even: 'Nothing is owed either way',
    pointsIssued: 'Points issued',
    pointsRedeemed: 'Points redeemed',
    rates: 'Rates: {issued} per 100 points issued, {redeemed} per 100 points redeemed.',
    byDay: 'By day',
    byStore: 'By store',
    date: 'Day',
    store: 'Store',
    issued: 'Points issued (earned − taken back)',
    redeemed: 'Points redeemed (spent − given back)',
    owesOperator: 'Partner owes',
    owesPartner: 'Operator owes',
    netColumn: 'Net (+ partner pays)',
    total: 'Total',
    nothing: 'No points moved at the partner’s stores in this period',
    nothingHint: 'Choose a longer period, or check that its stores are listed above and its tills check out with its key.',
    csv: 'Download as CSV',
  },
  ru: {
    title: 'Взаиморасчёты',
    intro: 'Что происходило с баллами в магазинах партнёра за период целых дней (UTC) и кто кому сколько должен — по текущим ставкам партнёра.',
    from: 'С',
    to: 'По (включительно)',
    show: 'Показать расчёт',
    partnerOwes: '{name} должен оператору',
    operatorOwes: 'Оператор должен партнёру {name}',
    net: 'Сальдо',
    partnerPays: '{name} платит оператору {amount}',
    operatorPays: 'Оператор платит партнёру {name} {amount}',
    even: 'Никто никому не должен',
    pointsIssued: 'Начислено баллов',
    pointsRedeemed: 'Списано баллов',
    rates: 'Ставки: {issued} за 100 начисленных баллов, {redeemed} за 100 списанных.',
    byDay: 'По дням',
    byStore: 'По магазинам',
    date: 'День',
    store: 'Магазин',
    issued: 'Начислено баллов (начислено − возвращено)',
    redeemed: 'Списано баллов (списано − возвращено)',
    owesOperator: 'Должен партнёр',
    owesPartner: 'Должен оператор',
    netColumn: 'Сальдо (+ платит партнёр)',
    total: 'Итого',
    nothing: 'За этот период в магазинах партнёра баллы не двигались',
    nothingHint: 'Выберите период длиннее или проверьте, что его магазины указаны выше, а кассы работают с его ключом.',
    csv: 'Скачать CSV',
  },
});

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 8)}01`;

/** A partner's settlement for a chosen period (GET /v1/partners/{id}/settlement): who owes whom, by day and by store. */
export function PartnerSettlement({ partner }: { partner: Partner }) {
  const t = useText(text);
  const format = useFormat();
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(today);
  const [period, setPeriod] = useState({ from: monthStart(), to: today() });
  const path = `/v1/partners/${partner.id}/settlement`;
  const report = useResource((signal) => api.get<Settlement>(path, period, signal), [partner.id, period.from, period.to]);

  const show = (event: FormEvent) => {
    event.preventDefault();
    setPeriod({ from, to });
  };
  const r = report.data;
  const money = (minor: number) => format.money(minor, r?.currency);
  const row = (label: string, f: SettlementFigures) => (
    <>
      <td className="num">{format.number(f.pointsIssued)}</td>
      <td className="num">{format.number(f.pointsRedeemedNet)}</td>
      <td className="num">{money(f.partnerOwesMinor)}</td>
      <td className="num">{money(f.operatorOwesMinor)}</td>
      <td className="num" aria-label={`${t('netColumn')}, ${label}`}>
        {money(f.netMinor)}
      </td>
    </>
  );
  const table = (caption: string, first: string, rows: Array<{ key: string; label: string; figures: SettlementFigures }>, totals: SettlementFigures) => (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            <th scope="col" className="num">{t('issued')}</th>
            <th scope="col" className="num">{t('redeemed')}</th>
            <th scope="col" className="num">{t('owesOperator')}</th>
            <th scope="col" className="num">{t('owesPartner')}</th>
            <th scope="col" className="num">{t('netColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr key={entry.key}>
              <th scope="row">{entry.label}</th>
              {row(entry.label, entry.figures)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('total')}</th>
            {row(t('total'), totals)}
          </tr>
        </tfoot>
      </table>
    </div>
  );
  const balance = (f: SettlementFigures, name: string) =>
    f.netMinor > 0 ? t('partnerPays', { name, amount: money(f.netMinor) }) : f.netMinor < 0 ? t('operatorPays', { name, amount: money(-f.netMinor) }) : t('even');
  const moved = r ? r.days.length > 0 : false;

  return (
    <Card title={t('title')}>
      <div className="rewards-settlement">
        <p className="muted">{t('intro')}</p>
        <form className="form" noValidate onSubmit={show}>
          <div className="form-row">
            <Field label={t('from')} error={fieldError(report.error, 'from')}>
              {(props) => <input {...props} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}
            </Field>
            <Field label={t('to')} error={fieldError(report.error, 'to')}>
              {(props) => <input {...props} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
            </Field>
          </div>
          <button type="submit" className="primary">
            {t('show')}
          </button>
        </form>
        {report.error && !fieldError(report.error, 'from') && !fieldError(report.error, 'to') ? <ErrorNote error={report.error} /> : null}
        {report.loading ? <Loading /> : null}
        {r && !report.loading ? (
          <>
            <div className="stats" role="group" aria-label={t('title')}>
              <Stat label={t('pointsIssued')} value={format.number(r.totals.pointsIssued)} />
              <Stat label={t('pointsRedeemed')} value={format.number(r.totals.pointsRedeemedNet)} />
              <Stat label={t('partnerOwes', { name: r.partnerName })} value={<span data-testid="partner-owes">{money(r.totals.partnerOwesMinor)}</span>} />
              <Stat label={t('operatorOwes', { name: r.partnerName })} value={<span data-testid="operator-owes">{money(r.totals.operatorOwesMinor)}</span>} />
            </div>
            <p data-testid="settlement-balance">
              <strong>{t('net')}:</strong> {balance(r.totals, r.partnerName)}
            </p>
            <p className="muted">{t('rates', { issued: money(r.rates.issuedPer100PointsMinor), redeemed: money(r.rates.redeemedPer100PointsMinor) })}</p>
            {moved ? (
              <>
                {table(t('byDay'), t('date'), r.days.map((d) => ({ key: d.date, label: format.date(`${d.date}T12:00:00Z`), figures: d })), r.totals)}
                {table(t('byStore'), t('store'), r.stores.map((s) => ({ key: s.storeId, label: s.storeId, figures: s })), r.totals)}
              </>
            ) : (
              <Empty title={t('nothing')}>{t('nothingHint')}</Empty>
            )}
            <p>
              <a href={withQuery(path, { ...period, format: 'csv' })} download>
                {t('csv')}
              </a>
            </p>
          </>
        ) : null}
      </div>
    </Card>
  );
}
