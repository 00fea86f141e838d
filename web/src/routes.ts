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
  { path: '/customers', permission: 'customers:read', page: page(() => import('./pages/customers/customer-list.tsx')) },
  { path: '/settings/account', permission: 'customers:identify', page: page(() => import('./pages/settings/account.tsx')) },
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
    label: { en: 'Analytics', ru: 'Аналитика' },
    items: [
      { to: '/analytics/cohorts', label: { en: 'Cohorts and LTV', ru: 'Когорты и LTV' }, permission: 'analytics:read' },
      { to: '/analytics/funnels', label: { en: 'Funnels', ru: 'Воронки' }, permission: 'analytics:read' },
      { to: '/analytics/clv', label: { en: 'Customer lifetime value', ru: 'Ценность клиента (CLV)' }, permission: 'analytics:read' },
      { to: '/analytics/economics', label: { en: 'Bonus economics', ru: 'Экономика бонусов' }, permission: 'analytics:read' },
      { to: '/analytics/surveys', label: { en: 'Surveys and NPS', ru: 'Опросы и NPS' }, permission: 'surveys:read' },
    ],
  },
  {
    label: { en: 'Customers', ru: 'Клиенты' },
    items: [{ to: '/customers', label: { en: 'Customers', ru: 'Клиенты' }, permission: 'customers:read' }],
  },
  {
    label: { en: 'Settings', ru: 'Настройки' },
    items: [{ to: '/settings/account', label: { en: 'My account', ru: 'Моя учётная запись' }, permission: 'customers:identify' }],
  },
];
