import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { SecretOnce, useRoleName } from '../../components/settings-secret.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Dialog, ErrorNote, Field, Notice, Page, fieldError } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import './settings.css';

type StaffRole = 'owner' | 'marketer' | 'analyst' | 'support';
type StaffUser = { id: string; email: string; name: string; role: StaffRole; disabled: boolean; lockedUntil: string | null; createdAt: string; lastSignInAt: string | null };
type Created = { user: StaffUser; password: string | null };
const staffRoles: StaffRole[] = ['owner', 'marketer', 'analyst', 'support'];

const text = defineText({
  en: {
    title: 'Users',
    intro: 'The people who sign in to the console, and their roles. A new role or disabling ends the person’s sessions.',
    add: 'Add a user',
    email: 'E-mail',
    name: 'Name',
    role: 'Role',
    password: 'Password',
    passwordHint: 'At least 10 characters, not the e-mail. Leave it empty to have one generated and shown once.',
    create: 'Add',
    caption: 'Staff users',
    status: 'Status',
    lastSignIn: 'Last sign-in',
    actions: 'Actions',
    active: 'Active',
    disabled: 'Disabled',
    locked: 'Locked until {time}',
    changeRole: 'Role of {name}',
    disable: 'Disable',
    enable: 'Enable',
    newPassword: 'Set a password',
    empty: 'No users yet',
    emptyHint: 'Add the people who work in the console with the form above.',
    added: '{name} is added and may sign in now with {email}.',
    generated: 'The generated password for {email}. It is shown only now: copy it and hand it over safely.',
    generatedLabel: 'Password',
    roleChanged: '{name} is now {role}; their sessions have ended.',
    disabledDone: '{name} is disabled and signed out.',
    enabledDone: '{name} may sign in again.',
    passwordTitle: 'A new password for {name}',
    passwordSet: 'The password of {name} is changed; their sessions have ended.',
    save: 'Set the password',
    cancel: 'Cancel',
    lastOwner: 'This is the last enabled owner: make another user an owner first, or the console would have nobody to manage it.',
    never: 'Never',
    you: 'you',
  },
  ru: {
    title: 'Пользователи',
    intro: 'Люди, которые входят в консоль, и их роли. Смена роли или отключение завершают сеансы человека.',
    add: 'Добавить пользователя',
    email: 'Эл. почта',
    name: 'Имя',
    role: 'Роль',
    password: 'Пароль',
    passwordHint: 'Не короче 10 символов и не совпадает с почтой. Оставьте пустым — пароль будет создан и показан один раз.',
    create: 'Добавить',
    caption: 'Пользователи консоли',
    status: 'Состояние',
    lastSignIn: 'Последний вход',
    actions: 'Действия',
    active: 'Активен',
    disabled: 'Отключён',
    locked: 'Заблокирован до {time}',
    changeRole: 'Роль: {name}',
    disable: 'Отключить',
    enable: 'Включить',
    newPassword: 'Задать пароль',
    empty: 'Пользователей пока нет',
    emptyHint: 'Добавьте тех, кто работает в консоли, формой выше.',
    added: '{name} добавлен(а) и может войти с адресом {email}.',
    generated: 'Созданный пароль для {email}. Он показан только сейчас: скопируйте его и передайте надёжным способом.',
    generatedLabel: 'Пароль',
    roleChanged: 'У {name} теперь роль «{role}»; сеансы завершены.',
    disabledDone: '{name}: доступ отключён, сеансы завершены.',
    enabledDone: '{name} снова может входить.',
    passwordTitle: 'Новый пароль для {name}',
    passwordSet: 'Пароль {name} изменён; сеансы завершены.',
    save: 'Задать пароль',
    cancel: 'Отмена',
    lastOwner: 'Это последний активный владелец: сначала сделайте владельцем другого пользователя, иначе консолью некому будет управлять.',
    never: 'Ни разу',
    you: 'вы',
  },
});

export default function Users() {
  const t = useText(text);
  const format = useFormat();
  const roleName = useRoleName();
  const { user: me } = useSession();
  const list = usePagedList<StaffUser>('/v1/staff-users', {}, 100);
  const [form, setForm] = useState({ email: '', name: '', role: 'marketer' as StaffRole, password: '' });
  const [formError, setFormError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const [resetFor, setResetFor] = useState<StaffUser | null>(null);

  // The last-owner refusal in the page's words; other refusals as the server words them.
  const explain = (error: unknown) => (error instanceof ApiError && error.code === 'staff.last_owner' ? new ApiError(409, error.code, error.title, t('lastOwner')) : error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    setDone(null);
    setSecret(null);
    try {
      const body = { email: form.email.trim(), name: form.name.trim(), role: form.role, ...(form.password ? { password: form.password } : {}) };
      const created = await api.post<Created>('/v1/staff-users', body);
      setDone(t('added', { name: created.user.name, email: created.user.email }));
      if (created.password) setSecret({ email: created.user.email, password: created.password });
      setForm({ email: '', name: '', role: 'marketer', password: '' });
      list.reload();
    } catch (caught) {
      setFormError(caught);
    }
  };

  const change = async (user: StaffUser, patch: Partial<Pick<StaffUser, 'role' | 'disabled'>>) => {
    setRowError(null);
    setDone(null);
    setSecret(null);
    try {
      const updated = await api.patch<StaffUser>(`/v1/staff-users/${user.id}`, patch);
      if (patch.role) setDone(t('roleChanged', { name: updated.name, role: roleName(updated.role) }));
      else setDone(t(updated.disabled ? 'disabledDone' : 'enabledDone', { name: updated.name }));
      list.reload();
    } catch (caught) {
      setRowError(explain(caught));
      list.reload();
    }
  };

  const formFields = ['email', 'name', 'role', 'password'];
  const formHasFieldError = formFields.some((name) => fieldError(formError, name));

  return (
    <Page title={t('title')} intro={t('intro')}>
      <Card title={t('add')}>
        <form className="form narrow" onSubmit={(event) => void submit(event)} noValidate>
          <ErrorNote error={formHasFieldError ? null : formError} />
          <Field label={t('email')} error={fieldError(formError, 'email')}>
            {(props) => <input {...props} type="email" autoComplete="off" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
          </Field>
          <Field label={t('name')} error={fieldError(formError, 'name')}>
            {(props) => <input {...props} autoComplete="off" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
          </Field>
          <Field label={t('role')} error={fieldError(formError, 'role')}>
            {(props) => (
              <select {...props} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as StaffRole })}>
                {staffRoles.map((role) => (
                  <option key={role} value={role}>
                    {roleName(role)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('password')} hint={t('passwordHint')} error={fieldError(formError, 'password')}>
            {(props) => <input {...props} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />}
          </Field>
          <button type="submit" className="primary">
            {t('create')}
          </button>
        </form>
      </Card>
      {done ? <Notice tone="success">{done}</Notice> : null}
      {secret ? <SecretOnce label={t('generatedLabel')} value={secret.password} warning={t('generated', { email: secret.email })} /> : null}
      <ErrorNote error={rowError} />
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => (row.id === me.id ? `${row.name} (${t('you')})` : row.name) },
          { key: 'email', title: t('email'), render: (row) => row.email },
          {
            key: 'role',
            title: t('role'),
            render: (row) => (
              <select aria-label={t('changeRole', { name: row.name })} value={row.role} onChange={(e) => void change(row, { role: e.target.value as StaffRole })}>
                {staffRoles.map((role) => (
                  <option key={role} value={role}>
                    {roleName(role)}
                  </option>
                ))}
              </select>
            ),
          },
          {
            key: 'status',
            title: t('status'),
            render: (row) =>
              row.disabled ? (
                <Badge tone="bad">{t('disabled')}</Badge>
              ) : row.lockedUntil && new Date(row.lockedUntil) > new Date() ? (
                <Badge tone="warn">{t('locked', { time: format.dateTime(row.lockedUntil) })}</Badge>
              ) : (
                <Badge tone="good">{t('active')}</Badge>
              ),
          },
          { key: 'lastSignIn', title: t('lastSignIn'), render: (row) => (row.lastSignInAt ? format.dateTime(row.lastSignInAt) : t('never')) },
          {
            key: 'actions',
            title: t('actions'),
            render: (row) => (
              <span className="row-actions">
                <button type="button" className="secondary" aria-label={`${t(row.disabled ? 'enable' : 'disable')}: ${row.name}`} onClick={() => void change(row, { disabled: !row.disabled })}>
                  {t(row.disabled ? 'enable' : 'disable')}
                </button>
                <button type="button" className="secondary" aria-label={`${t('newPassword')}: ${row.name}`} onClick={() => { setSecret(null); setDone(null); setResetFor(row); }}>
                  {t('newPassword')}
                </button>
              </span>
            ),
          },
        ]}
      />
      <SetPassword
        user={resetFor}
        onClose={() => setResetFor(null)}
        onDone={(user, password) => {
          setResetFor(null);
          setDone(t('passwordSet', { name: user.name }));
          if (password) setSecret({ email: user.email, password });
          list.reload();
        }}
      />
    </Page>
  );
}

function SetPassword({ user, onClose, onDone }: { user: StaffUser | null; onClose: () => void; onDone: (user: StaffUser, generated: string | null) => void }) {
  const t = useText(text);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setPassword('');
    setError(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!user) return;
    setError(null);
    try {
      const answer = await api.post<Created>(`/v1/staff-users/${user.id}/password`, password ? { password } : {});
      setPassword('');
      onDone(answer.user, answer.password);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Dialog title={user ? t('passwordTitle', { name: user.name }) : ''} open={user !== null} onClose={close}>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <ErrorNote error={fieldError(error, 'password') ? null : error} />
        <Field label={t('password')} hint={t('passwordHint')} error={fieldError(error, 'password')}>
          {(props) => <input {...props} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <div className="row-actions">
          <button type="submit" className="primary">
            {t('save')}
          </button>
          <button type="button" className="secondary" onClick={close}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
