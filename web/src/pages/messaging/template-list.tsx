import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { kindWords } from './messaging-words.ts';
import type { Template } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    title: 'Message templates',
    intro: 'The texts of e-mails, SMS, pushes and Telegram messages, written in Liquid with the customer’s name, balance and offers.',
    create: 'New template',
    caption: 'Message templates',
    name: 'Name',
    kind: 'Channel',
    purpose: 'Purpose',
    version: 'Version',
    updated: 'Changed',
    marketing: 'Marketing',
    service: 'Service',
    empty: 'No templates yet',
    emptyHint: 'Write one with “New template”, or make a journey from a ready-made recipe: it writes its templates for you.',
  },
  ru: {
    title: 'Шаблоны сообщений',
    intro: 'Тексты писем, SMS, пушей и сообщений в Telegram на Liquid — с именем клиента, балансом и предложениями.',
    create: 'Новый шаблон',
    caption: 'Шаблоны сообщений',
    name: 'Название',
    kind: 'Канал',
    purpose: 'Назначение',
    version: 'Версия',
    updated: 'Изменён',
    marketing: 'Маркетинг',
    service: 'Сервисное',
    empty: 'Шаблонов пока нет',
    emptyHint: 'Напишите первый кнопкой «Новый шаблон» или создайте цепочку из готового рецепта — она сама напишет свои шаблоны.',
  },
});

export default function TemplateList() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const list = usePagedList<Template>('/v1/templates');
  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={can('messaging:write') ? <Link to="/messaging/templates/new" className="button primary">{t('create')}</Link> : null}
    >
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/messaging/templates/${row.id}`}>{row.name}</Link> },
          { key: 'kind', title: t('kind'), render: (row) => kindWords[locale][row.kind] ?? row.kind },
          { key: 'purpose', title: t('purpose'), render: (row) => <Badge tone={row.purpose === 'marketing' ? 'info' : 'neutral'}>{t(row.purpose)}</Badge> },
          { key: 'version', title: t('version'), numeric: true, render: (row) => format.number(row.version) },
          { key: 'updated', title: t('updated'), render: (row) => format.dateTime(row.updatedAt) },
        ]}
      />
    </Page>
  );
}
