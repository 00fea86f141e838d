import { useState } from 'react';
import { api } from '../../api.ts';
import { Badge, Card, Dialog, ErrorNote, Loading, Notice, Page, Progress } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { LotteryProof } from './lottery-proof.tsx';
import { LotteryEntries, LotteryWinners } from './lottery-results.tsx';
import { statusTone, type EntryRule, type Lottery } from './lottery-types.ts';
import { statusWords } from './lottery-words.ts';
import './lotteries.css';

const text = defineText({
  en: {
    back: 'All lotteries',
    edit: 'Change',
    draw: 'Draw the winners',
    cancel: 'Cancel the lottery',
    delete: 'Delete',
    created: 'The lottery is created. Its commitment is published below: share it with customers before the entry period starts.',
    saved: 'The changes are saved.',
    about: 'The lottery',
    status: 'Status',
    period: 'Entry period',
    periodValue: '{from} – {to} (the end not included)',
    description: 'Description',
    createdAt: 'Created',
    drawnAt: 'Drawn',
    rules: 'How customers earn entries',
    spendRule: 'One entry per {money} spent (net of refunds)',
    tiersPart: '; {list}',
    tierFactor: '×{factor} for tier {tier}',
    actionRule: '{entries} per “{event}” event',
    maxPart: '; at most {max} per customer',
    prizes: 'Prizes in draw order',
    order: 'Order',
    prize: 'Prize',
    count: 'Winners',
    reward: 'Reward',
    byHand: 'handed over by hand',
    drawTitle: 'Draw the winners?',
    drawText: 'The draw counts every customer’s entries and freezes them, reveals the secret seed, picks {slots} and issues the prizes. It is done once and cannot be undone.',
    slots: { one: '{count} winner', other: '{count} winners' },
    drawConfirm: 'Draw now',
    notNow: 'Not now',
    drawing: 'Drawing the winners',
    drawnNotice: 'The winners are drawn. Anyone can check the draw with the proof below.',
    cancelTitle: 'Cancel the lottery?',
    cancelText: 'Nobody will win: the lottery stays in the list as cancelled. This cannot be undone.',
    cancelConfirm: 'Yes, cancel it',
    keep: 'Keep it',
    deleteTitle: 'Delete the lottery?',
    deleteText: '“{name}” has not started, so it can be deleted for good.',
    deleteConfirm: 'Delete for good',
    earlyDraw: 'The entry period ends {to}; the draw is possible from then on.',
  },
  ru: {
    back: 'Все розыгрыши',
    edit: 'Изменить',
    draw: 'Провести розыгрыш',
    cancel: 'Отменить розыгрыш',
    delete: 'Удалить',
    created: 'Розыгрыш создан. Ниже опубликовано его обязательство (commitment): покажите его клиентам до начала периода участия.',
    saved: 'Изменения сохранены.',
    about: 'Розыгрыш',
    status: 'Статус',
    period: 'Период участия',
    periodValue: '{from} – {to} (конец не включается)',
    description: 'Описание',
    createdAt: 'Создан',
    drawnAt: 'Разыгран',
    rules: 'За что клиенты получают участия',
    spendRule: 'Одно участие за каждые {money} покупок (за вычетом возвратов)',
    tiersPart: '; {list}',
    tierFactor: '×{factor} для уровня {tier}',
    actionRule: '{entries} за событие «{event}»',
    maxPart: '; не больше {max} на клиента',
    prizes: 'Призы в порядке розыгрыша',
    order: 'Порядок',
    prize: 'Приз',
    count: 'Победителей',
    reward: 'Награда',
    byHand: 'вручается вручную',
    drawTitle: 'Провести розыгрыш?',
    drawText: 'Розыгрыш подсчитает и зафиксирует участия всех клиентов, раскроет секретное зерно, выберет {slots} и выдаст призы. Это делается один раз и не отменяется.',
    slots: { one: '{count} победителя', few: '{count} победителей', many: '{count} победителей', other: '{count} победителя' },
    drawConfirm: 'Провести сейчас',
    notNow: 'Не сейчас',
    drawing: 'Розыгрыш идёт',
    drawnNotice: 'Победители выбраны. Любой может проверить розыгрыш по доказательству ниже.',
    cancelTitle: 'Отменить розыгрыш?',
    cancelText: 'Победителей не будет: розыгрыш останется в списке как отменённый. Это не отменить.',
    cancelConfirm: 'Да, отменить',
    keep: 'Оставить',
    deleteTitle: 'Удалить розыгрыш?',
    deleteText: '«{name}» ещё не начался, поэтому его можно удалить насовсем.',
    deleteConfirm: 'Удалить насовсем',
    earlyDraw: 'Период участия закончится {to}; розыгрыш можно провести после этого.',
  },
});

type Confirm = 'draw' | 'cancel' | 'delete' | null;

export default function LotteryPage({ params }: PageProps) {
  const t = useText(text);
  const s = useText(statusWords);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const loaded = useResource((signal) => api.get<Lottery>(`/v1/lotteries/${encodeURIComponent(params.id!)}`, undefined, signal), [params.id]);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [drawnNow, setDrawnNow] = useState(false);
  const lottery = loaded.data;

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!lottery) return <Loading />;

  const mayWrite = can('lotteries:write');
  const slots = lottery.prizes.reduce((sum, p) => sum + p.count, 0);
  const act = async (run: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    try {
      await run();
      setConfirm(null);
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  };
  const draw = () =>
    act(async () => {
      loaded.setData(await api.post<Lottery>(`/v1/lotteries/${lottery.id}/draw`));
      setDrawnNow(true);
    });
  const cancel = () => act(async () => loaded.setData(await api.patch<Lottery>(`/v1/lotteries/${lottery.id}`, { status: 'cancelled', version: lottery.version })));
  const remove = () =>
    act(async () => {
      await api.delete(`/v1/lotteries/${lottery.id}`);
      navigate(`/program/lotteries?deleted=${encodeURIComponent(lottery.name)}`, { replace: true });
    });
  const closeDialog = () => {
    if (busy) return;
    setConfirm(null);
    setActionError(null);
  };

  const ruleWords = (rule: EntryRule) => {
    const max = rule.maxEntries ? t('maxPart', { max: format.number(rule.maxEntries) }) : '';
    if (rule.kind === 'action') return t('actionRule', { entries: format.number(rule.entries), event: rule.eventType }) + max;
    const tiers = Object.entries(rule.tierMultipliers ?? {});
    return t('spendRule', { money: format.money(rule.perMinor) }) + (tiers.length ? t('tiersPart', { list: tiers.map(([tier, factor]) => t('tierFactor', { factor: format.number(factor), tier })).join(', ') }) : '') + max;
  };
  const active = lottery.status !== 'drawn' && lottery.status !== 'cancelled';

  const actions = (
    <>
      <Link to="/program/lotteries">{t('back')}</Link>
      {mayWrite && active ? (
        <Link to={`/program/lotteries/${lottery.id}/edit`} className="button">
          {t('edit')}
        </Link>
      ) : null}
      {can('lotteries:draw') && lottery.status === 'closed' ? (
        <button type="button" className="primary" onClick={() => setConfirm('draw')}>
          {t('draw')}
        </button>
      ) : null}
      {mayWrite && active && lottery.status !== 'upcoming' ? (
        <button type="button" className="secondary" onClick={() => setConfirm('cancel')}>
          {t('cancel')}
        </button>
      ) : null}
      {mayWrite && lottery.status === 'upcoming' ? (
        <button type="button" className="danger" onClick={() => setConfirm('delete')}>
          {t('delete')}
        </button>
      ) : null}
    </>
  );

  return (
    <Page title={lottery.name} actions={actions}>
      {query.get('created') && !drawnNow ? <Notice tone="success">{t('created')}</Notice> : null}
      {query.get('saved') ? <Notice tone="success">{t('saved')}</Notice> : null}
      {drawnNow ? <Notice tone="success">{t('drawnNotice')}</Notice> : null}
      {lottery.status === 'open' || lottery.status === 'upcoming' ? <Notice>{t('earlyDraw', { to: format.dateTime(lottery.entryPeriod.to) })}</Notice> : null}
      <div className="grid top-grid">
        <Card title={t('about')}>
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd>
              <Badge tone={statusTone(lottery.status)}>{s(lottery.status)}</Badge>
            </dd>
            <dt>{t('period')}</dt>
            <dd>{t('periodValue', { from: format.dateTime(lottery.entryPeriod.from), to: format.dateTime(lottery.entryPeriod.to) })}</dd>
            {lottery.description ? (
              <>
                <dt>{t('description')}</dt>
                <dd>{lottery.description}</dd>
              </>
            ) : null}
            <dt>{t('createdAt')}</dt>
            <dd>{format.dateTime(lottery.createdAt)}</dd>
            {lottery.drawnAt ? (
              <>
                <dt>{t('drawnAt')}</dt>
                <dd>{format.dateTime(lottery.drawnAt)}</dd>
              </>
            ) : null}
          </dl>
        </Card>
        <Card title={t('rules')}>
          <ul>
            {lottery.rules.map((rule, i) => (
              <li key={i}>{ruleWords(rule)}</li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title={t('prizes')}>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('prizes')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">{t('order')}</th>
                <th scope="col">{t('prize')}</th>
                <th scope="col" className="num">{t('count')}</th>
                <th scope="col">{t('reward')}</th>
              </tr>
            </thead>
            <tbody>
              {lottery.prizes.map((prize, i) => (
                <tr key={i}>
                  <td className="num">{i + 1}</td>
                  <td>{prize.name}</td>
                  <td className="num">{format.number(prize.count)}</td>
                  <td>{prize.rewardId ? <code>{prize.rewardId}</code> : <span className="muted">{t('byHand')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <LotteryWinners lottery={lottery} />
      <LotteryProof lottery={lottery} />
      <LotteryEntries lottery={lottery} />

      <Dialog title={t('drawTitle')} open={confirm === 'draw'} onClose={closeDialog}>
        <p>{t('drawText', { slots: t('slots', { count: slots }) })}</p>
        <ErrorNote error={actionError} />
        {busy ? <Progress value={null} label={t('drawing')} /> : null}
        <div className="actions form-actions">
          <button type="button" className="primary" disabled={busy} onClick={() => void draw()}>
            {t('drawConfirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={closeDialog}>
            {t('notNow')}
          </button>
        </div>
      </Dialog>
      <Dialog title={t('cancelTitle')} open={confirm === 'cancel'} onClose={closeDialog}>
        <p>{t('cancelText')}</p>
        <ErrorNote error={actionError} />
        <div className="actions form-actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
            {t('cancelConfirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={closeDialog}>
            {t('keep')}
          </button>
        </div>
      </Dialog>
      <Dialog title={t('deleteTitle')} open={confirm === 'delete'} onClose={closeDialog}>
        <p>{t('deleteText', { name: lottery.name })}</p>
        <ErrorNote error={actionError} />
        <div className="actions form-actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
            {t('deleteConfirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={closeDialog}>
            {t('keep')}
          </button>
        </div>
      </Dialog>
    </Page>
  );
}
