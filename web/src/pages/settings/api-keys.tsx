import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { SecretOnce, useRoleName, type RoleName } from '../../components/settings-secret.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Dialog, ErrorNote, Field, Notice, Page, fieldError } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import './settings.css';

type ApiKey = { id: string; name: string; role: RoleName; hint: string; source: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null; partnerId: string | null };
// Partner keys are made for a partner (Program → Partners); here the roles a key may have alone.
const keyRoles: RoleName[] = ['pos', 'marketer', 'analyst', 'support', 'owner'];

const text = defineText({
  en: {
    title: 'API keys',
    intro: 'Keys let tills, the site, the app and other systems call the API. Each key acts with its role’s rights.',
    create: 'Create a key',
    name: 'Name',
    nameHint: 'Where it is used, e.g. “Tills, store 12” or “Online shop”',
    role: 'Role',
    submit: 'Create the key',
    secretWarning: 'The secret of “{name}” is shown only now: copy it into the system that uses it. Patron keeps only its fingerprint and cannot show it again.',
    secretLabel: 'Secret',
    caption: 'API keys',
    starts: 'Starts with',
    created: 'Created',
    lastUsed: 'Last used',
    status: 'Status',
    actions: 'Actions',
    active: 'Active',
    revoked: 'Revoked {date}',
    revoke: 'Revoke',
    revokeTitle: 'Revoke the key “{name}”?',
    revokeText: 'Every request with this key will be refused at once. This cannot be undone: a system that still needs access gets a new key.',
    confirmRevoke: 'Revoke the key',
    cancel: 'Cancel',
    revokedDone: 'The key “{name}” is revoked.',
    never: 'Never',
    empty: 'No API keys yet',
    emptyHint: 'Create one for each till system, site or app that calls Patron, so each can be revoked alone.',
  },
  ru: {
    title: 'API-ключи',
    intro: 'Ключи дают кассам, сайту, приложению и другим системам доступ к API. Ключ действует с правами своей роли.',
    create: 'Создать ключ',
    name: 'Название',
    nameHint: 'Где он используется, например «Кассы, магазин 12» или «Интернет-магазин»',
    role: 'Роль',
    submit: 'Создать ключ',
    secretWarning: 'Секрет ключа «{name}» показан только сейчас: скопируйте его в систему, которая будет им пользоваться. Patron хранит лишь его отпечаток и не сможет показать его снова.',
    secretLabel: 'Секрет',
    caption: 'API-ключи',
    starts: 'Начинается с',
    created: 'Создан',
    lastUsed: 'Последнее использование',
    status: 'Состояние',
    actions: 'Действия',
    active: 'Действует',
    revoked: 'Отозван {date}',
    revoke: 'Отозвать',
    revokeTitle: 'Отозвать ключ «{name}»?',
    revokeText: 'Все запросы с этим ключом сразу будут отклоняться. Отменить нельзя: системе, которой доступ ещё нужен, выдайте новый ключ.',
    confirmRevoke: 'Отозвать ключ',
    cancel: 'Отмена',
    revokedDone: 'Ключ «{name}» отозван.',
    never: 'Ни разу',
    empty: 'API-ключей пока нет',
    emptyHint: 'Создайте отдельный ключ для каждой кассовой системы, сайта или приложения, чтобы отзывать их по одному.',
  },
});

export default function ApiKeys() {
  const t = useText(text);
  const format = useFormat();
  const roleName = useRoleName();
  const list = usePagedList<ApiKey>('/v1/api-keys', {}, 100);
  const [name, setName] = useState('');
  const [role, setRole] = useState<RoleName>('pos');
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSecret(null);
    setDone(null);
    try {
      const created = await api.post<{ key: ApiKey; secret: string }>('/v1/api-keys', { name: name.trim(), role });
      setSecret({ name: created.key.name, secret: created.secret });
      setName('');
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setRevokeError(null);
    try {
      const key = await api.delete<ApiKey>(`/v1/api-keys/${revoking.id}`);
      setRevoking(null);
      setDone(t('revokedDone', { name: key.name }));
      list.reload();
    } catch (caught) {
      setRevokeError(caught);
    }
  };

  const nameError = fieldError(error, 'name');
  return (
    <Page title={t('title')} intro={t('intro')}>
      <Card title={t('create')}>
        <form className="form narrow" onSubmit={(event) => void submit(event)} noValidate>
          <ErrorNote error={nameError || fieldError(error, 'role') ? null : error} />
          <Field label={t('name')} hint={t('nameHint')} error={nameError}>
            {(props) => <input {...props} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={t('role')} error={fieldError(error, 'role')}>
            {(props) => (
              <select {...props} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
                {keyRoles.map((r) => (
                  <option key={r} value={r}>
                    {roleName(r)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="primary">
            {t('submit')}
          </button>
        </form>
      </Card>
      {secret ? <SecretOnce label={t('secretLabel')} value={secret.secret} warning={t('secretWarning', { name: secret.name })} /> : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => row.name },
          { key: 'role', title: t('role'), render: (row) => roleName(row.role) },
          { key: 'hint', title: t('starts'), render: (row) => <code>{row.hint}…</code> },
          { key: 'created', title: t('created'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'lastUsed', title: t('lastUsed'), render: (row) => (row.lastUsedAt ? format.dateTime(row.lastUsedAt) : t('never')) },
          { key: 'status', title: t('status'), render: (row) => (row.revokedAt ? <Badge tone="bad">{t('revoked', { date: format.date(row.revokedAt) })}</Badge> : <Badge tone="good">{t('active')}</Badge>) },
          {
            key: 'actions',
            title: t('actions'),
            render: (row) =>
              row.revokedAt ? null : (
                <button type="button" className="danger" aria-label={`${t('revoke')}: ${row.name}`} onClick={() => { setRevokeError(null); setDone(null); setRevoking(row); }}>
                  {t('revoke')}
                </button>
              ),
          },
        ]}
      />
      <Dialog title={revoking ? t('revokeTitle', { name: revoking.name }) : ''} open={revoking !== null} onClose={() => setRevoking(null)}>
        <p>{t('revokeText')}</p>
        <ErrorNote error={revokeError} />
        <div className="row-actions">
          <button type="button" className="danger" onClick={() => void revoke()}>
            {t('confirmRevoke')}
          </button>
          <button type="button" className="secondary" onClick={() => setRevoking(null)}>
            {t('cancel')}
          </button>
        </div>
      </Dialog>
    </Page>
  );
}
