import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { Clock } from '../../../platform/clock.ts';
import { platformError } from '../../../platform/errors.ts';
import type { ImportFormat, ImportRecord } from '../../../platform/imports/import-format.ts';
import { attributeDefinitionMap } from '../attributes.ts';
import type { DbOrTx, Tx } from '../customers.db.ts';
import type { Ids } from '../customers.ids.ts';
import type { CustomerLifecycleHooks } from '../deps.ts';
import { parseHeader, type Column } from './csv-columns.ts';
import { parseRow, type ImportRow } from './csv-row.ts';
import { writeBatch } from './write-batch.ts';

export function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'has a different number of fields than the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'has a quote that is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'has text after a closing quote';
    default:
      return 'is not well-formed CSV';
  }
}

async function readHeader(file: string): Promise<string[] | null> {
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, to_line: 1, relax_column_count: true }));
  for await (const record of parser as AsyncIterable<string[]>) {
    parser.destroy();
    return record;
  }
  return null;
}

async function columnsOf(db: DbOrTx, header: string[]): Promise<Column[]> {
  const checked = parseHeader(header, await attributeDefinitionMap(db));
  if ('problem' in checked) throw platformError('import.bad_header', checked.problem);
  return checked.columns;
}

/** Customer CSV files (docs/import.md): a header row of known columns, then one customer a row. */
export function customerCsvFormat(deps: { db: DbOrTx; clock: Clock; ids: Ids; phoneRegion: string }, hooks?: Pick<CustomerLifecycleHooks, 'onCreate'>): ImportFormat<ImportRow, Tx> {
  const { db, clock, ids, phoneRegion } = deps;
  return {
    async check(file) {
      const header = await readHeader(file).catch((error: unknown) => {
        throw platformError('import.bad_header', `The header row is not well-formed CSV: ${describeCsvError(error as CsvError)}`);
      });
      if (!header) throw platformError('import.empty', 'The file has no header row');
      await columnsOf(db, header);
    },

    async *read(input: Readable): AsyncIterable<ImportRecord<ImportRow>> {
      const parser = parse({ bom: true, info: true, skip_empty_lines: true, skip_records_with_error: true });
      // csv-parse reports a malformed record as an event, possibly ahead of the records still
      // buffered; hold such reports back and yield them in line order.
      const skipped: Array<ImportRecord<ImportRow>> = [];
      parser.on('skip', (error: CsvError & { lines?: number }) => {
        skipped.push({ line: error.lines ?? 0, problems: [{ field: '(row)', reason: describeCsvError(error) }] });
      });
      let columns: Column[] | null = null;
      for await (const { record, info } of input.pipe(parser) as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!columns) {
          columns = await columnsOf(db, record);
          continue;
        }
        const line = info.lines;
        while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
        const parsed = parseRow(line, record, columns, phoneRegion, clock.now());
        yield 'row' in parsed ? { line, row: parsed.row } : { line, problems: parsed.problems };
      }
      if (!columns) throw platformError('import.empty', 'The file has no header row');
      yield* skipped;
    },

    write: (tx, importId, rows) => writeBatch(tx, clock, ids, importId, rows, hooks),
  };
}
