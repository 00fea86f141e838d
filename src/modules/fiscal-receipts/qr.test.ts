import { describe, expect, it } from 'vitest';
import { canonicalQr, parseFiscalQr, zonedInstant } from './qr.ts';

const QR = 't=20261130T1415&s=1490.50&fn=9960440300000001&i=12345&fp=3456789012&n=1';
const parsed = { localTime: '2026-11-30T14:15:00', totalMinor: 149050, fn: '9960440300000001', i: 12345, fp: 3456789012, operation: 1 };

describe('parseFiscalQr: valid QR texts', () => {
  const valid: Array<[string, string, Partial<typeof parsed>]> = [
    ['the ФНС order', QR, {}],
    ['another order', 'n=1&fp=3456789012&i=12345&fn=9960440300000001&s=1490.50&t=20261130T1415', {}],
    ['with seconds', QR.replace('T1415', 'T141509'), { localTime: '2026-11-30T14:15:09' }],
    ['whitespace around and around the values', `  ${QR.replace('s=1490.50', 's= 1490.50 ')}\n`, {}],
    ['URL-encoded as a whole', encodeURIComponent(QR), {}],
    ['values URL-encoded', QR.replace('T1415', '%54%31%34%31%35'), {}],
    ['a full URL whose query is the text', `https://check.example/qr?${QR}#scan`, {}],
    ['a leading ?', `?${QR}`, {}],
    ['upper-case names, unknown parameters ignored, a trailing &', `T=20261130T1415&S=1490.50&FN=9960440300000001&I=12345&FP=3456789012&N=1&qr=1&`, {}],
    ['whole roubles', QR.replace('s=1490.50', 's=1490'), { totalMinor: 149000 }],
    ['one decimal', QR.replace('s=1490.50', 's=1490.5'), { totalMinor: 149050 }],
    ['leading zeros of i and fp', QR.replace('i=12345', 'i=0012345').replace('fp=3456789012', 'fp=0000001'), { fp: 1 }],
    ['the same parameter twice with one value', `${QR}&n=1`, {}],
  ];
  it.each(valid)('%s', (_name, text, changes) => {
    expect(parseFiscalQr(text)).toEqual({ ok: true, qr: { ...parsed, ...changes } });
  });
});

describe('parseFiscalQr: each problem in words, naming its parameter', () => {
  const invalid: Array<[string, string, Array<{ field: string; reason: string }>]> = [
    ['empty', '   ', [{ field: 'qr', reason: "is empty: give the text of the receipt's QR code (t=…&s=…&fn=…&i=…&fp=…&n=…)" }]],
    ['too long', `${QR}&x=${'9'.repeat(1000)}`, [{ field: 'qr', reason: "is 1074 characters long; a receipt's QR text is at most 1000" }]],
    ['t missing', QR.replace('t=20261130T1415&', ''), [{ field: 'qr.t', reason: "t: is missing: the QR of a fiscal receipt gives the receipt's date and time (t=20261130T1415)" }]],
    ['t not a date format', QR.replace('20261130T1415', '30.11.2026 14:15'), [
      { field: 'qr.t', reason: 't: must be the receipt\'s date and time as YYYYMMDDTHHMM or YYYYMMDDTHHMMSS (20261130T1415), not "30.11.2026 14:15"' },
    ]],
    ['t not a day', QR.replace('20261130', '20260230'), [{ field: 'qr.t', reason: 't: 2026-02-30 is not a date (a year from 2000, a month 01–12, a day the month has)' }]],
    ['t not a time', QR.replace('T1415', 'T2460'), [{ field: 'qr.t', reason: 't: 24:60:00 is not a time of day (hours 00–23, minutes and seconds 00–59)' }]],
    ['s negative', QR.replace('s=1490.50', 's=-1490.50'), [{ field: 'qr.s', reason: 's: must not be negative: it is the amount paid' }]],
    ['s three decimals', QR.replace('s=1490.50', 's=1490.505'), [{ field: 'qr.s', reason: 's: has 3 decimals; a total is in roubles to the kopeck (at most 2 decimals)' }]],
    ['s with a comma', QR.replace('s=1490.50', 's=1490,50'), [{ field: 'qr.s', reason: 's: must use a decimal point, not a comma (1490.50)' }]],
    ['s absurd', QR.replace('s=1490.50', 's=10000000.01'), [{ field: 'qr.s', reason: 's: 10000000.01 roubles is more than a receipt can be (at most 10000000 roubles)' }]],
    ['s far too many digits', QR.replace('s=1490.50', 's=123456789012345678901234567890'), [{ field: 'qr.s', reason: 's: 123456789012345678901234567890 roubles is more than a receipt can be (at most 10000000 roubles)' }]],
    ['s zero', QR.replace('s=1490.50', 's=0.00'), [{ field: 'qr.s', reason: 's: must be more than 0: a receipt of nothing earns nothing' }]],
    ['s not a number', QR.replace('s=1490.50', 's=abc'), [{ field: 'qr.s', reason: 's: must be the total in roubles with a decimal point (1490.00), not "abc"' }]],
    ['fn 15 digits', QR.replace('fn=9960440300000001', 'fn=996044030000000'), [{ field: 'qr.fn', reason: 'fn: must be the fiscal drive\'s number: 16 digits, not "996044030000000"' }]],
    ['i zero', QR.replace('i=12345', 'i=0'), [{ field: 'qr.i', reason: "i: must be the fiscal document's number from 1 to 4294967295, not 0" }]],
    ['i not digits', QR.replace('i=12345', 'i=12a'), [{ field: 'qr.i', reason: 'i: must be the fiscal document\'s number: up to 10 digits, not "12a"' }]],
    ['fp 11 digits', QR.replace('fp=3456789012', 'fp=34567890123'), [{ field: 'qr.fp', reason: 'fp: must be the fiscal sign: up to 10 digits, not "34567890123"' }]],
    ['fp above 2^32', QR.replace('fp=3456789012', 'fp=9999999999'), [{ field: 'qr.fp', reason: 'fp: must be the fiscal sign from 0 to 4294967295, not 9999999999' }]],
    ['n=2, a return', QR.replace('n=1', 'n=2'), [{ field: 'qr.n', reason: 'n: n=2 is a return of a sale (возврат прихода): only a sale (n=1) earns points' }]],
    ['n=3, an expense', QR.replace('n=1', 'n=3'), [{ field: 'qr.n', reason: 'n: n=3 is an expense (расход): only a sale (n=1) earns points' }]],
    ['n=4, an expense\'s return', QR.replace('n=1', 'n=4'), [{ field: 'qr.n', reason: 'n: n=4 is a return of an expense (возврат расхода): only a sale (n=1) earns points' }]],
    ['n unknown', QR.replace('n=1', 'n=7'), [{ field: 'qr.n', reason: 'n: must be the operation: 1 (a sale) earns points; 2, 3 and 4 are returns and expenses; not "7"' }]],
    ['a parameter twice with two values', `${QR}&i=12346`, [{ field: 'qr.i', reason: 'i: is given twice, as "12345" and "12346"' }]],
    ['broken URL encoding', QR.replace('fp=3456789012', 'fp=%E0%A4%A'), [
      { field: 'qr.fp', reason: 'fp: "%E0%A4%A" is not valid URL encoding (a % must be followed by two hexadecimal digits)' },
    ]],
    ['a URL without a query', 'https://check.example/qr', ['t', 's', 'fn', 'i', 'fp', 'n'].map((p) => ({ field: `qr.${p}`, reason: expect.stringContaining(`${p}: is missing`) as unknown as string }))],
    ['several at once', 't=2026&s=-1&fn=1&i=1&fp=1&n=2', [
      { field: 'qr.t', reason: expect.stringContaining('t: must be the receipt\'s date') as unknown as string },
      { field: 'qr.s', reason: 's: must not be negative: it is the amount paid' },
      { field: 'qr.fn', reason: 'fn: must be the fiscal drive\'s number: 16 digits, not "1"' },
      { field: 'qr.n', reason: 'n: n=2 is a return of a sale (возврат прихода): only a sale (n=1) earns points' },
    ]],
  ];
  it.each(invalid)('%s', (_name, text, problems) => {
    expect(parseFiscalQr(text)).toEqual({ ok: false, problems });
  });
});

describe('the canonical QR and the local time', () => {
  it('writes the QR back in the ФНС order, seconds only when there are some', () => {
    const result = parseFiscalQr(`https://x.example/?n=1&${QR.replace('n=1', '').replace('&&', '&')}`);
    expect(result.ok && canonicalQr(result.qr)).toBe(QR);
    const withSeconds = parseFiscalQr(QR.replace('T1415', 'T141509'));
    expect(withSeconds.ok && canonicalQr(withSeconds.qr)).toBe(QR.replace('T1415', 'T141509'));
  });

  it('reads the printed time in the brand\'s zone', () => {
    expect(zonedInstant('2026-11-30T14:15:00', 'Europe/Moscow').toISOString()).toBe('2026-11-30T11:15:00.000Z');
    expect(zonedInstant('2026-11-30T14:15:09', 'Asia/Vladivostok').toISOString()).toBe('2026-11-30T04:15:09.000Z');
    expect(zonedInstant('2026-07-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(zonedInstant('2026-01-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-01-01T11:00:00.000Z');
  });
});
