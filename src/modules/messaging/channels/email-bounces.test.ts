import { describe, expect, it } from 'vitest';
import { classifyDeliveryStatus, parseBounceReport } from './email-bounces.ts';
import { decodeEncodedWords, parseMime } from './mime.ts';

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** A DSN as Postfix writes one, with the returned message's headers. */
function dsn(recipientGroups: string, options: { type?: string; extraHeaders?: string; encoding?: 'base64' } = {}) {
  const status = `Reporting-MTA: dns; mx.example.net\nX-Postfix-Queue-ID: 4F2K3x1Yz\nArrival-Date: Sun, 1 Mar 2026 09:00:00 +0000\n\n${recipientGroups}\n`;
  const body = options.encoding === 'base64' ? Buffer.from(crlf(status)).toString('base64').replace(/(.{76})/g, '$1\n') : status;
  return crlf(`Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: bounces@shop.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F2K3x1Yz.1772355600/mx.example.net"

This is a MIME-encapsulated message.

--4F2K3x1Yz.1772355600/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--4F2K3x1Yz.1772355600/mx.example.net
Content-Description: Delivery report
Content-Type: ${options.type ?? 'message/delivery-status'}${options.encoding ? '\nContent-Transfer-Encoding: base64' : ''}

${body}
--4F2K3x1Yz.1772355600/mx.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Shop <news@shop.example>
To: ann@example.net
Subject: =?UTF-8?B?0JLQsNGI0Lgg0LHQvtC90YPRgdGL?=
Message-ID: <msg_0190c2f65c3a7b1e9f001234567890ab@shop.example>
${options.extraHeaders ?? ''}
--4F2K3x1Yz.1772355600/mx.example.net--
`);
}

const ours = { originalMessageId: 'msg_0190c2f65c3a7b1e9f001234567890ab@shop.example', messageId: 'msg_0190c2f65c3a7b1e9f001234567890ab' };

describe('parseBounceReport: delivery status notifications (RFC 3464)', () => {
  it('a hard bounce: no such user', () => {
    const raw = dsn(`Final-Recipient: rfc822; ann@example.net
Original-Recipient: rfc822;ann@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx1.example.net
Diagnostic-Code: smtp; 550 5.1.1 <ann@example.net>: Recipient address rejected:
    User unknown in virtual mailbox table`);
    expect(parseBounceReport(raw)).toEqual({
      recipient: 'ann@example.net',
      kind: 'hard',
      status: '5.1.1',
      ...ours,
      diagnostic: '550 5.1.1 <ann@example.net>: Recipient address rejected: User unknown in virtual mailbox table',
    });
  });

  it.each([
    ['mailbox full (5.2.2) is soft', 'failed', '5.2.2', 'smtp; 552 5.2.2 Mailbox full', 'soft'],
    ['blocked by policy (5.7.1) is soft: the address lives', 'failed', '5.7.1', 'smtp; 550 5.7.1 Message rejected as spam', 'soft'],
    ['no such domain (5.1.2) is hard', 'failed', '5.1.2', 'smtp; 550 5.1.2 Host unknown', 'hard'],
    ['mailbox disabled (5.2.1) is hard', 'failed', '5.2.1', 'smtp; 550 5.2.1 The email account that you tried to reach is disabled', 'hard'],
    ['null MX (5.1.10) is hard', 'failed', '5.1.10', 'smtp; 556 5.1.10 Recipient address has null MX', 'hard'],
    ['a generic 5.0.0 that says "user unknown" is hard', 'failed', '5.0.0', 'smtp; 550 5.0.0 User unknown', 'hard'],
    ['a generic 5.0.0 without that is soft', 'failed', '5.0.0', 'smtp; 550 5.0.0 Rejected', 'soft'],
    ['a delay is soft', 'delayed', '4.4.1', 'smtp; 421 4.4.1 Connection timed out', 'soft'],
  ])('%s', (_name, action, status, diagnostic, kind) => {
    const report = parseBounceReport(dsn(`Final-Recipient: rfc822; ann@example.net\nAction: ${action}\nStatus: ${status}\nDiagnostic-Code: ${diagnostic}`));
    expect(report).toMatchObject({ recipient: 'ann@example.net', kind, status, messageId: ours.messageId });
  });

  it('takes the status from the diagnostic when the Status field is missing', () => {
    expect(parseBounceReport(dsn('Final-Recipient: rfc822; ann@example.net\nAction: failed\nDiagnostic-Code: smtp; 550 5.1.1 no such user'))).toMatchObject({ kind: 'hard', status: '5.1.1' });
  });

  it('of several recipients, reports the failed one', () => {
    const raw = dsn('Final-Recipient: rfc822; bob@example.net\nAction: delivered\nStatus: 2.0.0\n\nFinal-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.1.1');
    expect(parseBounceReport(raw)).toMatchObject({ recipient: 'ann@example.net', kind: 'hard' });
  });

  it('a "delivered" notice is not a bounce', () => {
    expect(parseBounceReport(dsn('Final-Recipient: rfc822; ann@example.net\nAction: delivered\nStatus: 2.0.0'))).toBeNull();
  });

  it('reads a base64-encoded status part', () => {
    expect(parseBounceReport(dsn('Final-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.1.1', { encoding: 'base64' }))).toMatchObject({ recipient: 'ann@example.net', kind: 'hard' });
  });

  it('reads an internationalised DSN (RFC 6533) with a UTF-8 address', () => {
    const raw = dsn('Final-Recipient: utf-8; пользователь@пример.рф\nAction: failed\nStatus: 5.1.1', { type: 'message/global-delivery-status' });
    expect(parseBounceReport(raw)).toMatchObject({ recipient: 'пользователь@пример.рф', kind: 'hard', status: '5.1.1' });
  });

  it('takes our id from the envelope id when the returned headers are missing', () => {
    const raw = dsn('Final-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.1.1')
      .replace('Reporting-MTA: dns; mx.example.net', 'Reporting-MTA: dns; mx.example.net\r\nOriginal-Envelope-Id: msg_0190c2f6')
      .replace(/Message-ID: <[^>]+>/, '');
    expect(parseBounceReport(raw)).toEqual({ recipient: 'ann@example.net', kind: 'hard', status: '5.1.1', messageId: 'msg_0190c2f6' });
  });

  it('leaves out our id when the Message-ID is not one of ours', () => {
    const raw = dsn('Final-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.1.1').replace('msg_0190c2f65c3a7b1e9f001234567890ab@shop.example', 'CAF=abc@mail.example.org');
    const report = parseBounceReport(raw);
    expect(report).toMatchObject({ originalMessageId: 'CAF=abc@mail.example.org' });
    expect(report?.messageId).toBeUndefined();
  });
});

/** An ARF report as a feedback loop sends one, with the complained-about message attached. */
function arf(feedback: string) {
  return crlf(`From: <feedback@fbl.example.com>
To: <abuse@shop.example>
Subject: FW: Earn 120 points
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP 192.0.2.1.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

${feedback}

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

From: <news@shop.example>
Received: from mailserver.example.net (mailserver.example.net [192.0.2.1]) by example.com
To: <complainer@example.com>
Subject: =?UTF-8?Q?=D0=91=D0=BE=D0=BD=D1=83=D1=81=D1=8B?=
Message-ID: <msg_0190c2f65c3a7b1e9f001234567890ab@shop.example>
Date: Sun, 1 Mar 2026 09:00:00 +0000
Content-Type: text/plain; charset=utf-8

Earn 120 points!

--part1_13d.2e68ed54_boundary--
`);
}

describe('parseBounceReport: complaints (RFC 5965 ARF)', () => {
  it('a spam complaint names the recipient from Original-Rcpt-To', () => {
    const raw = arf('Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Mail-From: <bounces@shop.example>\nOriginal-Rcpt-To: <complainer@example.com>\nArrival-Date: Sun, 1 Mar 2026 09:00:00 +0000\nSource-IP: 192.0.2.1');
    expect(parseBounceReport(raw)).toEqual({ recipient: 'complainer@example.com', kind: 'complaint', status: 'abuse', ...ours });
  });

  it('without Original-Rcpt-To, the attached message\'s To', () => {
    expect(parseBounceReport(arf('Feedback-Type: abuse\nUser-Agent: X/1\nVersion: 1'))).toMatchObject({ recipient: 'complainer@example.com', kind: 'complaint' });
  });

  it('a redacted report still names our message', () => {
    const raw = arf('Feedback-Type: abuse\nUser-Agent: X/1\nVersion: 1\nOriginal-Rcpt-To: redacted').replace('To: <complainer@example.com>', 'To: redacted');
    expect(parseBounceReport(raw)).toEqual({ recipient: null, kind: 'complaint', status: 'abuse', ...ours });
  });

  it('"not-spam" is not a complaint', () => {
    expect(parseBounceReport(arf('Feedback-Type: not-spam\nUser-Agent: X/1\nVersion: 1'))).toBeNull();
  });
});

describe('parseBounceReport: what it leaves alone', () => {
  it.each([
    ['an autoreply', crlf('From: ann@example.net\nTo: news@shop.example\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n')],
    ['a bounce in prose only', crlf('From: MAILER-DAEMON@x\nSubject: failure notice\n\nSorry, we were unable to deliver your message to ann@example.net.\n550 user unknown\n')],
    ['not even a message', ''],
  ])('%s → null', (_name, raw) => {
    expect(parseBounceReport(raw)).toBeNull();
  });
});

describe('classifyDeliveryStatus', () => {
  it.each([
    ['5.1.1', '', 'hard'],
    ['5.4.4', '', 'hard'],
    ['5.3.4', '', 'soft'],
    ['4.1.1', '', 'soft'],
    ['nonsense', '', 'soft'],
  ])('%s', (status, diagnostic, kind) => {
    expect(classifyDeliveryStatus(status, diagnostic)).toBe(kind);
  });
});

describe('mime', () => {
  it('decodes encoded words, joining adjacent ones (a character split between words)', () => {
    // "Привет" in UTF-8, its bytes split across two base64 words in the middle of "и".
    const bytes = Buffer.from('Привет');
    const split = `=?UTF-8?B?${bytes.subarray(0, 5).toString('base64')}?= =?UTF-8?B?${bytes.subarray(5).toString('base64')}?=`;
    expect(decodeEncodedWords(split)).toBe('Привет');
    expect(decodeEncodedWords('Re: =?utf-8?q?=D0=91=D0=BE=D0=BD=D1=83=D1=81=D1=8B_=D0=B7=D0=B0?= March')).toBe('Re: Бонусы за March');
    expect(decodeEncodedWords('=?windows-1251?B?z/Do4uXy?=')).toBe('Привет');
    expect(decodeEncodedWords('plain text')).toBe('plain text');
  });

  it('splits multiparts and undoes quoted-printable with its charset', () => {
    const raw = crlf('Content-Type: multipart/alternative; boundary=b1\n\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82, a very long line that was wrapped =\nsoftly\n--b1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\nPHA+0J/RgNC40LLQtdGCPC9wPg==\n--b1--\n');
    const root = parseMime(raw);
    expect(root.type).toBe('multipart/alternative');
    expect(root.parts.map((p) => [p.type, p.text()])).toEqual([
      ['text/plain', 'Привет, a very long line that was wrapped softly'],
      ['text/html', '<p>Привет</p>'],
    ]);
  });
});
