import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on loopback for the messaging tests: it keeps every message it accepted
 * (raw), and can refuse some with a temporary error (451) to show that nothing refused is
 * counted as sent. `refuse(n)` answers whether the n-th DATA (1-based) is refused.
 */
export type SmtpSink = {
  port: number;
  received: Array<{ from: string; to: string[]; raw: string }>;
  refused: number;
  close(): Promise<void>;
};

export async function startSmtpSink(options: { refuse?: (n: number) => boolean } = {}): Promise<SmtpSink> {
  const received: SmtpSink['received'] = [];
  let data = 0;
  const sink = { received, refused: 0 } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    // Any user and password will do: the relay's side of a login is not what these tests test.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        data++;
        if (options.refuse?.(data)) {
          sink.refused++;
          const error = new Error('Requested action aborted: local error in processing') as Error & { responseCode: number };
          error.responseCode = 451;
          return callback(error);
        }
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  // A client killed mid-conversation resets its connection: that is the test's doing, not a failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** A header's value in a raw message (unfolded), or null. */
export function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}
