import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Database } from '../db/client.js';
import { buildReport, REPORT_STEPS, type ReportOptions } from './report.build.js';
import type { ReportFormat } from './report.routes.js';
import { reportTables } from './report.tables.js';
import { reportCsv } from './render-csv.js';
import { renderReportHtml } from './render-html.js';
import { writeReportXlsx } from './render-xlsx.js';
import { renderPdf } from './render-pdf.js';
import type { Report } from './report.types.js';

/** Steps of a run that writes files: the report's queries, then one per form. */
export const fileSteps = (formats: ReportFormat[]) => [...REPORT_STEPS, ...formats.map((f) => `write ${f}`)];

/** Builds the month's report once and writes each requested form into `outDir`; returns the report and the files. */
export async function writeReportFiles(database: Database, options: ReportOptions, formats: ReportFormat[], outDir: string): Promise<{ report: Report; files: string[] }> {
  const report = await buildReport(database, options);
  return { report, files: await writeReportForms(report, formats, outDir, options.onStep) };
}

/** Writes each form of a report built here or fetched from the service (its JSON). */
export async function writeReportForms(report: Report, formats: ReportFormat[], outDir: string, onStep?: (step: string) => void): Promise<string[]> {
  const tables = reportTables(report);
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const base = path.join(outDir, `provider-risk-${report.month}`);
  for (const format of formats) {
    const file = `${base}.${format}`;
    if (format === 'json') await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    else if (format === 'html') await writeFile(file, renderReportHtml(report, tables));
    else if (format === 'csv') await writeFile(file, reportCsv(tables));
    else if (format === 'pdf') await writeFile(file, await renderPdf(renderReportHtml(report, tables), report.title));
    else {
      const out = createWriteStream(file);
      await writeReportXlsx(report, tables, out);
      await finished(out);
    }
    files.push(file);
    onStep?.(`write ${format}`);
  }
  return files;
}
