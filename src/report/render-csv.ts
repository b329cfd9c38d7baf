import type { ReportTable } from './report.tables.js';

const cell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One table as RFC 4180 CSV: a header row of the column labels in the report's language, then the rows. */
export function tableCsv(t: ReportTable): string {
  const lines = [t.columns.map((col) => cell(col.label)).join(',')];
  for (const row of t.rows) lines.push(t.columns.map((col) => cell(row[col.key] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Every table, each after a line `# name: title` and separated by an empty line; with a UTF-8 byte
 * order mark so Excel reads the Chinese names. `?table=name` gives one plain table instead.
 */
export function reportCsv(tables: ReportTable[]): string {
  return `\uFEFF${tables.map((t) => `${cell(`# ${t.name}: ${t.title}`)}\r\n${tableCsv(t)}`).join('\r\n')}`;
}
