import { describe, expect, it } from 'vitest';
import type { SmsChannelConfig } from './channels.schemas.ts';
import { parseCustomSmsCallback, parseGenericSmsCallback, parseSmsCallback, parseSmsRuCallback, parseTwilioCallback, smsCallbackAnswer, verifyTwilioSignature } from './sms.ts';

describe('SMS.ru delivery reports', () => {
  const raw = [
    `data[]=${encodeURIComponent('sms_status\n000000-10000001\n103\n1772355600')}`,
    `data[]=${encodeURIComponent('sms_status\n000000-10000002\n104')}`,
    `data[]=${encodeURIComponent('sms_status\n000000-10000003\n101')}`,
    `data[]=${encodeURIComponent('sms_status\n000000-10000004\n102')}`,
    `data[]=${encodeURIComponent('callback_test\nwhatever')}`,
  ].join('&');

  it('reads the data[] entries of a raw form body: delivered, failed, sent; skips in-progress and others', () => {
    expect(parseSmsRuCallback({ body: raw })).toEqual([
      { providerId: '000000-10000001', status: 'delivered', at: new Date(1_772_355_600_000) },
      { providerId: '000000-10000002', status: 'failed', error: 'SMS.ru status 104' },
      { providerId: '000000-10000004', status: 'sent' },
    ]);
  });

  it('reads a body already parsed by a form parser (data as a list, or data[0] keys)', () => {
    expect(parseSmsRuCallback({ body: { data: ['sms_status\n000000-1\n103', 'sms_status\n000000-2\n108'] } })).toEqual([
      { providerId: '000000-1', status: 'delivered' },
      { providerId: '000000-2', status: 'failed', error: 'SMS.ru status 108' },
    ]);
    expect(parseSmsRuCallback({ body: { 'data[0]': 'sms_status\n000000-3\n110' } })).toEqual([{ providerId: '000000-3', status: 'delivered' }]);
  });

  it('is answered with 100, or SMS.ru sends the reports again', () => {
    expect(smsCallbackAnswer({ preset: 'sms.ru', apiId: 'x' })).toEqual({ status: 200, contentType: 'text/plain', body: '100' });
  });
});

describe('Twilio status callbacks', () => {
  it.each([
    ['delivered', { providerId: 'SM1', status: 'delivered' }],
    ['read', { providerId: 'SM1', status: 'delivered' }],
    ['sent', { providerId: 'SM1', status: 'sent' }],
    ['undelivered', { providerId: 'SM1', status: 'failed', error: 'Twilio error 30003' }],
    ['failed', { providerId: 'SM1', status: 'failed', error: 'Twilio error 30003' }],
    ['queued', undefined],
    ['sending', undefined],
  ])('MessageStatus=%s', (status, expected) => {
    const body = new URLSearchParams({ MessageSid: 'SM1', MessageStatus: status, AccountSid: 'AC1', ...(status.endsWith('ed') && status !== 'delivered' && status !== 'queued' ? { ErrorCode: '30003' } : {}) }).toString();
    expect(parseTwilioCallback({ body })).toEqual(expected ? [expected] : []);
  });

  it('verifies X-Twilio-Signature (the example of Twilio\'s security documentation)', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(false);
    expect(verifyTwilioSignature('12346', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, 'short')).toBe(false);
  });
});

describe('generic gateway reports', () => {
  it('reads one report or a list, by provider id or by our message id, from JSON text or an object', () => {
    expect(parseGenericSmsCallback({ body: '{"id":"gw-1","status":"delivered","at":"2026-03-01T09:00:05Z"}' })).toEqual([
      { providerId: 'gw-1', status: 'delivered', at: new Date('2026-03-01T09:00:05Z') },
    ]);
    expect(parseGenericSmsCallback({ body: [{ messageId: 'msg_1', status: 'failed', error: 'absent subscriber' }, { id: 7, status: 'sent', at: 1_772_355_600 }, { id: 'x', status: 'weird' }] })).toEqual([
      { messageId: 'msg_1', status: 'failed', error: 'absent subscriber' },
      { providerId: '7', status: 'sent', at: new Date(1_772_355_600_000) },
    ]);
  });

  it('reads a report sent in the query string', () => {
    expect(parseGenericSmsCallback({ query: { id: 'gw-2', status: 'delivered' } })).toEqual([{ providerId: 'gw-2', status: 'delivered' }]);
  });
});

describe('custom gateway reports', () => {
  const mapping = { idField: 'msg.id', statusField: 'msg.state', atField: 'ts', delivered: ['DELIVRD'], failed: ['UNDELIV', 'REJECTD'], sent: ['ENROUTE'] };

  it('maps the provider\'s fields and values', () => {
    expect(parseCustomSmsCallback(mapping, { body: { msg: { id: 'c-1', state: 'DELIVRD' }, ts: '2026-03-01T09:01:00Z' } })).toEqual([
      { providerId: 'c-1', status: 'delivered', at: new Date('2026-03-01T09:01:00Z') },
    ]);
    expect(parseCustomSmsCallback(mapping, { body: [{ msg: { id: 'c-2', state: 'REJECTD' } }, { msg: { id: 'c-3', state: 'ACCEPTD' } }] })).toEqual([
      { providerId: 'c-2', status: 'failed', error: 'REJECTD' },
    ]);
  });

  it('reads flat query fields too', () => {
    const flat = { idField: 'id', statusField: 'stat', delivered: ['1'], failed: ['2'] };
    expect(parseCustomSmsCallback(flat, { query: { id: '55', stat: '2' } })).toEqual([{ providerId: '55', status: 'failed', error: '2' }]);
  });
});

describe('parseSmsCallback dispatches on the preset', () => {
  it('a custom channel without a mapping reads nothing', () => {
    const custom = { preset: 'custom', method: 'GET', url: 'https://gw.example/send?to={to}' } as SmsChannelConfig;
    expect(parseSmsCallback(custom, { query: { id: '1', status: 'delivered' } })).toEqual([]);
    expect(parseSmsCallback({ preset: 'generic', url: 'https://gw.example', apiKey: 'k' }, { query: { id: '1', status: 'delivered' } })).toEqual([{ providerId: '1', status: 'delivered' }]);
  });
});
