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
/** A sheet is named by its table's title in the report's language (Excel: at most 31 characters, none of []:*?/\). */
export const sheetName = (t: ReportTable) =>
  t.title
    .replace(/[[\]:*?/\\]/g, '')
    .trim()
    .slice(0, 31);

export async function writeReportXlsx(report: Report, tables: ReportTable[], out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'claimscreen';
  workbook.title = report.title;
  const zh = report.lang !== 'en';
  const about = workbook.addWorksheet(zh ? '说明' : 'about', { views: [{ state: 'frozen', ySplit: 1 }] });
  about.columns = [
    { header: zh ? '项目' : 'item', key: 'item', width: 24 },
    { header: zh ? '内容' : 'value', key: 'value', width: 120 },
  ];
  for (const [item, value] of [
    [zh ? '标题' : 'title', report.title],
    [zh ? '服务月份' : 'month', report.month],
    [zh ? '数据截止' : 'cut-off', report.cutoffText],
    [zh ? '初步' : 'provisional', report.provisional ? (zh ? '是' : 'yes') : zh ? '否' : 'no'],
    [zh ? '生成时间' : 'generated', report.generatedAtText],
    ...report.definitions.map((d, i) => [zh ? `定义 ${i + 1}` : `definition ${i + 1}`, d]),
    ...tables.map((t) => [zh ? `工作表 ${sheetName(t)}` : `sheet ${sheetName(t)}`, `${t.title}${t.note ? ` — ${t.note}` : ''}${t.rows.length === 0 ? ` — ${t.empty}` : ''}`]),
  ] as [string, string][])
    about.addRow({ item, value }).commit();
  about.commit();

  for (const t of tables) {
    // Frozen header row, and the institution column too where a sheet starts with it.
    const xSplit = t.columns[0]?.key === 'institutionId' ? 1 : 0;
    const sheet = workbook.addWorksheet(sheetName(t), { views: [{ state: 'frozen', ySplit: 1, xSplit }] });
    sheet.columns = t.columns.map((col) => ({
      header: col.label,
      key: col.key,
      width: Math.min(60, Math.max(10, [...col.label].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) + 2)),
      style: { numFmt: FORMATS[col.type] },
    }));
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
