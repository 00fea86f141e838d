import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, Stat, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { listOf, localDateTime, numberOf, textOf, type TierConfig } from '../program/program-types.ts';
import { RewardRemoval } from './reward-removal.tsx';
import { VoucherUpload } from './reward-vouchers.tsx';
import { rewardKinds, rewardStatuses, type Reward, type RewardKind, type RewardStatus } from './rewards-types.ts';
import { rewardWords } from './rewards-words.ts';
import './rewards.css';

const text = defineText({
  en: {
    newTitle: 'New reward',
    editTitle: 'Reward “{name}”',
    intro: 'What the customer gets, what it costs in points, how many there are and who may order it.',
    back: '← Rewards catalog',
    readOnly: 'Your role may read the reward but not change it.',
    created: 'The reward is created.',
    createdVouchers: 'The reward is created. Now upload the partner’s voucher codes below: without them it cannot be ordered.',
    name: 'Name',
    nameHint: 'As the customer sees it, e.g. “Branded coffee mug”',
    description: 'Description',
    kind: 'Kind',
    kindHint: 'Fixed once the reward has orders',
    status: 'Status',
    statusHint: 'Only rewards on sale can be ordered',
    pointsCost: 'Price in points',
    stock: 'Stock, units in all',
    stockHint: 'Left empty: unlimited. Cancelled orders give their unit back',
    perCustomer: 'Orders per customer',
    perCustomerHint: 'Left empty: no limit (cancelled orders do not count)',
    validFrom: 'On sale from',
    validTo: 'On sale until',
    optional: 'Optional',
    tiers: 'Only for these tiers',
    tiersHint: 'None ticked: every tier may order it',
    tiersText: 'Tiers (ids, comma-separated)',
    validDays: 'Days it lasts',
    validDaysGoods: 'Days the code lasts from the order; left empty: it never expires',
    validDaysPrivilege: 'Days the customer holds the privilege (required)',
    privilege: 'Privilege key',
    privilegeHint: 'What the till or app checks: priority_service, personal_manager, early_access, or one of your own (lowercase letters, digits, _)',
    partner: 'Partner',
    partnerHint: 'Whose voucher it is, shown to the customer',
    save: 'Save the reward',
    create: 'Create the reward',
    saving: 'Saving…',
    conflict: 'Someone changed this reward since you opened it. Reload to see their change, then make yours again.',
    reload: 'Reload',
    details: 'The reward',
    usage: 'Usage',
    issued: 'Ordered',
    cancelled: 'Cancelled',
    redeemed: 'Used at the till',
    stockLeft: 'Units left',
    vouchersFree: 'Vouchers free',
    unlimited: 'unlimited',
  },
  ru: {
    newTitle: 'Новая награда',
    editTitle: 'Награда «{name}»',
    intro: 'Что получает клиент, сколько это стоит в баллах, сколько штук в наличии и кто может заказать.',
    back: '← Каталог наград',
    readOnly: 'Ваша роль может смотреть награду, но не менять её.',
    created: 'Награда создана.',
    createdVouchers: 'Награда создана. Теперь загрузите ниже коды ваучеров партнёра: без них награду нельзя заказать.',
    name: 'Название',
    nameHint: 'Как его увидит клиент, например «Фирменная кружка»',
    description: 'Описание',
    kind: 'Вид',
    kindHint: 'Не меняется, когда у награды есть заказы',
    status: 'Статус',
    statusHint: 'Заказать можно только награду в продаже',
    pointsCost: 'Цена в баллах',
    stock: 'Запас, всего штук',
    stockHint: 'Пусто — без ограничения. Отменённый заказ возвращает свою штуку',
    perCustomer: 'Заказов на клиента',
    perCustomerHint: 'Пусто — без ограничения (отменённые заказы не считаются)',
    validFrom: 'В продаже с',
    validTo: 'В продаже до',
    optional: 'Необязательно',
    tiers: 'Только для уровней',
    tiersHint: 'Ничего не отмечено — любой уровень может заказать',
    tiersText: 'Уровни (идентификаторы через запятую)',
    validDays: 'Срок действия, дней',
    validDaysGoods: 'Сколько дней после заказа действует код; пусто — бессрочно',
    validDaysPrivilege: 'Сколько дней у клиента будет привилегия (обязательно)',
    privilege: 'Ключ привилегии',
    privilegeHint: 'Что проверяет касса или приложение: priority_service, personal_manager, early_access или свой (строчные латинские буквы, цифры, _)',
    partner: 'Партнёр',
    partnerHint: 'Чей это ваучер — его видит клиент',
    save: 'Сохранить награду',
    create: 'Создать награду',
    saving: 'Сохраняем…',
    conflict: 'Кто-то изменил эту награду, пока она была открыта у вас. Обновите страницу, чтобы увидеть изменение, и внесите своё снова.',
    reload: 'Обновить',
    details: 'Награда',
    usage: 'Использование',
    issued: 'Заказано',
    cancelled: 'Отменено',
    redeemed: 'Использовано на кассе',
    stockLeft: 'Осталось штук',
    vouchersFree: 'Свободных ваучеров',
    unlimited: 'без ограничения',
  },
});

type Form = {
  name: string;
  description: string;
  kind: RewardKind;
  status: RewardStatus;
  pointsCost: string;
  stock: string;
  perCustomer: string;
  validFrom: string;
  validTo: string;
  tiers: string[];
  validDays: string;
  privilege: string;
  partner: string;
};

const blank: Form = { name: '', description: '', kind: 'goods', status: 'draft', pointsCost: '', stock: '', perCustomer: '', validFrom: '', validTo: '', tiers: [], validDays: '', privilege: '', partner: '' };

const formOf = (r: Reward): Form => ({
  name: r.name,
  description: r.description ?? '',
  kind: r.kind,
  status: r.status,
  pointsCost: String(r.pointsCost),
  stock: r.stock === undefined ? '' : String(r.stock),
  perCustomer: r.perCustomer === undefined ? '' : String(r.perCustomer),
  validFrom: localDateTime(r.validFrom),
  validTo: localDateTime(r.validTo),
  tiers: r.tiers ?? [],
  validDays: r.validDays === undefined ? '' : String(r.validDays),
  privilege: r.privilege ?? '',
  partner: r.partner ?? '',
});

/** The body the API takes: only what is filled in, and only the fields of the chosen kind. */
function bodyOf(form: Form): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    description: form.description.trim() || undefined,
    kind: form.kind,
    status: form.status,
    pointsCost: numberOf(form.pointsCost) ?? '',
    stock: numberOf(form.stock),
    perCustomer: numberOf(form.perCustomer),
    validFrom: form.validFrom ? new Date(form.validFrom).toISOString() : undefined,
    validTo: form.validTo ? new Date(form.validTo).toISOString() : undefined,
    tiers: form.tiers.length ? form.tiers : undefined,
    validDays: form.kind === 'partner_voucher' ? undefined : numberOf(form.validDays),
    privilege: form.kind === 'privilege' ? form.privilege.trim() || undefined : undefined,
    partner: form.kind === 'partner_voucher' ? form.partner.trim() || undefined : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

const shownFields = ['name', 'description', 'kind', 'status', 'pointsCost', 'stock', 'perCustomer', 'validFrom', 'validTo', 'tiers', 'validDays', 'privilege', 'partner'];

/** A reward's page: create or change it, see its usage, upload vouchers, archive or delete it. */
export default function RewardForm({ params }: PageProps) {
  const t = useText(text);
  const w = useText(rewardWords);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const creating = !params.id;
  const mayWrite = can('rewards:write');
  const loaded = useResource((signal) => (creating ? Promise.resolve(null) : api.get<Reward>(`/v1/rewards/${encodeURIComponent(params.id!)}`, undefined, signal)), [params.id]);
  const tierConfig = useResource((signal) => (can('program:read') ? api.get<TierConfig>('/v1/tiers', undefined, signal) : Promise.reject(new Error('no tiers'))), []);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [tiersText, setTiersText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const current = loaded.data;

  useEffect(() => {
    if (current) {
      setForm(formOf(current));
      setTiersText(textOf(current.tiers));
    }
  }, [current]);

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!form || (!creating && !current)) return <Loading />;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const tiers = tierConfig.data?.tiers ?? null;
  const problem = (name: string) => fieldError(error, name);
  const conflict = error instanceof ApiError && error.code === 'reward.version_conflict';
  const unplaced = error && !conflict && !shownFields.some((name) => problem(name)) ? error : null;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const body = bodyOf(tiers ? form : { ...form, tiers: listOf(tiersText) });
    try {
      if (current) {
        const saved = await api.put<Reward>(`/v1/rewards/${current.id}`, { ...body, version: current.version });
        navigate(`/program/rewards?saved=${encodeURIComponent(saved.name)}`);
      } else {
        const saved = await api.post<Reward>('/v1/rewards', body);
        navigate(`/program/rewards/${saved.id}?created=1`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const input = (key: 'name' | 'pointsCost' | 'stock' | 'perCustomer' | 'validDays' | 'partner', label: string, hint?: string, numeric = false) => (
    <Field label={label} hint={hint} error={problem(key)}>
      {(props) => <input {...props} {...(numeric ? { inputMode: 'numeric' as const } : {})} autoComplete="off" value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );

  return (
    <Page title={creating ? t('newTitle') : t('editTitle', { name: current?.name ?? '' })} intro={t('intro')} actions={<Link to="/program/rewards">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {query.get('created') && current ? <Notice tone="success">{current.kind === 'partner_voucher' ? t('createdVouchers') : t('created')}</Notice> : null}
      {current ? (
        <Card title={t('usage')}>
          <div className="stats">
            <Stat label={t('issued')} value={format.number(current.usage.issued)} />
            <Stat label={t('cancelled')} value={format.number(current.usage.cancelled)} />
            <Stat label={t('redeemed')} value={format.number(current.usage.redeemed)} />
            <Stat label={t('stockLeft')} value={<span data-testid="stock-left">{current.usage.stockLeft === null ? t('unlimited') : format.number(current.usage.stockLeft)}</span>} />
            {current.usage.vouchersFree !== null ? <Stat label={t('vouchersFree')} value={<span data-testid="vouchers-free">{format.number(current.usage.vouchersFree)}</span>} /> : null}
          </div>
        </Card>
      ) : null}
      {current && current.kind === 'partner_voucher' && mayWrite ? <VoucherUpload reward={current} onUploaded={loaded.reload} /> : null}
      <Card title={t('details')}>
        <form className="form rewards-form" noValidate onSubmit={(event) => void save(event)}>
          {conflict ? (
            <div className="alert error" role="alert">
              <p>{t('conflict')}</p>
              <button type="button" className="link" onClick={() => window.location.reload()}>
                {t('reload')}
              </button>
            </div>
          ) : null}
          {unplaced ? <ErrorNote error={unplaced} /> : null}
          <fieldset disabled={!mayWrite}>
            {input('name', t('name'), t('nameHint'))}
            <Field label={t('description')} hint={t('optional')} error={problem('description')}>
              {(props) => <textarea {...props} rows={3} value={form.description} onChange={(e) => set('description', e.target.value)} />}
            </Field>
            <div className="form-row">
              <Field label={t('kind')} hint={t('kindHint')} error={problem('kind')}>
                {(props) => (
                  <select {...props} value={form.kind} onChange={(e) => set('kind', e.target.value as RewardKind)}>
                    {rewardKinds.map((k) => (
                      <option key={k} value={k}>
                        {w(`kind_${k}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('status')} hint={t('statusHint')} error={problem('status')}>
                {(props) => (
                  <select {...props} value={form.status} onChange={(e) => set('status', e.target.value as RewardStatus)}>
                    {rewardStatuses.map((s) => (
                      <option key={s} value={s}>
                        {w(`status_${s}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            {form.kind === 'partner_voucher' ? input('partner', t('partner'), t('partnerHint')) : null}
            {form.kind === 'privilege' ? (
              <Field label={t('privilege')} hint={t('privilegeHint')} error={problem('privilege')}>
                {(props) => (
                  <>
                    <input {...props} list="reward-privileges" autoComplete="off" value={form.privilege} onChange={(e) => set('privilege', e.target.value)} />
                    <datalist id="reward-privileges">
                      <option value="priority_service" />
                      <option value="personal_manager" />
                      <option value="early_access" />
                    </datalist>
                  </>
                )}
              </Field>
            ) : null}
            <div className="form-row">
              {input('pointsCost', t('pointsCost'), undefined, true)}
              {input('stock', t('stock'), t('stockHint'), true)}
              {input('perCustomer', t('perCustomer'), t('perCustomerHint'), true)}
              {form.kind !== 'partner_voucher' ? input('validDays', t('validDays'), form.kind === 'privilege' ? t('validDaysPrivilege') : t('validDaysGoods'), true) : null}
            </div>
            <div className="form-row">
              <Field label={t('validFrom')} hint={t('optional')} error={problem('validFrom')}>
                {(props) => <input {...props} type="datetime-local" value={form.validFrom} onChange={(e) => set('validFrom', e.target.value)} />}
              </Field>
              <Field label={t('validTo')} hint={t('optional')} error={problem('validTo')}>
                {(props) => <input {...props} type="datetime-local" value={form.validTo} onChange={(e) => set('validTo', e.target.value)} />}
              </Field>
            </div>
            {tiers ? (
              <fieldset>
                <legend>{t('tiers')}</legend>
                {tiers.map((tier) => (
                  <label key={tier.id}>
                    <input
                      type="checkbox"
                      checked={form.tiers.includes(tier.id)}
                      onChange={(e) => set('tiers', e.target.checked ? [...form.tiers, tier.id] : form.tiers.filter((id) => id !== tier.id))}
                    />
                    {tier.name}
                  </label>
                ))}
                <p className={problem('tiers') ? 'field-error' : 'hint'}>{problem('tiers') ?? t('tiersHint')}</p>
              </fieldset>
            ) : (
              <Field label={t('tiersText')} hint={t('tiersHint')} error={problem('tiers')}>
                {(props) => <input {...props} autoComplete="off" value={tiersText} onChange={(e) => setTiersText(e.target.value)} />}
              </Field>
            )}
          </fieldset>
          {mayWrite ? (
            <div className="rewards-actions">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? t('saving') : creating ? t('create') : t('save')}
              </button>
            </div>
          ) : null}
        </form>
      </Card>
      {current && mayWrite ? <RewardRemoval reward={current} onArchived={loaded.reload} /> : null}
    </Page>
  );
}
