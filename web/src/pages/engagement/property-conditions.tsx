import { fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import type { PropertyValue } from './engagement-types.ts';

const text = defineText({
  en: {
    title: 'Event properties that must match',
    hint: 'Leave none for any event of this type. Each condition names a property the event carries and the value it must have: rating = 5 rewards five-star reviews only.',
    caption: 'Property conditions',
    property: 'Property',
    kind: 'Kind of value',
    value: 'Value',
    text: 'Text',
    number: 'Number',
    boolean: 'Yes or no',
    yes: 'Yes (true)',
    no: 'No (false)',
    add: 'Add a condition',
    remove: 'Remove',
    removeLabel: 'Remove condition {n}',
    rowLabel: '{field} (condition {n})',
    notNumber: 'Enter a number, like 5 or 4.5',
    noName: 'Name the property, or remove the condition',
    twice: 'This property is named twice',
    none: 'No conditions: every event of this type earns.',
  },
  ru: {
    title: 'Свойства события, которые должны совпасть',
    hint: 'Без условий начисляется за любое событие этого типа. Каждое условие называет свойство события и значение, которое оно должно иметь: rating = 5 — только за отзывы на пять звёзд.',
    caption: 'Условия на свойства',
    property: 'Свойство',
    kind: 'Вид значения',
    value: 'Значение',
    text: 'Текст',
    number: 'Число',
    boolean: 'Да или нет',
    yes: 'Да (true)',
    no: 'Нет (false)',
    add: 'Добавить условие',
    remove: 'Убрать',
    removeLabel: 'Убрать условие {n}',
    rowLabel: '{field} (условие {n})',
    notNumber: 'Введите число, например 5 или 4,5',
    noName: 'Назовите свойство или уберите условие',
    twice: 'Это свойство названо дважды',
    none: 'Условий нет: начисляется за каждое событие этого типа.',
  },
});

export type PropertyRow = { key: string; kind: 'text' | 'number' | 'boolean'; value: string };

export const rowsOf = (properties: Record<string, PropertyValue>): PropertyRow[] =>
  Object.entries(properties).map(([key, value]) =>
    typeof value === 'number' ? { key, kind: 'number', value: String(value) } : typeof value === 'boolean' ? { key, kind: 'boolean', value: String(value) } : { key, kind: 'text', value },
  );

/** What is wrong with a row before it is sent, if anything (the server checks the rest). */
export function rowProblem(rows: PropertyRow[], index: number): 'noName' | 'notNumber' | 'twice' | null {
  const row = rows[index]!;
  if (!row.key.trim()) return 'noName';
  if (rows.findIndex((other) => other.key.trim() === row.key.trim()) !== index) return 'twice';
  if (row.kind === 'number' && (row.value.trim() === '' || !Number.isFinite(Number(row.value.trim().replace(',', '.'))))) return 'notNumber';
  return null;
}

export const propertiesOf = (rows: PropertyRow[]): Record<string, PropertyValue> =>
  Object.fromEntries(rows.map((row) => [row.key.trim(), row.kind === 'number' ? Number(row.value.trim().replace(',', '.')) : row.kind === 'boolean' ? row.value === 'true' : row.value]));

/** The property conditions of an action rule: a row per property, its kind and the value it must equal. */
export function PropertyConditions({ rows, onChange, error, showProblems }: { rows: PropertyRow[]; onChange: (rows: PropertyRow[]) => void; error: unknown; showProblems: boolean }) {
  const t = useText(text);
  const change = (index: number, patch: Partial<PropertyRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="plain engage-properties">
      <legend className="engage-subhead">{t('title')}</legend>
      <p className="muted">{t('hint')}</p>
      {rows.length === 0 ? <p>{t('none')}</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('property')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('value')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                const n = index + 1;
                const local = showProblems ? rowProblem(rows, index) : null;
                const server = row.key.trim() ? fieldError(error, `properties/${row.key.trim()}`, `properties.${row.key.trim()}`) : null;
                const message = local ? t(local) : server;
                const errorId = `engage-property-${index}-error`;
                return (
                  <tr key={index}>
                    <td>
                      <input
                        aria-label={t('rowLabel', { field: t('property'), n })}
                        value={row.key}
                        onChange={(e) => change(index, { key: e.target.value })}
                        {...(local === 'noName' || local === 'twice' ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
                      />
                    </td>
                    <td>
                      <select aria-label={t('rowLabel', { field: t('kind'), n })} value={row.kind} onChange={(e) => change(index, { kind: e.target.value as PropertyRow['kind'], value: e.target.value === 'boolean' ? 'true' : row.value })}>
                        {(['text', 'number', 'boolean'] as const).map((kind) => (
                          <option key={kind} value={kind}>
                            {t(kind)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {row.kind === 'boolean' ? (
                        <select aria-label={t('rowLabel', { field: t('value'), n })} value={row.value} onChange={(e) => change(index, { value: e.target.value })}>
                          <option value="true">{t('yes')}</option>
                          <option value="false">{t('no')}</option>
                        </select>
                      ) : (
                        <input
                          aria-label={t('rowLabel', { field: t('value'), n })}
                          inputMode={row.kind === 'number' ? 'decimal' : 'text'}
                          value={row.value}
                          onChange={(e) => change(index, { value: e.target.value })}
                          {...(local === 'notNumber' || server ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
                        />
                      )}
                      {message ? (
                        <span className="field-error" id={errorId}>
                          {message}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      <button type="button" className="secondary" aria-label={t('removeLabel', { n })} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                        {t('remove')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <button type="button" className="secondary" onClick={() => onChange([...rows, { key: '', kind: 'text', value: '' }])}>
        {t('add')}
      </button>
    </fieldset>
  );
}
