import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ReportTable } from './report.tables.js';
import type { Report } from './report.types.js';

const FORMATS = { money: '#,##0.00', int: '#,##0', number: '0.0##', text: '@' } as const;

/**
 * The report as an XLSX workbook, one sheet per table (row 1 the column labels, then one row per
 * record), and an `about` sheet first with the month, the cut-off and each table's note. Written
 * with exceljs's streaming writer: each row is committed as it is written.
 */
export async function writeReportXlsx(report: Report, tables: ReportTable[], out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'claimscreen';
  workbook.title = report.title;
  const about = workbook.addWorksheet('about');
  about.columns = [{ header: 'item', key: 'item', width: 24 }, { header: 'value', key: 'value', width: 120 }];
  for (const [item, value] of [
    ['title', report.title], ['month', report.month], ['cut-off', report.cutoff], ['provisional', report.provisional ? 'yes' : 'no'], ['generated', report.generatedAt],
    ...report.definitions.map((d, i) => [`definition ${i + 1}`, d]),
    ...tables.map((t) => [`sheet ${t.name}`, `${t.title}${t.note ? ` — ${t.note}` : ''}`]),
  ] as [string, string][])
    about.addRow({ item, value }).commit();
  about.commit();

  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = t.columns.map((col) => ({ header: col.label, key: col.key, width: Math.min(60, Math.max(10, col.label.length + 2)), style: { numFmt: FORMATS[col.type] } }));
    for (const row of t.rows) {
      const values: Record<string, string | number | null> = {};
      for (const col of t.columns) {
        const v = row[col.key] ?? null;
        values[col.key] = v === null ? null : col.type === 'text' ? String(v) : Number(v);
      }
      sheet.addRow(values).commit();
    }
    sheet.commit();
  }
  await workbook.commit();
}

export async function reportXlsxBuffer(report: Report, tables: ReportTable[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  await writeReportXlsx(report, tables, out);
  await done;
  return Buffer.concat(chunks);
}
