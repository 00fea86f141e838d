import type { FastifyInstance } from 'fastify';
import { systemActor } from '../platform/actor.ts';
import type { ApiKeys } from '../platform/api-keys.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * The demo's marketing side, so the console's pages have something to show on a first start:
 * promotions with a promo-code batch, gift cards, bonuses for actions, a rewards catalog and a
 * partner, a lottery, an NPS survey, segments, templates and a draft campaign. Nothing here may
 * change what the docs' examples (run against a demo server) answer: names differ from theirs,
 * the birthday offer and the referral program keep their defaults, and the one automatic
 * promotion starts next week, out of today's receipts.
 *
 * It goes through the public API, in process, under a marketer's key made for the purpose and
 * revoked at the end: the same validation and defaults a marketer's requests meet, and nothing
 * written around them. A step refused as a conflict (its name taken by a load that stopped
 * half-way) moves on.
 */
export type DemoApi = { app: FastifyInstance; apiKeys: ApiKeys };

const DAY_MS = 86_400_000;

export async function loadDemoProgram(target: DemoApi, clock: Clock): Promise<void> {
  const { key, secret } = await target.apiKeys.create({ name: 'demo data', role: 'marketer', source: 'cli' }, systemActor);
  try {
    const call = async (method: 'POST' | 'PUT', url: string, payload: object): Promise<{ id?: string } | null> => {
      const answer = await target.app.inject({ method, url, payload, headers: { authorization: `Bearer ${secret}` } });
      if (answer.statusCode === 409) return null;
      if (answer.statusCode >= 300) throw new Error(`demo data: ${method} ${url} answered ${answer.statusCode}: ${answer.body}`);
      return answer.json() as { id?: string };
    };
    const now = clock.now();
    const day = (days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();

    const coffeeWeek = await call('POST', '/v1/promotions', {
      name: 'Coffee week',
      status: 'active',
      requiresCode: true,
      benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } },
      validity: { from: day(-3), to: day(11) },
      limits: { budgetMinor: 10_000_000, perCustomer: 1 },
    });
    if (coffeeWeek?.id) await call('POST', '/v1/promo-codes/batches', { promotionId: coffeeWeek.id, count: 200, prefix: 'CW', checkCharacter: true });
    await call('POST', '/v1/promotions', {
      name: 'Double points on tea',
      status: 'active',
      requiresCode: false,
      benefit: { kind: 'points_multiplier', factor: 2, target: { categories: ['tea'] } },
      // Starts in a week: an upcoming promotion beside the running one (and out of today's receipts).
      validity: { from: day(7), to: day(21) },
    });

    await call('POST', '/v1/gift-cards/batches', { count: 40, amountMinor: 300_000, prefix: 'GC', validDays: 365 });

    await call('POST', '/v1/action-rules', { name: 'App installed', eventType: 'app.installed', points: 100, limits: { oncePerCustomer: true } });
    await call('POST', '/v1/action-rules', { name: 'Shared a recipe', eventType: 'recipe.shared', points: 20, limits: { perCustomerPerDay: 1, totalPoints: 50_000 } });

    const mug = await call('POST', '/v1/rewards', { name: 'Ceramic mug', kind: 'goods', status: 'active', pointsCost: 2000, stock: 50, perCustomer: 1, validDays: 30 });
    await call('POST', '/v1/rewards', { name: 'Free cappuccino', kind: 'goods', status: 'active', pointsCost: 300, validDays: 14 });
    await call('POST', '/v1/partners', { name: 'Neft filling stations', earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 });

    await call('POST', '/v1/lotteries', {
      name: 'Monthly prize draw',
      entryPeriod: { from: day(-7), to: day(23) },
      rules: [{ kind: 'spend', perMinor: 100_000, tierMultipliers: { gold: 2 } }],
      prizes: [{ name: 'Coffee grinder', count: 1 }, ...(mug?.id ? [{ name: 'Ceramic mug', rewardId: mug.id, count: 5 }] : [])],
    });

    await call('POST', '/v1/surveys', {
      kind: 'nps',
      status: 'open',
      title: { ru: 'Как вам у нас?', en: 'How are we doing?' },
      publicLink: true,
      questions: [
        { type: 'nps', text: { ru: 'Насколько вероятно, что вы порекомендуете нас другу?', en: 'How likely are you to recommend us to a friend?' } },
        { type: 'text', required: false, text: { ru: 'Что нам сделать лучше?', en: 'What could we do better?' } },
      ],
    });

    const regulars = await call('POST', '/v1/segments', {
      name: 'Coffee lovers with e-mail',
      description: 'Bought coffee in the last 90 days, e-mail marketing allowed',
      rules: { all: [{ field: 'purchases.bought', window: { days: 90 }, filter: { categories: ['coffee'] }, op: 'eq', value: true }, { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true }] },
    });
    await call('POST', '/v1/segments', {
      name: 'Lapsed for 60 days',
      description: 'Bought before, nothing in the last 60 days',
      rules: { all: [{ field: 'purchases.daysSinceLast', op: 'gte', value: 60 }] },
    });
    const reminder = await call('POST', '/v1/templates', {
      name: 'Your points this month',
      kind: 'email',
      purpose: 'marketing',
      parts: { subject: '{{ customer.firstName | default: "Hello" }}, your points are waiting', text: 'You have {{ balance.available }} points at {{ program.name }}.{% if tier %} Your tier: {{ tier.name }}.{% endif %}' },
    });
    await call('POST', '/v1/templates', { name: 'Birthday greeting, SMS', kind: 'sms', purpose: 'service', parts: { text: 'Happy birthday, {{ customer.firstName | default: "friend" }}! A gift is waiting at {{ program.name }}.' } });
    if (regulars?.id && reminder?.id) {
      await call('POST', '/v1/campaigns', { name: 'Coffee week to regulars', audience: { kind: 'segment', segmentId: regulars.id }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: reminder.id }] }] });
    }
  } finally {
    await target.apiKeys.revoke(key.id, systemActor);
  }
}
