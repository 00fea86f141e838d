import bwipjs from 'bwip-js';
import { trusted, type Html } from '../../platform/pages/html.ts';

/**
 * The digital card: the card number as a Code 128 barcode (what a till's scanner reads) and as
 * a QR code (what a phone camera or a 2D scanner reads), both SVG drawn by bwip-js on the server,
 * labelled for screen readers. A card number is digits and letters only (normalised on entry),
 * so it is safe inside the SVG's text.
 */
export function cardCodes(cardNumber: string, label: string): { barcode: Html; qr: Html } {
  const svg = (options: Parameters<typeof bwipjs.toSVG>[0]) =>
    bwipjs.toSVG(options).replace('<svg ', `<svg role="img" aria-label="${label.replace(/[<>&"]/g, '')} ${cardNumber.replace(/[^0-9A-Za-z]/g, '')}" `);
  return {
    barcode: trusted(svg({ bcid: 'code128', text: cardNumber, height: 14, includetext: true, textxalign: 'center' })),
    qr: trusted(svg({ bcid: 'qrcode', text: cardNumber })),
  };
}
