import { describe, expect, it } from 'vitest';
import { startLoopbackSmtp } from '../../../../tests/helpers/loopback-smtp.ts';
import type { SendOutcome } from './channel.ts';
import { createEmailTransport } from './email.ts';
import { parseMime } from './mime.ts';

/** How the transport reads a real SMTP server's refusals: retry, reject, suppress. */
const config = (port: number, extra: object = {}) => ({ host: '127.0.0.1', port, from: 'Shop <news@shop.example>', timeoutMs: 5000, ...extra });

describe('SMTP refusals', () => {
  it('451 to every third message: the caller\'s retries get each accepted exactly once, and nothing refused is reported sent', async () => {
    const smtp = await startLoopbackSmtp({ data: (_raw, index) => (index % 3 === 2 ? { code: 451, text: '4.3.0 Try again later' } : null) });
    const email = createEmailTransport(config(smtp.port, { maxConnections: 2 }));
    const ids = Array.from({ length: 30 }, (_, i) => `msg_retry_${String(i).padStart(2, '0')}`);
    const acceptedBy = new Map<string, number>();
    const retries: SendOutcome[] = [];
    try {
      await Promise.all(
        ids.map(async (messageId) => {
          for (let attempt = 1; attempt <= 10; attempt += 1) {
            const outcome = await email.send({ messageId, to: `${messageId}@example.net`, subject: 'x', text: 'x' });
            if (outcome.status === 'accepted') {
              acceptedBy.set(messageId, (acceptedBy.get(messageId) ?? 0) + 1);
              return;
            }
            expect(outcome.status).toBe('retry');
            retries.push(outcome);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }),
      );
    } finally {
      await email.close();
      await smtp.close();
    }
    const serverAccepted = smtp.accepted.map((m) => parseMime(m.raw).header('message-id'));
    const serverRefused = smtp.refused.map((m) => parseMime(m.raw).header('message-id'));
    // Every message accepted, once, at both ends; and the server kept exactly what we were told it took.
    expect([...acceptedBy.keys()].sort()).toEqual(ids);
    expect([...acceptedBy.values()].every((n) => n === 1)).toBe(true);
    expect(serverAccepted.sort()).toEqual(ids.map((id) => `<${id}@shop.example>`));
    // Each refusal came back as one retry, never as 'accepted'.
    expect(serverRefused.length).toBeGreaterThanOrEqual(10);
    expect(retries).toHaveLength(serverRefused.length);
    expect(retries[0]).toEqual({ status: 'retry', retryAfterMs: null, reason: 'SMTP 451 to DATA: 4.3.0 Try again later' });
  });

  it.each([
    ['550 5.1.1 no such user: dead, suppress', { code: 550, text: '5.1.1 <nobody@example.net>: Recipient address rejected: User unknown' }, { status: 'rejected', suppress: true }],
    ['551 without an enhanced code: suppress', { code: 551, text: 'User not local' }, { status: 'rejected', suppress: true }],
    ['553 mailbox name not allowed: suppress', { code: 553, text: '5.1.3 Bad recipient address syntax' }, { status: 'rejected', suppress: true }],
    ['550 5.7.1 refused by policy: rejected, the address lives', { code: 550, text: '5.7.1 Message rejected due to content restrictions' }, { status: 'rejected', suppress: false }],
    ['552 5.2.2 mailbox full: rejected, not suppressed', { code: 552, text: '5.2.2 Mailbox full' }, { status: 'rejected', suppress: false }],
    ['450 greylisting: retry', { code: 450, text: '4.2.0 Greylisted, please try again in 300 seconds' }, { status: 'retry', retryAfterMs: null }],
    ['452 too many recipients: retry', { code: 452, text: '4.5.3 Too many recipients' }, { status: 'retry' }],
  ])('RCPT TO answered %s', async (_name, refusal, expected) => {
    const smtp = await startLoopbackSmtp({ rcptTo: (address) => (address.startsWith('nobody@') ? refusal : null) });
    const email = createEmailTransport(config(smtp.port));
    try {
      const outcome = await email.send({ messageId: 'msg_rcpt', to: 'nobody@example.net', subject: 'x', text: 'x' });
      expect(outcome).toMatchObject(expected);
      expect(outcome.status !== 'accepted' && outcome.reason).toBe(`SMTP ${refusal.code} to RCPT TO: ${refusal.text}`);
      expect(smtp.accepted).toHaveLength(0);
      // The connection is still good for the next recipient.
      expect(await email.send({ messageId: 'msg_ok', to: 'ann@example.net', text: 'x' })).toMatchObject({ status: 'accepted' });
    } finally {
      await email.close();
      await smtp.close();
    }
  });

  it('554 after DATA (content refused): rejected, not suppressed', async () => {
    const smtp = await startLoopbackSmtp({ data: () => ({ code: 554, text: '5.6.0 Message content rejected' }) });
    const email = createEmailTransport(config(smtp.port));
    try {
      expect(await email.send({ messageId: 'msg_554', to: 'ann@example.net', text: 'x' })).toEqual({ status: 'rejected', reason: 'SMTP 554 to DATA: 5.6.0 Message content rejected', suppress: false });
    } finally {
      await email.close();
      await smtp.close();
    }
  });

  it('the sender refused: the channel\'s fault', async () => {
    const smtp = await startLoopbackSmtp({ mailFrom: () => ({ code: 553, text: '5.7.1 Sender address rejected: not owned by user' }) });
    const email = createEmailTransport(config(smtp.port));
    try {
      expect(await email.send({ messageId: 'msg_from', to: 'ann@example.net', text: 'x' })).toMatchObject({ status: 'rejected', suppress: false, channelFault: true });
    } finally {
      await email.close();
      await smtp.close();
    }
  });

  it('a refused login is the channel\'s fault and the reason holds no password', async () => {
    const password = 'correct horse battery staple';
    const smtp = await startLoopbackSmtp({}, {
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error(`5.7.8 Authentication failed for password ${password}`), { responseCode: 535 }));
      },
    });
    const email = createEmailTransport(config(smtp.port, { auth: { user: 'patron', pass: password } }));
    try {
      const outcome = await email.send({ messageId: 'msg_auth', to: 'ann@example.net', text: 'x' });
      expect(outcome).toEqual({ status: 'rejected', reason: "the SMTP server refused our login (535): check the channel's user and password", suppress: false, channelFault: true });
    } finally {
      await email.close();
      await smtp.close();
    }
  });

  it('no server listening: retry', async () => {
    const smtp = await startLoopbackSmtp();
    const port = smtp.port;
    await smtp.close();
    const email = createEmailTransport(config(port));
    try {
      const outcome = await email.send({ messageId: 'msg_down', to: 'ann@example.net', text: 'x' });
      expect(outcome).toMatchObject({ status: 'retry', retryAfterMs: null });
      expect(outcome.status === 'retry' && outcome.reason).toMatch(/^ESOCKET|^ECONNECTION|ECONNREFUSED/);
    } finally {
      await email.close();
    }
  });

  it('a server that hangs up in the greeting (421): retry', async () => {
    const smtp = await startLoopbackSmtp({}, {
      onConnect(_session, callback) {
        callback(Object.assign(new Error('4.7.0 Too many connections, try later'), { responseCode: 421 }));
      },
    });
    const email = createEmailTransport(config(smtp.port));
    try {
      expect(await email.send({ messageId: 'msg_421', to: 'ann@example.net', text: 'x' })).toMatchObject({ status: 'retry' });
      expect(smtp.accepted).toHaveLength(0);
    } finally {
      await email.close();
      await smtp.close();
    }
  });
});
