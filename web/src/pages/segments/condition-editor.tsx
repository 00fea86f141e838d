import { Field } from '../../components/ui.tsx';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import { channels, fieldGroup, fieldGroups, fieldWords, identifierKinds, knownWord, purposes, type FieldWord } from './field-words.ts';
import { rfmGroupWords, knownGroup } from './rfm-words.ts';
import { isList, isMoney, newCondition, noValue, type ConditionNode } from './rule-tree.ts';
import type { SegmentField } from './segment-types.ts';

const text = defineText({
  en: {
    not: 'Not',
    notHint: 'customers who do not match',
    field: 'Field',
    operator: 'Condition',
    value: 'Value',
    valueMoney: 'Amount, {currency}',
    from: 'From',
    to: 'To',
    listHint: 'Separate with commas',
    chooseHint: 'Hold Ctrl (⌘) to choose several',
    period: 'Period',
    allTime: 'all time',
    lastDays: 'the last N days',
    dates: 'between dates',
    days: 'Days',
    periodFrom: 'From date',
    periodTo: 'To date (not included, optional)',
    narrow: 'Only receipts with these products or stores',
    categories: 'Categories',
    brands: 'Brands',
    skus: 'SKUs',
    stores: 'Store ids',
    channel: 'Channel',
    anyChannel: 'offline and online',
    offline: 'offline',
    online: 'online',
    consentChannel: 'Channel',
    consentPurpose: 'Purpose',
    identifierKind: 'Identifier',
    attributeKey: 'Attribute key',
    withinDays: 'Within days',
    eventType: 'Event type',
    eventTypeHint: 'review.posted, app.login, or your own',
    properties: 'Properties',
    propertiesHint: 'name=value, separated with commas (rating=5)',
    segment: 'Segment',
    chooseSegment: 'Choose a segment',
    interaction: 'What happened',
    messageChannel: 'Channel',
    anyMessageChannel: 'any channel',
    source: 'Campaign or journey id',
    sourceHint: 'cmp_… or jrn_…; empty: all messages',
    topicKey: 'Topic key',
    topicKeyHint: 'as on the Topics page (news, offers)',
    remove: 'Remove condition',
  },
  ru: {
    not: 'Не',
    notHint: 'клиенты, которые не подходят',
    field: 'Поле',
    operator: 'Условие',
    value: 'Значение',
    valueMoney: 'Сумма, {currency}',
    from: 'От',
    to: 'До',
    listHint: 'Через запятую',
    chooseHint: 'Удерживайте Ctrl (⌘), чтобы выбрать несколько',
    period: 'Период',
    allTime: 'за всё время',
    lastDays: 'последние N дней',
    dates: 'между датами',
    days: 'Дней',
    periodFrom: 'С даты',
    periodTo: 'По дату (не включая, необязательно)',
    narrow: 'Только чеки с этими товарами или магазинами',
    categories: 'Категории',
    brands: 'Бренды',
    skus: 'Артикулы',
    stores: 'Коды магазинов',
    channel: 'Канал',
    anyChannel: 'офлайн и онлайн',
    offline: 'офлайн',
    online: 'онлайн',
    consentChannel: 'Канал',
    consentPurpose: 'Цель',
    identifierKind: 'Идентификатор',
    attributeKey: 'Ключ атрибута',
    withinDays: 'В течение дней',
    eventType: 'Тип события',
    eventTypeHint: 'review.posted, app.login или свой',
    properties: 'Свойства',
    propertiesHint: 'имя=значение через запятую (rating=5)',
    segment: 'Сегмент',
    chooseSegment: 'Выберите сегмент',
    interaction: 'Что произошло',
    messageChannel: 'Канал',
    anyMessageChannel: 'любой канал',
    source: 'Id рассылки или цепочки',
    sourceHint: 'cmp_… или jrn_…; пусто — все сообщения',
    topicKey: 'Ключ темы',
    topicKeyHint: 'как на странице «Темы» (news, offers)',
    remove: 'Удалить условие',
  },
});

type Props = {
  node: ConditionNode;
  fields: SegmentField[];
  segments: Array<{ id: string; name: string }>;
  /** The server's problems with this condition, in its words. */
  problems: string[];
  onChange: (next: ConditionNode) => void;
  onRemove: () => void;
};

/** One condition: a field, a condition on it and a value with the input its type takes, and the field's settings. */
export function ConditionEditor({ node, fields, segments, problems, onChange, onRemove }: Props) {
  const t = useText(text);
  const w = useText(fieldWords);
  const g = useText(rfmGroupWords);
  const { currency } = useLocale();
  const field = fields.find((f) => f.key === node.field);
  const label = (f: SegmentField) => (knownWord(f.key) ? w(f.key) : f.description);
  const set = (patch: Partial<ConditionNode>) => onChange({ ...node, ...patch });
  const setParam = (name: string, value: string) => onChange({ ...node, params: { ...node.params, [name]: value } });
  const valueLabel = field && isMoney(field.key) ? t('valueMoney', { currency }) : t('value');
  const valueWord = (v: string) => (field?.key === 'rfm.group' && knownGroup(v) ? g(v) : knownWord(`gender.${v}`) ? w(`gender.${v}` as 'gender.male') : v);

  const valueInput = (which: 'value' | 'value2', labelText: string) => {
    if (!field) return null;
    const current = node[which];
    const onValue = (value: string) => set({ [which]: value });
    if (field.kind === 'boolean') {
      return (
        <Field label={labelText}>
          {(props) => (
            <select {...props} value={current} onChange={(e) => onValue(e.target.value)}>
              <option value="true">{w('yes')}</option>
              <option value="false">{w('no')}</option>
            </select>
          )}
        </Field>
      );
    }
    if (field.values && isList(node.op)) {
      const chosen = current.split(',').map((v) => v.trim()).filter(Boolean);
      return (
        <Field label={labelText} hint={t('chooseHint')}>
          {(props) => (
            <select {...props} multiple value={chosen} onChange={(e) => onValue(Array.from(e.target.selectedOptions, (o) => o.value).join(','))}>
              {field.values!.map((v) => <option key={v} value={v}>{valueWord(v)}</option>)}
            </select>
          )}
        </Field>
      );
    }
    if (field.values && (node.op === 'eq' || node.op === 'ne')) {
      return (
        <Field label={labelText}>
          {(props) => (
            <select {...props} value={current} onChange={(e) => onValue(e.target.value)}>
              <option value="" />
              {field.values!.map((v) => <option key={v} value={v}>{valueWord(v)}</option>)}
            </select>
          )}
        </Field>
      );
    }
    const type = field.kind === 'date' ? 'date' : 'text';
    const numeric = field.kind === 'number';
    return (
      <Field label={labelText} {...(isList(node.op) ? { hint: t('listHint') } : {})}>
        {(props) => <input {...props} type={type} inputMode={numeric ? 'decimal' : undefined} value={current} onChange={(e) => onValue(e.target.value)} />}
      </Field>
    );
  };

  const paramInputs = () => {
    if (!field) return null;
    const out = [];
    for (const name of Object.keys(field.params)) {
      if (name === 'window') {
        const mode = node.params.windowMode ?? 'all';
        out.push(
          <Field key="window" label={t('period')}>
            {(props) => (
              <select {...props} value={mode} onChange={(e) => setParam('windowMode', e.target.value)}>
                <option value="all">{t('allTime')}</option>
                <option value="days">{t('lastDays')}</option>
                <option value="range">{t('dates')}</option>
              </select>
            )}
          </Field>,
        );
        if (mode === 'days') out.push(<Field key="days" label={t('days')}>{(props) => <input {...props} inputMode="numeric" value={node.params.windowDays ?? ''} onChange={(e) => setParam('windowDays', e.target.value)} />}</Field>);
        if (mode === 'range') {
          out.push(<Field key="from" label={t('periodFrom')}>{(props) => <input {...props} type="date" value={node.params.windowFrom ?? ''} onChange={(e) => setParam('windowFrom', e.target.value)} />}</Field>);
          out.push(<Field key="to" label={t('periodTo')}>{(props) => <input {...props} type="date" value={node.params.windowTo ?? ''} onChange={(e) => setParam('windowTo', e.target.value)} />}</Field>);
        }
      } else if (name === 'channel' && field.key === 'consent') {
        out.push(<Field key={name} label={t('consentChannel')}>{(props) => <select {...props} value={node.params.channel ?? ''} onChange={(e) => setParam('channel', e.target.value)}>{channels.map((c) => <option key={c} value={c}>{w(`channel.${c}`)}</option>)}</select>}</Field>);
      } else if (name === 'purpose') {
        out.push(<Field key={name} label={t('consentPurpose')}>{(props) => <select {...props} value={node.params.purpose ?? ''} onChange={(e) => setParam('purpose', e.target.value)}>{purposes.map((p) => <option key={p} value={p}>{w(`purpose.${p}`)}</option>)}</select>}</Field>);
      } else if (name === 'kind' && field.key === 'identifier') {
        out.push(<Field key={name} label={t('identifierKind')}>{(props) => <select {...props} value={node.params.kind ?? ''} onChange={(e) => setParam('kind', e.target.value)}>{identifierKinds.map((k) => <option key={k} value={k}>{w(`kind.${k}`)}</option>)}</select>}</Field>);
      } else if (name === 'id' && field.key === 'segment') {
        out.push(
          <Field key={name} label={t('segment')}>
            {(props) => (
              <select {...props} value={node.params.id ?? ''} onChange={(e) => setParam('id', e.target.value)}>
                <option value="">{t('chooseSegment')}</option>
                {segments.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
              </select>
            )}
          </Field>,
        );
      } else if (field.key === 'messages.count' && (name === 'interaction' || name === 'channel')) {
        // Fixed values (the field list names them): a choice, in words.
        const values = field.params[name]!.values ?? [];
        const prefix = name === 'interaction' ? 'interaction' : 'messageChannel';
        const say = (value: string) => (knownWord(`${prefix}.${value}`) ? w(`${prefix}.${value}` as FieldWord) : value);
        out.push(
          <Field key={name} label={t(name === 'interaction' ? 'interaction' : 'messageChannel')}>
            {(props) => (
              <select {...props} value={node.params[name] ?? ''} onChange={(e) => setParam(name, e.target.value)}>
                {field.params[name]!.required ? null : <option value="">{t('anyMessageChannel')}</option>}
                {values.map((value) => <option key={value} value={value}>{say(value)}</option>)}
              </select>
            )}
          </Field>,
        );
      } else if (name !== 'filter') {
        const words: Record<string, { label: string; hint?: string }> = {
          key: field.key === 'topic' ? { label: t('topicKey'), hint: t('topicKeyHint') } : { label: t('attributeKey') },
          source: { label: t('source'), hint: t('sourceHint') },
          withinDays: { label: t('withinDays') },
          type: { label: t('eventType'), hint: t('eventTypeHint') },
          properties: { label: t('properties'), hint: t('propertiesHint') },
        };
        const word = words[name] ?? { label: name, hint: field.params[name]!.description };
        out.push(<Field key={name} label={word.label} {...(word.hint ? { hint: word.hint } : {})}>{(props) => <input {...props} value={node.params[name] ?? ''} onChange={(e) => setParam(name, e.target.value)} />}</Field>);
      }
    }
    return out;
  };

  return (
    <div className="condition">
      <div className="condition-row">
        <label className="check not-toggle">
          <input type="checkbox" checked={node.not} onChange={(e) => set({ not: e.target.checked })} aria-describedby={`${node.id}-not`} />
          {t('not')}
          <span className="visually-hidden" id={`${node.id}-not`}>{t('notHint')}</span>
        </label>
        <Field label={t('field')}>
          {(props) => (
            <select
              {...props}
              value={node.field}
              onChange={(e) => {
                const next = fields.find((f) => f.key === e.target.value);
                if (next) onChange({ ...newCondition(next), id: node.id, not: node.not });
              }}
            >
              {fieldGroups.map((group) => {
                const inGroup = fields.filter((f) => fieldGroup(f.key) === group);
                return inGroup.length ? <optgroup key={group} label={w(group)}>{inGroup.map((f) => <option key={f.key} value={f.key}>{label(f)}</option>)}</optgroup> : null;
              })}
            </select>
          )}
        </Field>
        {field && field.operators.length > 1 ? (
          <Field label={t('operator')}>
            {(props) => (
              <select {...props} value={node.op} onChange={(e) => set({ op: e.target.value })}>
                {field.operators.map((op) => <option key={op} value={op}>{knownWord(`op.${op}`) ? w(`op.${op}` as 'op.eq') : op}</option>)}
              </select>
            )}
          </Field>
        ) : null}
        {field && !noValue(node.op) ? valueInput('value', node.op === 'between' ? t('from') : valueLabel) : null}
        {field && node.op === 'between' ? valueInput('value2', t('to')) : null}
        <button type="button" className="icon remove" aria-label={t('remove')} title={t('remove')} onClick={onRemove}>×</button>
      </div>
      {field && Object.keys(field.params).length ? <div className="condition-params">{paramInputs()}</div> : null}
      {field && 'filter' in field.params ? (
        <details className="condition-filter" open={Object.keys(node.params).some((k) => k.startsWith('filter.') && node.params[k])}>
          <summary>{t('narrow')}</summary>
          <div className="condition-params">
            {(['categories', 'brands', 'skus', 'stores'] as const).map((list) => (
              <Field key={list} label={t(list)} hint={t('listHint')}>
                {(props) => <input {...props} value={node.params[`filter.${list}`] ?? ''} onChange={(e) => setParam(`filter.${list}`, e.target.value)} />}
              </Field>
            ))}
            <Field label={t('channel')}>
              {(props) => (
                <select {...props} value={node.params['filter.channel'] ?? ''} onChange={(e) => setParam('filter.channel', e.target.value)}>
                  <option value="">{t('anyChannel')}</option>
                  <option value="offline">{t('offline')}</option>
                  <option value="online">{t('online')}</option>
                </select>
              )}
            </Field>
          </div>
        </details>
      ) : null}
      {problems.length ? (
        <ul className="field-error condition-problems">
          {problems.map((problem) => <li key={problem}>{problem}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
