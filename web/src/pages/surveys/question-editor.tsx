import { Field } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { hasOptions, questionTypes, type QuestionType } from './survey-types.ts';
import { surveyWords } from './survey-words.ts';

const text = defineText({
  en: {
    question: 'Question {n}',
    type: 'Type of question {n}',
    ru: 'Question {n} in Russian',
    en: 'Question {n} in English',
    textHint: 'At least one of the two languages; a customer sees theirs, else the other',
    required: 'Question {n} must be answered',
    min: 'Lowest value (question {n})',
    max: 'Highest value (question {n})',
    minHint: '1 when empty',
    maxHint: '5 when empty; at most 20 above the lowest',
    maxLength: 'Longest answer in characters (question {n})',
    maxLengthHint: '1000 when empty',
    options: 'Options of question {n}',
    optionsHint: '2 to 30; a ranking asks the customer to order all of them, best first',
    optionRu: 'Option {m} of question {n} in Russian',
    optionEn: 'Option {m} of question {n} in English',
    removeOption: 'Remove option {m} of question {n}',
    addOption: 'Add an option to question {n}',
    up: 'Move question {n} up',
    down: 'Move question {n} down',
    remove: 'Remove question {n}',
  },
  ru: {
    question: 'Вопрос {n}',
    type: 'Тип вопроса {n}',
    ru: 'Вопрос {n} по-русски',
    en: 'Вопрос {n} по-английски',
    textHint: 'Хотя бы на одном из двух языков; клиент видит свой, иначе другой',
    required: 'На вопрос {n} нужно ответить',
    min: 'Наименьшее значение (вопрос {n})',
    max: 'Наибольшее значение (вопрос {n})',
    minHint: 'Если пусто — 1',
    maxHint: 'Если пусто — 5; не больше чем на 20 выше наименьшего',
    maxLength: 'Самый длинный ответ в символах (вопрос {n})',
    maxLengthHint: 'Если пусто — 1000',
    options: 'Варианты вопроса {n}',
    optionsHint: 'От 2 до 30; в ранжировании клиент упорядочивает все, лучший первым',
    optionRu: 'Вариант {m} вопроса {n} по-русски',
    optionEn: 'Вариант {m} вопроса {n} по-английски',
    removeOption: 'Удалить вариант {m} вопроса {n}',
    addOption: 'Добавить вариант к вопросу {n}',
    up: 'Поднять вопрос {n}',
    down: 'Опустить вопрос {n}',
    remove: 'Удалить вопрос {n}',
  },
});

export type OptionForm = { id?: string; ru: string; en: string };
export type QuestionForm = { id?: string; type: QuestionType; ru: string; en: string; required: boolean; min: string; max: string; maxLength: string; options: OptionForm[] };

export const blankQuestion = (type: QuestionType = 'nps'): QuestionForm => ({
  type,
  ru: '',
  en: '',
  required: true,
  min: '',
  max: '',
  maxLength: '',
  options: hasOptions(type) ? [{ ru: '', en: '' }, { ru: '', en: '' }] : [],
});

/** One question of the survey form: its type, its text in both languages and its settings. */
export function QuestionEditor({
  question,
  index,
  count,
  onChange,
  onMove,
  onRemove,
  problem,
}: {
  question: QuestionForm;
  index: number;
  count: number;
  onChange: (question: QuestionForm) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
  problem: (...paths: string[]) => string | null;
}) {
  const t = useText(text);
  const w = useText(surveyWords);
  const n = index + 1;
  const at = (field: string) => `questions.${index}.${field}`;
  const set = (patch: Partial<QuestionForm>) => onChange({ ...question, ...patch });
  const setType = (type: QuestionType) => set({ type, options: hasOptions(type) ? (question.options.length ? question.options : blankQuestion(type).options) : [] });
  const setOption = (m: number, patch: Partial<OptionForm>) => set({ options: question.options.map((o, j) => (j === m ? { ...o, ...patch } : o)) });
  const input = (label: string, value: string, onValue: (value: string) => void, paths: string[], hint?: string, inputMode?: 'numeric') => (
    <Field label={label} hint={hint} error={problem(...paths)}>
      {(props) => <input {...props} inputMode={inputMode} value={value} onChange={(e) => onValue(e.target.value)} />}
    </Field>
  );

  return (
    <fieldset className="repeat-item">
      <legend>{t('question', { n })}</legend>
      <div className="form-row">
        <Field label={t('type', { n })} error={problem(at('type'))}>
          {(props) => (
            <select {...props} value={question.type} onChange={(e) => setType(e.target.value as QuestionType)}>
              {questionTypes.map((type) => (
                <option key={type} value={type}>
                  {w(`type_${type}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={question.required} onChange={(e) => set({ required: e.target.checked })} />
          {t('required', { n })}
        </label>
      </div>
      {input(t('ru', { n }), question.ru, (ru) => set({ ru }), [at('text'), at('text.ru')], t('textHint'))}
      {input(t('en', { n }), question.en, (en) => set({ en }), [at('text.en')])}
      {question.type === 'rating' ? (
        <div className="form-row">
          {input(t('min', { n }), question.min, (min) => set({ min }), [at('min')], t('minHint'), 'numeric')}
          {input(t('max', { n }), question.max, (max) => set({ max }), [at('max')], t('maxHint'), 'numeric')}
        </div>
      ) : null}
      {question.type === 'text' ? input(t('maxLength', { n }), question.maxLength, (maxLength) => set({ maxLength }), [at('maxLength')], t('maxLengthHint'), 'numeric') : null}
      {hasOptions(question.type) ? (
        <fieldset className="options">
          <legend>{t('options', { n })}</legend>
          <p className="hint">{t('optionsHint')}</p>
          {problem(at('options')) ? <p className="field-error">{problem(at('options'))}</p> : null}
          {question.options.map((option, m) => (
            <div className="form-row option-row" key={m}>
              {input(t('optionRu', { m: m + 1, n }), option.ru, (ru) => setOption(m, { ru }), [at(`options.${m}.text`), at(`options.${m}.text.ru`), at(`options.${m}.id`)])}
              {input(t('optionEn', { m: m + 1, n }), option.en, (en) => setOption(m, { en }), [at(`options.${m}.text.en`)])}
              <div className="option-remove">
                <button type="button" className="secondary" aria-label={t('removeOption', { m: m + 1, n })} onClick={() => set({ options: question.options.filter((_, j) => j !== m) })}>
                  ×
                </button>
              </div>
            </div>
          ))}
          <div className="repeat-actions">
            <button type="button" className="secondary" onClick={() => set({ options: [...question.options, { ru: '', en: '' }] })}>
              {t('addOption', { n })}
            </button>
          </div>
        </fieldset>
      ) : null}
      <div className="repeat-actions">
        {index > 0 ? (
          <button type="button" className="secondary" onClick={() => onMove(-1)}>
            {t('up', { n })}
          </button>
        ) : null}
        {index < count - 1 ? (
          <button type="button" className="secondary" onClick={() => onMove(1)}>
            {t('down', { n })}
          </button>
        ) : null}
        {count > 1 ? (
          <button type="button" className="secondary" onClick={onRemove}>
            {t('remove', { n })}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
