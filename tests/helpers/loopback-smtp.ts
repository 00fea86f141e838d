import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 (port 0, no TLS, login optional) standing in for the relay.
 * It keeps every message it accepted, raw as it arrived, and counts connections; `decide` lets
 * a test refuse at RCPT TO or after DATA with any reply.
 */
export type ReceivedMail = { raw: string; from: string; to: string[]; session: string; envelope: SMTPServerSession['envelope'] };

/** An SMTP reply to send instead of accepting: code and text ("5.1.1 No such user"). */
export type SmtpRefusal = { code: number; text: string };

export type SmtpDecisions = {
  mailFrom?: (address: string) => SmtpRefusal | null;
  rcptTo?: (address: string) => SmtpRefusal | null;
  /** Called with the raw message and how many messages came before it (refused or not). */
  data?: (raw: string, index: number) => SmtpRefusal | null;
};

export type LoopbackSmtp = {
  port: number;
  accepted: ReceivedMail[];
  /** DATA refusals, in order, with the raw message refused. */
  refused: Array<{ raw: string; refusal: SmtpRefusal }>;
  connections: number;
  close(): Promise<void>;
};

function smtpError({ code, text }: SmtpRefusal): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startLoopbackSmtp(decide: SmtpDecisions = {}, options: Partial<SMTPServerOptions> = {}): Promise<LoopbackSmtp> {
  const state: LoopbackSmtp = { port: 0, accepted: [], refused: [], connections: 0, close: async () => {} };
  let dataIndex = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    // As a real relay (Postfix) does: offer DSN, so the envelope carries our ENVID.
    hideDSN: false,
    onConnect(_session, callback) {
      state.connections += 1;
      callback();
    },
    onMailFrom(address, _session, callback) {
      const refusal = decide.mailFrom?.(address.address);
      callback(refusal ? smtpError(refusal) : null);
    },
    onRcptTo(address, _session, callback) {
      const refusal = decide.rcptTo?.(address.address);
      callback(refusal ? smtpError(refusal) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const refusal = decide.data?.(raw, dataIndex);
        dataIndex += 1;
        if (refusal) {
          state.refused.push({ raw, refusal });
          return callback(smtpError(refusal));
        }
        const envelope = session.envelope;
        state.accepted.push({
          raw,
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          session: session.id,
          envelope,
        });
        callback(null, 'OK: queued as Q' + String(state.accepted.length).padStart(6, '0'));
      });
    },
    // Last, so a test can replace a handler (a server that refuses in its greeting).
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
