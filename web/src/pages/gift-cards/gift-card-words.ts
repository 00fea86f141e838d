import { defineText } from '../../i18n.tsx';

/** Words the gift-card pages share: a card's statuses, a ledger entry's kinds, the pages' links. */
export const giftCardWords = defineText({
  en: {
    issued: 'Issued, not sold',
    active: 'Active',
    blocked: 'Blocked',
    expired: 'Expired',
    kind_issue: 'Issued',
    kind_activate: 'Sold and loaded',
    kind_redeem: 'Paid at the till',
    kind_refund: 'Return',
    kind_adjust: 'By hand',
    kind_expire: 'Expired',
    cards: 'Cards',
    batches: 'Batches',
  },
  ru: {
    issued: 'Выпущена, не продана',
    active: 'Активна',
    blocked: 'Заблокирована',
    expired: 'Истекла',
    kind_issue: 'Выпуск',
    kind_activate: 'Продажа и пополнение',
    kind_redeem: 'Оплата на кассе',
    kind_refund: 'Возврат',
    kind_adjust: 'Вручную',
    kind_expire: 'Истечение срока',
    cards: 'Карты',
    batches: 'Партии',
  },
});
