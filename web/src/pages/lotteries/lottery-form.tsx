import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Page as ListPage } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { namesShownField, numberOf, problemAt } from '../../components/lotteries-fields.ts';
import { isoOf, localDateTime, type EntryRule, type Lottery } from './lottery-types.ts';
import './lotteries.css';

const text = defineText({
  en: {
    newTitle: 'New lottery',
    editTitle: 'Change “{name}”',
    intro: 'When customers earn entries, how many, and the prizes in the order they are drawn. Patron fixes the secret seed when the lottery is created and publishes its fingerprint at once.',
    back: 'Back',
    about: 'The lottery',
    name: 'Name',
    description: 'Description',
    descriptionHint: 'What customers read about it (optional)',
    from: 'Entries from',
    to: 'Entries until',
    toHint: 'Not included: the draw may run from this moment on',
    rules: 'How customers earn entries',
    rulesIntro: 'A customer’s entries are the sum over the rules.',
    rule: 'Rule {n}',
    kind: 'Entries for (rule {n})',
    spend: 'Spending',
    action: 'An action',
    perMoney: 'One entry per this spend (rule {n})',
    perMoneyHint: 'In the program’s currency: net of refunds, receipts recorded in the period',
    tiers: 'Tier multipliers (rule {n})',
    tiersHint: 'Optional: tier id and multiplier, comma separated: gold: 2, silver: 1',
    eventType: 'Event type (rule {n})',
    eventTypeHint: 'A customer event accepted in the period: survey.answered, app.login …',
    entries: 'Entries per event (rule {n})',
    maxEntries: 'At most entries per customer (rule {n})',
    maxHint: 'Optional',
    addRule: 'Add a rule',
    removeRule: 'Remove rule {n}',
    prizes: 'Prizes',
    prizesIntro: 'In draw order: the first prize goes to the first winner drawn. One prize per customer.',
    prize: 'Prize {n}',
    prizeName: 'Prize name ({n})',
    count: 'Winners of prize {n}',
    rewardId: 'Reward from the catalog (prize {n})',
    rewardHint: 'Optional: the id of an active reward (suggested as you type) the winner receives at once; left empty, the prize is handed over by hand',
    addPrize: 'Add a prize',
    removePrize: 'Remove prize {n}',
    up: 'Move prize {n} up',
    down: 'Move prize {n} down',
    create: 'Create the lottery',
    save: 'Save the changes',
    locked: 'The entry period has started: only the name and the description can change now.',
    readOnly: 'Your role may read lotteries but not change them.',
    conflict: 'Someone else saved this lottery after you opened it. Reload the page to see their version, then make your change again.',
    reload: 'Reload',
    tiersWrong: 'Write each tier as “id: multiplier”, separated by commas',
  },
  ru: {
    newTitle: 'Новый розыгрыш',
    editTitle: 'Изменить «{name}»',
    intro: 'Когда клиенты получают участия, сколько, и призы в порядке розыгрыша. Секретное зерно Patron фиксирует при создании розыгрыша и сразу публикует его отпечаток.',
    back: 'Назад',
    about: 'Розыгрыш',
    name: 'Название',
    description: 'Описание',
    descriptionHint: 'Что о нём прочтут клиенты (необязательно)',
    from: 'Участия с',
    to: 'Участия до',
    toHint: 'Не включительно: розыгрыш можно провести с этого момента',
    rules: 'За что клиенты получают участия',
    rulesIntro: 'Участия клиента — сумма по всем правилам.',
    rule: 'Правило {n}',
    kind: 'Участия за (правило {n})',
    spend: 'Покупки',
    action: 'Действие',
    perMoney: 'Одно участие за сумму (правило {n})',
    perMoneyHint: 'В валюте программы: за вычетом возвратов, чеки, записанные в период',
    tiers: 'Множители уровней (правило {n})',
    tiersHint: 'Необязательно: идентификатор уровня и множитель через запятую: gold: 2, silver: 1',
    eventType: 'Тип события (правило {n})',
    eventTypeHint: 'Событие клиента, принятое в период: survey.answered, app.login …',
    entries: 'Участий за событие (правило {n})',
    maxEntries: 'Не больше участий на клиента (правило {n})',
    maxHint: 'Необязательно',
    addRule: 'Добавить правило',
    removeRule: 'Удалить правило {n}',
    prizes: 'Призы',
    prizesIntro: 'В порядке розыгрыша: первый приз — первому вытянутому победителю. Один приз на клиента.',
    prize: 'Приз {n}',
    prizeName: 'Название приза ({n})',
    count: 'Победителей приза {n}',
    rewardId: 'Награда из каталога (приз {n})',
    rewardHint: 'Необязательно: идентификатор активной награды (подсказывается при вводе), которую победитель получит сразу; если пусто — приз вручают вручную',
    addPrize: 'Добавить приз',
    removePrize: 'Удалить приз {n}',
    up: 'Поднять приз {n}',
    down: 'Опустить приз {n}',
    create: 'Создать розыгрыш',
    save: 'Сохранить изменения',
    locked: 'Период участия начался: теперь можно менять только название и описание.',
    readOnly: 'Ваша роль может смотреть розыгрыши, но не менять их.',
    conflict: 'Кто-то сохранил этот розыгрыш после того, как вы его открыли. Обновите страницу, чтобы увидеть его версию, и внесите изменение снова.',
    reload: 'Обновить',
    tiersWrong: 'Запишите каждый уровень как «идентификатор: множитель» через запятую',
  },
});

type RuleForm = { kind: 'spend' | 'action'; perMoney: string; tiers: string; eventType: string; entries: string; maxEntries: string };
type PrizeForm = { name: string; rewardId: string; count: string };
type Form = { name: string; description: string; from: string; to: string; rules: RuleForm[]; prizes: PrizeForm[] };

const blankRule: RuleForm = { kind: 'spend', perMoney: '', tiers: '', eventType: '', entries: '1', maxEntries: '' };
const blankPrize: PrizeForm = { name: '', rewardId: '', count: '1' };
const blank: Form = { name: '', description: '', from: '', to: '', rules: [blankRule], prizes: [blankPrize] };

function formOf(lottery: Lottery): Form {
  return {
    name: lottery.name,
    description: lottery.description ?? '',
    from: localDateTime(lottery.entryPeriod.from),
    to: localDateTime(lottery.entryPeriod.to),
    rules: lottery.rules.map((rule) =>
      rule.kind === 'spend'
        ? { ...blankRule, kind: 'spend', perMoney: String(rule.perMinor / 100), tiers: Object.entries(rule.tierMultipliers ?? {}).map(([tier, factor]) => `${tier}: ${factor}`).join(', '), maxEntries: rule.maxEntries ? String(rule.maxEntries) : '' }
        : { ...blankRule, kind: 'action', eventType: rule.eventType, entries: String(rule.entries), maxEntries: rule.maxEntries ? String(rule.maxEntries) : '' },
    ),
    prizes: lottery.prizes.map((prize) => ({ name: prize.name, rewardId: prize.rewardId ?? '', count: String(prize.count) })),
  };
}

/** "gold: 2, silver: 1" as the API's {gold: 2, silver: 1}; null when it cannot be read. */
function tiersOf(text: string): Record<string, number | string> | null | undefined {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const out: Record<string, number | string> = {};
  for (const part of parts) {
    const match = /^([^:=\s]+)\s*[:=]\s*(\S+)$/.exec(part);
    if (!match) return null;
    out[match[1]!] = numberOf(match[2]!) ?? match[2]!;
  }
  return out;
}

const compact = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== ''));

function ruleBody(rule: RuleForm): Record<string, unknown> {
  const maxEntries = numberOf(rule.maxEntries);
  if (rule.kind === 'spend') return compact({ kind: 'spend', perMinor: numberOf(rule.perMoney, 100) ?? null, tierMultipliers: tiersOf(rule.tiers) ?? undefined, maxEntries });
  return compact({ kind: 'action', eventType: rule.eventType.trim(), entries: numberOf(rule.entries) ?? null, maxEntries });
}

export default function LotteryForm({ params }: PageProps) {
  const t = useText(text);
  const can = useCan();
  const creating = !params.id;
  const loaded = useResource((signal) => (creating ? Promise.resolve(null) : api.get<Lottery>(`/v1/lotteries/${encodeURIComponent(params.id!)}`, undefined, signal)), [params.id]);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const current = loaded.data;
  const mayWrite = can('lotteries:write');
  // The catalog's active rewards, offered as the prize's reward id is typed (a suggestion only: any id may be typed).
  const mayReadRewards = can('rewards:read');
  const rewards = useResource((signal) => (mayReadRewards ? api.get<ListPage<{ id: string; name: string }>>('/v1/rewards', { status: 'active', limit: 200 }, signal) : Promise.resolve(null)), [mayReadRewards]);

  useEffect(() => {
    if (current && !form) setForm(formOf(current));
  }, [current, form]);

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!form || (!creating && !current)) return <Loading />;

  const definitionLocked = current !== null && current.status !== 'upcoming';
  const back = current ? `/program/lotteries/${current.id}` : '/program/lotteries';
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const setRule = (i: number, patch: Partial<RuleForm>) => set({ rules: form.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setPrize = (i: number, patch: Partial<PrizeForm>) => set({ prizes: form.prizes.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const movePrize = (i: number, by: number) => {
    const prizes = [...form.prizes];
    const [moved] = prizes.splice(i, 1);
    prizes.splice(i + by, 0, moved!);
    set({ prizes });
  };
  const problem = (...paths: string[]) => problemAt(error, ...paths);
  const tiersProblem = (i: number) => (tiersOf(form.rules[i]!.tiers) === null ? t('tiersWrong') : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (form.rules.some((_, i) => tiersProblem(i))) return;
    const definition = {
      entryPeriod: { from: isoOf(form.from), to: isoOf(form.to) },
      rules: form.rules.map(ruleBody) as EntryRule[],
      prizes: form.prizes.map((p) => compact({ name: p.name.trim(), rewardId: p.rewardId.trim(), count: numberOf(p.count) ?? null })),
    };
    setSaving(true);
    setError(null);
    try {
      if (current) {
        const patch = { name: form.name.trim(), description: form.description.trim() || null, ...(definitionLocked ? {} : definition), version: current.version };
        await api.patch<Lottery>(`/v1/lotteries/${current.id}`, patch);
        navigate(`/program/lotteries/${current.id}?saved=1`);
      } else {
        const created = await api.post<Lottery>('/v1/lotteries', compact({ name: form.name.trim(), description: form.description.trim(), ...definition }));
        navigate(`/program/lotteries/${created.id}?created=1`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  const conflict = error instanceof ApiError && error.code === 'lottery.version_conflict';
  const shownField = (field: string) => /^(name|rules|prizes|description|entryPeriod\.(from|to)|rules\.\d+\.(kind|perMinor|tierMultipliers|eventType|entries|maxEntries)|prizes\.\d+\.(name|rewardId|count))$/.test(field);
  const unplaced = error && !conflict && !namesShownField(error, shownField) ? error : null;
  const textInput = (label: string, value: string, onChange: (value: string) => void, paths: string[], options: { hint?: string; type?: string; inputMode?: 'decimal' | 'numeric'; extraError?: string | null; list?: string } = {}) => (
    <Field label={label} hint={options.hint} error={options.extraError ?? problem(...paths)}>
      {(props) => <input {...props} type={options.type ?? 'text'} inputMode={options.inputMode} list={options.list} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );

  return (
    <Page title={creating ? t('newTitle') : t('editTitle', { name: current?.name ?? '' })} intro={t('intro')} actions={<Link to={back}>{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {definitionLocked ? <Notice tone="warning">{t('locked')}</Notice> : null}
      <form className="form lottery-form" noValidate onSubmit={(event) => void submit(event)}>
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict')}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={unplaced} />
        <fieldset disabled={!mayWrite}>
          <Card title={t('about')}>
            {textInput(t('name'), form.name, (name) => set({ name }), ['name'])}
            <Field label={t('description')} hint={t('descriptionHint')} error={problem('description')}>
              {(props) => <textarea {...props} rows={3} value={form.description} onChange={(e) => set({ description: e.target.value })} />}
            </Field>
            <fieldset disabled={definitionLocked}>
              <div className="form-row">
                {textInput(t('from'), form.from, (from) => set({ from }), ['entryPeriod.from'], { type: 'datetime-local' })}
                {textInput(t('to'), form.to, (to) => set({ to }), ['entryPeriod.to'], { type: 'datetime-local', hint: t('toHint') })}
              </div>
            </fieldset>
          </Card>
          <fieldset disabled={definitionLocked}>
            <Card title={t('rules')}>
              <p className="muted">{t('rulesIntro')}</p>
              {form.rules.map((rule, i) => {
                const n = i + 1;
                const at = (field: string) => [`rules.${i}.${field}`];
                return (
                  <fieldset key={i} className="repeat-item">
                    <legend>{t('rule', { n })}</legend>
                    <div className="form-row">
                      <Field label={t('kind', { n })} error={problem(...at('kind'))}>
                        {(props) => (
                          <select {...props} value={rule.kind} onChange={(e) => setRule(i, { kind: e.target.value as RuleForm['kind'] })}>
                            <option value="spend">{t('spend')}</option>
                            <option value="action">{t('action')}</option>
                          </select>
                        )}
                      </Field>
                      {rule.kind === 'spend'
                        ? textInput(t('perMoney', { n }), rule.perMoney, (perMoney) => setRule(i, { perMoney }), at('perMinor'), { hint: t('perMoneyHint'), inputMode: 'decimal' })
                        : textInput(t('eventType', { n }), rule.eventType, (eventType) => setRule(i, { eventType }), at('eventType'), { hint: t('eventTypeHint') })}
                    </div>
                    <div className="form-row">
                      {rule.kind === 'spend'
                        ? textInput(t('tiers', { n }), rule.tiers, (tiers) => setRule(i, { tiers }), at('tierMultipliers'), { hint: t('tiersHint'), extraError: tiersProblem(i) })
                        : textInput(t('entries', { n }), rule.entries, (entries) => setRule(i, { entries }), at('entries'), { inputMode: 'numeric' })}
                      {textInput(t('maxEntries', { n }), rule.maxEntries, (maxEntries) => setRule(i, { maxEntries }), at('maxEntries'), { hint: t('maxHint'), inputMode: 'numeric' })}
                    </div>
                    {form.rules.length > 1 ? (
                      <div className="repeat-actions">
                        <button type="button" className="secondary" onClick={() => set({ rules: form.rules.filter((_, j) => j !== i) })}>
                          {t('removeRule', { n })}
                        </button>
                      </div>
                    ) : null}
                  </fieldset>
                );
              })}
              {problem('rules') ? <p className="field-error">{problem('rules')}</p> : null}
              <button type="button" className="secondary" onClick={() => set({ rules: [...form.rules, blankRule] })}>
                {t('addRule')}
              </button>
            </Card>
            <Card title={t('prizes')}>
              <p className="muted">{t('prizesIntro')}</p>
              {form.prizes.map((prize, i) => {
                const n = i + 1;
                const at = (field: string) => [`prizes.${i}.${field}`];
                return (
                  <fieldset key={i} className="repeat-item">
                    <legend>{t('prize', { n })}</legend>
                    <div className="form-row">
                      {textInput(t('prizeName', { n }), prize.name, (name) => setPrize(i, { name }), at('name'))}
                      {textInput(t('count', { n }), prize.count, (count) => setPrize(i, { count }), at('count'), { inputMode: 'numeric' })}
                    </div>
                    {textInput(t('rewardId', { n }), prize.rewardId, (rewardId) => setPrize(i, { rewardId }), at('rewardId'), { hint: t('rewardHint'), list: 'lottery-rewards' })}
                    <div className="repeat-actions">
                      {i > 0 ? (
                        <button type="button" className="secondary" onClick={() => movePrize(i, -1)}>
                          {t('up', { n })}
                        </button>
                      ) : null}
                      {i < form.prizes.length - 1 ? (
                        <button type="button" className="secondary" onClick={() => movePrize(i, 1)}>
                          {t('down', { n })}
                        </button>
                      ) : null}
                      {form.prizes.length > 1 ? (
                        <button type="button" className="secondary" onClick={() => set({ prizes: form.prizes.filter((_, j) => j !== i) })}>
                          {t('removePrize', { n })}
                        </button>
                      ) : null}
                    </div>
                  </fieldset>
                );
              })}
              <datalist id="lottery-rewards">
                {(rewards.data?.items ?? []).map((reward) => (
                  <option key={reward.id} value={reward.id} label={reward.name} />
                ))}
              </datalist>
              {problem('prizes') ? <p className="field-error">{problem('prizes')}</p> : null}
              <button type="button" className="secondary" onClick={() => set({ prizes: [...form.prizes, blankPrize] })}>
                {t('addPrize')}
              </button>
            </Card>
          </fieldset>
          <div className="actions form-actions">
            <button type="submit" className="primary" disabled={saving}>
              {creating ? t('create') : t('save')}
            </button>
          </div>
        </fieldset>
      </form>
    </Page>
  );
}
