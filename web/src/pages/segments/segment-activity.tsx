import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { downloadFile } from '../../components/download.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { Badge, Card, ErrorNote, Progress, Stat } from '../../components/ui.tsx';
import { usePagedList, usePolling } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { memberName, type Change, type Member, type Recompute, type Segment } from './segment-types.ts';

const text = defineText({
  en: {
    members: 'Members',
    memberCount: 'Members now',
    computedAt: 'Last recomputed',
    never: 'not yet',
    lastRun: 'Last recompute',
    enteredLeft: '{entered} entered, {left} left',
    recompute: 'Recompute now',
    recomputing: 'Recomputing the members',
    failed: 'The last recompute stopped: {failure}. Start another.',
    tabs: 'Members and their history',
    changes: 'Entries and exits',
    membersCaption: 'Members of the segment, by customer id',
    changesCaption: 'Entries and exits, newest first',
    customer: 'Customer',
    phone: 'Phone',
    email: 'E-mail',
    entered: 'Entered',
    unnamed: 'No name',
    noMembers: 'No members yet',
    noMembersHint: 'Customers enter when they match the rules; a recompute runs on every save of new rules.',
    change: 'Change',
    cause: 'Cause',
    at: 'When',
    changeEntered: 'entered',
    changeLeft: 'left',
    causeRecompute: 'recompute',
    causeEvent: 'something happened (live)',
    noChanges: 'No entries or exits yet',
    noChangesHint: 'Each customer who enters or leaves is recorded here, by a recompute or live as receipts and events come.',
    export: 'Download members (CSV)',
    exportChanges: 'Download entries and exits (CSV)',
    audience: 'Audience for ad platforms (hashed CSV)',
    audienceHint: 'Members who allow profiling; e-mails and phones SHA-256 hashed, no clear text.',
  },
  ru: {
    members: 'Участники',
    memberCount: 'Участников сейчас',
    computedAt: 'Последний пересчёт',
    never: 'ещё не было',
    lastRun: 'Последний пересчёт',
    enteredLeft: 'вошли {entered}, вышли {left}',
    recompute: 'Пересчитать сейчас',
    recomputing: 'Пересчитываем участников',
    failed: 'Последний пересчёт остановился: {failure}. Запустите новый.',
    tabs: 'Участники и их история',
    changes: 'Входы и выходы',
    membersCaption: 'Участники сегмента по id клиента',
    changesCaption: 'Входы и выходы, сначала новые',
    customer: 'Клиент',
    phone: 'Телефон',
    email: 'Эл. почта',
    entered: 'Вошёл',
    unnamed: 'Без имени',
    noMembers: 'Участников пока нет',
    noMembersHint: 'Клиенты входят, когда подходят под правила; пересчёт идёт при каждом сохранении новых правил.',
    change: 'Изменение',
    cause: 'Причина',
    at: 'Когда',
    changeEntered: 'вошёл',
    changeLeft: 'вышел',
    causeRecompute: 'пересчёт',
    causeEvent: 'событие (на лету)',
    noChanges: 'Входов и выходов пока нет',
    noChangesHint: 'Здесь записывается каждый вход и выход клиента — при пересчёте или на лету, по чекам и событиям.',
    export: 'Скачать участников (CSV)',
    exportChanges: 'Скачать входы и выходы (CSV)',
    audience: 'Аудитория для рекламных площадок (CSV с хешами)',
    audienceHint: 'Участники, разрешившие профилирование; почта и телефоны захешированы SHA-256, открытых данных нет.',
  },
});

/** A saved segment's members, its recompute with progress, the entries/exits log and the exports. */
export function SegmentActivity({ segment, onChanged }: { segment: Segment; onChanged: (next: Segment) => void }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const [tab, setTab] = useState<'members' | 'changes'>('members');
  const [job, setJob] = useState<Recompute | null>(segment.lastRecompute);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setJob(segment.lastRecompute), [segment.lastRecompute]);
  const running = job?.status === 'running';
  const polled = usePolling<Recompute>(running && job ? `/v1/segments/${segment.id}/recomputes/${job.id}` : null, (r) => r.status === 'running');
  const current = polled.data && polled.data.id === job?.id ? polled.data : job;

  // When the recompute ends, the segment is read again: its member count and time.
  useEffect(() => {
    if (running && polled.data && polled.data.id === job?.id && polled.data.status !== 'running') {
      api.get<Segment>(`/v1/segments/${segment.id}`).then(onChanged, setError);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the polled recompute only
  }, [polled.data]);

  // A finished recompute (a new computedAt) reads the lists again.
  const listKey = `${segment.id}:${segment.computedAt ?? 'none'}`;

  const recompute = async () => {
    setError(null);
    try {
      setJob(await api.post<Recompute>(`/v1/segments/${segment.id}/recompute`));
    } catch (caught) {
      setError(caught);
    }
  };
  const download = (path: string, name: string) => {
    setError(null);
    downloadFile(path, 'text/csv', name).catch(setError);
  };

  return (
    <>
      <div className="stats">
        <Stat label={t('memberCount')} value={<span data-testid="member-count">{format.number(segment.memberCount)}</span>} />
        <Stat label={t('computedAt')} value={segment.computedAt ? format.dateTime(segment.computedAt) : t('never')} />
        {current && current.status === 'completed' ? <Stat label={t('lastRun')} value={t('enteredLeft', { entered: format.number(current.entered), left: format.number(current.left) })} /> : null}
      </div>
      <Card
        title={t('members')}
        actions={
          <div className="actions">
            {can('segments:write') ? (
              <button type="button" className="secondary" onClick={() => void recompute()} disabled={running}>
                {t('recompute')}
              </button>
            ) : null}
            <button type="button" className="secondary" onClick={() => download(`/v1/segments/${segment.id}/members`, `segment-${segment.id}.csv`)}>
              {t('export')}
            </button>
          </div>
        }
      >
        <ErrorNote error={error ?? polled.error} />
        {current && current.status === 'running' ? <Progress value={current.customers > 0 ? current.processed / current.customers : null} label={t('recomputing')} /> : null}
        {current && current.status === 'failed' ? <ErrorNote error={new Error(t('failed', { failure: current.failure ?? '' }))} /> : null}
        {can('segments:export') ? (
          <p>
            <a href={`/v1/segments/${segment.id}/audience-export`} download={`audience-${segment.id}.csv`}>
              {t('audience')}
            </a>
            <span className="hint">{t('audienceHint')}</span>
          </p>
        ) : null}
        <Tabs
          label={t('tabs')}
          current={tab}
          onChange={setTab}
          tabs={[
            { key: 'members', label: t('members') },
            { key: 'changes', label: t('changes') },
          ]}
        >
          {tab === 'members' ? (
            <MemberTable key={listKey} segmentId={segment.id} />
          ) : (
            <>
              <p>
                <button type="button" className="link" onClick={() => download(`/v1/segments/${segment.id}/changes`, `segment-${segment.id}-changes.csv`)}>
                  {t('exportChanges')}
                </button>
              </p>
              <ChangeTable key={listKey} segmentId={segment.id} />
            </>
          )}
        </Tabs>
      </Card>
    </>
  );
}

function MemberTable({ segmentId }: { segmentId: string }) {
  const t = useText(text);
  const format = useFormat();
  const members = usePagedList<Member>(`/v1/segments/${segmentId}/members`, {}, 50);
  return (
    <DataTable
      caption={t('membersCaption')}
      rows={members.items}
      rowKey={(row) => row.customerId}
      loading={members.loading}
      error={members.error}
      onRetry={members.reload}
      hasMore={members.hasMore}
      onMore={members.loadMore}
      empty={{ title: t('noMembers'), hint: t('noMembersHint') }}
      columns={[
        { key: 'name', title: t('customer'), render: (row) => <Link to={`/customers/${row.customerId}`}>{memberName(row, t('unnamed'))}</Link> },
        { key: 'phone', title: t('phone'), render: (row) => row.phone ?? '—' },
        { key: 'email', title: t('email'), render: (row) => row.email ?? '—' },
        { key: 'entered', title: t('entered'), render: (row) => format.dateTime(row.enteredAt) },
      ]}
    />
  );
}

function ChangeTable({ segmentId }: { segmentId: string }) {
  const t = useText(text);
  const format = useFormat();
  const changes = usePagedList<Change>(`/v1/segments/${segmentId}/changes`, {}, 50);
  return (
    <DataTable
      caption={t('changesCaption')}
      {...pagedRows(changes)}
      empty={{ title: t('noChanges'), hint: t('noChangesHint') }}
      columns={[
        { key: 'customer', title: t('customer'), render: (row) => <Link to={`/customers/${row.customerId}`}>{row.customerId}</Link> },
        { key: 'change', title: t('change'), render: (row) => <Badge tone={row.change === 'entered' ? 'good' : 'warn'}>{row.change === 'entered' ? t('changeEntered') : t('changeLeft')}</Badge> },
        { key: 'cause', title: t('cause'), render: (row) => (row.cause === 'event' ? t('causeEvent') : t('causeRecompute')) },
        { key: 'at', title: t('at'), render: (row) => format.dateTime(row.at) },
      ]}
    />
  );
}
