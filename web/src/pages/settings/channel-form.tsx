import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { channelFields, configOf, defaults, valuesOf, type Channel, type ChannelKind, type Values } from './channel-fields.ts';

export const channelText = defineText({
  en: {
    email: 'E-mail (SMTP)',
    sms: 'SMS gateway',
    push: 'Web push',
    telegram: 'Telegram bot',
    name: 'Name',
    kind: 'Kind',
    active: 'Active: carries the messages of its kind',
    host: 'SMTP server',
    port: 'Port',
    secure: 'TLS from the first byte (port 465)',
    'auth.user': 'SMTP user',
    'auth.pass': 'SMTP password',
    from: 'From',
    replyTo: 'Reply to',
    preset: 'Gateway',
    url: 'Gateway URL',
    apiKey: 'API key',
    apiId: 'SMS.ru api_id',
    test: 'Test mode: the gateway checks but sends nothing',
    accountSid: 'Twilio account SID',
    authToken: 'Twilio auth token',
    messagingServiceSid: 'Twilio messaging service SID',
    sender: 'Sender name or number',
    'vapid.publicKey': 'VAPID public key',
    'vapid.privateKey': 'VAPID private key',
    'vapid.subject': 'VAPID contact (mailto: or https://)',
    token: 'Bot token',
    botUsername: 'Bot username (without @)',
    webhookSecret: 'Webhook secret token',
    secretSet: 'Set. Leave empty to keep it; type a new value to replace it.',
    secretNew: 'Written, never shown back.',
    save: 'Save the channel',
    cancel: 'Cancel',
  },
  ru: {
    email: 'Эл. почта (SMTP)',
    sms: 'SMS-шлюз',
    push: 'Веб-push',
    telegram: 'Бот Telegram',
    name: 'Название',
    kind: 'Вид',
    active: 'Действует: через него уходят сообщения этого вида',
    host: 'SMTP-сервер',
    port: 'Порт',
    secure: 'TLS с первого байта (порт 465)',
    'auth.user': 'Пользователь SMTP',
    'auth.pass': 'Пароль SMTP',
    from: 'Отправитель (From)',
    replyTo: 'Адрес для ответа',
    preset: 'Шлюз',
    url: 'Адрес шлюза',
    apiKey: 'API-ключ',
    apiId: 'api_id SMS.ru',
    test: 'Тестовый режим: шлюз проверяет, но не отправляет',
    accountSid: 'Account SID Twilio',
    authToken: 'Auth token Twilio',
    messagingServiceSid: 'Messaging service SID Twilio',
    sender: 'Имя или номер отправителя',
    'vapid.publicKey': 'Открытый ключ VAPID',
    'vapid.privateKey': 'Закрытый ключ VAPID',
    'vapid.subject': 'Контакт VAPID (mailto: или https://)',
    token: 'Токен бота',
    botUsername: 'Имя бота (без @)',
    webhookSecret: 'Секретный токен вебхука',
    secretSet: 'Задан. Оставьте пустым, чтобы сохранить; введите новое значение, чтобы заменить.',
    secretNew: 'Записывается и никогда не показывается.',
    save: 'Сохранить канал',
    cancel: 'Отмена',
  },
});
type Key = keyof typeof channelText.en;
export const kinds: ChannelKind[] = ['email', 'sms', 'push', 'telegram'];

/** A new channel (channel null) or a change to one: its name, on/off and its kind's settings. */
export function ChannelForm({ channel, onSaved, onCancel }: { channel: Channel | null; onSaved: (channel: Channel) => void; onCancel: () => void }) {
  const t = useText(channelText);
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'email');
  const [name, setName] = useState(channel?.name ?? '');
  const [active, setActive] = useState(channel?.active ?? true);
  const [values, setValues] = useState<Values>(channel ? valuesOf(channel) : defaults.email);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const config = configOf(kind, values, channel !== null);
      const saved = channel
        ? await api.patch<Channel>(`/v1/channels/${channel.id}`, { name: name.trim(), active, config })
        : await api.post<Channel>('/v1/channels', { name: name.trim(), kind, active, config });
      onSaved(saved);
    } catch (caught) {
      setError(caught);
    }
  };

  const specs = channelFields[kind].filter((spec) => !spec.when || spec.when(values));
  const errorOf = (path: string) => fieldError(error, `config.${path}`, `config/${path.replace('.', '/')}`);
  const named = specs.some((spec) => errorOf(spec.path)) || fieldError(error, 'name');
  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate>
      <ErrorNote error={named ? null : error} />
      <Field label={t('name')} error={fieldError(error, 'name')}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      {channel ? null : (
        <Field label={t('kind')}>
          {(props) => (
            <select
              {...props}
              value={kind}
              onChange={(e) => {
                const next = e.target.value as ChannelKind;
                setKind(next);
                setValues(defaults[next]);
              }}
            >
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {t(k)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> {t('active')}
      </label>
      {specs.map((spec) => {
        const label = t(spec.path as Key);
        if (spec.type === 'checkbox') {
          return (
            <label key={spec.path} className="check">
              <input type="checkbox" checked={values[spec.path] === true} onChange={(e) => setValues({ ...values, [spec.path]: e.target.checked })} /> {label}
            </label>
          );
        }
        const isSet = spec.type === 'secret' && channel?.secretsSet.includes(spec.path);
        const hint = spec.type === 'secret' ? t(isSet ? 'secretSet' : 'secretNew') : undefined;
        return (
          <Field key={spec.path} label={label} error={errorOf(spec.path)} {...(hint ? { hint } : {})}>
            {(props) =>
              spec.type === 'select' ? (
                <select {...props} value={String(values[spec.path] ?? '')} onChange={(e) => setValues({ ...values, [spec.path]: e.target.value })}>
                  {spec.options!.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...props}
                  type={spec.type === 'secret' ? 'password' : 'text'}
                  inputMode={spec.type === 'number' ? 'numeric' : undefined}
                  autoComplete={spec.type === 'secret' ? 'new-password' : 'off'}
                  value={String(values[spec.path] ?? '')}
                  onChange={(e) => setValues({ ...values, [spec.path]: e.target.value })}
                />
              )
            }
          </Field>
        );
      })}
      <div className="row-actions">
        <button type="submit" className="primary">
          {t('save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
