import { EditDialog, useEditing } from '../../components/setup-editing.tsx';
import { DataTable } from '../../components/table.tsx';
import { Badge, Card, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { AttributeForm, useTypeName } from './attribute-form.tsx';
import type { AttributeDefinition } from './setup-types.ts';
import './setup.css';

const text = defineText({
  en: {
    title: 'Customer attributes',
    intro: 'Facts about customers your program keeps beyond the standard profile: a pet, a shoe size, a favourite store. Declare one here before any value is stored; every value is checked against its type.',
    define: 'Define an attribute',
    usesTitle: 'Where attributes are used',
    useProfile: 'A customer’s profile shows their values (Customers → a customer); your site, app or till sets them through the API.',
    useJoin: 'The join form may ask them as fields, required or not.',
    useSegments: 'Segment conditions select customers by them (“pet is dog”).',
    useCsv: 'Imports and the customer export carry them as attr.<key> columns.',
    caption: 'Declared customer attributes',
    key: 'Key',
    label: 'Label',
    type: 'Type',
    options: 'Allowed values',
    personal: 'Personal data',
    actions: 'Actions',
    yes: 'Yes',
    no: 'No',
    any: 'Any value of the type',
    edit: 'Change',
    editLabel: 'Change {key}',
    addTitle: 'A new attribute',
    editTitle: 'The attribute {key}',
    added: 'The attribute {key} is declared: customers may now have a value for it.',
    saved: 'The attribute {key} is saved.',
    empty: 'No attributes yet',
    emptyHint: 'Define one with “Define an attribute”: then the profile, the join form, segments and imports can use it.',
    emptyReadOnly: 'An owner or a marketer defines the attributes.',
  },
  ru: {
    title: 'Атрибуты клиентов',
    intro: 'Сведения о клиентах сверх стандартного профиля: питомец, размер обуви, любимый магазин. Объявите атрибут здесь, прежде чем хранить значения; каждое значение проверяется по типу.',
    define: 'Объявить атрибут',
    usesTitle: 'Где используются атрибуты',
    useProfile: 'Профиль клиента показывает их значения (Клиенты → клиент); сайт, приложение или касса задают их через API.',
    useJoin: 'Форма вступления может спрашивать их как поля, обязательные или нет.',
    useSegments: 'Условия сегментов отбирают клиентов по ним («питомец — собака»).',
    useCsv: 'Импорт и выгрузка клиентов передают их колонками attr.<ключ>.',
    caption: 'Объявленные атрибуты клиентов',
    key: 'Ключ',
    label: 'Название',
    type: 'Тип',
    options: 'Допустимые значения',
    personal: 'Персональные данные',
    actions: 'Действия',
    yes: 'Да',
    no: 'Нет',
    any: 'Любое значение типа',
    edit: 'Изменить',
    editLabel: 'Изменить {key}',
    addTitle: 'Новый атрибут',
    editTitle: 'Атрибут {key}',
    added: 'Атрибут {key} объявлен: теперь у клиентов может быть его значение.',
    saved: 'Атрибут {key} сохранён.',
    empty: 'Атрибутов пока нет',
    emptyHint: 'Объявите атрибут кнопкой «Объявить атрибут» — тогда его смогут использовать профиль, форма вступления, сегменты и импорт.',
    emptyReadOnly: 'Атрибуты объявляет владелец или маркетолог.',
  },
});

export default function Attributes() {
  const t = useText(text);
  const typeName = useTypeName();
  const can = useCan();
  const canWrite = can('attributes:write');
  const list = usePagedList<AttributeDefinition>('/v1/customer-attributes', {}, 100);
  const { editing, done, edit, cancel, saved } = useEditing<AttributeDefinition>(list.reload);

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        canWrite ? (
          <button type="button" className="primary" onClick={() => edit('new')}>
            {t('define')}
          </button>
        ) : null
      }
    >
      <Card title={t('usesTitle')}>
        <ul className="setup-uses">
          <li>{t('useProfile')}</li>
          <li>{t('useJoin')}</li>
          <li>{t('useSegments')}</li>
          <li>{t('useCsv')}</li>
        </ul>
      </Card>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <DataTable
        caption={t('caption')}
        rows={list.items}
        rowKey={(row) => row.key}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={list.hasMore}
        onMore={list.loadMore}
        empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyReadOnly') }}
        columns={[
          { key: 'key', title: t('key'), render: (row) => <span className="setup-code">{row.key}</span> },
          { key: 'label', title: t('label'), render: (row) => row.label },
          { key: 'type', title: t('type'), render: (row) => typeName(row.type) },
          {
            key: 'options',
            title: t('options'),
            render: (row) =>
              row.options ? (
                <span className="setup-options">
                  {row.options.map((option) => (
                    <Badge key={option}>{option}</Badge>
                  ))}
                </span>
              ) : (
                <span className="muted">{t('any')}</span>
              ),
          },
          { key: 'personal', title: t('personal'), render: (row) => t(row.personal || row.type === 'string' ? 'yes' : 'no') },
          ...(canWrite
            ? [
                {
                  key: 'actions',
                  title: t('actions'),
                  render: (row: AttributeDefinition) => (
                    <button type="button" className="secondary" aria-label={t('editLabel', { key: row.key })} onClick={() => edit(row)}>
                      {t('edit')}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <EditDialog editing={editing} addTitle={t('addTitle')} editTitle={(row) => t('editTitle', { key: row.key })} rowKey={(row) => row.key} onClose={cancel}>
        {(row) => <AttributeForm attribute={row} onCancel={cancel} onSaved={(attribute, created) => saved(t(created ? 'added' : 'saved', { key: attribute.key }))} />}
      </EditDialog>
    </Page>
  );
}
