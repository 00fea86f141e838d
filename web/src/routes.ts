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
  { path: '/customers', permission: 'customers:read', page: page(() => import('./pages/customers/customer-list.tsx')) },
  { path: '/settings/account', permission: 'customers:identify', page: page(() => import('./pages/settings/account.tsx')) },
  { path: '/settings/users', permission: 'staff:manage', page: page(() => import('./pages/settings/users.tsx')) },
  { path: '/settings/api-keys', permission: 'keys:manage', page: page(() => import('./pages/settings/api-keys.tsx')) },
  { path: '/settings/channels', permission: 'messaging:read', page: page(() => import('./pages/settings/channels.tsx')) },
  { path: '/imports', permission: 'imports:read', page: page(() => import('./pages/admin/imports.tsx')) },
  { path: '/imports/:id', permission: 'imports:read', page: page(() => import('./pages/admin/import-detail.tsx')) },
  { path: '/audit', permission: 'audit:read', page: page(() => import('./pages/admin/audit.tsx')) },
];

/** The menu: sections of links, each shown when the role may open its page. */
export type NavItem = { to: string; label: { en: string; ru: string }; permission: string };
export type NavSection = { label: { en: string; ru: string }; items: NavItem[] };

export const navigation: NavSection[] = [
  {
    label: { en: 'Customers', ru: 'Клиенты' },
    items: [{ to: '/customers', label: { en: 'Customers', ru: 'Клиенты' }, permission: 'customers:read' }],
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
      { to: '/settings/account', label: { en: 'My account', ru: 'Моя учётная запись' }, permission: 'customers:identify' },
    ],
  },
];
