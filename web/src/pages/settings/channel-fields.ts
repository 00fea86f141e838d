/**
 * The settings of each kind of channel the console edits, as the API's channel schemas name them
 * (src/modules/messaging/channels/channels.schemas.ts). Secrets are written, never read back: the
 * API answers only which of them hold a value (secretsSet).
 */
export type ChannelKind = 'email' | 'sms' | 'push' | 'telegram';
export type Channel = { id: string; name: string; kind: ChannelKind; active: boolean; config: Record<string, unknown>; secretsSet: string[]; createdAt: string; updatedAt: string };
export type FieldSpec = {
  path: string;
  type: 'text' | 'number' | 'checkbox' | 'secret' | 'select';
  options?: string[];
  /** Shown only when this says so (an SMS gateway's preset decides its fields). */
  when?: (values: Values) => boolean;
};
export type Values = Record<string, string | boolean>;

const preset = (...names: string[]) => (values: Values) => names.includes(String(values.preset));

export const channelFields: Record<ChannelKind, FieldSpec[]> = {
  email: [
    { path: 'host', type: 'text' },
    { path: 'port', type: 'number' },
    { path: 'secure', type: 'checkbox' },
    { path: 'auth.user', type: 'text' },
    { path: 'auth.pass', type: 'secret' },
    { path: 'from', type: 'text' },
    { path: 'replyTo', type: 'text' },
  ],
  sms: [
    { path: 'preset', type: 'select', options: ['generic', 'sms.ru', 'twilio'] },
    { path: 'url', type: 'text', when: preset('generic') },
    { path: 'apiKey', type: 'secret', when: preset('generic') },
    { path: 'apiId', type: 'secret', when: preset('sms.ru') },
    { path: 'test', type: 'checkbox', when: preset('sms.ru') },
    { path: 'accountSid', type: 'text', when: preset('twilio') },
    { path: 'authToken', type: 'secret', when: preset('twilio') },
    { path: 'messagingServiceSid', type: 'text', when: preset('twilio') },
    { path: 'sender', type: 'text' },
  ],
  push: [
    { path: 'vapid.publicKey', type: 'text' },
    { path: 'vapid.privateKey', type: 'secret' },
    { path: 'vapid.subject', type: 'text' },
  ],
  telegram: [
    { path: 'token', type: 'secret' },
    { path: 'botUsername', type: 'text' },
    { path: 'webhookSecret', type: 'secret' },
  ],
};

export const defaults: Record<ChannelKind, Values> = { email: { port: '587' }, sms: { preset: 'generic' }, push: {}, telegram: {} };

const read = (config: Record<string, unknown>, path: string): unknown => path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), config);

function write(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = config;
  for (const key of keys.slice(0, -1)) {
    if (!at[key] || typeof at[key] !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]!] = value;
}

/** A channel's settings as form values (secrets empty: they are never answered). */
export function valuesOf(channel: Channel): Values {
  const values: Values = {};
  for (const spec of channelFields[channel.kind]) {
    if (spec.type === 'secret') continue;
    const value = read(channel.config, spec.path);
    if (value !== undefined && value !== null) values[spec.path] = typeof value === 'boolean' ? value : String(value);
  }
  return values;
}

/**
 * The config to send. New: only what is filled in. A change (a JSON merge patch): an emptied
 * field is removed (null), a secret left empty keeps its value, and fields the chosen preset does
 * not have are removed.
 */
export function configOf(kind: ChannelKind, values: Values, editing: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const spec of channelFields[kind]) {
    const shown = !spec.when || spec.when(values);
    const value = values[spec.path];
    if (!shown) {
      if (editing) write(config, spec.path, null);
      continue;
    }
    if (spec.type === 'checkbox') {
      if (value === true || editing) write(config, spec.path, value === true);
    } else if (typeof value === 'string' && value.trim() !== '') {
      write(config, spec.path, spec.type === 'number' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim());
    } else if (editing && spec.type !== 'secret') {
      write(config, spec.path, null);
    }
  }
  return config;
}
