import fs from 'node:fs';
import { dayNumber, fitFile, TooLittleData, TransactionFileError, type TimeUnit, type TransactionFormat } from '../modules/clv/index.ts';
import { failure, usageError } from './cli-errors.ts';
import type { OptionValues } from './parse-command-line.ts';

const COMMAND = 'clv fit';

function dateOption(values: OptionValues, name: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const day = typeof text === 'string' ? dayNumber(text) : null;
  if (day === null) throw usageError(`patron ${COMMAND}: --${name} ${JSON.stringify(text)} is not a date; write it YYYY-MM-DD, e.g. 1997-09-30.`);
  return day;
}

function numberOption(values: OptionValues, name: string, fallback: number, { min, max, integer = false }: { min: number; max: number; integer?: boolean }): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw usageError(`patron ${COMMAND}: --${name} ${JSON.stringify(text)} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
  }
  return value;
}

function choice<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback: T): T {
  const text = values[name];
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !(choices as readonly string[]).includes(text)) throw usageError(`patron ${COMMAND}: --${name} must be ${choices.join(' or ')}; got ${JSON.stringify(text)}.`);
  return text as T;
}

/**
 * `patron clv fit --transactions FILE --calibration-end DATE`: fits BG/NBD and Gamma-Gamma on a
 * transactions file and prints the parameters as JSON (docs/clv.md). It reads the file only: no
 * database, no server.
 */
export async function clvFitCommand(values: OptionValues): Promise<number> {
  const file = values.transactions;
  if (typeof file !== 'string') throw usageError(`patron ${COMMAND}: --transactions FILE is required (a CDNOW file, or a csv of customer_id,date,amount).`);
  const calibrationEnd = dateOption(values, 'calibration-end');
  if (calibrationEnd === undefined) throw usageError(`patron ${COMMAND}: --calibration-end DATE is required: the last day of the calibration period, e.g. 1997-09-30.`);
  const format = choice<TransactionFormat>(values, 'format', ['csv', 'cdnow'], 'csv');
  const unit = choice<TimeUnit>(values, 'unit', ['week', 'day'], 'week');
  const holdoutEnd = dateOption(values, 'holdout-end');
  const roundTo = values.round === undefined ? undefined : numberOption(values, 'round', 0, { min: 0, max: 10, integer: true });
  const seed = numberOption(values, 'seed', 1, { min: 0, max: 2_147_483_647, integer: true });
  const predict = values.predict === true
    ? {
        horizon: numberOption(values, 'horizon', unit === 'week' ? 52 : 365, { min: 1, max: unit === 'week' ? 520 : 3660 }),
        discountRatePerYear: numberOption(values, 'discount-rate', 0.1, { min: 0, max: 10 }),
        marginPercent: numberOption(values, 'margin', 100, { min: 0, max: 100 }),
      }
    : undefined;
  if (!predict && (values.horizon !== undefined || values['discount-rate'] !== undefined || values.margin !== undefined)) {
    throw usageError(`patron ${COMMAND}: --horizon, --discount-rate and --margin shape the predictions; add --predict.`);
  }
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw failure(`patron ${COMMAND}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); give the path of a transactions file.`, error);
  }
  try {
    const result = fitFile(text, { format, calibrationEnd, unit, seed, ...(roundTo === undefined ? {} : { roundTo }), ...(holdoutEnd === undefined ? {} : { holdoutEnd }), ...(predict ? { predict } : {}) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TransactionFileError) throw failure(`patron ${COMMAND}: ${file} ${error.message} (--format ${format}).`, error);
    if (error instanceof TooLittleData) throw failure(`patron ${COMMAND}: ${error.message}.`, error);
    throw error;
  }
}
