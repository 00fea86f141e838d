import { useState } from 'react';
import { api } from '../../api.ts';
import { ChoiceField, EditForm, useSubmit } from '../../components/edit-form.tsx';
import { exists, refusal } from '../../components/setup-editing.tsx';
import { Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { attributeTypes, type AttributeDefinition, type AttributeType } from './setup-types.ts';

const text = defineText({
  en: {
    key: 'Key',
    keyHint: 'How the API, the CSV columns (attr.key) and segment conditions name it: a lowercase letter, then lowercase letters, digits or _ (pet, shoe_size). It cannot change later.',
    keyMissing: 'Enter the key, such as pet or shoe_size.',
    keyTaken: 'The attribute {key} exists already: change it in the list instead.',
    label: 'Label',
    labelHint: 'What people read in the profile and on the join form',
    type: 'Type',
    typeHint: 'What values it takes; checked on every change',
    typeFixed: 'The type cannot change once declared: to keep other values, define a new key.',
    options: 'Allowed values',
    optionsHint: 'One per line; a customer’s value must be one of them',
    personal: 'Personal data: erase the value with the customer (text attributes always are)',
    define: 'Define the attribute',
    save: 'Save',
    cancel: 'Cancel',
    type_string: 'Text',
    type_number: 'Number',
    type_integer: 'Whole number',
    type_boolean: 'Yes or no',
    type_date: 'Date',
    type_enum: 'One of a list',
  },
  ru: {
    key: 'Ключ',
    keyHint: 'Так его называют API, колонки CSV (attr.ключ) и условия сегментов: строчная латинская буква, затем строчные буквы, цифры или _ (pet, shoe_size). Позже его не изменить.',
    keyMissing: 'Укажите ключ, например pet или shoe_size.',
    keyTaken: 'Атрибут {key} уже есть: измените его в списке.',
    label: 'Название',
    labelHint: 'Что люди видят в профиле и в форме вступления',
    type: 'Тип',
    typeHint: 'Какие значения он принимает; проверяется при каждом изменении',
    typeFixed: 'Тип нельзя изменить после объявления: чтобы хранить другие значения, объявите новый ключ.',
    options: 'Допустимые значения',
    optionsHint: 'По одному в строке; значение клиента должно быть одним из них',
    personal: 'Персональные данные: удалять значение вместе с клиентом (текстовые атрибуты удаляются всегда)',
    define: 'Объявить атрибут',
    save: 'Сохранить',
    cancel: 'Отмена',
    type_string: 'Текст',
    type_number: 'Число',
    type_integer: 'Целое число',
    type_boolean: 'Да или нет',
    type_date: 'Дата',
    type_enum: 'Один из списка',
  },
});

/** The words for a type, for the list and the form. */
export function useTypeName(): (type: string) => string {
  const t = useText(text);
  return (type) => (attributeTypes.includes(type as AttributeType) ? t(`type_${type}` as 'type_string') : type);
}

/** Declares an attribute (PUT /v1/customer-attributes/{key}, after checking the key is free) or changes one. */
export function AttributeForm({ attribute, onSaved, onCancel }: { attribute: AttributeDefinition | null; onSaved: (attribute: AttributeDefinition, created: boolean) => void; onCancel: () => void }) {
  const t = useText(text);
  const typeName = useTypeName();
  const [form, setForm] = useState({ key: attribute?.key ?? '', label: attribute?.label ?? '', type: attribute?.type ?? ('string' as AttributeType), options: (attribute?.options ?? []).join('\n'), personal: attribute?.personal ?? false });
  const { error, busy, submit } = useSubmit(async () => {
    const key = attribute?.key ?? form.key.trim();
    if (!key) throw refusal(400, 'console.invalid', 'key', t('keyMissing'));
    const options = form.options.split('\n').map((line) => line.trim()).filter(Boolean);
    const body = { type: form.type, label: form.label.trim(), personal: form.personal, ...(form.type === 'enum' ? { options } : {}) };
    const path = `/v1/customer-attributes/${encodeURIComponent(key)}`;
    // PUT changes an attribute that exists: a new one must not take an existing key by mistake.
    if (!attribute && (await exists(path))) throw refusal(409, 'console.taken', 'key', t('keyTaken', { key }));
    onSaved(await api.put<AttributeDefinition>(path, body), !attribute);
  });

  const fields = ['key', 'label', 'type', 'options', 'personal'];
  return (
    <EditForm fields={fields} error={error} busy={busy} submitLabel={t(attribute ? 'save' : 'define')} cancelLabel={t('cancel')} onSubmit={submit} onCancel={onCancel}>
      {attribute ? null : (
        <Field label={t('key')} hint={t('keyHint')} error={fieldError(error, 'key')}>
          {(props) => <input {...props} className="setup-code" autoComplete="off" value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} />}
        </Field>
      )}
      <Field label={t('label')} hint={t('labelHint')} error={fieldError(error, 'label')}>
        {(props) => <input {...props} autoComplete="off" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />}
      </Field>
      <ChoiceField label={t('type')} hint={attribute ? t('typeFixed') : t('typeHint')} error={fieldError(error, 'type')} value={form.type} values={attributeTypes} optionLabel={typeName} disabled={attribute !== null} onChange={(type) => setForm({ ...form, type })} />
      {form.type === 'enum' ? (
        <Field label={t('options')} hint={t('optionsHint')} error={fieldError(error, 'options')}>
          {(props) => <textarea {...props} rows={5} value={form.options} onChange={(e) => setForm({ ...form, options: e.target.value })} />}
        </Field>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={form.personal} onChange={(e) => setForm({ ...form, personal: e.target.checked })} />
        {t('personal')}
      </label>
    </EditForm>
  );
}
