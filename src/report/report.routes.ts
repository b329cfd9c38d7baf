import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ValidationError } from '../http/errors.js';
import { bearerSecurity, errorResponses, paramText } from '../http/schemas.js';
import { parseInstant } from '../lib/time.js';
import { MONTH_PATTERN } from './period.js';
import { buildReport } from './report.build.js';
import { reportTables } from './report.tables.js';
import { reportCsv, tableCsv } from './render-csv.js';
import { renderReportHtml } from './render-html.js';
import { reportXlsxBuffer } from './render-xlsx.js';
import { renderPdf } from './render-pdf.js';
import { LANGS, parseLang } from './i18n.js';

export const FORMATS = ['json', 'html', 'xlsx', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof FORMATS)[number];
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const Rows = z.array(z.record(z.string(), z.unknown()));
const Section = { available: z.boolean(), note: z.string() };
export const ReportSchema = z
  .object({
    title: z.string(),
    month: z.string().openapi({ example: '2026-10' }),
    cutoff: z.string().openapi({ description: 'figures count claims received and findings created up to this instant; later data is counted apart as late' }),
    provisional: z.boolean().openapi({ description: 'the cut-off had not passed when the report was generated' }),
    generatedAt: z.string(),
    definitions: z.array(z.string()),
    fund: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).openapi({ description: 'totals; money as decimal strings of yuan' }),
    trend: Rows.openapi({ description: 'the fund per month, last 12 months' }),
    findingsByFamily: Rows,
    institutions: Rows.openapi({ description: 'per institution: volumes, MoM/YoY, findings by family, model score, review outcomes, late arrivals' }),
    standouts: Rows.openapi({ description: 'institutions that stand out, with reasons, example claims and a recommendation' }),
    rules: Rows,
    trialRules: Rows.openapi({ description: 'rules in trial and what they would have withheld' }),
    model: z.object({ ...Section, version: z.string().nullable(), scores: Rows }),
    review: z.object({
      ...Section,
      notes: z.record(z.string(), z.string()),
      recheckOpen: z.boolean(),
      recheck: Rows,
      recheckShortfalls: z.array(z.string()),
      recheckCompletion: Rows,
      backlog: z.unknown(),
      precision: Rows,
      refusals: Rows,
      missed: z.unknown(),
    }),
    targets: z
      .object({ note: z.string(), flagPercentile: z.number(), minPeerGroup: z.number(), minCount: z.number(), months: z.array(z.string()), areas: Rows, rows: Rows })
      .openapi({ description: 'target areas per institution: value, numerator and denominator, percentile in the peer group and in the fund, flag, trend (flagged figures)' }),
    dataQuality: Rows,
    rejectionPaths: Rows,
    late: z.record(z.string(), z.union([z.string(), z.number()])),
  })
  .openapi('ProviderRiskReport');

/** ?format wins; otherwise the first of the Accept header's types the report has; JSON by default. */
export function negotiate(format: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (format) return format;
  const a = (accept ?? '').toLowerCase();
  const ranked = a
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .map((p) => p.trim())
          .find((p) => p.startsWith('q='))
          ?.slice(2) ?? 1,
      );
      return { type: type.trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0)
    .sort((x, y) => y.q - x.q || x.i - y.i);
  for (const { type } of ranked) {
    if (type === 'text/html') return 'html';
    if (type === XLSX_TYPE) return 'xlsx';
    if (type === 'text/csv') return 'csv';
    if (type === 'application/json') return 'json';
    if (type === 'application/pdf') return 'pdf';
  }
  return 'json';
}

export function registerReportRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/{month}',
      tags: ['reports'],
      summary: 'The monthly provider risk report (JSON, HTML, XLSX or CSV from the same data)',
      description:
        'Format by `?format=` or the Accept header (application/json, text/html, text/csv, the XLSX type). Figures count data received by the cut-off (default: 15 days after the month ends, CST); later arrivals are labelled. Regenerating with the same cut-off gives the same figures.',
      security: bearerSecurity,
      middleware: [requireRole('auditor', 'supervisor', 'admin')] as const,
      request: {
        params: z.object({ month: z.string().regex(MONTH_PATTERN, 'must be a month yyyy-MM').openapi({ example: '2026-10' }) }),
        query: z.object({
          format: z.enum(FORMATS).optional(),
          cutoff: paramText(40).optional().openapi({ description: 'ISO 8601 instant (or CST yyyy-MM-dd HH:mm:ss); default 15 days after the month ends' }),
          table: paramText(40).optional().openapi({ description: 'CSV only: one table by name instead of all' }),
          lateDays: z.coerce.number().int().min(0).max(365).optional().openapi({ description: 'a submission later than this many days after the service ended counts as late (default 7)' }),
          lang: paramText(10)
            .optional()
            .openapi({ description: `the report's language: ${LANGS.join(' (default), ')}; JSON keys and codes do not change` }),
          flagPercentile: z.coerce.number().min(50).max(100).optional().openapi({ description: 'target areas: flag at or above this percentile (default 80)' }),
          minPeers: z.coerce.number().int().min(2).max(1000).optional().openapi({ description: 'target areas: smallest peer group ranked within itself (default 5)' }),
          minCount: z.coerce.number().int().min(1).max(100000).optional().openapi({ description: 'target areas: smallest denominator (claims, admissions) ranked (default 10)' }),
          minBaseClaims: z.coerce
            .number()
            .int()
            .min(1)
            .max(1000000)
            .optional()
            .openapi({ description: 'month on month and year on year only against a base month with at least this many claims (default 30)' }),
        }),
      },
      responses: {
        200: {
          content: {
            'application/json': { schema: ReportSchema },
            'text/html': { schema: z.string().openapi({ description: 'self-contained printable page with inline SVG charts' }) },
            'text/csv': { schema: z.string().openapi({ description: 'every table after a `# name: title` line, or one table with ?table=' }) },
            [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary', description: 'one sheet per table' }) },
            'application/pdf': { schema: z.string().openapi({ format: 'binary', description: "A4 landscape, rendered by the system's Chromium (503 naming how to get one when there is none)" }) },
          },
          description: 'The report',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { month } = c.req.valid('param');
      const q = c.req.valid('query');
      let cutoff: number | undefined;
      if (q.cutoff !== undefined) {
        cutoff = parseInstant(q.cutoff);
        if (cutoff === undefined) throw new ValidationError([{ path: 'cutoff', message: 'must be an ISO 8601 instant or yyyy-MM-dd HH:mm:ss (CST)' }]);
      }
      const lang = parseLang(q.lang);
      if (lang === undefined) throw new ValidationError([{ path: 'lang', message: `must be one of ${LANGS.join(', ')} (or zh, en)` }]);
      const format = negotiate(q.format, c.req.header('accept'));
      const report = await buildReport(deps.database, {
        month,
        cutoff,
        lateDays: q.lateDays,
        lang,
        minBaseClaims: q.minBaseClaims,
        targets: { flagPercentile: q.flagPercentile, minPeerGroup: q.minPeers, minCount: q.minCount },
        statementTimeoutMs: deps.config.REPORT_STATEMENT_TIMEOUT_MS,
        now: deps.now,
      });
      const tables = reportTables(report);
      c.header('Vary', 'Accept');
      if (format === 'json') return c.json(report as never, 200);
      if (format === 'html') return c.html(renderReportHtml(report, tables), 200) as never;
      if (format === 'pdf') {
        const pdf = await renderPdf(renderReportHtml(report, tables), report.title);
        c.header('Content-Type', 'application/pdf');
        c.header('Content-Disposition', `attachment; filename="provider-risk-${month}.pdf"`);
        return c.body(new Uint8Array(pdf), 200) as never;
      }
      if (format === 'csv') {
        let body: string;
        if (q.table !== undefined) {
          const t = tables.find((x) => x.name === q.table);
          if (!t) throw new ValidationError([{ path: 'table', message: `must be one of ${tables.map((x) => x.name).join(', ')}` }]);
          body = tableCsv(t);
        } else body = reportCsv(tables);
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="provider-risk-${month}${q.table ? `-${q.table}` : ''}.csv"`);
        return c.body(body, 200) as never;
      }
      const xlsx = await reportXlsxBuffer(report, tables);
      c.header('Content-Type', XLSX_TYPE);
      c.header('Content-Disposition', `attachment; filename="provider-risk-${month}.xlsx"`);
      return c.body(new Uint8Array(xlsx), 200) as never;
    },
  );
}
