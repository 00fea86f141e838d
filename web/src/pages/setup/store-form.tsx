import { useState } from 'react';
import { api } from '../../api.ts';
import { EditForm, useSubmit } from '../../components/edit-form.tsx';
import { exists, refusal } from '../../components/setup-editing.tsx';
import { Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import type { Store } from './setup-types.ts';

const text = defineText({
  en: {
    id: 'Store code',
    idHint: 'The id the till sends with every receipt (letters, digits, . _ : -), e.g. msk-01. It cannot change later.',
    idMissing: 'Enter the store code the till sends.',
    idTaken: 'A store with the code {id} exists already: edit it in the list instead.',
    name: 'Name',
    nameHint: 'As people know it: city and street',
    region: 'Region',
    regionHint: 'Optional: groups stores in reports and earning rules',
    timezone: 'Time zone',
    timezoneHint: 'Hours and days in earning rules, birthdays and daily reports follow the store’s local time',
    active: 'Open: the till may send receipts',
    add: 'Add the store',
    save: 'Save',
    cancel: 'Cancel',
  },
  ru: {
    id: 'Код магазина',
    idHint: 'Код, который касса передаёт с каждым чеком (буквы, цифры, . _ : -), например msk-01. Позже его не изменить.',
    idMissing: 'Укажите код магазина, который передаёт касса.',
    idTaken: 'Магазин с кодом {id} уже есть: измените его в списке.',
    name: 'Название',
    nameHint: 'Как его знают люди: город и улица',
    region: 'Регион',
    regionHint: 'Необязательно: объединяет магазины в отчётах и правилах начисления',
    timezone: 'Часовой пояс',
    timezoneHint: 'Часы и дни в правилах начисления, дни рождения и дневные отчёты идут по местному времени магазина',
    active: 'Открыт: касса может присылать чеки',
    add: 'Добавить магазин',
    save: 'Сохранить',
    cancel: 'Отмена',
  },
});

let zones: Array<{ zone: string; label: string }> | null = null;
/** A zone as people pick it: its name and its offset from UTC today ("Asia/Yekaterinburg (GMT+5)"). */
function zoneLabel(zone: string, now: Date): string {
  try {
    const offset = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(now).find((part) => part.type === 'timeZoneName')?.value;
    return `${zone.replaceAll('_', ' ')}${offset ? ` (${offset})` : ''}`;
  } catch {
    return zone;
  }
}
/** The IANA time zones this browser knows, with UTC, and the store's own if the browser calls it otherwise. */
function timeZones(current: string): Array<{ zone: string; label: string }> {
  const now = new Date();
  zones ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort().map((zone) => ({ zone, label: zoneLabel(zone, now) }));
  return current && !zones.some((z) => z.zone === current) ? [{ zone: current, label: zoneLabel(current, now) }, ...zones] : zones;
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Adds a store (PUT /v1/stores/{id}, after checking the code is free) or edits one (PATCH). */
export function StoreForm({ store, onSaved, onCancel }: { store: Store | null; onSaved: (store: Store, created: boolean) => void; onCancel: () => void }) {
  const t = useText(text);
  const [form, setForm] = useState({ id: store?.id ?? '', name: store?.name ?? '', region: store?.region ?? '', timezone: store?.timezone ?? browserZone(), active: store?.active ?? true });
  const { error, busy, submit } = useSubmit(async () => {
    const body = { name: form.name.trim(), region: form.region.trim() || null, timezone: form.timezone, active: form.active };
    if (store) return onSaved(await api.patch<Store>(`/v1/stores/${encodeURIComponent(store.id)}`, body), false);
    const id = form.id.trim();
    if (!id) throw refusal(400, 'console.invalid', 'id', t('idMissing'));
    const path = `/v1/stores/${encodeURIComponent(id)}`;
    // PUT replaces a store whole: make sure the code is not another store's before creating it.
    if (await exists(path)) throw refusal(409, 'console.taken', 'id', t('idTaken', { id }));
    onSaved(await api.put<Store>(path, body), true);
  });

  const fields = ['id', 'name', 'region', 'timezone', 'active'];
  return (
    <EditForm fields={fields} error={error} busy={busy} submitLabel={t(store ? 'save' : 'add')} cancelLabel={t('cancel')} onSubmit={submit} onCancel={onCancel}>
      {store ? null : (
        <Field label={t('id')} hint={t('idHint')} error={fieldError(error, 'id')}>
          {(props) => <input {...props} className="setup-code" autoComplete="off" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />}
        </Field>
      )}
      <Field label={t('name')} hint={t('nameHint')} error={fieldError(error, 'name')}>
        {(props) => <input {...props} autoComplete="off" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
      </Field>
      <div className="form-row">
        <Field label={t('region')} hint={t('regionHint')} error={fieldError(error, 'region')}>
          {(props) => <input {...props} autoComplete="off" value={form.region} onChange={(e) => setForm({ ...form, region: e.target.value })} />}
        </Field>
        <Field label={t('timezone')} hint={t('timezoneHint')} error={fieldError(error, 'timezone')}>
          {(props) => (
            <select {...props} value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })}>
              {timeZones(form.timezone).map(({ zone, label }) => (
                <option key={zone} value={zone}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
        {t('active')}
      </label>
    </EditForm>
  );
}
