import { useState } from 'react';
import { api } from '../../api.ts';
import { CancelRewardOrderDialog } from '../../components/rewards-cancel-order.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Empty, ErrorNote, Loading, Notice } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import type { Privilege, Recommendations, Referral, RewardOrder } from './customer-types.ts';

const text = defineText({
  en: {
    recommendations: 'Next best offers',
    recommendationsCaption: 'Products the customer has not bought and may like, best first',
    item: 'Item',
    why: 'Why',
    score: 'Score',
    coPurchase: 'bought with {items}',
    popular: 'popular with everyone',
    noModel: 'No co-purchase model yet: these are simply the most popular items the customer has not bought.',
    model: 'From the co-purchase model built {date} over {days} days.',
    noRecommendations: 'Nothing to recommend',
    noRecommendationsHint: 'Recommendations need purchases: once customers buy, a marketer rebuilds the co-purchase model.',
    rewards: 'Reward orders',
    rewardsCaption: 'Rewards the customer bought with points or won, newest first',
    when: 'When',
    reward: 'Reward',
    points: 'Points',
    status: 'Status',
    code: 'Code',
    validUntil: 'Valid until',
    status_issued: 'issued',
    status_redeemed: 'used',
    status_cancelled: 'cancelled',
    noRewards: 'No reward orders',
    noRewardsHint: 'The customer can buy rewards with points in the app, at the till or with support.',
    actions: 'Actions',
    cancel: 'Cancel',
    cancelOf: 'Cancel the order “{name}”',
    cancelled: 'The order “{name}” is cancelled.',
    privileges: 'Privileges held now',
    privilegesCaption: 'Privileges the customer holds now',
    since: 'Since',
    noPrivileges: 'No privileges now',
    referral: 'Referral',
    code_: 'Referral code',
    link: 'Link',
    invited: 'Invited',
    qualified: 'Qualified',
    rewarded: 'Rewarded',
    earned: 'Points earned by referrals',
  },
  ru: {
    recommendations: 'Лучшие предложения',
    recommendationsCaption: 'Товары, которые клиент ещё не покупал и которые могут ему понравиться, лучшие сверху',
    item: 'Товар',
    why: 'Почему',
    score: 'Оценка',
    coPurchase: 'берут вместе с {items}',
    popular: 'популярно у всех',
    noModel: 'Модели совместных покупок ещё нет: это просто самые популярные товары, которых клиент не покупал.',
    model: 'По модели совместных покупок от {date} за {days} дн.',
    noRecommendations: 'Рекомендовать нечего',
    noRecommendationsHint: 'Рекомендациям нужны покупки: когда клиенты начнут покупать, маркетолог пересоберёт модель совместных покупок.',
    rewards: 'Заказы наград',
    rewardsCaption: 'Награды, купленные клиентом за баллы или выигранные, новые сверху',
    when: 'Когда',
    reward: 'Награда',
    points: 'Баллы',
    status: 'Статус',
    code: 'Код',
    validUntil: 'Действует до',
    status_issued: 'выдана',
    status_redeemed: 'использована',
    status_cancelled: 'отменена',
    noRewards: 'Заказов наград нет',
    noRewardsHint: 'Клиент может купить награду за баллы в приложении, на кассе или через поддержку.',
    actions: 'Действия',
    cancel: 'Отменить',
    cancelOf: 'Отменить заказ «{name}»',
    cancelled: 'Заказ «{name}» отменён.',
    privileges: 'Действующие привилегии',
    privilegesCaption: 'Привилегии клиента сейчас',
    since: 'С',
    noPrivileges: 'Привилегий сейчас нет',
    referral: 'Приглашения',
    code_: 'Код приглашения',
    link: 'Ссылка',
    invited: 'Приглашено',
    qualified: 'Выполнили условие',
    rewarded: 'Вознаграждено',
    earned: 'Баллов за приглашения',
  },
});

/** Recommendations, reward orders and privileges, and the referral code: each shown when the role may read it. */
export function OffersTab({ customerId, onPointsChanged }: { customerId: string; onPointsChanged?: () => void }) {
  const can = useCan();
  return (
    <>
      {can('recommendations:read') ? <RecommendationsCard customerId={customerId} /> : null}
      {can('reward-orders:read') ? <RewardsCard customerId={customerId} onPointsChanged={onPointsChanged} /> : null}
      {can('reward-orders:read') ? <PrivilegesCard customerId={customerId} /> : null}
      {can('referrals:read') ? <ReferralCard customerId={customerId} /> : null}
    </>
  );
}

function RecommendationsCard({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const found = useResource((signal) => api.get<Recommendations>(`/v1/customers/${customerId}/recommendations`, { limit: 5 }, signal), [customerId]);
  const data = found.data;
  return (
    <Card title={t('recommendations')}>
      {found.error ? <ErrorNote error={found.error} onRetry={found.reload} /> : null}
      {!data && !found.error ? <Loading /> : null}
      {data && data.recommendations.length === 0 ? <Empty title={t('noRecommendations')}>{t('noRecommendationsHint')}</Empty> : null}
      {data && data.recommendations.length > 0 ? (
        <>
          <p className="muted">{data.model ? t('model', { date: format.date(data.model.builtAt), days: data.model.windowDays }) : t('noModel')}</p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('recommendationsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('item')}</th>
                  <th scope="col">{t('why')}</th>
                  <th scope="col" className="num">{t('score')}</th>
                </tr>
              </thead>
              <tbody>
                {data.recommendations.map((entry) => (
                  <tr key={entry.item}>
                    <td>{entry.name ?? entry.item}</td>
                    <td>{entry.reasons.length ? t('coPurchase', { items: entry.reasons.map((reason) => reason.name ?? reason.item).join(', ') }) : t('popular')}</td>
                    <td className="num">{format.percent(entry.score)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}

function RewardsCard({ customerId, onPointsChanged }: { customerId: string; onPointsChanged?: (() => void) | undefined }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const list = usePagedList<RewardOrder>(`/v1/customers/${customerId}/rewards`, {}, 20);
  // Cancelling returns the points and the unit (reward-orders:write); a used code cannot be cancelled.
  const [cancelling, setCancelling] = useState<RewardOrder | null>(null);
  const [cancelled, setCancelled] = useState<string | null>(null);
  const mayCancel = can('reward-orders:write');
  return (
    <Card title={t('rewards')}>
      {cancelled ? <Notice tone="success">{t('cancelled', { name: cancelled })}</Notice> : null}
      <DataTable
        caption={t('rewardsCaption')}
        {...pagedRows(list)}
        empty={{ title: t('noRewards'), hint: t('noRewardsHint') }}
        columns={[
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'reward', title: t('reward'), render: (row) => row.reward.name },
          { key: 'points', title: t('points'), numeric: true, render: (row) => format.number(row.points) },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'cancelled' ? 'bad' : row.status === 'redeemed' ? 'good' : 'info'}>{t(`status_${row.status}`)}</Badge> },
          { key: 'code', title: t('code'), render: (row) => (row.code ? <code>{row.code}</code> : (row.privilege ?? '—')) },
          { key: 'valid', title: t('validUntil'), render: (row) => format.date(row.validUntil) },
          ...(mayCancel
            ? [
                {
                  key: 'actions',
                  title: t('actions'),
                  render: (row: RewardOrder) =>
                    row.status === 'issued' ? (
                      <button type="button" className="secondary" aria-label={t('cancelOf', { name: row.reward.name })} onClick={() => { setCancelled(null); setCancelling(row); }}>
                        {t('cancel')}
                      </button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <CancelRewardOrderDialog
        customerId={customerId}
        order={cancelling}
        onClose={() => setCancelling(null)}
        onCancelled={() => {
          setCancelled(cancelling?.reward.name ?? '');
          setCancelling(null);
          list.reload();
          onPointsChanged?.();
        }}
      />
    </Card>
  );
}

function PrivilegesCard({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const list = usePagedList<Privilege>(`/v1/customers/${customerId}/privileges`, {}, 20);
  return (
    <Card title={t('privileges')}>
      <DataTable
        caption={t('privilegesCaption')}
        rows={list.items}
        rowKey={(row) => row.orderId}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={list.hasMore}
        onMore={list.loadMore}
        empty={{ title: t('noPrivileges'), hint: t('noRewardsHint') }}
        columns={[
          { key: 'name', title: t('reward'), render: (row) => row.name },
          { key: 'since', title: t('since'), render: (row) => format.date(row.since) },
          { key: 'valid', title: t('validUntil'), render: (row) => format.date(row.validUntil) },
        ]}
      />
    </Card>
  );
}

function ReferralCard({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const referral = useResource((signal) => api.get<Referral>(`/v1/customers/${customerId}/referral`, undefined, signal), [customerId]);
  const r = referral.data;
  return (
    <Card title={t('referral')}>
      {referral.error ? <ErrorNote error={referral.error} onRetry={referral.reload} /> : null}
      {!r && !referral.error ? <Loading /> : null}
      {r ? (
        <dl className="facts">
          <dt>{t('code_')}</dt>
          <dd>
            <code>{r.code}</code>
          </dd>
          {r.link ? (
            <>
              <dt>{t('link')}</dt>
              <dd>{r.link}</dd>
            </>
          ) : null}
          <dt>{t('invited')}</dt>
          <dd>{format.number(r.referrals.invited)}</dd>
          <dt>{t('qualified')}</dt>
          <dd>{format.number(r.referrals.qualified)}</dd>
          <dt>{t('rewarded')}</dt>
          <dd>{format.number(r.referrals.rewarded)}</dd>
          <dt>{t('earned')}</dt>
          <dd>{format.number(r.rewardsEarned)}</dd>
        </dl>
      ) : null}
    </Card>
  );
}
