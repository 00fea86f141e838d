import { useEffect, useState } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { Tabs } from '../../components/tabs.tsx';
import { Badge, ErrorNote, Loading, Page, Stat } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { EditProfileDialog, EraseDialog, MergeDialog } from './customer-actions.tsx';
import { ActivityTab } from './customer-activity.tsx';
import { displayName } from './customer-list.tsx';
import { OffersTab } from './customer-offers.tsx';
import { PointsTab } from './customer-points.tsx';
import { ProfileTab } from './customer-profile.tsx';
import { FiscalReceipts } from './customer-fiscal-receipts.tsx';
import { ReceiptsTab } from './customer-receipts.tsx';
import type { Balance, Customer, ReceiptSummary } from './customer-types.ts';
import './customers.css';

const text = defineText({
  en: {
    back: 'All customers',
    unnamed: 'No name',
    intro: 'Everything about this customer on one screen.',
    phone: 'Phone',
    email: 'E-mail',
    card: 'Card',
    balance: 'Points',
    pending: '{points} pending',
    tier: 'Tier',
    rfm: 'RFM group',
    noRfm: 'Not scored yet',
    lastPurchase: 'Last purchase',
    never: 'No purchases',
    edit: 'Edit the profile',
    merge: 'Merge a duplicate',
    erase: 'Erase on request',
    tabs: 'Parts of the customer’s story',
    summary: 'Summary',
    tab_profile: 'Profile and consents',
    tab_points: 'Points',
    tab_receipts: 'Receipts',
    tab_activity: 'Messages and feedback',
    tab_offers: 'Offers and rewards',
    status_merged: 'Merged',
    status_erased: 'Erased',
    erasedNote: 'This customer was erased on request on {date}: personal data is gone; receipts and points stay for the books.',
  },
  ru: {
    back: 'Все клиенты',
    unnamed: 'Без имени',
    intro: 'Всё о клиенте на одном экране.',
    phone: 'Телефон',
    email: 'Эл. почта',
    card: 'Карта',
    balance: 'Баллы',
    pending: '{points} ожидают',
    tier: 'Уровень',
    rfm: 'Группа RFM',
    noRfm: 'Ещё не рассчитана',
    lastPurchase: 'Последняя покупка',
    never: 'Покупок нет',
    edit: 'Изменить профиль',
    merge: 'Объединить дубликат',
    erase: 'Удалить по запросу',
    tabs: 'Разделы истории клиента',
    summary: 'Кратко',
    tab_profile: 'Профиль и согласия',
    tab_points: 'Баллы',
    tab_receipts: 'Чеки',
    tab_activity: 'Сообщения и обращения',
    tab_offers: 'Предложения и награды',
    status_merged: 'Объединён',
    status_erased: 'Удалён',
    erasedNote: 'Данные клиента удалены по его запросу {date}: персональных данных больше нет; чеки и баллы остаются для учёта.',
  },
});

const tabKeys = ['profile', 'points', 'receipts', 'activity', 'offers'] as const;
type TabKey = (typeof tabKeys)[number];

/** The customer 360° page: a summary on top, then the story in tabs, each block reading its own route. */
export default function Customer360({ params }: PageProps) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const id = params.id!;
  const customer = useResource((signal) => api.get<Customer>(`/v1/customers/${encodeURIComponent(id)}`, undefined, signal), [id]);
  const balance = useResource((signal) => (can('points:balance') ? api.get<Balance>(`/v1/customers/${encodeURIComponent(id)}/balance`, undefined, signal) : Promise.resolve(null)), [id]);
  const lastReceipt = useResource(
    (signal) => (can('receipts:read') ? api.get<ApiPage<ReceiptSummary>>(`/v1/customers/${encodeURIComponent(id)}/receipts`, { limit: 1 }, signal).then((page) => page.items[0] ?? null) : Promise.resolve(null)),
    [id],
  );
  // The open tab is kept in the address (?tab=points), so a reload or a shared link opens it again.
  const [tab, setTabState] = useState<TabKey>(() => {
    const asked = new URLSearchParams(window.location.search).get('tab');
    return asked && tabKeys.includes(asked as TabKey) ? (asked as TabKey) : 'profile';
  });
  const setTab = (next: TabKey) => {
    setTabState(next);
    window.history.replaceState(null, '', next === 'profile' ? window.location.pathname : `?tab=${next}`);
  };
  const [dialog, setDialog] = useState<'edit' | 'merge' | 'erase' | null>(null);
  // Bumped after a merge: the tabs read their routes again (the duplicate's receipts and points are now here).
  const [version, setVersion] = useState(0);

  // A merged customer's id answers its survivor: show the survivor under its own address.
  const shownId = customer.data?.id;
  useEffect(() => {
    if (shownId && shownId !== id) navigate(`/customers/${shownId}`, { replace: true });
  }, [shownId, id]);

  if (customer.error) return <ErrorNote error={customer.error} onRetry={customer.reload} />;
  if (!customer.data) return <Loading />;
  const c = customer.data;
  const erased = c.status === 'erased';

  const tabs: Array<{ key: TabKey; label: string; show: boolean }> = [
    { key: 'profile', label: t('tab_profile'), show: true },
    { key: 'points', label: t('tab_points'), show: can('points:balance') || can('points:ledger') },
    { key: 'receipts', label: t('tab_receipts'), show: can('receipts:read') },
    { key: 'activity', label: t('tab_activity'), show: can('messages:read') || can('tickets:read') || can('surveys:read') },
    { key: 'offers', label: t('tab_offers'), show: can('recommendations:read') || can('reward-orders:read') || can('referrals:read') },
  ];
  const shown = tabs.filter((entry) => entry.show);
  const current = shown.some((entry) => entry.key === tab) ? tab : 'profile';

  const actions = erased ? null : (
    <>
      {can('customers:write') ? (
        <button type="button" className="secondary" onClick={() => setDialog('edit')}>
          {t('edit')}
        </button>
      ) : null}
      {can('customers:merge') ? (
        <button type="button" className="secondary" onClick={() => setDialog('merge')}>
          {t('merge')}
        </button>
      ) : null}
      {can('customers:erase') ? (
        <button type="button" className="danger" onClick={() => setDialog('erase')}>
          {t('erase')}
        </button>
      ) : null}
    </>
  );

  return (
    <Page title={displayName(c, t('unnamed'))} intro={t('intro')} actions={actions}>
      <p className="c360-back">
        <Link to="/customers">← {t('back')}</Link>
        {c.status !== 'active' ? <Badge tone="bad">{t(`status_${c.status}` as 'status_merged')}</Badge> : null}
      </p>
      {erased ? (
        <div className="alert warning" role="status">
          <p>{t('erasedNote', { date: format.date(c.erasedAt ?? c.updatedAt) })}</p>
        </div>
      ) : null}
      <div className="stats c360-summary" aria-label={t('summary')} role="group">
        <Stat label={t('phone')} value={<span className="c360-contact">{c.phone ?? '—'}</span>} />
        <Stat label={t('email')} value={<span className="c360-contact">{c.email ?? '—'}</span>} />
        <Stat label={t('card')} value={<span className="c360-contact">{c.cardNumber ?? '—'}</span>} />
        {balance.data ? (
          <Stat
            label={t('balance')}
            value={<span data-testid="balance">{format.number(balance.data.available)}</span>}
            change={balance.data.pendingPoints ? { text: t('pending', { points: format.number(balance.data.pendingPoints) }), good: null } : undefined}
          />
        ) : null}
        {balance.data ? <Stat label={t('tier')} value={balance.data.tier.name} /> : null}
        <Stat label={t('rfm')} value={c.rfm ? `${c.rfm.group} (${c.rfm.cell})` : <span className="muted c360-small">{t('noRfm')}</span>} />
        {can('receipts:read') ? (
          <Stat label={t('lastPurchase')} value={lastReceipt.data ? format.date(lastReceipt.data.occurredAt) : <span className="muted c360-small">{t('never')}</span>} />
        ) : null}
      </div>
      <Tabs tabs={shown} current={current} onChange={setTab} label={t('tabs')}>
        <div key={version}>
          {current === 'profile' ? <ProfileTab customer={c} /> : null}
          {current === 'points' ? <PointsTab customerId={c.id} balance={balance} erased={erased} /> : null}
          {current === 'receipts' ? (
            <>
              <ReceiptsTab customerId={c.id} />
              <FiscalReceipts customerId={c.id} />
            </>
          ) : null}
          {current === 'activity' ? <ActivityTab customerId={c.id} /> : null}
          {current === 'offers' ? <OffersTab customerId={c.id} onPointsChanged={balance.reload} /> : null}
        </div>
      </Tabs>
      <EditProfileDialog open={dialog === 'edit'} customer={c} onClose={() => setDialog(null)} onSaved={(next) => customer.setData(next)} />
      <MergeDialog
        open={dialog === 'merge'}
        customer={c}
        onClose={() => setDialog(null)}
        onMerged={(survivor) => {
          setDialog(null);
          if (survivor.id !== c.id) navigate(`/customers/${survivor.id}`);
          else {
            customer.reload();
            balance.reload();
            lastReceipt.reload();
            setVersion((n) => n + 1);
          }
        }}
      />
      <EraseDialog
        open={dialog === 'erase'}
        customer={c}
        onClose={() => setDialog(null)}
        onErased={(next) => {
          setDialog(null);
          customer.setData(next);
        }}
      />
    </Page>
  );
}
