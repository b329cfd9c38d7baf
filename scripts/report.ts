/**
 * `npm run report -- --month 2026-10 [--cutoff 2026-11-15T16:00:00Z] [--format html,xlsx,csv,json,pdf] [--lang zh-CN|en] [--out reports]`
 *
 * Builds the month's provider risk report from the database (DATABASE_URL, or the embedded one
 * under DATA_DIR) and writes each form into --out. The figures count data received by the cut-off
 * (default 15 days after the month ends); the same cut-off always gives the same figures.
 *
 * While the service runs on the embedded database (its one owner), the report is built by the
 * service (GET /v1/reports/{month}, JSON) given CLAIMSCREEN_KEY=<an auditor's, supervisor's or
 * admin's key> (and --url or CLAIMSCREEN_URL, else the URL its lock file names), and each form is
 * written here from it.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parseInstant } from '../src/lib/time.js';
import { MONTH_PATTERN } from '../src/report/period.js';
import { fileSteps, writeReportFiles, writeReportForms } from '../src/report/report.files.js';
import { FORMATS, type ReportFormat } from '../src/report/report.routes.js';
import { parseLang } from '../src/report/i18n.js';
import type { Report } from '../src/report/report.types.js';
import { cliConfig, databaseOrService, fail, SERVICE_OPTIONS } from './cli.js';

const { values } = parseArgs({
  options: {
    month: { type: 'string' },
    cutoff: { type: 'string' },
    format: { type: 'string', default: FORMATS.filter((f) => f !== 'pdf').join(',') },
    lang: { type: 'string', default: 'zh-CN' },
    out: { type: 'string', default: 'reports' },
    'late-days': { type: 'string', default: '7' },
    ...SERVICE_OPTIONS,
  },
});

if (!values.month || !MONTH_PATTERN.test(values.month)) fail('--month yyyy-MM is required (the service month, China Standard Time)');
const cutoff = values.cutoff === undefined ? undefined : parseInstant(values.cutoff);
if (values.cutoff !== undefined && cutoff === undefined) fail('--cutoff must be an ISO 8601 instant or yyyy-MM-dd HH:mm:ss (CST)');
const formats = values.format.split(',').map((f) => f.trim()) as ReportFormat[];
const unknown = formats.filter((f) => !FORMATS.includes(f));
if (unknown.length > 0 || formats.length === 0) fail(`--format must be a comma-separated list of ${FORMATS.join(', ')}; got ${unknown.join(', ')}`);
const lang = parseLang(values.lang);
if (lang === undefined) fail('--lang must be zh-CN (the default) or en');
const lateDays = Number(values['late-days']);
if (!Number.isInteger(lateDays) || lateDays < 0) fail('--late-days must be a non-negative integer');

const config = cliConfig();
const target = await databaseOrService(config, values);
const summary = (report: Report, files: string[], seconds: number) => {
  const f = report.fund;
  process.stdout.write(
    `report ${report.month}: ${f.claims.toLocaleString('en')} claims, ${f.amount} yuan, ${report.institutions.length} institutions, ${report.standouts.length} stand out; cut-off ${report.cutoffText}${report.provisional ? ' (provisional)' : ''}; ${report.late.claims} claims arrived later\n` +
      `model: ${report.model.available ? 'available' : 'not available'}; review: ${report.review.available ? 'available' : 'not available'}\n` +
      `${seconds.toFixed(1)} s\n${files.map((x) => `  ${x}`).join('\n')}\n`,
  );
};
if ('service' in target) {
  const started = performance.now();
  process.stderr.write(`building the report in the service at ${target.service.url} …\n`);
  const query = new URLSearchParams({ format: 'json', lang, lateDays: String(lateDays), ...(values.cutoff ? { cutoff: values.cutoff } : {}) });
  const report = await target.service.json<Report>('GET', `/v1/reports/${values.month}?${query}`);
  summary(report, await writeReportForms(report, formats, values.out), (performance.now() - started) / 1000);
  process.exit(0);
}
const { database } = target;
const steps = fileSteps(formats);
const bar = process.stderr.isTTY
  ? new cliProgress.SingleBar({ stream: process.stderr, format: 'report |{bar}| {value}/{total} steps | {step} | {duration_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
  : undefined;
bar?.start(steps.length, 0, { step: 'starting' });
const started = performance.now();
try {
  let done = 0;
  const { report, files } = await writeReportFiles(
    database,
    { month: values.month, cutoff, lateDays, lang, statementTimeoutMs: config.REPORT_STATEMENT_TIMEOUT_MS, onStep: (step) => bar?.update(++done, { step }) },
    formats,
    values.out,
  );
  bar?.stop();
  summary(report, files, (performance.now() - started) / 1000);
} catch (err) {
  bar?.stop();
  fail(`report failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await database.close();
}
