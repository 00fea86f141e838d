import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { campaignStatusWords, statusTone } from './messaging-words.ts';
import type { Campaign } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    title: 'Campaigns',
    intro: 'One-off sends to a segment: A/B variants, a holdout control group, channels in fallback order, and what each variant changed.',
    create: 'New campaign',
    caption: 'Campaigns, newest first',
    name: 'Name',
    status: 'Status',
    progress: 'Queued',
    created: 'Created',
    queued: '{queued} of {total}',
    notStarted: 'not started',
    empty: 'No campaigns yet',
    emptyHint: 'Make a segment of the customers to reach and a template, then “New campaign”.',
  },
  ru: {
    title: 'Рассылки',
    intro: 'Разовые отправки сегменту: A/B-варианты, контрольная группа, каналы в порядке замены и что изменил каждый вариант.',
    create: 'Новая рассылка',
    caption: 'Рассылки, сначала новые',
    name: 'Название',
    status: 'Статус',
    progress: 'В очереди',
    created: 'Создана',
    queued: '{queued} из {total}',
    notStarted: 'не начата',
    empty: 'Рассылок пока нет',
    emptyHint: 'Создайте сегмент получателей и шаблон, затем нажмите «Новая рассылка».',
  },
});

export default function CampaignList() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const list = usePagedList<Campaign>('/v1/campaigns');
  return (
    <Page title={t('title')} intro={t('intro')} actions={can('messaging:write') ? <Link to="/messaging/campaigns/new" className="button primary">{t('create')}</Link> : null}>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/messaging/campaigns/${row.id}`}>{row.name}</Link> },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{campaignStatusWords[locale][row.status] ?? row.status}</Badge> },
          {
            key: 'progress',
            title: t('progress'),
            numeric: true,
            render: (row) => (row.progress.toMessage === null ? t('notStarted') : t('queued', { queued: format.number(row.progress.queued), total: format.number(row.progress.toMessage) })),
          },
          { key: 'created', title: t('created'), render: (row) => format.dateTime(row.createdAt) },
        ]}
      />
    </Page>
  );
}
