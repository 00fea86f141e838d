import { describe, expect, it } from 'vitest';
import { countSmsSegments, isGsm7 } from './sms-segments.ts';

const a = (n: number) => 'a'.repeat(n);
const cyr = (n: number) => 'П'.repeat(n);

describe('countSmsSegments', () => {
  it.each([
    // [name, text, encoding, units, segments, perSegment]
    ['empty', '', 'gsm7', 0, 1, 160],
    ['plain Latin', 'Hello, world!', 'gsm7', 13, 1, 160],
    ['160 septets fit one message', a(160), 'gsm7', 160, 1, 160],
    ['161 septets take two parts of 153', a(161), 'gsm7', 161, 2, 153],
    ['306 septets: two full parts', a(306), 'gsm7', 306, 2, 153],
    ['307 septets: three parts', a(307), 'gsm7', 307, 3, 153],
    ['û and ú are not in GSM 03.38 (ù is)', 'Ça coûte? Ñandú ΔΦΓ £5 ¥ §', 'ucs2', 26, 1, 70],
    ['accents and Greek capitals of the basic table', 'Ça Ñandu ΔΦΓ £5 ¥ § ¿¡ äöüß ÆØÅ', 'gsm7', 31, 1, 160],
    ['€ is two septets', '€', 'gsm7', 2, 1, 160],
    ['80 € fill one message', '€'.repeat(80), 'gsm7', 160, 1, 160],
    ['brackets and braces are two septets each', '[{x}]', 'gsm7', 9, 1, 160],
    ['^ ~ | \\ and form feed are extension characters', '^~|\\\f', 'gsm7', 10, 1, 160],
    ['one € pushes 159 letters over a single message', `€${a(159)}`, 'gsm7', 161, 2, 153],
    // 306 septets would be two parts, but the € cannot be split across the boundary.
    ['an escape is never split across parts', `${a(152)}€${a(152)}`, 'gsm7', 306, 3, 153],
    ['newline and carriage return are basic', 'a\r\nb', 'gsm7', 4, 1, 160],
    ['Cyrillic is UCS-2', 'Привет, мир!', 'ucs2', 12, 1, 70],
    ['70 Cyrillic letters fit one message', cyr(70), 'ucs2', 70, 1, 70],
    ['71 Cyrillic letters take two parts of 67', cyr(71), 'ucs2', 71, 2, 67],
    ['134 Cyrillic letters: two full parts', cyr(134), 'ucs2', 134, 2, 67],
    ['135 Cyrillic letters: three parts', cyr(135), 'ucs2', 135, 3, 67],
    ['a Cyrillic letter makes the whole text UCS-2', `${a(69)}Ж`, 'ucs2', 70, 1, 70],
    ['… and a Latin text of 71 then takes two parts', `${a(70)}Ж`, 'ucs2', 71, 2, 67],
    ['€ in a UCS-2 text is one unit', 'Цена: 100€', 'ucs2', 10, 1, 70],
    ['an emoji is a surrogate pair: two units', '😀', 'ucs2', 2, 1, 70],
    ['35 emoji fill one message', '😀'.repeat(35), 'ucs2', 70, 1, 70],
    ['36 emoji take two parts (33 + 3)', '😀'.repeat(36), 'ucs2', 72, 2, 67],
    // 134 units would be two parts, but the pair cannot be split across the boundary.
    ['a surrogate pair is never split across parts', `${cyr(66)}😀${cyr(66)}`, 'ucs2', 134, 3, 67],
    ['a BMP symbol outside GSM is one unit', '★', 'ucs2', 1, 1, 70],
    ['ç (lowercase) is not in GSM 03.38', 'garçon', 'ucs2', 6, 1, 70],
    ['a backtick is not in GSM 03.38', '`code`', 'ucs2', 6, 1, 70],
    ['Greek lowercase is not in GSM 03.38', 'α', 'ucs2', 1, 1, 70],
  ])('%s', (_name, text, encoding, units, segments, perSegment) => {
    expect(countSmsSegments(text)).toEqual({ encoding, units, segments, perSegment });
  });
});

describe('isGsm7', () => {
  it.each([
    ['Hello @ home', true],
    ['€ [ ] { } ^ ~ | \\', true],
    ['Привет', false],
    ['👍', false],
    ['\t', false],
  ])('%j → %s', (text, expected) => {
    expect(isGsm7(text)).toBe(expected);
  });
});
