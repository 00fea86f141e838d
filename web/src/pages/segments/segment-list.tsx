import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Segment } from './segment-types.ts';
import './segments.css';

const text = defineText({
  en: {
    title: 'Segments',
    intro: 'Saved groups of customers described by rules, kept current as customers buy and change. Aim earning rules, promotions and campaigns at them.',
    create: 'New segment',
    caption: 'Segments, newest first',
    name: 'Name',
    size: 'Members',
    updated: 'Updated',
    computed: 'Recomputed',
    recomputing: 'recomputing…',
    failed: 'recompute failed',
    empty: 'No segments yet',
    emptyHint: 'Create one with "New segment": pick conditions and watch the count as you build.',
    emptyRead: 'An owner or a marketer creates segments; they will be listed here.',
  },
  ru: {
    title: 'Сегменты',
    intro: 'Сохранённые группы клиентов, описанные правилами и обновляемые по мере покупок и изменений. На них нацеливают правила начисления, акции и рассылки.',
    create: 'Новый сегмент',
    caption: 'Сегменты, сначала новые',
    name: 'Название',
    size: 'Участников',
    updated: 'Изменён',
    computed: 'Пересчитан',
    recomputing: 'пересчитывается…',
    failed: 'пересчёт не удался',
    empty: 'Сегментов пока нет',
    emptyHint: 'Создайте первый кнопкой «Новый сегмент»: выбирайте условия и смотрите, как меняется число.',
    emptyRead: 'Сегменты создают владелец и маркетолог; они появятся здесь.',
  },
});

export default function SegmentList() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const list = usePagedList<Segment>('/v1/segments', {}, 50);
  const mayWrite = can('segments:write');
  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={mayWrite ? <Link to="/segments/new" className="button primary">{t('create')}</Link> : null}
    >
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: mayWrite ? t('emptyHint') : t('emptyRead') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/segments/${row.id}`}>{row.name}</Link> },
          {
            key: 'size',
            title: t('size'),
            numeric: true,
            render: (row) => (
              <>
                {format.number(row.memberCount)}
                {row.lastRecompute?.status === 'running' ? <> <Badge tone="info">{t('recomputing')}</Badge></> : null}
                {row.lastRecompute?.status === 'failed' ? <> <Badge tone="bad">{t('failed')}</Badge></> : null}
              </>
            ),
          },
          { key: 'computed', title: t('computed'), render: (row) => format.dateTime(row.computedAt) },
          { key: 'updated', title: t('updated'), render: (row) => format.dateTime(row.updatedAt) },
        ]}
      />
    </Page>
  );
}
