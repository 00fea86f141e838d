/**
 * How many SMS parts a text costs (3GPP TS 23.038 / GSM 03.38). A text that fits the GSM 7-bit
 * alphabet goes as septets: 160 in one message, 153 per part once it is split (the user data
 * header takes 7). Anything else (Cyrillic, most emoji, "ç") sends the whole text as UCS-2:
 * 70 UTF-16 units in one message, 67 per part.
 *
 * The extension table's characters (€ [ ] { } ^ ~ | \ and form feed) take two septets (an
 * escape and the character); a character outside the BMP (most emoji) takes two UTF-16 units.
 * Neither is split across parts — phones could not reassemble it — so parts are packed here
 * the way handsets and gateways pack them, which can cost one part more than units / 153.
 */
export type SmsEncoding = 'gsm7' | 'ucs2';

export type SmsSegments = {
  encoding: SmsEncoding;
  /** Septets (gsm7) or UTF-16 code units (ucs2) of the whole text. */
  units: number;
  segments: number;
  /** Units one part holds: 160 / 153 (gsm7) or 70 / 67 (ucs2). */
  perSegment: number;
};

// GSM 03.38 default alphabet, in code order (0x1B, the escape, is left out: it is not a character).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS_SINGLE = 70;
const UCS_PART = 67;

/** True when every character of `text` is in the GSM 7-bit basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!basic.has(char) && !extension.has(char)) return false;
  return true;
}

export function countSmsSegments(text: string): SmsSegments {
  const gsm = isGsm7(text);
  // The width of each character in the encoding's units; iterating a string yields code points.
  const widths: number[] = [];
  for (const char of text) widths.push(gsm ? (extension.has(char) ? 2 : 1) : char.length);
  const units = widths.reduce((sum, w) => sum + w, 0);
  const single = gsm ? GSM_SINGLE : UCS_SINGLE;
  const part = gsm ? GSM_PART : UCS_PART;
  if (units <= single) return { encoding: gsm ? 'gsm7' : 'ucs2', units, segments: 1, perSegment: single };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > part) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding: gsm ? 'gsm7' : 'ucs2', units, segments, perSegment: part };
}
