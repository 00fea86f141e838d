/**
 * CSV cells that a spreadsheet would run as a formula (CSV or "formula" injection): a cell
 * beginning with = + - @, a tab or a carriage return. Every CSV Patron writes goes through
 * `neutraliseCell`, which puts a single quote in front, so Excel, LibreOffice and Google Sheets
 * show the text instead of evaluating it (`=HYPERLINK(…)` stays text).
 *
 * Two choices, written down in docs/import.md ("Export"):
 * - A plain number (`+79123456789`, `-5`, `12.5`) is written as it is: a sign followed only by
 *   digits cannot call a function or reach another cell, and E.164 phones stay readable for
 *   every other tool that reads the file.
 * - Patron's own import takes the quote off again (`restoreCell`), so an exported file imports
 *   back to the same customers. A value that itself began with quotes before a formula
 *   character gets one more quote on the way out, so the pair is exact for every text.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

export function neutraliseCell(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/** The value `neutraliseCell` was given, for a cell read back from a file Patron wrote. */
export function restoreCell(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}
