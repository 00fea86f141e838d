import type { DocExample } from './docs-examples.ts';

/**
 * The subscription topics' chapter of the worked examples (src/docs-examples.ts runs it before
 * messaging's, whose template names the topic "offers"): the marketer defines two topics, reads
 * them, and support records that Anna left "offers" over the phone; her topics then show the
 * choice with its evidence beside the default of the other.
 */
export const topicExampleIds = {
  annaLeftOffers: 'tpc_0195f3c3a0a17b2c3d4e5f60718293a1',
} as const;

const at = '2026-03-01T09:00:00.000Z';

export function topicExamples(customers: { anna: string }): DocExample[] {
  const ids = { ...customers, ...topicExampleIds };
  const OFFERS = { key: 'offers', name: { ru: 'Акции', en: 'Offers' }, description: { ru: 'Скидки и личные предложения', en: 'Sales and personal offers' }, defaultSubscribed: true, createdAt: at, updatedAt: at };
  const NEWS = { key: 'news', name: { ru: 'Новости', en: 'News' }, description: {}, defaultSubscribed: true, createdAt: at, updatedAt: at };
  const LEFT = { id: ids.annaLeftOffers, topic: 'offers', subscribed: false, source: 'operator', at, recordedAt: at, evidence: { operator: 'Maria K.' } };
  const ANNA_TOPICS = {
    current: [{ topic: 'news', subscribed: true, source: 'default', at: null }, { topic: 'offers', subscribed: false, source: 'operator', at }],
    history: [LEFT],
  };
  return [
    {
      route: 'PUT /v1/messaging/topics/{key}',
      summary: 'A topic customers are on until they leave it: sales and personal offers',
      role: 'marketer',
      params: { key: 'offers' },
      body: { name: OFFERS.name, description: OFFERS.description, defaultSubscribed: true },
      status: 200,
      response: OFFERS,
    },
    {
      route: 'PUT /v1/messaging/topics/{key}',
      summary: 'A second topic: the club\'s news',
      role: 'marketer',
      step: true,
      params: { key: 'news' },
      body: { name: NEWS.name, defaultSubscribed: true },
      status: 200,
      response: NEWS,
    },
    {
      route: 'GET /v1/messaging/topics',
      summary: 'The topics, by key',
      role: 'marketer',
      status: 200,
      response: { items: [NEWS, OFFERS], nextCursor: null },
    },
    {
      route: 'GET /v1/messaging/topics/{key}',
      summary: 'One topic',
      role: 'marketer',
      params: { key: 'offers' },
      status: 200,
      response: OFFERS,
    },
    {
      route: 'PUT /v1/customers/{id}/topics',
      summary: 'Anna asked support on the phone to stop the offers (she keeps the news)',
      role: 'support',
      params: { id: ids.anna },
      body: [{ topic: 'offers', subscribed: false, source: 'operator', evidence: { operator: 'Maria K.' } }],
      status: 200,
      response: ANNA_TOPICS,
    },
    {
      route: 'GET /v1/customers/{id}/topics',
      summary: 'Every topic with Anna\'s state (the default where she never chose), and her choices with their evidence',
      role: 'support',
      params: { id: ids.anna },
      status: 200,
      response: ANNA_TOPICS,
    },
  ];
}
