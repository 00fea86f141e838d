import { useLocale, type Locale } from '../../i18n.tsx';
import type { JourneyTrigger } from './messaging-types.ts';

/** Ready-made journeys, in the console's words (the API describes them in English only). */
export const recipeWords: Record<Locale, Record<string, { name: string; description: string }>> = {
  en: {
    welcome: { name: 'Welcome series', description: 'A welcome at sign-up; three days later, a nudge to whoever has not bought yet.' },
    birthday: { name: 'Birthday greeting', description: 'On the birthday offer, a greeting with its code at 10:00 in the customer’s zone.' },
    points_expiry: { name: 'Points-expiry reminder', description: 'When points are about to expire, a reminder at 11:00 in the customer’s zone.' },
    win_back: { name: 'Win-back after 60 days', description: 'Sixty days without a purchase: a message, and a reminder a week later to whoever has not come back.' },
    post_purchase_nps: { name: 'Post-purchase NPS', description: 'A day after a purchase, the question “how likely are you to recommend us”, at most once a month.' },
    tier_upgrade: { name: 'Tier-upgrade congratulations', description: 'When a customer moves up a tier, congratulations naming the new tier and the next.' },
    abandoned_cart: { name: 'Abandoned cart', description: 'Two hours after the site reports a cart, a reminder to whoever has not bought since.' },
  },
  ru: {
    welcome: { name: 'Приветственная серия', description: 'Приветствие при регистрации; через три дня — напоминание тем, кто ещё не купил.' },
    birthday: { name: 'Поздравление с днём рождения', description: 'В день подарка ко дню рождения — поздравление с кодом в 10:00 по времени клиента.' },
    points_expiry: { name: 'Напоминание о сгорании баллов', description: 'Когда баллы скоро сгорят — напоминание в 11:00 по времени клиента.' },
    win_back: { name: 'Возврат через 60 дней', description: 'Шестьдесят дней без покупок: сообщение и через неделю напоминание тем, кто не вернулся.' },
    post_purchase_nps: { name: 'NPS после покупки', description: 'Через день после покупки — вопрос «насколько вероятно, что вы нас порекомендуете», не чаще раза в месяц.' },
    tier_upgrade: { name: 'Поздравление с новым уровнем', description: 'Когда клиент переходит на уровень выше — поздравление с названием нового и следующего уровня.' },
    abandoned_cart: { name: 'Брошенная корзина', description: 'Через два часа после того, как сайт сообщил о корзине, — напоминание тем, кто ещё не купил.' },
  },
};

export const triggerWords: Record<Locale, Record<string, string>> = {
  en: {
    'customer.created': 'A customer joins',
    'receipt.confirmed': 'A purchase',
    'points.expiring': 'Points are about to expire',
    'tier.changed': 'The tier changes',
    'customer.birthday': 'The birthday offer',
    'segment.entered': 'A customer enters a segment',
    'customer.action': 'A custom event: {actionType}',
    no_purchase: '{days} days without a purchase',
  },
  ru: {
    'customer.created': 'Клиент зарегистрировался',
    'receipt.confirmed': 'Покупка',
    'points.expiring': 'Баллы скоро сгорят',
    'tier.changed': 'Сменился уровень',
    'customer.birthday': 'Подарок ко дню рождения',
    'segment.entered': 'Клиент вошёл в сегмент',
    'customer.action': 'Своё событие: {actionType}',
    no_purchase: '{days} дн. без покупок',
  },
};

/** A journey's trigger in words, in the console's language. */
export function useTriggerText() {
  const { locale } = useLocale();
  return (trigger: JourneyTrigger) =>
    (triggerWords[locale][trigger.event] ?? trigger.event).replace('{days}', String(trigger.days ?? '')).replace('{actionType}', trigger.actionType ?? '');
}
