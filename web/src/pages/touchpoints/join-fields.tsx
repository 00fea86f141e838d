import { useState } from 'react';
import { Card, Empty, ErrorNote, Field } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { problemAt, profileFields, type AttributeDefinition, type FieldUse, type JoinForm, type ProfileField } from './touchpoints-types.ts';

const text = defineText({
  en: {
    fields: 'Fields of the form',
    fieldsIntro: 'The phone is always asked and confirmed by a code sent by SMS. Choose which other fields customers see, and which they must fill.',
    caption: 'Profile fields the form asks',
    field: 'Field',
    use: 'Asked',
    phone: 'Phone',
    phoneUse: 'Always, required, confirmed by a code',
    email: 'E-mail',
    firstName: 'First name',
    lastName: 'Last name',
    birthDate: 'Date of birth',
    gender: 'Gender',
    city: 'City',
    required: 'Required',
    optional: 'Optional',
    hidden: 'Not asked',
    useOf: 'How the form asks “{field}”',
    attributes: 'Your own fields (custom attributes)',
    attributesIntro: 'Declared customer attributes the form asks as text fields, in this order. The answer is stored in the customer’s attribute.',
    attributesCaption: 'Custom attributes on the form',
    key: 'Attribute',
    labelRu: 'Label in Russian',
    labelEn: 'Label in English',
    mustFill: 'Required',
    order: 'Order',
    up: 'Move “{key}” up',
    down: 'Move “{key}” down',
    remove: 'Remove “{key}”',
    removeShort: 'Remove',
    noAttributes: 'The form asks no custom attributes.',
    noAttributesHint: 'Pick a declared attribute below to ask it.',
    add: 'Add to the form',
    pick: 'Attribute to ask',
    noDeclared: 'No custom attributes are declared yet.',
    noDeclaredHint: 'Declare them first (PUT /v1/customer-attributes/{key}, see docs/customers.md), then come back to ask them on the form.',
    allAsked: 'Every declared text attribute loaded so far is on the form already.',
    onlyText: 'Only text attributes are offered: the form asks them as text fields.',
    more: 'Load more attributes',
  },
  ru: {
    fields: 'Поля формы',
    fieldsIntro: 'Телефон спрашивается всегда и подтверждается кодом по SMS. Выберите, какие ещё поля видит клиент и какие обязательны.',
    caption: 'Поля профиля в форме',
    field: 'Поле',
    use: 'Как спрашивается',
    phone: 'Телефон',
    phoneUse: 'Всегда, обязательно, подтверждается кодом',
    email: 'Электронная почта',
    firstName: 'Имя',
    lastName: 'Фамилия',
    birthDate: 'Дата рождения',
    gender: 'Пол',
    city: 'Город',
    required: 'Обязательное',
    optional: 'Необязательное',
    hidden: 'Не спрашивать',
    useOf: 'Как форма спрашивает «{field}»',
    attributes: 'Свои поля (дополнительные атрибуты)',
    attributesIntro: 'Объявленные атрибуты клиента, которые форма спрашивает текстовыми полями, в этом порядке. Ответ сохраняется в атрибут клиента.',
    attributesCaption: 'Дополнительные атрибуты в форме',
    key: 'Атрибут',
    labelRu: 'Подпись по-русски',
    labelEn: 'Подпись по-английски',
    mustFill: 'Обязательное',
    order: 'Порядок',
    up: 'Поднять «{key}»',
    down: 'Опустить «{key}»',
    remove: 'Убрать «{key}»',
    removeShort: 'Убрать',
    noAttributes: 'Форма не спрашивает дополнительных атрибутов.',
    noAttributesHint: 'Выберите объявленный атрибут ниже, чтобы спросить его.',
    add: 'Добавить в форму',
    pick: 'Какой атрибут спросить',
    noDeclared: 'Дополнительные атрибуты ещё не объявлены.',
    noDeclaredHint: 'Сначала объявите их (PUT /v1/customer-attributes/{key}, см. docs/customers.md), затем вернитесь, чтобы добавить в форму.',
    allAsked: 'Все загруженные объявленные текстовые атрибуты уже есть в форме.',
    onlyText: 'Предлагаются только текстовые атрибуты: форма спрашивает их текстовыми полями.',
    more: 'Загрузить ещё атрибуты',
  },
});

type Props = { form: JoinForm; onChange: (form: JoinForm) => void; error: unknown; disabled: boolean };

/** The profile fields the form asks and how, and the custom attributes it asks, in order. */
export function JoinFields({ form, onChange, error, disabled }: Props) {
  const t = useText(text);
  const setUse = (field: ProfileField, use: FieldUse) => onChange({ ...form, fields: { ...form.fields, [field]: use } });
  return (
    <>
      <Card title={t('fields')}>
        <p className="muted">{t('fieldsIntro')}</p>
        <div className="table-wrap">
          <table className="tp-table">
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field')}</th>
                <th scope="col">{t('use')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t('phone')}</th>
                <td>{t('phoneUse')}</td>
              </tr>
              {profileFields.map((field) => (
                <tr key={field}>
                  <th scope="row">{t(field)}</th>
                  <td>
                    <select aria-label={t('useOf', { field: t(field) })} value={form.fields[field]} disabled={disabled} onChange={(e) => setUse(field, e.target.value as FieldUse)}>
                      <option value="required">{t('required')}</option>
                      <option value="optional">{t('optional')}</option>
                      <option value="hidden">{t('hidden')}</option>
                    </select>
                    {problemAt(error, `fields.${field}`) ? <span className="field-error">{problemAt(error, `fields.${field}`)}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <JoinAttributes form={form} onChange={onChange} error={error} disabled={disabled} />
    </>
  );
}

function JoinAttributes({ form, onChange, error, disabled }: Props) {
  const t = useText(text);
  const can = useCan();
  const list = form.attributes;
  const setAt = (index: number, change: Partial<JoinForm['attributes'][number]>) => onChange({ ...form, attributes: list.map((a, i) => (i === index ? { ...a, ...change } : a)) });
  const move = (index: number, by: number) => {
    const next = [...list];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    onChange({ ...form, attributes: next });
  };
  return (
    <Card title={t('attributes')}>
      <p className="muted">{t('attributesIntro')}</p>
      {list.length === 0 ? (
        <Empty title={t('noAttributes')}>{disabled ? null : t('noAttributesHint')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="tp-table">
            <caption className="visually-hidden">{t('attributesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('key')}</th>
                <th scope="col">{t('labelRu')}</th>
                <th scope="col">{t('labelEn')}</th>
                <th scope="col">{t('mustFill')}</th>
                {disabled ? null : <th scope="col">{t('order')}</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((attribute, index) => {
                const labelProblem = problemAt(error, `attributes.${index}.label`);
                return (
                  <tr key={attribute.key}>
                    <th scope="row">
                      <code>{attribute.key}</code>
                      {problemAt(error, `attributes.${index}.key`) ? <span className="field-error">{problemAt(error, `attributes.${index}.key`)}</span> : null}
                    </th>
                    <td>
                      <input aria-label={`${t('labelRu')}: ${attribute.key}`} lang="ru" value={attribute.label.ru ?? ''} disabled={disabled} onChange={(e) => setAt(index, { label: { ...attribute.label, ru: e.target.value } })} />
                      {labelProblem ? <span className="field-error">{labelProblem}</span> : null}
                    </td>
                    <td>
                      <input aria-label={`${t('labelEn')}: ${attribute.key}`} lang="en" value={attribute.label.en ?? ''} disabled={disabled} onChange={(e) => setAt(index, { label: { ...attribute.label, en: e.target.value } })} />
                    </td>
                    <td>
                      <input type="checkbox" aria-label={`${t('mustFill')}: ${attribute.key}`} checked={attribute.required} disabled={disabled} onChange={(e) => setAt(index, { required: e.target.checked })} />
                    </td>
                    {disabled ? null : (
                      <td className="tp-row-actions">
                        <button type="button" className="secondary" aria-label={t('up', { key: attribute.key })} disabled={index === 0} onClick={() => move(index, -1)}>
                          ↑
                        </button>
                        <button type="button" className="secondary" aria-label={t('down', { key: attribute.key })} disabled={index === list.length - 1} onClick={() => move(index, 1)}>
                          ↓
                        </button>
                        <button type="button" className="link" aria-label={t('remove', { key: attribute.key })} onClick={() => onChange({ ...form, attributes: list.filter((_, i) => i !== index) })}>
                          {t('removeShort')}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {!disabled && can('attributes:read') ? <AttributePicker form={form} onChange={onChange} /> : null}
    </Card>
  );
}

/** The declared attributes not yet on the form, a page at a time, to add one. */
function AttributePicker({ form, onChange }: { form: JoinForm; onChange: (form: JoinForm) => void }) {
  const t = useText(text);
  const declared = usePagedList<AttributeDefinition>('/v1/customer-attributes', {}, 100);
  const [chosen, setChosen] = useState('');
  const asked = new Set(form.attributes.map((a) => a.key));
  // The form asks attributes as free text: a number, date or list attribute would refuse what is typed.
  const offered = declared.items.filter((a) => a.type === 'string' && !asked.has(a.key));
  if (declared.error) return <ErrorNote error={declared.error} onRetry={declared.reload} />;
  if (!declared.loading && declared.items.length === 0) return <Empty title={t('noDeclared')}>{t('noDeclaredHint')}</Empty>;
  const pick = chosen && offered.some((a) => a.key === chosen) ? chosen : (offered[0]?.key ?? '');
  const add = () => {
    const definition = offered.find((a) => a.key === pick);
    if (!definition) return;
    onChange({ ...form, attributes: [...form.attributes, { key: definition.key, label: { ru: definition.label, en: definition.label }, required: false }] });
    setChosen('');
  };
  return (
    <div className="tp-inline">
      {offered.length > 0 ? (
        <>
          <Field label={t('pick')} hint={t('onlyText')}>
            {(props) => (
              <select {...props} value={pick} onChange={(e) => setChosen(e.target.value)}>
                {offered.map((a) => (
                  <option key={a.key} value={a.key}>
                    {a.label} ({a.key})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="button" className="secondary" onClick={add}>
            {t('add')}
          </button>
        </>
      ) : declared.loading ? null : (
        <p className="muted">{t('allAsked')}</p>
      )}
      {declared.hasMore ? (
        <button type="button" className="link" onClick={declared.loadMore}>
          {t('more')}
        </button>
      ) : null}
    </div>
  );
}
