import { describe, expect, it } from 'vitest';
import { compilePart, renderCompiledPart } from './engine.ts';
import { sampleTemplateContext } from './sample-context.ts';
import { contextWith, NOW } from './test-helpers.ts';
import { checkTemplate } from './validate.ts';
import type { TemplateContext } from './variables.ts';

const NBSP = '\u00a0';

/** A template as staff would write it: parts checked when saved, then each rendered for a customer. */
function renderMessage(parts: Record<string, string>, context: TemplateContext): Record<string, string> {
  expect(checkTemplate(parts)).toEqual([]);
  return Object.fromEntries(
    Object.entries(parts).map(([name, source]) => [name, renderCompiledPart(compilePart(source, { escapeHtml: name === 'html', partName: name }), context, { now: NOW, partName: name })]),
  );
}

const welcome = {
  subject: "{{ customer.firstName | default: 'Друг' }}, добро пожаловать в «{{ program.name }}»",
  html: `<!doctype html>
<html lang="{{ customer.locale | default: program.locale }}">
<body>
<h1>{% if customer.firstName %}{{ customer.firstName }}, добро пожаловать{% else %}Добро пожаловать{% endif %} в «{{ program.name }}»!</h1>
<p>На вашем счёте {{ balance.available | plural: 'балл', 'балла', 'баллов' }}
{%- if balance.pending > 0 %} и ещё {{ balance.pending | points }} ожидают начисления{% endif %}.</p>
{%- if tier %}
<p>Ваш уровень — {{ tier.name }}.
{%- if tier.next %} До уровня «{{ tier.next.name }}» осталось
{%- if tier.next.pointsNeeded %} набрать {{ tier.next.pointsNeeded | plural: 'балл', 'балла', 'баллов' }}
{%- else %} купить на {{ tier.next.spendNeededMinor | money }}{% endif %}.{% endif %}</p>
{%- endif %}
{%- if promoCode %}
<p>Ваш промокод <b>{{ promoCode.code }}</b> ({{ promoCode.discountText }}) действует до {{ promoCode.expiresAt | local_date: 'day_month' }}.</p>
{%- endif %}
{%- if recommendations.size > 0 %}
<h2>Вам может понравиться</h2>
<ul>
{%- for r in recommendations limit: 3 %}
  <li><a href="{{ r.url }}">{{ r.name }}</a> — {{ r.priceMinor | money: r.currency }}</li>
{%- endfor %}
</ul>
{%- endif %}
{%- if store %}
<p>Ждём вас в магазине «{{ store.name }}»{% if store.address %}: {{ store.address }}{% endif %}.</p>
{%- endif %}
<p><a href="{{ links.account }}">Личный кабинет</a> · <a href="{{ links.unsubscribe }}">Отписаться</a></p>
</body>
</html>`,
  text: `{{ customer.firstName | default: 'Здравствуйте' }}, добро пожаловать в «{{ program.name }}»!
На вашем счёте {{ balance.available | plural: 'балл', 'балла', 'баллов' }}.
{%- if promoCode %}
Промокод {{ promoCode.code }} ({{ promoCode.discountText }}) — до {{ promoCode.expiresAt | local_date: 'day_month' }}.
{%- endif %}
Личный кабинет: {{ links.account }}
Отписаться: {{ links.unsubscribe }}`,
};

describe('a welcome e-mail', () => {
  it('renders every part for a customer with all variables filled', () => {
    const context = contextWith({ firstName: 'Анна <Ann>' });
    const out = renderMessage(welcome, context);
    expect(out.subject).toBe('Анна <Ann>, добро пожаловать в «Клуб друзей»');
    expect(out.html).toBe(`<!doctype html>
<html lang="ru">
<body>
<h1>Анна &lt;Ann&gt;, добро пожаловать в «Клуб друзей»!</h1>
<p>На вашем счёте 1${NBSP}250 баллов и ещё 120 ожидают начисления.</p>
<p>Ваш уровень — Серебро. До уровня «Золото» осталось купить на 15${NBSP}000${NBSP}₽.</p>
<p>Ваш промокод <b>ANNA-7K2Q</b> (−10%) действует до 15 апреля.</p>
<h2>Вам может понравиться</h2>
<ul>
  <li><a href="https://shop.example.com/p/SH-1021">Кеды белые</a> — 4${NBSP}599${NBSP}₽</li>
  <li><a href="https://shop.example.com/p/BG-3307">Рюкзак городской</a> — 3${NBSP}290,50${NBSP}₽</li>
</ul>
<p>Ждём вас в магазине «Тверская»: ул. Тверская, 12.</p>
<p><a href="https://shop.example.com/account">Личный кабинет</a> · <a href="https://shop.example.com/u/abc123">Отписаться</a></p>
</body>
</html>`);
    expect(out.text).toBe(`Анна <Ann>, добро пожаловать в «Клуб друзей»!
На вашем счёте 1${NBSP}250 баллов.
Промокод ANNA-7K2Q (−10%) — до 15 апреля.
Личный кабинет: https://shop.example.com/account
Отписаться: https://shop.example.com/u/abc123`);
  });

  it('leaves out what a customer does not have', () => {
    const context: TemplateContext = {
      ...contextWith({ firstName: null }),
      balance: { available: 1, pending: 0, expiring: null, expiringSoon: [] },
      tier: { name: 'Золото', code: 'gold', next: null },
      promoCode: null,
      recommendations: [],
      store: null,
    };
    const out = renderMessage(welcome, context);
    expect(out.subject).toBe('Друг, добро пожаловать в «Клуб друзей»');
    expect(out.html).toBe(`<!doctype html>
<html lang="ru">
<body>
<h1>Добро пожаловать в «Клуб друзей»!</h1>
<p>На вашем счёте 1 балл.</p>
<p>Ваш уровень — Золото.</p>
<p><a href="https://shop.example.com/account">Личный кабинет</a> · <a href="https://shop.example.com/u/abc123">Отписаться</a></p>
</body>
</html>`);
    expect(out.text).toBe(`Здравствуйте, добро пожаловать в «Клуб друзей»!
На вашем счёте 1 балл.
Личный кабинет: https://shop.example.com/account
Отписаться: https://shop.example.com/u/abc123`);
  });
});

const expirySms = {
  sms: `{{ customer.firstName | default: 'Здравствуйте' }}, {{ balance.expiring.points | plural: 'балл', 'балла', 'баллов' }} сгорят {{ balance.expiring.date | local_date: 'day_month' }}
{%- assign days = balance.expiring.date | days_until %}
{%- if days == 0 %} (сегодня){% elsif days <= 7 %} (через {{ days | plural: 'день', 'дня', 'дней' }}){% endif %}. Потратьте их: {{ links.account }}`,
};

describe('a points-expiry SMS', () => {
  const expiring = (date: string, points: number): TemplateContext['balance'] => ({ ...sampleTemplateContext.balance, expiring: { points, date }, expiringSoon: [{ points, date }] });

  it.each([
    ['2026-03-31', 300, 'Europe/Moscow', 'Анна, 300 баллов сгорят 31 марта. Потратьте их: https://shop.example.com/account'],
    ['2026-03-16', 21, 'Europe/Moscow', 'Анна, 21 балл сгорят 16 марта (через 2 дня). Потратьте их: https://shop.example.com/account'],
    // In Vladivostok it is already the 15th: one day left.
    ['2026-03-16', 1502, 'Asia/Vladivostok', `Анна, 1${NBSP}502 балла сгорят 16 марта (через 1 день). Потратьте их: https://shop.example.com/account`],
    ['2026-03-14', 5, 'Europe/Moscow', 'Анна, 5 баллов сгорят 14 марта (сегодня). Потратьте их: https://shop.example.com/account'],
  ])('points expiring %s (%d) for a customer in %s', (date, points, timeZone, expected) => {
    const context = { ...contextWith({ timeZone }), balance: expiring(date, points) };
    expect(renderMessage(expirySms, context).sms).toBe(expected);
  });

  it('in English, for an English-speaking customer', () => {
    const sms = `{{ customer.firstName | default: 'Hello' }}, {{ balance.expiring.points | plural: 'point', 'points' }} expire on {{ balance.expiring.date | local_date: 'day_month' }}. Spend them: {{ links.account }}`;
    const context = { ...contextWith({ firstName: 'Ann', locale: 'en' }), balance: expiring('2026-03-31', 1500) };
    expect(renderMessage({ sms }, context).sms).toBe('Ann, 1,500 points expire on March 31. Spend them: https://shop.example.com/account');
  });
});
