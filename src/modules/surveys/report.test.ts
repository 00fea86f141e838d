import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyReference as ref, type RankingCase } from '../../../tests/fixtures/surveys/reference.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/** Reports on answers with known counts, each figure against make-fixtures.py's (numpy, scipy) to 1e-6. */
let t: TestApp;
const close = (actual: number | null | undefined, expected: number) => expect(Math.abs((actual ?? NaN) - expected)).toBeLessThan(1e-6);

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function create(body: object): Promise<string> {
  const response = await t.call({ method: 'POST', url: '/v1/surveys', payload: { status: 'open', ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function report(id: string, query = '', role: 'owner' | 'analyst' = 'owner') {
  const response = await t.call({ method: 'GET', url: `/v1/surveys/${id}/report${query}`, role });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const answerMany = async (id: string, answers: Array<Record<string, unknown>>) => {
  for (const a of answers) await t.services.surveys.answer(id, { answers: a as never });
};
const repeat = <T extends object>(value: T, times: number): T[] => Array.from({ length: times }, () => ({ ...value }));

describe('the NPS report', () => {
  let id: string;
  beforeAll(async () => {
    id = await create({ kind: 'nps', title: { en: 'NPS' }, questions: [{ type: 'nps', text: { en: 'Recommend us?' } }], targetRespondents: 100 });
    // Week of Monday 2 March: 30 promoters, 10 detractors; week of 9 March: 20 promoters, 30 passives, 10 detractors.
    t.clock.set('2026-03-03T10:00:00Z');
    await answerMany(id, [...repeat({ q1: 10 }, 15), ...repeat({ q1: 9 }, 15), ...repeat({ q1: 0 }, 4), ...repeat({ q1: 6 }, 6)]);
    t.clock.set('2026-03-10T10:00:00Z');
    await answerMany(id, [...repeat({ q1: 9 }, 20), ...repeat({ q1: 7 }, 15), ...repeat({ q1: 8 }, 15), ...repeat({ q1: 5 }, 10)]);
  });

  it('counts 50 promoters, 30 passives and 20 detractors: NPS 30 with its 95 % margin', async () => {
    const r = await report(id);
    const c = ref.nps[0]!;
    expect(r).toMatchObject({ respondents: 100, targetRespondents: 100, targetReached: true });
    const nps = r.questions[0].nps;
    expect(r.questions[0].respondents).toBe(100);
    expect(nps).toMatchObject({ promoters: 50, passives: 30, detractors: 20, promoterShare: 0.5, passiveShare: 0.3, detractorShare: 0.2 });
    close(nps.nps, c.nps);
    close(nps.marginOfError, c.marginOfError);
    close(nps.interval.lower, 30 - c.marginOfError);
  });

  it('trends by week and by month, and takes a period', async () => {
    const weekly = (await report(id, '?interval=week')).questions[0].nps.trend;
    expect(weekly.map((p: { periodStart: string; promoters: number; passives: number; detractors: number }) => [p.periodStart, p.promoters, p.passives, p.detractors])).toEqual([
      ['2026-03-02T00:00:00.000Z', 30, 0, 10],
      ['2026-03-09T00:00:00.000Z', 20, 30, 10],
    ]);
    close(weekly[0].nps, 50);
    close(weekly[1].nps, (100 * 10) / 60);
    close(weekly[0].marginOfError, 100 * ref.z * Math.sqrt((0.75 + 0.25 - 0.25) / 40));
    const monthly = (await report(id, '?interval=month')).questions[0].nps.trend;
    expect(monthly).toHaveLength(1);
    expect(monthly[0]).toMatchObject({ periodStart: '2026-03-01T00:00:00.000Z', respondents: 100, promoters: 50 });
    const firstWeek = await report(id, '?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z');
    expect(firstWeek).toMatchObject({ respondents: 40, targetReached: false, period: { from: '2026-03-02T00:00:00.000Z', to: '2026-03-09T00:00:00.000Z' } });
    expect(firstWeek.questions[0].nps).toMatchObject({ promoters: 30, passives: 0, detractors: 10, nps: 50 });
    const leap = await t.call({ method: 'GET', url: `/v1/surveys/${id}/report?from=2026-03-01T23:59:60Z` });
    expect([leap.statusCode, leap.json().detail]).toEqual([400, expect.stringMatching(/from: /)]);
  });

  it("answering from a customer's link updates the report", async () => {
    const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000201' } })).json().id;
    const link = await t.services.surveys.linkFor(id, customer);
    const token = link.split('/s/')[1]!;
    await t.services.surveys.answerByToken(token, { q1: 2 }, { ip: '203.0.113.7', userAgent: 'Test' });
    const nps = (await report(id)).questions[0].nps;
    expect(nps).toMatchObject({ promoters: 50, passives: 30, detractors: 21 });
    close(nps.nps, 100 * (50 - 21) / 101);
  });
});

describe('the CSAT and choice reports', () => {
  it('gives the distribution, the mean with its t interval and the CSAT share with its Wilson interval', async () => {
    const id = await create({
      kind: 'csat',
      title: { ru: 'CSAT' },
      questions: [
        { type: 'rating', text: { ru: 'Оцените покупку' }, min: 1, max: 5 },
        { type: 'single_choice', text: { ru: 'Где?' }, required: false, options: [{ id: 'shop', text: { ru: 'Магазин' } }, { id: 'site', text: { ru: 'Сайт' } }] },
        { type: 'multiple_choice', text: { ru: 'Что понравилось?' }, required: false, options: [{ id: 'price', text: { ru: 'Цена' } }, { id: 'staff', text: { ru: 'Персонал' } }, { id: 'range', text: { ru: 'Ассортимент' } }] },
      ],
    });
    const mean = ref.means[0]!;
    const answers: Array<Record<string, unknown>> = [];
    mean.counts.forEach((count, i) => answers.push(...repeat({ q1: i + 1 }, count)));
    // 40 say where (3 at the shop, 37 on the site); 12 say what they liked (price and staff).
    answers.slice(0, 40).forEach((a, i) => (a.q2 = i < 3 ? 'shop' : 'site'));
    answers.slice(0, 12).forEach((a) => (a.q3 = ['price', 'staff']));
    await answerMany(id, answers);
    const r = await report(id);
    expect(r).toMatchObject({ respondents: 100, targetReached: null });
    const rating = r.questions[0].rating;
    expect(rating.distribution.map((d: { value: number; count: number }) => [d.value, d.count])).toEqual([[1, 5], [2, 8], [3, 20], [4, 40], [5, 27]]);
    close(rating.mean, mean.mean);
    close(rating.meanInterval.lower, mean.lower);
    close(rating.meanInterval.upper, mean.upper);
    const wilson = ref.wilson[0]!; // 67 of 100 in the top two boxes
    close(rating.csatShare, 0.67);
    close(rating.csatInterval.lower, wilson.lower);
    close(rating.csatInterval.upper, wilson.upper);
    const where = r.questions[1];
    expect(where.respondents).toBe(40);
    const shop = where.choice.options[0];
    const w3 = ref.wilson[3]!; // 3 of 40
    expect(shop).toMatchObject({ optionId: 'shop', count: 3 });
    close(shop.share, 3 / 40);
    close(shop.marginOfError, w3.margin);
    close(shop.interval.lower, w3.lower);
    close(shop.interval.upper, w3.upper);
    const liked = r.questions[2];
    expect(liked.respondents).toBe(12);
    expect(liked.choice.options.map((o: { optionId: string; count: number; share: number }) => [o.optionId, o.count, o.share])).toEqual([['price', 12, 1], ['staff', 12, 1], ['range', 0, 0]]);
    const w12 = ref.wilson[2]!; // 12 of 12
    close(liked.choice.options[0].interval.lower, w12.lower);
    close(liked.choice.options[2].interval.upper, ref.wilson[1]!.upper); // 0 of 12
  });
});

describe('the privilege-ranking report', () => {
  const privileges = (c: RankingCase, target: number) => ({
    kind: 'privilege_ranking',
    title: { en: 'Which privilege would you like most?' },
    targetRespondents: target,
    questions: [
      {
        type: 'ranking',
        text: { en: 'Rank the privileges, best first' },
        options: Object.keys(c.options).map((o) => ({ id: o, text: { en: o[0]!.toUpperCase() + o.slice(1) } })),
      },
    ],
  });

  it('orders the privileges with their intervals, and says the sample is short and the top two not distinguishable', async () => {
    const c = ref.ranking;
    const id = await create(privileges(c, 250));
    await answerMany(id, c.rankings.map((ranking) => ({ q1: ranking })));
    const r = await report(id);
    expect(r).toMatchObject({ respondents: 212, targetRespondents: 250, targetReached: false });
    const ranking = r.questions[0].ranking;
    expect(ranking.options.map((o: { optionId: string }) => o.optionId)).toEqual(c.order);
    for (const o of ranking.options) {
      const e = c.options[o.optionId]!;
      close(o.meanRank, e.meanRank);
      close(o.interval.lower, e.lower);
      close(o.interval.upper, e.upper);
      expect(o.firstChoices).toBe(e.firstChoices);
    }
    expect(ranking.topTwo).toMatchObject({ first: c.topTwo.first, second: c.topTwo.second, distinguishable: false });
    close(ranking.topTwo.meanDifference, c.topTwo.meanDifference);
    close(ranking.topTwo.interval.lower, c.topTwo.lower);
    close(ranking.topTwo.interval.upper, c.topTwo.upper);
    expect(ranking.verdict).toBe('Sample 212 of 250: below target; the top two privileges, "Parking" and "Coffee", are not distinguishable at 95 % (mean rank 1.86 vs 2.01)');
  });

  it('says so when the sample reached its target and the favourite stands out', async () => {
    const c = ref.clearRanking;
    const id = await create(privileges(c, 50));
    await answerMany(id, c.rankings.map((ranking) => ({ q1: ranking })));
    const ranking = (await report(id)).questions[0].ranking;
    expect(ranking.topTwo).toMatchObject({ first: c.topTwo.first, second: c.topTwo.second, distinguishable: true });
    close(ranking.topTwo.interval.lower, c.topTwo.lower);
    expect(ranking.verdict).toMatch(/^Sample 60 of 50: target reached; "Coffee" ranks above "Parking" at 95 % \(mean rank /);
  });

  it('refuses a ranking that is not every option once', async () => {
    const id = await create(privileges(ref.clearRanking, 50));
    await expect(t.services.surveys.answer(id, { answers: { q1: ['coffee', 'coffee', 'parking', 'lounge'] } })).rejects.toMatchObject({
      code: 'survey.answer_invalid',
      message: 'answers/q1: must list every option once, best first: the 4 ids coffee, parking, delivery, lounge in the order you rank them',
    });
  });
});

describe('free texts in the report', () => {
  it('shows the latest few, masked for the analyst', async () => {
    const id = await create({ kind: 'custom', title: { en: 'Tell us' }, questions: [{ type: 'text', text: { en: 'Anything?' } }] });
    for (let i = 1; i <= 7; i++) {
      t.clock.set(`2026-04-0${i}T10:00:00Z`);
      await t.services.surveys.answer(id, { answers: { q1: `Note ${i}: write to me${i}@example.com` } });
    }
    const owner = (await report(id)).questions[0].freeText.latest;
    expect(owner.map((x: { text: string }) => x.text)).toEqual([7, 6, 5, 4, 3].map((i) => `Note ${i}: write to me${i}@example.com`));
    const analyst = (await report(id, '', 'analyst')).questions[0].freeText.latest;
    expect(analyst[0].text).toBe('Note 7: write to [e-mail]');
  });
});
