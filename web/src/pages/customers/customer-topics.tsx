import { useState } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { Badge, Card, Empty, ErrorNote, Loading, Notice } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { useCan, useSession } from '../../session.tsx';
import type { Topic } from '../messaging/messaging-types.ts';
import { inLocale } from '../messaging/topic-words.ts';
import { ChoiceHistory } from './choice-history.tsx';

const text = defineText({
  en: {
    title: 'Subscription topics',
    intro: 'Which kinds of marketing message the customer gets on the channels they consented to: a marketing message on a topic they left is not sent.',
    caption: 'The customer’s state on each subscription topic',
    historyCaption: 'Every topic choice the customer made, newest first',
    history: 'Topic choices',
    topic: 'Topic',
    state: 'State',
    source: 'Where',
    when: 'When',
    evidence: 'Evidence',
    action: 'Change',
    subscribed: 'Subscribed',
    left: 'Not subscribed',
    leave: 'Unsubscribe from “{name}”',
    join: 'Subscribe to “{name}”',
    changed: '“{name}”: {state}, recorded as the operator’s change.',
    none: 'No topics are defined',
    noneHint: 'A marketer defines topics (offers, news) on the “Topics” page; then each customer’s choices show here.',
    noChoices: 'The customer has not chosen yet: each topic’s default holds.',
    source_default: 'Default (never chose)',
    source_account: 'Account page',
    source_preference_centre: 'Preference centre of a message',
    source_api: 'API',
    source_operator: 'Operator',
    source_import: 'Import',
  },
  ru: {
    title: 'Темы рассылок',
    intro: 'Какие виды маркетинговых сообщений клиент получает по каналам, на которые дал согласие: сообщение на тему, от которой он отказался, не отправляется.',
    caption: 'Подписка клиента на каждую тему рассылок',
    historyCaption: 'Все выборы клиента по темам, новые сверху',
    history: 'История выбора тем',
    topic: 'Тема',
    state: 'Состояние',
    source: 'Где',
    when: 'Когда',
    evidence: 'Подтверждение',
    action: 'Изменить',
    subscribed: 'Подписан',
    left: 'Не подписан',
    leave: 'Отписать от «{name}»',
    join: 'Подписать на «{name}»',
    changed: '«{name}»: {state}; записано как изменение оператора.',
    none: 'Темы рассылок не заданы',
    noneHint: 'Маркетолог задаёт темы («Акции», «Новости») на странице «Темы рассылок»; после этого здесь видны выборы клиента.',
    noChoices: 'Клиент ещё ничего не выбирал: действуют настройки тем по умолчанию.',
    source_default: 'По умолчанию (не выбирал)',
    source_account: 'Личный кабинет',
    source_preference_centre: 'Страница настроек рассылок из сообщения',
    source_api: 'API',
    source_operator: 'Оператор',
    source_import: 'Импорт',
  },
});

type TopicEntry = { topic: string; subscribed: boolean; source: string; at: string | null };
type CustomerTopics = { current: TopicEntry[]; history: Array<TopicEntry & { id: string; at: string; recordedAt: string; evidence: Record<string, string | undefined> }> };

/** The topics' names: the whole list, when the role may read messaging (else the keys are shown). */
const ALL_TOPICS = 500;

/** The customer's state on each subscription topic and the history of their choices; an operator may change one. */
export function TopicsCard({ customerId, erased }: { customerId: string; erased: boolean }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const { user } = useSession();
  const state = useResource((signal) => api.get<CustomerTopics>(`/v1/customers/${encodeURIComponent(customerId)}/topics`, undefined, signal), [customerId]);
  const topics = useResource(
    (signal) => (can('messaging:read') ? api.get<ApiPage<Topic>>('/v1/messaging/topics', { limit: ALL_TOPICS }, signal).then((page) => page.items) : Promise.resolve([] as Topic[])),
    [],
  );
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameOf = (key: string) => inLocale(topics.data?.find((topic) => topic.key === key)?.name, locale, key);
  const badge = (subscribed: boolean) => <Badge tone={subscribed ? 'good' : 'bad'}>{subscribed ? t('subscribed') : t('left')}</Badge>;
  const sourceWords = (source: string) => (['default', 'account', 'preference_centre', 'api', 'operator', 'import'].includes(source) ? t(`source_${source}` as 'source_api') : source);
  const writable = can('customers:write') && !erased;

  const change = async (entry: TopicEntry) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const next = await api.put<CustomerTopics>(`/v1/customers/${encodeURIComponent(customerId)}/topics`, [
        { topic: entry.topic, subscribed: !entry.subscribed, source: 'operator', evidence: { operator: user.name } },
      ]);
      state.setData(next);
      setDone(t('changed', { name: nameOf(entry.topic), state: !entry.subscribed ? t('subscribed') : t('left') }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      {state.error ? <ErrorNote error={state.error} onRetry={state.reload} /> : null}
      {state.loading && !state.data ? <Loading /> : null}
      {state.data && state.data.current.length === 0 ? <Empty title={t('none')}>{t('noneHint')}</Empty> : null}
      {error ? <ErrorNote error={error} /> : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      {state.data && state.data.current.length > 0 ? (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('topic')}</th>
                  <th scope="col">{t('state')}</th>
                  <th scope="col">{t('source')}</th>
                  <th scope="col">{t('when')}</th>
                  {writable ? <th scope="col">{t('action')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {state.data.current.map((entry) => (
                  <tr key={entry.topic}>
                    <td>{nameOf(entry.topic)}</td>
                    <td>{badge(entry.subscribed)}</td>
                    <td>{sourceWords(entry.source)}</td>
                    <td>{entry.at ? format.dateTime(entry.at) : '—'}</td>
                    {writable ? (
                      <td>
                        <button type="button" className="secondary" disabled={busy} onClick={() => void change(entry)}>
                          {t(entry.subscribed ? 'leave' : 'join', { name: nameOf(entry.topic) })}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ChoiceHistory
            title={t('history')}
            caption={t('historyCaption')}
            whenTitle={t('when')}
            evidenceTitle={t('evidence')}
            empty={t('noChoices')}
            entries={state.data.history}
            columns={[
              { title: t('topic'), render: (entry) => nameOf(entry.topic) },
              { title: t('state'), render: (entry) => badge(entry.subscribed) },
              { title: t('source'), render: (entry) => sourceWords(entry.source) },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}
