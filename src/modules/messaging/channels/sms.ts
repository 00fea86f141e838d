import { systemClock, type Clock } from '../../../platform/clock.ts';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import { parseChannelConfig, type SmsChannelConfig } from './channels.schemas.ts';
import { createHttpClient } from './http-client.ts';
import { createCooldown, createPacer, createRedactor, outcomeOfFailure, parseRetryAfter, rejected, retry } from './outcomes.ts';
import { countSmsSegments } from './sms-segments.ts';
import { smsProvider, type SmsHttpRequest } from './sms-providers.ts';

export {
  parseCustomSmsCallback,
  parseGenericSmsCallback,
  parseSmsCallback,
  parseSmsRuCallback,
  parseTwilioCallback,
  smsCallbackAnswer,
  verifyTwilioSignature,
  type SmsCallbackRequest,
  type SmsDeliveryReport,
  type SmsDeliveryStatus,
} from './sms-providers.ts';

/**
 * SMS through an HTTP gateway (see sms-providers.ts for the presets). The rules every preset
 * shares live here: E.164 numbers only, parts counted before sending (billed parts when the
 * gateway reports them), 408, 429 and 5xx retried with the gateway's Retry-After, a 3xx never
 * followed, and a gateway that said 429 with a wait is left alone until then.
 */
const E164 = /^\+[1-9]\d{6,14}$/;

export type SmsDeps = { clock?: Clock };

export function createSmsTransport(config: SmsChannelConfig, deps: SmsDeps = {}): ChannelTransport {
  const settings = parseChannelConfig('sms', config);
  const clock = deps.clock ?? systemClock;
  const provider = smsProvider(settings);
  const http = createHttpClient({ allowPrivateNetwork: settings.allowPrivateNetwork ?? false });
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const redact = createRedactor(provider.secrets);
  const cooldown = createCooldown(clock);
  const pace = createPacer(settings.maxPerSecond);

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    if (!E164.test(message.to)) return rejected('the phone number is not in E.164 form (+ and 7 to 15 digits)', false);
    if (message.text.trim() === '') return rejected('the SMS text is empty', false);
    const wait = cooldown.remainingMs('gateway');
    if (wait > 0) return retry('the gateway asked us to slow down; waiting before the next message', wait);
    const { segments } = countSmsSegments(message.text);

    let request: SmsHttpRequest;
    try {
      request = provider.build(message);
    } catch (error) {
      // Only a custom template can make a URL that does not parse: the channel's to fix.
      return rejected(redact(`could not build the gateway request: ${error instanceof Error ? error.message : String(error)}`), false, true);
    }
    await pace();
    const answer = await http.request({ ...request, timeoutMs });
    if (answer.kind !== 'answer') return outcomeOfFailure(answer, 'the gateway', redact);
    const { status } = answer;
    if (status === 408 || status === 429 || status >= 500) {
      const after = parseRetryAfter(answer.headers['retry-after'], clock.now());
      if (after !== null) cooldown.hold('gateway', after);
      return retry(`the gateway answered ${status}`, after);
    }
    if (status >= 300 && status < 400) return rejected(`the gateway answered ${status} (a redirect); redirects are not followed: configure the final URL`, false, true);
    const outcome = provider.read(answer, segments);
    return outcome.status === 'accepted' ? outcome : { ...outcome, reason: redact(outcome.reason) };
  }

  return {
    kind: 'sms',
    send,
    async close() {
      http.close();
    },
  };
}
