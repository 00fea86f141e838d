import type { JourneyStep, JourneyTrigger } from './journey-definition.ts';
import type { TemplateInput } from './template-store.ts';

/**
 * Ready-made journeys: each makes its e-mail templates and a draft journey using them, in
 * Russian or English, for the marketer to read, change and switch on. Texts use only the
 * template catalogue's variables, so they pass the save-time check like any other.
 */
export const recipeNames = ['welcome', 'birthday', 'points_expiry', 'win_back', 'post_purchase_nps', 'tier_upgrade', 'abandoned_cart'] as const;
export type RecipeName = (typeof recipeNames)[number];
export type Language = 'ru' | 'en';

export type Recipe = {
  name: string;
  description: string;
  templates: Record<string, TemplateInput>;
  trigger: JourneyTrigger;
  /** Steps whose `templateId` names a key of `templates`: replaced by the saved template's id. */
  steps: JourneyStep[];
  reentry: 'never' | 'always' | 'after_days';
  reentryDays?: number;
};

type Words = { subject: string; text: string };
const email = (name: string, purpose: 'marketing' | 'service', words: Words): TemplateInput => ({ name, kind: 'email', purpose, parts: { subject: words.subject, text: words.text } });

const texts: Record<Language, Record<string, Words>> = {
  ru: {
    welcome: { subject: '{{ customer.firstName | default: "Здравствуйте" }}, добро пожаловать в {{ program.name }}!', text: 'Вы в программе {{ program.name }}. На вашем счёте {{ balance.available | plural: "балл", "балла", "баллов" }}. Копите баллы с каждой покупки и оплачивайте ими до трети чека.' },
    nudge: { subject: 'Ваша первая покупка с {{ program.name }}', text: '{{ customer.firstName | default: "Здравствуйте" }}, покажите карту или назовите телефон на кассе — и первые баллы ваши.' },
    birthday: { subject: 'С днём рождения, {{ customer.firstName | default: "дорогой друг" }}!', text: '{{ program.name }} поздравляет вас!{% if promoCode %} Ваш подарок — промокод {{ promoCode.code }}.{% endif %}' },
    expiry: { subject: '{{ balance.expiring.points | plural: "балл сгорает", "балла сгорают", "баллов сгорают" }} {{ balance.expiring.date | local_date: "day_month" }}', text: 'Успейте потратить {{ balance.expiring.points | plural: "балл", "балла", "баллов" }} до {{ balance.expiring.date | local_date: "long" }}. Всего на счёте {{ balance.available | points }}.' },
    winBack: { subject: 'Мы скучаем, {{ customer.firstName | default: "друг" }}', text: 'Давно вас не видели.{% if promoCode %} Вот промокод {{ promoCode.code }} на следующую покупку.{% endif %} На счёте {{ balance.available | plural: "балл", "балла", "баллов" }}.' },
    winBackReminder: { subject: 'Напоминаем о подарке', text: '{% if promoCode %}Промокод {{ promoCode.code }} ещё действует.{% else %}Ваши баллы ждут вас.{% endif %}' },
    nps: { subject: 'Как вам покупка?', text: 'Оцените нас от 0 до 10: насколько вероятно, что вы порекомендуете {{ program.name }} друзьям? {{ links.account }}' },
    cart: { subject: '{{ customer.firstName | default: "Здравствуйте" }}, вы кое-что оставили в корзине', text: 'Товары в корзине ждут вас.{% if balance.available > 0 %} На счёте {{ balance.available | plural: "балл", "балла", "баллов" }} — ими можно оплатить часть покупки.{% endif %}' },
    tier: { subject: 'Новый уровень: {{ tier.name }}', text: 'Поздравляем! Теперь ваш уровень — {{ tier.name }}.{% if tier.next %} До уровня {{ tier.next.name }} осталось совсем немного.{% endif %}' },
  },
  en: {
    welcome: { subject: 'Welcome to {{ program.name }}, {{ customer.firstName | default: "friend" }}!', text: 'You are in {{ program.name }}. Your balance: {{ balance.available | plural: "point", "points" }}. Earn points on every purchase and pay with them.' },
    nudge: { subject: 'Your first purchase with {{ program.name }}', text: 'Show your card or say your phone number at the till, and your first points are yours.' },
    birthday: { subject: 'Happy birthday, {{ customer.firstName | default: "friend" }}!', text: '{{ program.name }} wishes you a happy birthday!{% if promoCode %} Your gift: the code {{ promoCode.code }}.{% endif %}' },
    expiry: { subject: '{{ balance.expiring.points | plural: "point expires", "points expire" }} on {{ balance.expiring.date | local_date: "day_month" }}', text: 'Spend {{ balance.expiring.points | plural: "point", "points" }} before {{ balance.expiring.date | local_date: "long" }}. Your balance: {{ balance.available | points }}.' },
    winBack: { subject: 'We miss you, {{ customer.firstName | default: "friend" }}', text: 'It has been a while.{% if promoCode %} Here is {{ promoCode.code }} for your next purchase.{% endif %} Your balance: {{ balance.available | plural: "point", "points" }}.' },
    winBackReminder: { subject: 'A reminder of your gift', text: '{% if promoCode %}The code {{ promoCode.code }} still works.{% else %}Your points are waiting.{% endif %}' },
    nps: { subject: 'How was your purchase?', text: 'From 0 to 10, how likely are you to recommend {{ program.name }} to a friend? {{ links.account }}' },
    cart: { subject: '{{ customer.firstName | default: "Hello" }}, you left something in your cart', text: 'Your cart is waiting for you.{% if balance.available > 0 %} You have {{ balance.available | plural: "point", "points" }} to pay part of it with.{% endif %}' },
    tier: { subject: 'Your new tier: {{ tier.name }}', text: 'Congratulations! Your tier is now {{ tier.name }}.{% if tier.next %} {{ tier.next.name }} is within reach.{% endif %}' },
  },
};

export function recipe(name: RecipeName, language: Language, options: { promotionId?: string; surveyId?: string } = {}): Recipe {
  const w = texts[language];
  // With a survey, the NPS message carries each customer's own signed link to it (survey_url) in place of the account page.
  const nps: Words = options.surveyId ? { ...w.nps!, text: w.nps!.text.replace('{{ links.account }}', `{{ "${options.surveyId}" | survey_url }}`) } : w.nps!;
  switch (name) {
    case 'welcome':
      return {
        name: 'Welcome series',
        description: 'A welcome at sign-up; three days later, a nudge to whoever has not bought yet',
        templates: { welcome: email('Welcome', 'marketing', w.welcome!), nudge: email('Welcome: first purchase nudge', 'marketing', w.nudge!) },
        trigger: { event: 'customer.created' },
        steps: [
          { id: 'welcome', kind: 'send', templateId: 'welcome', next: 'wait' },
          { id: 'wait', kind: 'wait', minutes: 3 * 24 * 60, untilLocalTime: '11:00', next: 'bought' },
          { id: 'bought', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'nudge' },
          { id: 'nudge', kind: 'send', templateId: 'nudge', next: null },
        ],
        reentry: 'never',
      };
    case 'birthday':
      return {
        name: 'Birthday greeting',
        description: 'On the birthday offer (engagement\'s customer.birthday, with its code), a greeting at 10:00 in the customer\'s zone',
        templates: { greeting: email('Birthday greeting', 'marketing', w.birthday!) },
        trigger: { event: 'customer.birthday' },
        steps: [
          { id: 'morning', kind: 'wait', untilLocalTime: '10:00', next: 'greet' },
          { id: 'greet', kind: 'send', templateId: 'greeting', next: null },
        ],
        reentry: 'always',
      };
    case 'points_expiry':
      return {
        name: 'Points-expiry reminder',
        description: 'When points are about to expire (points.expiring), a reminder at 11:00 in the customer\'s zone',
        templates: { reminder: email('Points expiring', 'marketing', w.expiry!) },
        trigger: { event: 'points.expiring' },
        steps: [
          { id: 'morning', kind: 'wait', untilLocalTime: '11:00', next: 'remind' },
          { id: 'remind', kind: 'send', templateId: 'reminder', next: null },
        ],
        reentry: 'always',
      };
    case 'win_back':
      return {
        name: 'Win-back after 60 days',
        description: 'Sixty days without a purchase: a message (with a personal code when a promotion is given), a reminder a week later to whoever has not come back',
        templates: { miss: email('Win-back', 'marketing', w.winBack!), reminder: email('Win-back reminder', 'marketing', w.winBackReminder!) },
        trigger: { event: 'no_purchase', days: 60 },
        steps: [
          ...(options.promotionId ? [{ id: 'code', kind: 'promo_code' as const, promotionId: options.promotionId, validDays: 14, next: 'miss' }] : []),
          { id: 'miss', kind: 'send', templateId: 'miss', next: 'week' },
          { id: 'week', kind: 'wait', minutes: 7 * 24 * 60, next: 'back' },
          { id: 'back', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'remind' },
          { id: 'remind', kind: 'send', templateId: 'reminder', next: null },
        ],
        reentry: 'after_days',
        reentryDays: 90,
      };
    case 'post_purchase_nps':
      return {
        name: 'Post-purchase NPS',
        description: 'A day after a purchase, at noon in the customer\'s zone, the question "how likely are you to recommend us" with the customer\'s own link to the NPS survey named by surveyId (at most once a month)',
        templates: { ask: email('NPS after purchase', 'marketing', nps) },
        trigger: { event: 'receipt.confirmed' },
        steps: [
          { id: 'day', kind: 'wait', minutes: 24 * 60, untilLocalTime: '12:00', next: 'ask' },
          { id: 'ask', kind: 'send', templateId: 'ask', next: null },
        ],
        reentry: 'after_days',
        reentryDays: 30,
      };
    case 'tier_upgrade':
      return {
        name: 'Tier-upgrade congratulations',
        description: 'When a customer moves up a tier, congratulations naming the new tier and the next',
        templates: { congrats: email('Tier upgrade', 'marketing', w.tier!) },
        trigger: { event: 'tier.changed' },
        steps: [
          { id: 'up', kind: 'condition', if: { kind: 'context', path: 'direction', op: 'eq', value: 'up' }, then: 'congrats', else: null },
          { id: 'congrats', kind: 'send', templateId: 'congrats', next: null },
        ],
        reentry: 'always',
      };
    case 'abandoned_cart':
      return {
        name: 'Abandoned cart',
        description: 'The site or app reports a cart (customer.action cart.updated); two hours later, a reminder to whoever has not bought since (at most once a day)',
        templates: { reminder: email('Abandoned cart', 'marketing', w.cart!) },
        trigger: { event: 'customer.action', actionType: 'cart.updated' },
        steps: [
          { id: 'later', kind: 'wait', minutes: 120, next: 'bought' },
          { id: 'bought', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'remind' },
          { id: 'remind', kind: 'send', templateId: 'reminder', next: null },
        ],
        reentry: 'after_days',
        reentryDays: 1,
      };
  }
}
