import type { TemplateContext } from './variables.ts';

/**
 * A made-up customer with every variable filled: for the console's preview before a real
 * customer is picked, for the docs' examples and for the tests. Every key of the catalogue is
 * here (a test walks both), so a preview with it shows every part of a template.
 */
export const sampleTemplateContext: TemplateContext = {
  customer: {
    id: 'cus_01938f2e-7c1a-7d2b-9f00-5a1b2c3d4e5f',
    firstName: 'Анна',
    lastName: 'Смирнова',
    fullName: 'Анна Смирнова',
    email: 'anna@example.com',
    phone: '+79161234567',
    birthDate: '1990-03-15',
    locale: 'ru',
    timeZone: 'Europe/Moscow',
    city: 'Москва',
    gender: 'female',
    attributes: { shoeSize: 38, favouriteCategory: 'Обувь' },
    createdAt: '2025-11-02T09:15:00Z',
  },
  balance: {
    available: 1250,
    pending: 120,
    expiring: { points: 300, date: '2026-03-31' },
    expiringSoon: [
      { points: 300, date: '2026-03-31' },
      { points: 150, date: '2026-04-30' },
    ],
  },
  tier: { name: 'Серебро', code: 'silver', next: { name: 'Золото', pointsNeeded: null, spendNeededMinor: 1_500_000 } },
  promoCode: { code: 'ANNA-7K2Q', discountText: '−10%', expiresAt: '2026-04-15T20:59:59Z' },
  recommendations: [
    { sku: 'SH-1021', name: 'Кеды белые', url: 'https://shop.example.com/p/SH-1021', priceMinor: 459_900, currency: 'RUB', imageUrl: 'https://shop.example.com/i/SH-1021.jpg' },
    { sku: 'BG-3307', name: 'Рюкзак городской', url: 'https://shop.example.com/p/BG-3307', priceMinor: 329_050, currency: 'RUB', imageUrl: null },
  ],
  offer: { name: 'Весенняя распродажа', description: 'Скидки до 30% на обувь', validUntil: '2026-03-31T20:59:59Z' },
  store: { name: 'Тверская', city: 'Москва', address: 'ул. Тверская, 12' },
  program: { name: 'Клуб друзей', currency: 'RUB', locale: 'ru', timeZone: 'Europe/Moscow' },
  links: {
    unsubscribe: 'https://shop.example.com/u/abc123',
    preferences: 'https://shop.example.com/preferences/abc123',
    account: 'https://shop.example.com/account',
  },
  message: { id: 'msg_01938f2e-7c1a-7d2b-9f00-000000000001', channel: 'email', sentAt: '2026-03-14T15:30:00Z' },
};
