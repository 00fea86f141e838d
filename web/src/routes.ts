import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * Every page of the console: its path, the permission it needs (the roles table; the menu hides
 * what the role may not open, and the page says so if opened by its address), and its module,
 * loaded when first opened so the first page stays small.
 */
export type PageProps = { params: Record<string, string> };
export type RouteEntry = { path: string; permission: string; page: LazyExoticComponent<ComponentType<PageProps>> };

const page = (load: () => Promise<{ default: ComponentType<PageProps> }>) => lazy(load);

export const routes: RouteEntry[] = [
  { path: '/dashboard', permission: 'analytics:read', page: page(() => import('./pages/analytics/dashboard.tsx')) },
  { path: '/analytics/cohorts', permission: 'analytics:read', page: page(() => import('./pages/analytics/cohorts.tsx')) },
  { path: '/analytics/economics', permission: 'analytics:read', page: page(() => import('./pages/analytics/economics.tsx')) },
  { path: '/analytics/funnels', permission: 'analytics:read', page: page(() => import('./pages/analytics/funnels.tsx')) },
  { path: '/analytics/clv', permission: 'analytics:read', page: page(() => import('./pages/analytics/clv.tsx')) },
  { path: '/analytics/surveys', permission: 'surveys:read', page: page(() => import('./pages/analytics/surveys.tsx')) },
  { path: '/analytics/reports', permission: 'analytics:read', page: page(() => import('./pages/reports/report-list.tsx')) },
  { path: '/analytics/reports/:id', permission: 'analytics:read', page: page(() => import('./pages/reports/report-page.tsx')) },
  { path: '/analytics/alerts', permission: 'analytics:read', page: page(() => import('./pages/reports/alerts.tsx')) },
  { path: '/customers', permission: 'customers:read', page: page(() => import('./pages/customers/customer-list.tsx')) },
  // Before /customers/:id, which would take "export" for an id (the first match wins).
  { path: '/customers/export', permission: 'customers:export', page: page(() => import('./pages/setup/customer-export.tsx')) },
  { path: '/customers/:id', permission: 'customers:read', page: page(() => import('./pages/customers/customer-360.tsx')) },
  { path: '/tickets', permission: 'tickets:read', page: page(() => import('./pages/tickets/ticket-list.tsx')) },
  { path: '/tickets/:id', permission: 'tickets:read', page: page(() => import('./pages/tickets/ticket-page.tsx')) },
  { path: '/messaging/templates', permission: 'messaging:read', page: page(() => import('./pages/messaging/template-list.tsx')) },
  { path: '/messaging/templates/new', permission: 'messaging:write', page: page(() => import('./pages/messaging/template-editor.tsx')) },
  { path: '/messaging/templates/:id', permission: 'messaging:read', page: page(() => import('./pages/messaging/template-editor.tsx')) },
  { path: '/messaging/topics', permission: 'messaging:read', page: page(() => import('./pages/messaging/topic-list.tsx')) },
  { path: '/messaging/campaigns', permission: 'messaging:read', page: page(() => import('./pages/messaging/campaign-list.tsx')) },
  { path: '/messaging/campaigns/new', permission: 'messaging:write', page: page(() => import('./pages/messaging/campaign-new.tsx')) },
  { path: '/messaging/campaigns/:id', permission: 'messaging:read', page: page(() => import('./pages/messaging/campaign-page.tsx')) },
  { path: '/messaging/journeys', permission: 'messaging:read', page: page(() => import('./pages/messaging/journey-list.tsx')) },
  { path: '/messaging/journeys/new', permission: 'messaging:write', page: page(() => import('./pages/messaging/journey-builder.tsx')) },
  { path: '/messaging/journeys/:id/edit', permission: 'messaging:write', page: page(() => import('./pages/messaging/journey-builder.tsx')) },
  { path: '/messaging/journeys/:id', permission: 'messaging:read', page: page(() => import('./pages/messaging/journey-page.tsx')) },
  { path: '/program/settings', permission: 'program:read', page: page(() => import('./pages/program/program-settings.tsx')) },
  { path: '/program/tiers', permission: 'program:read', page: page(() => import('./pages/program/tiers.tsx')) },
  { path: '/program/rules', permission: 'program:read', page: page(() => import('./pages/program/earning-rules.tsx')) },
  { path: '/program/rules/new', permission: 'program:write', page: page(() => import('./pages/program/earning-rule-form.tsx')) },
  { path: '/program/rules/:id', permission: 'program:read', page: page(() => import('./pages/program/earning-rule-form.tsx')) },
  { path: '/program/simulator', permission: 'program:read', page: page(() => import('./pages/program/simulator.tsx')) },
  { path: '/program/promotions', permission: 'promotions:read', page: page(() => import('./pages/program/promotions.tsx')) },
  { path: '/program/promotions/new', permission: 'promotions:write', page: page(() => import('./pages/program/promotion-form.tsx')) },
  { path: '/program/promotions/:id', permission: 'promotions:read', page: page(() => import('./pages/program/promotion-form.tsx')) },
  { path: '/program/action-rules', permission: 'engagement:read', page: page(() => import('./pages/engagement/action-rules.tsx')) },
  { path: '/program/action-rules/new', permission: 'engagement:write', page: page(() => import('./pages/engagement/action-rule-form.tsx')) },
  { path: '/program/action-rules/:id', permission: 'engagement:read', page: page(() => import('./pages/engagement/action-rule-form.tsx')) },
  { path: '/program/birthday', permission: 'engagement:read', page: page(() => import('./pages/engagement/birthday-offer.tsx')) },
  { path: '/program/referrals', permission: 'program:read', page: page(() => import('./pages/engagement/referral-program.tsx')) },
  { path: '/program/fiscal-receipts', permission: 'program:read', page: page(() => import('./pages/touchpoints/fiscal-receipts.tsx')) },
  { path: '/program/gift-cards', permission: 'gift-cards:read', page: page(() => import('./pages/gift-cards/gift-card-list.tsx')) },
  { path: '/program/gift-cards/batches', permission: 'gift-cards:read', page: page(() => import('./pages/gift-cards/gift-card-batches.tsx')) },
  { path: '/program/gift-cards/:code', permission: 'gift-cards:read', page: page(() => import('./pages/gift-cards/gift-card-page.tsx')) },
  { path: '/program/rewards', permission: 'rewards:read', page: page(() => import('./pages/rewards/reward-list.tsx')) },
  { path: '/program/rewards/new', permission: 'rewards:write', page: page(() => import('./pages/rewards/reward-form.tsx')) },
  { path: '/program/rewards/:id', permission: 'rewards:read', page: page(() => import('./pages/rewards/reward-form.tsx')) },
  { path: '/program/partners', permission: 'partners:read', page: page(() => import('./pages/rewards/partner-list.tsx')) },
  { path: '/program/partners/new', permission: 'partners:write', page: page(() => import('./pages/rewards/partner-form.tsx')) },
  { path: '/program/partners/:id', permission: 'partners:read', page: page(() => import('./pages/rewards/partner-form.tsx')) },
  { path: '/program/lotteries', permission: 'lotteries:read', page: page(() => import('./pages/lotteries/lottery-list.tsx')) },
  { path: '/program/lotteries/new', permission: 'lotteries:write', page: page(() => import('./pages/lotteries/lottery-form.tsx')) },
  { path: '/program/lotteries/:id', permission: 'lotteries:read', page: page(() => import('./pages/lotteries/lottery-page.tsx')) },
  { path: '/program/lotteries/:id/edit', permission: 'lotteries:write', page: page(() => import('./pages/lotteries/lottery-form.tsx')) },
  { path: '/surveys', permission: 'surveys:read', page: page(() => import('./pages/surveys/survey-list.tsx')) },
  { path: '/surveys/new', permission: 'surveys:write', page: page(() => import('./pages/surveys/survey-form.tsx')) },
  { path: '/surveys/:id', permission: 'surveys:read', page: page(() => import('./pages/surveys/survey-page.tsx')) },
  { path: '/surveys/:id/edit', permission: 'surveys:write', page: page(() => import('./pages/surveys/survey-form.tsx')) },
  { path: '/segments', permission: 'segments:read', page: page(() => import('./pages/segments/segment-list.tsx')) },
  { path: '/segments/new', permission: 'segments:read', page: page(() => import('./pages/segments/segment-editor.tsx')) },
  { path: '/segments/rfm', permission: 'segments:read', page: page(() => import('./pages/segments/rfm.tsx')) },
  { path: '/segments/clusters', permission: 'segments:read', page: page(() => import('./pages/segments/clusters.tsx')) },
  { path: '/segments/:id', permission: 'segments:read', page: page(() => import('./pages/segments/segment-editor.tsx')) },
  { path: '/settings/account', permission: 'customers:identify', page: page(() => import('./pages/settings/account.tsx')) },
  { path: '/settings/users', permission: 'staff:manage', page: page(() => import('./pages/settings/users.tsx')) },
  { path: '/settings/api-keys', permission: 'keys:manage', page: page(() => import('./pages/settings/api-keys.tsx')) },
  { path: '/settings/channels', permission: 'messaging:read', page: page(() => import('./pages/settings/channels.tsx')) },
  { path: '/settings/join-form', permission: 'touchpoints:read', page: page(() => import('./pages/touchpoints/join-form.tsx')) },
  { path: '/imports', permission: 'imports:read', page: page(() => import('./pages/admin/imports.tsx')) },
  { path: '/imports/:id', permission: 'imports:read', page: page(() => import('./pages/admin/import-detail.tsx')) },
  { path: '/audit', permission: 'audit:read', page: page(() => import('./pages/admin/audit.tsx')) },
  { path: '/program/stores', permission: 'program:read', page: page(() => import('./pages/setup/stores.tsx')) },
  { path: '/program/attributes', permission: 'attributes:read', page: page(() => import('./pages/setup/attributes.tsx')) },
];

/** The menu: sections of links, each shown when the role may open its page. */
export type NavItem = { to: string; label: { en: string; ru: string }; permission: string };
export type NavSection = { label: { en: string; ru: string }; items: NavItem[] };

export const navigation: NavSection[] = [
  {
    label: { en: 'Dashboard', ru: 'Обзор' },
    items: [{ to: '/dashboard', label: { en: 'Dashboard', ru: 'Обзор' }, permission: 'analytics:read' }],
  },
  {
    label: { en: 'Customers', ru: 'Клиенты' },
    items: [
      { to: '/customers', label: { en: 'Customers', ru: 'Клиенты' }, permission: 'customers:read' },
      { to: '/customers/export', label: { en: 'Export customers', ru: 'Выгрузка клиентов' }, permission: 'customers:export' },
      { to: '/tickets', label: { en: 'Feedback', ru: 'Обращения' }, permission: 'tickets:read' },
      { to: '/surveys', label: { en: 'Surveys', ru: 'Опросы' }, permission: 'surveys:read' },
    ],
  },
  {
    label: { en: 'Program', ru: 'Программа' },
    items: [
      { to: '/program/settings', label: { en: 'Program settings', ru: 'Настройки программы' }, permission: 'program:read' },
      { to: '/program/rules', label: { en: 'Earning rules', ru: 'Правила начисления' }, permission: 'program:read' },
      { to: '/program/tiers', label: { en: 'Tiers', ru: 'Уровни' }, permission: 'program:read' },
      { to: '/program/promotions', label: { en: 'Promotions', ru: 'Акции' }, permission: 'promotions:read' },
      { to: '/program/gift-cards', label: { en: 'Gift cards', ru: 'Подарочные карты' }, permission: 'gift-cards:read' },
      { to: '/program/action-rules', label: { en: 'Bonuses for actions', ru: 'Бонусы за действия' }, permission: 'engagement:read' },
      { to: '/program/birthday', label: { en: 'Birthday offer', ru: 'Подарок ко дню рождения' }, permission: 'engagement:read' },
      { to: '/program/referrals', label: { en: 'Referral program', ru: 'Реферальная программа' }, permission: 'program:read' },
      { to: '/program/fiscal-receipts', label: { en: 'Fiscal receipts', ru: 'Фискальные чеки' }, permission: 'program:read' },
      { to: '/program/rewards', label: { en: 'Rewards', ru: 'Каталог наград' }, permission: 'rewards:read' },
      { to: '/program/partners', label: { en: 'Partners', ru: 'Партнёры' }, permission: 'partners:read' },
      { to: '/program/lotteries', label: { en: 'Lotteries', ru: 'Розыгрыши' }, permission: 'lotteries:read' },
      { to: '/program/simulator', label: { en: 'Checkout simulator', ru: 'Симулятор кассы' }, permission: 'program:read' },
      { to: '/program/stores', label: { en: 'Stores', ru: 'Магазины' }, permission: 'program:read' },
      { to: '/program/attributes', label: { en: 'Customer attributes', ru: 'Атрибуты клиентов' }, permission: 'attributes:read' },
    ],
  },
  {
    label: { en: 'Segments', ru: 'Сегменты' },
    items: [
      { to: '/segments', label: { en: 'Segments', ru: 'Сегменты' }, permission: 'segments:read' },
      { to: '/segments/rfm', label: { en: 'RFM', ru: 'RFM' }, permission: 'segments:read' },
      { to: '/segments/clusters', label: { en: 'Clusters', ru: 'Кластеры' }, permission: 'segments:read' },
    ],
  },
  {
    label: { en: 'Campaigns', ru: 'Рассылки' },
    items: [
      { to: '/messaging/campaigns', label: { en: 'Campaigns', ru: 'Рассылки' }, permission: 'messaging:read' },
      { to: '/messaging/journeys', label: { en: 'Journeys', ru: 'Цепочки' }, permission: 'messaging:read' },
      { to: '/messaging/templates', label: { en: 'Templates', ru: 'Шаблоны' }, permission: 'messaging:read' },
      { to: '/messaging/topics', label: { en: 'Topics', ru: 'Темы рассылок' }, permission: 'messaging:read' },
    ],
  },
  {
    label: { en: 'Analytics', ru: 'Аналитика' },
    items: [
      { to: '/analytics/cohorts', label: { en: 'Cohorts and LTV', ru: 'Когорты и LTV' }, permission: 'analytics:read' },
      { to: '/analytics/funnels', label: { en: 'Funnels', ru: 'Воронки' }, permission: 'analytics:read' },
      { to: '/analytics/clv', label: { en: 'Customer lifetime value', ru: 'Ценность клиента (CLV)' }, permission: 'analytics:read' },
      { to: '/analytics/economics', label: { en: 'Bonus economics', ru: 'Экономика бонусов' }, permission: 'analytics:read' },
      { to: '/analytics/surveys', label: { en: 'Surveys and NPS', ru: 'Опросы и NPS' }, permission: 'surveys:read' },
      { to: '/analytics/reports', label: { en: 'Scheduled reports', ru: 'Отчёты по расписанию' }, permission: 'analytics:read' },
      { to: '/analytics/alerts', label: { en: 'Alerts', ru: 'Оповещения' }, permission: 'analytics:read' },
    ],
  },
  {
    label: { en: 'Data', ru: 'Данные' },
    items: [
      { to: '/imports', label: { en: 'Imports', ru: 'Импорт' }, permission: 'imports:read' },
      { to: '/audit', label: { en: 'Audit log', ru: 'Журнал действий' }, permission: 'audit:read' },
    ],
  },
  {
    label: { en: 'Settings', ru: 'Настройки' },
    items: [
      { to: '/settings/users', label: { en: 'Users', ru: 'Пользователи' }, permission: 'staff:manage' },
      { to: '/settings/api-keys', label: { en: 'API keys', ru: 'API-ключи' }, permission: 'keys:manage' },
      { to: '/settings/channels', label: { en: 'Channels', ru: 'Каналы' }, permission: 'messaging:read' },
      { to: '/settings/join-form', label: { en: 'Join form', ru: 'Форма регистрации' }, permission: 'touchpoints:read' },
      { to: '/settings/account', label: { en: 'My account', ru: 'Моя учётная запись' }, permission: 'customers:identify' },
    ],
  },
];
