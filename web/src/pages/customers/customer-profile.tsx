import { api } from '../../api.ts';
import { Badge, Card, Empty, ErrorNote, Loading } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { ChoiceHistory } from './choice-history.tsx';
import type { Consents, Customer } from './customer-types.ts';
import { TopicsCard } from './customer-topics.tsx';

const text = defineText({
  en: {
    profile: 'Profile',
    firstName: 'First name',
    lastName: 'Last name',
    birthDate: 'Birth date',
    gender: 'Gender',
    gender_female: 'female',
    gender_male: 'male',
    gender_other: 'other',
    city: 'City',
    timezone: 'Time zone',
    locale: 'Language',
    joined: 'Joined',
    updated: 'Changed',
    tags: 'Tags',
    noTags: 'No tags',
    attributes: 'Own fields',
    identifiers: 'Identifiers',
    identifiersCaption: 'The customer’s phones, e-mails, cards and external ids',
    kind: 'Kind',
    value: 'Value',
    primary: 'Main',
    yes: 'main',
    kind_phone: 'Phone',
    kind_email: 'E-mail',
    kind_card: 'Card',
    kind_external: 'External id ({source})',
    noIdentifiers: 'No identifiers',
    noIdentifiersHint: 'An erased customer keeps none; add a phone or card by editing the profile.',
    analysis: 'Segments and scores',
    segments: 'Segments',
    noSegments: 'In no segment now',
    rfm: 'RFM',
    rfmValue: '{group}: recency {r}, frequency {f}, money {m} (cell {cell}); {purchases} purchases for {spent} in {days} days',
    noRfm: 'Not scored: no purchase in the RFM window, or no run yet',
    cluster: 'Cluster',
    clusterValue: 'No. {n}: {description}',
    unstable: 'unstable',
    noCluster: 'No cluster yet',
    clv: 'Predicted value (CLV)',
    clvValue: '{clv} over {horizon} {unit}; {purchases} purchases expected, still buying with probability {alive}',
    unit_week: 'weeks',
    unit_day: 'days',
    noClv: 'No CLV fit covers this customer yet',
    consents: 'Consents',
    consentsCaption: 'Current consents by channel and purpose',
    historyCaption: 'Every consent given or withdrawn, newest first',
    history: 'History',
    channel: 'Channel',
    purpose: 'Purpose',
    state: 'State',
    source: 'Where',
    when: 'When',
    evidence: 'Evidence',
    granted: 'given',
    withdrawn: 'withdrawn',
    noConsents: 'No consents recorded',
    noConsentsHint: 'Without a consent the customer gets no marketing messages; consents come from the till, the join form or the account page.',
  },
  ru: {
    profile: 'Профиль',
    firstName: 'Имя',
    lastName: 'Фамилия',
    birthDate: 'Дата рождения',
    gender: 'Пол',
    gender_female: 'женский',
    gender_male: 'мужской',
    gender_other: 'другой',
    city: 'Город',
    timezone: 'Часовой пояс',
    locale: 'Язык',
    joined: 'С нами с',
    updated: 'Изменён',
    tags: 'Метки',
    noTags: 'Меток нет',
    attributes: 'Свои поля',
    identifiers: 'Идентификаторы',
    identifiersCaption: 'Телефоны, почта, карты и внешние id клиента',
    kind: 'Вид',
    value: 'Значение',
    primary: 'Основной',
    yes: 'основной',
    kind_phone: 'Телефон',
    kind_email: 'Эл. почта',
    kind_card: 'Карта',
    kind_external: 'Внешний id ({source})',
    noIdentifiers: 'Идентификаторов нет',
    noIdentifiersHint: 'У удалённого клиента их нет; телефон или карту можно добавить, изменив профиль.',
    analysis: 'Сегменты и оценки',
    segments: 'Сегменты',
    noSegments: 'Сейчас ни в одном сегменте',
    rfm: 'RFM',
    rfmValue: '{group}: давность {r}, частота {f}, деньги {m} (ячейка {cell}); покупок: {purchases} на {spent} за {days} дн.',
    noRfm: 'Не оценён: нет покупок в окне RFM или расчёта ещё не было',
    cluster: 'Кластер',
    clusterValue: '№ {n}: {description}',
    unstable: 'неустойчивый',
    noCluster: 'Кластера пока нет',
    clv: 'Прогноз ценности (CLV)',
    clvValue: '{clv} за {horizon} {unit}; ожидается покупок: {purchases}, вероятность, что ещё покупает: {alive}',
    unit_week: 'нед.',
    unit_day: 'дн.',
    noClv: 'Расчёт CLV этого клиента пока не охватывает',
    consents: 'Согласия',
    consentsCaption: 'Действующие согласия по каналам и целям',
    historyCaption: 'Все данные и отозванные согласия, новые сверху',
    history: 'История',
    channel: 'Канал',
    purpose: 'Цель',
    state: 'Состояние',
    source: 'Где',
    when: 'Когда',
    evidence: 'Подтверждение',
    granted: 'дано',
    withdrawn: 'отозвано',
    noConsents: 'Согласий нет',
    noConsentsHint: 'Без согласия клиент не получает рекламных сообщений; согласия приходят с кассы, из формы вступления или личного кабинета.',
  },
});

/** Profile, identifiers, tags, segments and scores, and consents with their history. */
export function ProfileTab({ customer: c }: { customer: Customer }) {
  const t = useText(text);
  const format = useFormat();
  const facts: Array<[string, string | null]> = [
    [t('firstName'), c.firstName],
    [t('lastName'), c.lastName],
    [t('birthDate'), c.birthDate ? format.date(c.birthDate) : null],
    [t('gender'), c.gender ? t(`gender_${c.gender}` as 'gender_female') : null],
    [t('city'), c.city],
    [t('timezone'), c.timezone],
    [t('locale'), c.locale],
    [t('joined'), format.dateTime(c.createdAt)],
    [t('updated'), format.dateTime(c.updatedAt)],
  ];
  const attributes = Object.entries(c.attributes ?? {});
  return (
    <>
      <div className="grid">
        <Card title={t('profile')}>
          <dl className="facts">
            {facts.map(([label, value]) => (
              <div key={label} className="c360-fact">
                <dt>{label}</dt>
                <dd>{value ?? '—'}</dd>
              </div>
            ))}
            <div className="c360-fact">
              <dt>{t('tags')}</dt>
              <dd>{c.tags.length ? c.tags.map((tag) => <Badge key={tag}>{tag}</Badge>) : <span className="muted">{t('noTags')}</span>}</dd>
            </div>
            {attributes.map(([key, value]) => (
              <div key={key} className="c360-fact">
                <dt>
                  {t('attributes')}: <code>{key}</code>
                </dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card title={t('analysis')}>
          <dl className="facts c360-stack">
            <div className="c360-fact">
              <dt>{t('segments')}</dt>
              <dd>{c.segments?.length ? c.segments.map((segment) => <Badge key={segment.id} tone="info">{segment.name}</Badge>) : <span className="muted">{t('noSegments')}</span>}</dd>
            </div>
            <div className="c360-fact">
              <dt>{t('rfm')}</dt>
              <dd>
                {c.rfm
                  ? t('rfmValue', { group: c.rfm.group, r: c.rfm.recency, f: c.rfm.frequency, m: c.rfm.monetary, cell: c.rfm.cell, purchases: c.rfm.purchases, spent: format.money(c.rfm.spentMinor), days: c.rfm.windowDays })
                  : <span className="muted">{t('noRfm')}</span>}
              </dd>
            </div>
            <div className="c360-fact">
              <dt>{t('cluster')}</dt>
              <dd>
                {c.cluster ? (
                  <>
                    {t('clusterValue', { n: c.cluster.cluster, description: c.cluster.description })} {c.cluster.unstable ? <Badge tone="warn">{t('unstable')}</Badge> : null}
                  </>
                ) : (
                  <span className="muted">{t('noCluster')}</span>
                )}
              </dd>
            </div>
            <div className="c360-fact">
              <dt>{t('clv')}</dt>
              <dd>
                {c.clv
                  ? t('clvValue', { clv: format.money(c.clv.clvMinor), horizon: c.clv.horizon, unit: t(`unit_${c.clv.unit}` as 'unit_week'), purchases: format.number(c.clv.expectedPurchases, { maximumFractionDigits: 1 }), alive: format.percent(c.clv.pAlive, 0) })
                  : <span className="muted">{t('noClv')}</span>}
              </dd>
            </div>
          </dl>
        </Card>
      </div>
      <Card title={t('identifiers')}>
        {c.identifiers.length === 0 ? (
          <Empty title={t('noIdentifiers')}>{t('noIdentifiersHint')}</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('identifiersCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('value')}</th>
                  <th scope="col">{t('primary')}</th>
                </tr>
              </thead>
              <tbody>
                {c.identifiers.map((identifier) => (
                  <tr key={`${identifier.kind}:${identifier.source ?? ''}:${identifier.value}`}>
                    <td>{t(`kind_${identifier.kind}` as 'kind_phone', { source: identifier.source ?? '' })}</td>
                    <td className="c360-contact">{identifier.value}</td>
                    <td>{identifier.primary ? <Badge tone="good">{t('yes')}</Badge> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ConsentsCard customerId={c.id} />
      <TopicsCard customerId={c.id} erased={c.status === 'erased'} />
    </>
  );
}

function ConsentsCard({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const consents = useResource((signal) => api.get<Consents>(`/v1/customers/${customerId}/consents`, undefined, signal), [customerId]);
  const state = (granted: boolean) => <Badge tone={granted ? 'good' : 'bad'}>{granted ? t('granted') : t('withdrawn')}</Badge>;
  return (
    <Card title={t('consents')}>
      {consents.error ? <ErrorNote error={consents.error} onRetry={consents.reload} /> : null}
      {consents.loading && !consents.data ? <Loading /> : null}
      {consents.data && consents.data.current.length === 0 ? <Empty title={t('noConsents')}>{t('noConsentsHint')}</Empty> : null}
      {consents.data && consents.data.current.length > 0 ? (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('consentsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('channel')}</th>
                  <th scope="col">{t('purpose')}</th>
                  <th scope="col">{t('state')}</th>
                  <th scope="col">{t('source')}</th>
                  <th scope="col">{t('when')}</th>
                </tr>
              </thead>
              <tbody>
                {consents.data.current.map((consent) => (
                  <tr key={`${consent.channel}:${consent.purpose}`}>
                    <td>{consent.channel}</td>
                    <td>{consent.purpose}</td>
                    <td>{state(consent.granted)}</td>
                    <td>{consent.source}</td>
                    <td>{format.dateTime(consent.at)}</td>
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
            entries={consents.data.history}
            columns={[
              { title: t('channel'), render: (entry) => entry.channel },
              { title: t('purpose'), render: (entry) => entry.purpose },
              { title: t('state'), render: (entry) => state(entry.granted) },
              { title: t('source'), render: (entry) => entry.source },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}
