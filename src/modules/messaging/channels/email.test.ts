import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../../../tests/helpers/loopback-smtp.ts';
import type { ChannelTransport } from './channel.ts';
import { createEmailTransport, messageIdFromHeader, messageIdHeader } from './email.ts';
import { parseMime } from './mime.ts';

/**
 * What reaches a real SMTP server: the parts, the headers a mailbox provider reads, and a DKIM
 * signature that verifies by RFC 6376 (checked here by hand, relaxed/relaxed).
 */
const config = (port: number, extra: object = {}) => ({ host: '127.0.0.1', port, from: 'Магазин «Патрон» <news@shop.example>', replyTo: 'help@shop.example', ...extra });

let smtp: LoopbackSmtp;
let email: ChannelTransport;

beforeAll(async () => {
  smtp = await startLoopbackSmtp();
  email = createEmailTransport(config(smtp.port));
});
afterAll(async () => {
  await email.close();
  await smtp.close();
});

const last = () => smtp.accepted.at(-1)!;

describe('e-mail over SMTP', () => {
  it('sends both parts, our Message-ID, one-click unsubscribe and a Cyrillic subject that reads back right', async () => {
    const outcome = await email.send({
      messageId: 'msg_0190c2f65c3a7b1e9f001234567890ab',
      to: 'ann@example.net',
      subject: 'Ваши бонусы: 120 баллов до 1 марта — успейте потратить!',
      text: 'Здравствуйте, Анна!\nУ вас 120 баллов.',
      html: '<p>Здравствуйте, <b>Анна</b>!</p><p>У вас 120 баллов.</p>',
      unsubscribeUrl: 'https://shop.example/u/Zx9_a-1?c=spring&l=ru',
    });
    expect(outcome).toEqual({ status: 'accepted', providerId: expect.stringMatching(/^Q\d{6}$/) });
    const mail = last();
    expect(mail.to).toEqual(['ann@example.net']);
    expect(mail.from).toBe('news@shop.example');
    // Bounces name our message even when they do not return its headers: the DSN envelope id.
    expect(mail.envelope.dsn).toMatchObject({ envid: 'msg_0190c2f65c3a7b1e9f001234567890ab', ret: 'HDRS' });

    const root = parseMime(mail.raw);
    expect(root.header('message-id')).toBe('<msg_0190c2f65c3a7b1e9f001234567890ab@shop.example>');
    expect(root.header('from')).toBe('Магазин «Патрон» <news@shop.example>');
    expect(root.header('to')).toBe('ann@example.net');
    expect(root.header('reply-to')).toBe('help@shop.example');
    expect(root.header('subject')).toBe('Ваши бонусы: 120 баллов до 1 марта — успейте потратить!');
    expect(root.header('list-unsubscribe')).toBe('<https://shop.example/u/Zx9_a-1?c=spring&l=ru>');
    expect(root.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // On the wire the subject is encoded (headers are ASCII) …
    const rawSubject = root.headers.find(([name]) => name === 'subject')?.[1] ?? '';
    expect(rawSubject).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    expect(/^[\x20-\x7e]*$/.test(rawSubject)).toBe(true);

    expect(root.type).toBe('multipart/alternative');
    expect(root.parts.map((p) => [p.type, p.text().replace(/\r\n/g, '\n').trimEnd()])).toEqual([
      ['text/plain', 'Здравствуйте, Анна!\nУ вас 120 баллов.'],
      ['text/html', '<p>Здравствуйте, <b>Анна</b>!</p><p>У вас 120 баллов.</p>'],
    ]);
  });

  it('sends bounces to the bounce address when one is set', async () => {
    const withBounces = createEmailTransport(config(smtp.port, { bounceAddress: 'bounces+patron@shop.example' }));
    try {
      expect(await withBounces.send({ messageId: 'msg_b', to: 'ann@example.net', text: 'x' })).toMatchObject({ status: 'accepted' });
    } finally {
      await withBounces.close();
    }
    expect(last().from).toBe('bounces+patron@shop.example');
    expect(last().to).toEqual(['ann@example.net']);
    expect(parseMime(last().raw).header('from')).toBe('Магазин «Патрон» <news@shop.example>');
  });

  it('sends a text-only message without unsubscribe headers (transactional)', async () => {
    expect(await email.send({ messageId: 'msg_2', to: 'bob@example.net', subject: 'Ваш код', text: 'Код: 1234' })).toMatchObject({ status: 'accepted' });
    const root = parseMime(last().raw);
    expect(root.type).toBe('text/plain');
    expect(root.text().trimEnd()).toBe('Код: 1234');
    expect(root.header('list-unsubscribe')).toBeUndefined();
    expect(root.header('list-unsubscribe-post')).toBeUndefined();
  });

  it('refuses a recipient that is not one address, and an unsubscribe link that is not http(s), without sending', async () => {
    const before = smtp.accepted.length;
    for (const to of ['ann@example.net, eve@example.org', 'Ann <ann@example.net>', 'no-at-sign', 'ann@example.net\r\nBcc: eve@example.org']) {
      expect(await email.send({ messageId: 'msg_3', to, text: 'x' })).toEqual({ status: 'rejected', reason: 'the recipient is not a single e-mail address', suppress: false });
    }
    expect(await email.send({ messageId: 'msg_3', to: 'ann@example.net', text: 'x', unsubscribeUrl: 'javascript:alert(1)' })).toMatchObject({ status: 'rejected' });
    expect(smtp.accepted.length).toBe(before);
  });

  it('cannot be made to break out of the List-Unsubscribe angle brackets', async () => {
    await email.send({ messageId: 'msg_4', to: 'ann@example.net', text: 'x', unsubscribeUrl: 'https://shop.example/u?x=1> <mailto:evil@example.org' });
    expect(parseMime(last().raw).header('list-unsubscribe')).toBe('<https://shop.example/u?x=1%3E%20%3Cmailto:evil@example.org>');
  });

  it('Message-IDs map back to our ids', () => {
    expect(messageIdHeader('msg_abc', 'shop.example')).toBe('<msg_abc@shop.example>');
    expect(messageIdHeader('msg a<b>', 'shop.example')).toBe('<msg_a_b_@shop.example>');
    expect(messageIdFromHeader('<msg_0190c2f6@shop.example>')).toBe('msg_0190c2f6');
    expect(messageIdFromHeader('msg_0190c2f6@shop.example')).toBe('msg_0190c2f6');
    expect(messageIdFromHeader('<CAF123@mail.gmail.com>')).toBeNull();
  });
});

describe('DKIM', () => {
  it('signs with the selector and domain, covering the unsubscribe headers, and the signature verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = createEmailTransport(config(smtp.port, { dkim: { domainName: 'shop.example', keySelector: 'patron2026', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }));
    try {
      await signed.send({ messageId: 'msg_5', to: 'ann@example.net', subject: 'Бонусы', text: 'Текст  с  пробелами \nи строками\n\n\n', html: '<p>HTML</p>', unsubscribeUrl: 'https://shop.example/u/1' });
    } finally {
      await signed.close();
    }
    const tags = verifyDkim(last().raw, createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })));
    expect(tags.d).toBe('shop.example');
    expect(tags.s).toBe('patron2026');
    expect(tags.a).toBe('rsa-sha256');
    expect((tags.h ?? '').split(':').map((h) => h.trim().toLowerCase())).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('refuses a key that is not an RSA private key, without repeating it', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createEmailTransport(config(smtp.port, { dkim: { domainName: 'shop.example', keySelector: 's1', privateKey: pem } }))).toThrow(/dkim.privateKey must be an RSA key/);
    expect(() => createEmailTransport(config(smtp.port, { dkim: { domainName: 'shop.example', keySelector: 's1', privateKey: 'not a key at all' } }))).toThrow(/^(?!.*not a key at all).*dkim.privateKey is not a PEM private key/);
  });
});

describe('the connection pool', () => {
  it('sends 50 messages over no more than maxConnections connections', async () => {
    const pooled = await startLoopbackSmtp();
    const transport = createEmailTransport(config(pooled.port, { maxConnections: 3, maxMessages: 100 }));
    try {
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => transport.send({ messageId: `msg_pool_${i}`, to: `c${i}@example.net`, subject: `#${i}`, text: `Message ${i}` })));
      expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
      expect(pooled.accepted).toHaveLength(50);
      expect(pooled.connections).toBeGreaterThanOrEqual(1);
      expect(pooled.connections).toBeLessThanOrEqual(3);
      expect(new Set(pooled.accepted.map((m) => parseMime(m.raw).header('message-id'))).size).toBe(50);
    } finally {
      await transport.close();
      await pooled.close();
    }
  });

  it('renews a connection after maxMessages', async () => {
    const pooled = await startLoopbackSmtp();
    const transport = createEmailTransport(config(pooled.port, { maxConnections: 1, maxMessages: 10 }));
    try {
      for (let i = 0; i < 25; i += 1) await transport.send({ messageId: `msg_renew_${i}`, to: 'ann@example.net', text: 'x' });
      expect(pooled.accepted).toHaveLength(25);
      expect(pooled.connections).toBe(3);
    } finally {
      await transport.close();
      await pooled.close();
    }
  });
});

/**
 * RFC 6376 verification of a relaxed/relaxed rsa-sha256 signature: body hash, then the signed
 * header fields (bottom-up instance selection, §5.4.2) and the signature header with b= empty.
 */
function verifyDkim(raw: string, publicKey: KeyObject): Record<string, string> {
  const split = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const fields: string[] = [];
  for (const line of headerBlock.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  const nameOf = (field: string) => field.slice(0, field.indexOf(':')).trim().toLowerCase();
  const relaxedHeader = (field: string) => `${nameOf(field)}:${field.slice(field.indexOf(':') + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim()}`;
  const signature = fields.find((f) => nameOf(f) === 'dkim-signature');
  expect(signature, 'a DKIM-Signature header').toBeDefined();
  const tags = Object.fromEntries(
    signature!.slice(signature!.indexOf(':') + 1).split(';').map((tag) => tag.trim()).filter(Boolean).map((tag) => {
      const eq = tag.indexOf('=');
      return [tag.slice(0, eq).trim(), tag.slice(eq + 1).replace(/\s+/g, '')];
    }),
  ) as Record<string, string>;
  expect(tags.c).toBe('relaxed/relaxed');

  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const canonicalBody = lines.length ? `${lines.join('\r\n')}\r\n` : '';
  expect(createHash('sha256').update(canonicalBody).digest('base64')).toBe(tags.bh);

  const used = new Set<number>();
  const signedHeaders: string[] = [];
  for (const name of (tags.h ?? '').split(':').map((h) => h.trim().toLowerCase())) {
    for (let i = fields.length - 1; i >= 0; i -= 1) {
      if (used.has(i) || nameOf(fields[i]!) !== name) continue;
      used.add(i);
      signedHeaders.push(`${relaxedHeader(fields[i]!)}\r\n`);
      break;
    }
  }
  const unsigned = relaxedHeader(signature!).replace(/(\bb=)[^;]*/, '$1');
  const data = signedHeaders.join('') + unsigned;
  expect(verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b!, 'base64'))).toBe(true);
  return tags;
}
