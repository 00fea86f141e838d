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
  { path: '/segments', permission: 'segments:read', page: page(() => import('./pages/segments/segment-list.tsx')) },
  { path: '/segments/new', permission: 'segments:read', page: page(() => import('./pages/segments/segment-editor.tsx')) },
  { path: '/segments/rfm', permission: 'segments:read', page: page(() => import('./pages/segments/rfm.tsx')) },
  { path: '/segments/clusters', permission: 'segments:read', page: page(() => import('./pages/segments/clusters.tsx')) },
  { path: '/segments/:id', permission: 'segments:read', page: page(() => import('./pages/segments/segment-editor.tsx')) },
  { path: '/settings/account', permission: 'customers:identify', page: page(() => import('./pages/settings/account.tsx')) },
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
    label: { en: 'Segments', ru: 'Сегменты' },
    items: [
      { to: '/segments', label: { en: 'Segments', ru: 'Сегменты' }, permission: 'segments:read' },
      { to: '/segments/rfm', label: { en: 'RFM', ru: 'RFM' }, permission: 'segments:read' },
      { to: '/segments/clusters', label: { en: 'Clusters', ru: 'Кластеры' }, permission: 'segments:read' },
    ],
  },
  {
    label: { en: 'Settings', ru: 'Настройки' },
    items: [{ to: '/settings/account', label: { en: 'My account', ru: 'Моя учётная запись' }, permission: 'customers:identify' }],
  },
];
