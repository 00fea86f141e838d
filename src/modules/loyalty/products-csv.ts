import { parse } from 'csv-parse/sync';
import { platformError } from '../../platform/errors.ts';
import { isStorableText } from '../../platform/text.ts';
import { loyaltyError } from './loyalty.errors.ts';

/**
 * A product catalog as CSV, turned into the JSON body of PUT /v1/products so the same schema
 * checks both: columns `sku`, `name`, `category_path` ("grocery/coffee"), `brand`, `attr.<key>`.
 */
export function productsFromCsv(text: string): Array<Record<string, unknown>> {
  // PostgreSQL's text columns refuse U+0000: refuse it here, as the JSON parser does, not in the insert.
  if (!isStorableText(text)) throw platformError('request.invalid_character', 'The CSV may not hold the NUL character (U+0000)');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw loyaltyError('catalog.invalid_csv', `The CSV is not well-formed${line ? ` at line ${line}` : ''}`);
  }
  const [header, ...rows] = records;
  if (!header) throw loyaltyError('catalog.invalid_csv', 'The CSV has no header row');
  const columns = header.map((name) => name.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  for (const column of columns) {
    if (!['sku', 'name', 'category_path', 'brand'].includes(column) && !/^attr\.[a-z0-9_]{1,64}$/.test(column)) {
      throw loyaltyError('catalog.invalid_csv', `Unknown column "${column}"; known: sku, name, category_path, brand, attr.<key>`);
    }
  }
  return rows.map((cells) => {
    const product: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    columns.forEach((column, index) => {
      const cell = (cells[index] ?? '').trim();
      if (cell === '') return;
      if (column === 'category_path') product.categoryPath = cell.split(/\s*[/>]\s*/).filter(Boolean);
      else if (column.startsWith('attr.')) attributes[column.slice(5)] = cell;
      else product[column] = cell;
    });
    if (Object.keys(attributes).length > 0) product.attributes = attributes;
    return product;
  });
}
