import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantPurchases } from '../../../tests/helpers/purchases.ts';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A journey's report on planted purchases: entrants of the journey's arm buy more after entering
 * than the control's, and the report finds that uplift, its interval holding the planted
 * difference; a journey whose arms buy alike (A/A) is declared no winner.
 */
describe('GET /v1/journeys/{id}/report', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let template: string;
  let sequence = 0;
  const customers: string[] = [];
  let planted: { journeyId: string; incrementalRevenueMinor: number } | undefined;
  const DAY = 86_400_000;
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: answer.statusCode, body: answer.json() };
  };
  /** A journey entered by every customer now (a custom event each), walked and its messages sent; answers each customer's arm. */
  const enterAll = async (action: string, controlShareBp: number, send = true) => {
    const journey = (await call('POST', '/v1/journeys', {
      name: `Report ${action}`, trigger: { event: 'customer.action', actionType: action }, controlShareBp,
      steps: [{ id: 'mail', kind: 'send', templateId: template, next: null }],
    })).body;
    await call('POST', `/v1/journeys/${journey.id}/activate`);
    t.clock.advance(60_000);
    const events = customers.map((customerId) => {
      sequence++;
      return { eventId: `evt_report_${sequence}`, type: 'customer.action', customerId, payload: JSON.stringify({ customerId, type: action }), occurredAt: t.clock.now() };
    });
    await t.database.db.insertInto('outboxEvents').values(events).execute();
    await t.services.messaging.enterJourneys();
    await t.services.messaging.advanceJourneys();
    if (send) await t.services.messaging.sendDue();
    const entries = await t.database.db.selectFrom('journeyEntries').select(['customerId', 'arm', 'enteredAt']).where('journeyId', '=', journey.id).orderBy('customerId').execute();
    return { id: journey.id as string, entries };
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-04-01T00:00:00Z');
    smtp = await startSmtpSink();
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
    template = (await call('POST', '/v1/templates', { name: 'Nudge', kind: 'email', purpose: 'marketing', parts: { subject: 'Come back, {{ customer.firstName }}', text: 'Hello' } })).body.id;
    await t.call({ method: 'PUT', url: '/v1/stores', payload: [{ id: 'main', name: 'Main', timezone: 'Europe/Moscow' }] });
    for (let i = 0; i < 240; i++) {
      customers.push((await call('POST', '/v1/customers', { email: `r${i}@example.com`, firstName: `R${i}`, consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] })).body.id);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('finds the uplift planted in the journey arm: right, significant, the planted difference inside its interval', async () => {
    const { id, entries } = await enterAll('report_visit', 5000);
    const entered = entries[0]!.enteredAt;
    const arm = new Map(entries.map((e) => [e.customerId, e.arm]));
    // Every third customer bought before entering (CUPED's covariate); after entering, half the
    // journey's entrants buy 1,500.00 and a tenth of the control's; what comes after the window does not count.
    const purchases = customers.flatMap((customerId, i) => [
      ...(i % 3 === 0 ? [{ customerId, at: new Date(entered.getTime() - 2 * DAY), netMinor: 50_000 }] : []),
      ...((arm.get(customerId) === 'journey' ? i % 2 === 0 : i % 10 === 0) ? [{ customerId, at: new Date(entered.getTime() + DAY), netMinor: 150_000 }] : []),
      { customerId, at: new Date(entered.getTime() + 10 * DAY), netMinor: 99_000 },
    ]);
    await plantPurchases(t, 'main', purchases);
    t.clock.advance(8 * DAY);

    const report = await call('GET', `/v1/journeys/${id}/report`);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const body = report.body;
    const inArm = (key: string) => customers.map((c, i) => ({ c, i })).filter(({ c }) => arm.get(c) === key);
    const journeyArm = inArm('journey');
    const controlArm = inArm('control');
    const journeyBuyers = journeyArm.filter(({ i }) => i % 2 === 0).length;
    const controlBuyers = controlArm.filter(({ i }) => i % 10 === 0).length;
    expect(body.window).toMatchObject({ attributionDays: 7, complete: true });
    expect(body.arms).toEqual([
      { key: 'control', entries: controlArm.length, entrants: controlArm.length, messaged: 0, delivered: 0, opened: 0, clicked: 0, converted: controlBuyers, revenueMinor: controlBuyers * 150_000, revenuePerEntrantMinor: Math.round((controlBuyers * 150_000) / controlArm.length) },
      { key: 'journey', entries: journeyArm.length, entrants: journeyArm.length, messaged: journeyArm.length, delivered: 0, opened: 0, clicked: 0, converted: journeyBuyers, revenueMinor: journeyBuyers * 150_000, revenuePerEntrantMinor: Math.round((journeyBuyers * 150_000) / journeyArm.length) },
    ]);
    const { uplift } = body;
    expect(uplift.srm.flagged).toBe(false);
    expect(uplift.conversion.difference).toBeCloseTo(journeyBuyers / journeyArm.length - controlBuyers / controlArm.length, 10);
    expect(uplift.conversion.pValue).toBeLessThan(0.001);
    expect(uplift.conversion.ci.lower).toBeGreaterThan(0.2);
    // The planted difference in revenue per entrant: (50 % − 10 %) × 1,500.00.
    expect(uplift.revenuePerEntrant.method).toBe('cuped');
    expect(uplift.revenuePerEntrant.significant).toBe(true);
    expect(uplift.revenuePerEntrant.ci.lower).toBeLessThan(60_000);
    expect(uplift.revenuePerEntrant.ci.upper).toBeGreaterThan(60_000);
    expect(uplift.incrementalRevenue.estimateMinor).toBe(Math.round(uplift.revenuePerEntrant.difference * journeyArm.length));
    expect(uplift.verdict.outcome).toBe('variant-wins');
    expect(uplift.verdict.en).toMatch(/^Variant Journey raised conversion from .*: Journey wins\.$/);
    expect(body.reason).toBeNull();
    planted = { journeyId: id, incrementalRevenueMinor: uplift.incrementalRevenue.estimateMinor };

    // A period before anyone entered: no entrants, said so; a date that is none: refused in words.
    const before = (await call('GET', `/v1/journeys/${id}/report?from=2026-01-01&to=2026-01-31`)).body;
    expect(before.arms.map((a: { entrants: number }) => a.entrants)).toEqual([0, 0]);
    expect(before).toMatchObject({ uplift: null, reason: 'No one entered the journey in the period' });
    const bad = await call('GET', `/v1/journeys/${id}/report?from=2026-02-30`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe('from: "2026-02-30" is not a date; use YYYY-MM-DD');
    // A shorter window (1 day) misses the purchases a day after entering.
    const short = (await call('GET', `/v1/journeys/${id}/report?attributionDays=1`)).body;
    expect(short.arms.map((a: { converted: number }) => a.converted)).toEqual([0, 0]);
  }, 120_000);

  it('declares no winner where the arms buy alike (A/A), and says why a journey with no control has no uplift', async () => {
    t.clock.advance(30 * DAY);
    const { id, entries } = await enterAll('report_aa', 5000, false);
    const entered = entries[0]!.enteredAt;
    // The same share of each arm buys the same amount: the first 30 % of each arm's entrants.
    const purchases = (['control', 'journey'] as const).flatMap((key) => {
      const members = entries.filter((e) => e.arm === key);
      return members.slice(0, Math.round(members.length * 0.3)).map((e) => ({ customerId: e.customerId, at: new Date(entered.getTime() + DAY), netMinor: 120_000 }));
    });
    await plantPurchases(t, 'main', purchases);
    t.clock.advance(8 * DAY);
    const body = (await call('GET', `/v1/journeys/${id}/report`)).body;
    expect(body.uplift.conversion.significant).toBe(false);
    expect(body.uplift.conversion.pValue).toBeGreaterThan(0.5);
    expect(body.uplift.revenuePerEntrant.significant).toBe(false);
    expect(body.uplift.verdict.outcome).toBe('no-difference');

    const noControl = await enterAll('report_all', 0, false);
    expect(noControl.entries.every((e) => e.arm === 'journey')).toBe(true);
    const all = (await call('GET', `/v1/journeys/${noControl.id}/report`)).body;
    expect(all).toMatchObject({ uplift: null, experiment: null, reason: 'The journey has no control group (controlShareBp 0): there is nothing to measure its uplift against' });
    expect(all.arms[1].entrants).toBe(240);
  }, 120_000);

  it('the program\'s economics count what the journey added against its control as incremental revenue, and its ROI', async () => {
    // The program's cost in April: a discount of 1,000.00 on a receipt outside every window.
    await plantPurchases(t, 'main', [{ customerId: customers[1]!, at: new Date('2026-04-25T12:00:00Z'), netMinor: 10_000, discountMinor: 100_000 }]);
    const april = (await call('GET', '/v1/analytics/economics?from=2026-04-01&to=2026-04-30')).body;
    expect(april.cost.cashMinor).toBe(100_000);
    const incremental = planted!.incrementalRevenueMinor;
    expect(april.roiReason).toBeNull();
    expect(april.roi).toMatchObject({
      incrementalRevenueMinor: incremental,
      costMinor: 100_000,
      costBasis: 'program-cash-cost',
      value: Math.round(((incremental - 100_000) / 100_000) * 1e4) / 1e4,
      attributedRewardsMinor: 0,
      returnOnAttributedRewards: null,
      complete: true,
      experiments: [{ kind: 'journey', id: planted!.journeyId, incrementalRevenueMinor: incremental }],
    });
    expect(april.roi.incrementalRevenueCi.lowerMinor).toBeGreaterThan(0);
    expect(april.roi.ci.lower).toBeLessThan(april.roi.value);
    const csv = (await t.call({ method: 'GET', url: '/v1/analytics/economics?from=2026-04-01&to=2026-04-30&format=csv' })).body;
    expect(csv).toContain(`roi_incremental_revenue_minor,${incremental}\n`);
    // A period with no experiment: null, and why.
    const march = (await call('GET', '/v1/analytics/economics?from=2026-03-01&to=2026-03-31')).body;
    expect(march).toMatchObject({ roi: null, roiReason: 'No campaign or journey with a control group had its attribution start in the period, so no incremental revenue was measured' });
    expect((await t.call({ method: 'GET', url: '/v1/analytics/economics?from=2026-03-01&to=2026-03-31&format=csv' })).body).toContain('roi,\nroi_reason,"No campaign or journey');
  });
});
