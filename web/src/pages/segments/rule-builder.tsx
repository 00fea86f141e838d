import { defineText, useText } from '../../i18n.tsx';
import { ConditionEditor } from './condition-editor.tsx';
import { newCondition, newGroup, type GroupNode, type Join, type RuleNodeDraft } from './rule-tree.ts';
import type { SegmentField } from './segment-types.ts';

const text = defineText({
  en: {
    group: 'Group of conditions',
    rootGroup: 'Customers who match',
    join: 'Match',
    all: 'all of these (AND)',
    any: 'any of these (OR)',
    not: 'Not: customers who do not match this group',
    addCondition: 'Add a condition',
    addGroup: 'Add a group',
    removeGroup: 'Remove the group',
    empty: 'No conditions yet: add one.',
    and: 'and',
    or: 'or',
  },
  ru: {
    group: 'Группа условий',
    rootGroup: 'Клиенты, которые подходят',
    join: 'Подходят',
    all: 'все условия (И)',
    any: 'любое из условий (ИЛИ)',
    not: 'Не: клиенты, которые не подходят под группу',
    addCondition: 'Добавить условие',
    addGroup: 'Добавить группу',
    removeGroup: 'Удалить группу',
    empty: 'Условий пока нет: добавьте первое.',
    and: 'и',
    or: 'или',
  },
});

/** The API nests at most 8 levels: the builder offers a new group only above that. */
const MAX_DEPTH = 8;

type Shared = { fields: SegmentField[]; segments: Array<{ id: string; name: string }>; problems: Map<string, string[]> };

/** The rule tree: groups of conditions joined by AND or OR, each group or condition negated by NOT, nested. */
export function RuleBuilder({ root, onChange, ...shared }: Shared & { root: GroupNode; onChange: (next: GroupNode) => void }) {
  return <GroupEditor node={root} depth={1} onChange={(next) => onChange(next ?? newGroup())} {...shared} />;
}

function GroupEditor({ node, depth, onChange, fields, segments, problems }: Shared & { node: GroupNode; depth: number; onChange: (next: GroupNode | null) => void }) {
  const t = useText(text);
  const isRoot = depth === 1;
  const setChild = (index: number, next: RuleNodeDraft | null) => {
    const children = node.children.slice();
    if (next) children[index] = next;
    else children.splice(index, 1);
    onChange({ ...node, children });
  };
  const firstField = fields[0];
  const own = problems.get(node.id) ?? [];
  return (
    <fieldset className={`rule-group depth-${Math.min(depth, 4)}${node.not ? ' negated' : ''}`}>
      <legend>{isRoot ? t('rootGroup') : t('group')}</legend>
      <div className="group-head">
        <div className="inline-field">
          <label htmlFor={`${node.id}-join`}>{t('join')}</label>
          <select id={`${node.id}-join`} value={node.join} onChange={(e) => onChange({ ...node, join: e.target.value as Join })}>
            <option value="all">{t('all')}</option>
            <option value="any">{t('any')}</option>
          </select>
        </div>
        {!isRoot ? (
          <>
            <label className="check">
              <input type="checkbox" checked={node.not} onChange={(e) => onChange({ ...node, not: e.target.checked })} />
              {t('not')}
            </label>
            <button type="button" className="link danger-link" onClick={() => onChange(null)}>
              {t('removeGroup')}
            </button>
          </>
        ) : null}
      </div>
      {node.children.length === 0 ? <p className="muted">{t('empty')}</p> : null}
      <ul className="rule-children">
        {node.children.map((child, index) => (
          <li key={child.id}>
            {index > 0 ? <span className="joiner" aria-hidden="true">{node.join === 'all' ? t('and') : t('or')}</span> : null}
            {child.type === 'group' ? (
              <GroupEditor node={child} depth={depth + 1} onChange={(next) => setChild(index, next)} fields={fields} segments={segments} problems={problems} />
            ) : (
              <ConditionEditor node={child} fields={fields} segments={segments} problems={problems.get(child.id) ?? []} onChange={(next) => setChild(index, next)} onRemove={() => setChild(index, null)} />
            )}
          </li>
        ))}
      </ul>
      {own.length ? (
        <ul className="field-error">
          {own.map((problem) => <li key={problem}>{problem}</li>)}
        </ul>
      ) : null}
      <div className="group-actions">
        {firstField ? (
          <button type="button" className="secondary" onClick={() => onChange({ ...node, children: [...node.children, newCondition(firstField)] })}>
            {t('addCondition')}
          </button>
        ) : null}
        {depth < MAX_DEPTH ? (
          <button type="button" className="secondary" onClick={() => onChange({ ...node, children: [...node.children, newGroup(node.join === 'all' ? 'any' : 'all')] })}>
            {t('addGroup')}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
