import fs from 'node:fs';
import path from 'node:path';

/**
 * What a scenario reports: one row per figure, with the goal it is held to and the limit
 * reference measured in the same run (what the same machine does for the simplest job of the
 * same kind), so a figure moved by a busy machine is read beside a reference moved alike.
 */
export type Unit = 'ms' | '/s' | 'rows/s' | 'receipts/s' | 'messages/s' | 'events/s' | 'MB';

export type Measure = { value: number; unit: Unit };

export type ResultRow = {
  scenario: string;
  /** What was measured, without the number: "p99 at 500/s". */
  figure: string;
  /** null when the scenario could not measure it (see `detail`). */
  value: number | null;
  unit: Unit;
  /** A few words beside the number: the level it was reached at, failures. */
  detail?: string;
  /** The goal in words and whether this run met it; absent when the figure has no goal of its own. */
  goal?: { text: string; met: boolean };
  /** The limit reference: what it is, and its value in the same unit. */
  reference?: { what: string; value: number | null };
};

const lowerIsBetter = (unit: Unit) => unit === 'ms' || unit === 'MB';

/**
 * figure ÷ reference. For rates a share ("23 %": how much of the limit the figure reaches);
 * for latencies and memory a multiple ("4.2×": how many times the reference it costs).
 */
export function ratioOf(row: ResultRow): { value: number; text: string } | null {
  const reference = row.reference?.value;
  if (row.value === null || reference === null || reference === undefined || !Number.isFinite(reference) || reference <= 0) return null;
  const value = row.value / reference;
  return { value, text: lowerIsBetter(row.unit) ? `${fmt(value, value < 10 ? 1 : 0)}×` : `${fmt(value * 100, value < 0.1 ? 1 : 0)} %` };
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

export function formatMeasure(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${fmt(value, value < 10 ? 2 : 1)} ms`;
    case 'MB':
      return `${fmt(value)} MB`;
    default:
      return `${fmt(value)} ${unit}`;
  }
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The table, in Markdown so it pastes into docs/performance.md as it is. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['scenario', 'figure', 'goal', 'limit reference (same run)', 'ratio'];
  const body = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.scenario,
      `${row.figure}: **${formatMeasure(row.value, row.unit)}**${row.detail ? ` (${row.detail})` : ''}`,
      row.goal ? `${row.goal.text}: ${row.goal.met ? 'met' : 'NOT met'}` : '—',
      row.reference ? `${row.reference.what}: ${formatMeasure(row.reference.value, row.unit)}` : '—',
      ratio?.text ?? '—',
    ].map(cell);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export type RunReport = {
  startedAt: string;
  finishedAt: string;
  scale: string;
  commit: string | null;
  scenarios: string[];
  machine: Record<string, unknown>;
  postgres: Record<string, unknown>;
  database: Record<string, unknown> | null;
  rows: Array<ResultRow & { ratio: number | null }>;
  references: Record<string, string>;
  details: Record<string, unknown>;
  errors: Record<string, string>;
};

/** bench/results/<timestamp>-<scale>.json; a full run of every scenario also becomes latest-full.json. */
export function writeReport(dir: string, report: RunReport, complete: boolean): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const files = [path.join(dir, `${stamp}-${report.scale}.json`)];
  if (report.scale === 'full' && complete) files.push(path.join(dir, 'latest-full.json'));
  for (const file of files) fs.writeFileSync(file, text);
  return files;
}
