import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ForbiddenError, ValidationError } from '../http/errors.js';
import { buildReport } from '../report/report.build.js';
import { reportCsv } from '../report/render-csv.js';
import { renderReportHtml } from '../report/render-html.js';
import { reportXlsxBuffer } from '../report/render-xlsx.js';
import { MONTH_PATTERN, reportPeriod, shiftMonth } from '../report/period.js';
import { reportTables } from '../report/report.tables.js';
import { XLSX_TYPE } from '../report/report.routes.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf, type PageContext } from './page-env.js';
import { page } from './page-kit.js';

const MONTHS_LISTED = 12;

const managerOnly = (c: PageContext) => {
  const role = actorOf(c)!.role;
  if (role !== 'supervisor' && role !== 'admin') throw new ForbiddenError(`The role ${role} does not open the monthly report from the page: supervisors and admins do`);
};

/**
 * The monthly report from the page: the same report GET /v1/reports/{month}
 * builds (src/report), authorised by the page session instead of a Bearer key, for supervisors and
 * admins. HTML opens in the page; XLSX and CSV download.
 */
export function registerReportPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/reports',
    page(async (c) => {
      managerOnly(c);
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const e = EVIDENCE_MESSAGES[lang];
      const now = deps.now();
      // the current month in China Standard Time, then the eleven before it
      const current = new Date(now + 8 * 3_600_000).toISOString().slice(0, 7);
      const months = Array.from({ length: MONTHS_LISTED }, (_, i) => shiftMonth(current, -i));
      const typed = c.req.query('month') ?? '';
      const bad = typed !== '' && !MONTH_PATTERN.test(typed);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={e.reports} path={herePath(c)}>
          <h1>{e.reports}</h1>
          <p class="muted">{e.reportsHint}</p>
          <form method="get" action="/ui/reports/open" class="filters" id="report-form">
            <label for="report-month">
              {e.reportMonth}
              <input
                name="month"
                id="report-month"
                type="month"
                value={typed}
                placeholder="YYYY-MM"
                aria-invalid={bad ? 'true' : undefined}
                aria-describedby={bad ? 'report-month-error' : undefined}
              />
              {bad ? (
                <span class="error field-error" id="report-month-error" role="alert">
                  {lang === 'zh' ? '格式应为 YYYY-MM（例如 2026-10）' : 'must be YYYY-MM'}
                </span>
              ) : null}
            </label>
            <button type="submit" id="open-report">
              {e.openReport}
            </button>
          </form>
          <table id="report-months">
            <thead>
              <tr>
                <th>{e.reportMonth}</th>
                <th>{m.when}</th>
                <th>{e.formats}</th>
              </tr>
            </thead>
            <tbody>
              {months.map((month) => {
                const cutoff = reportPeriod(month).cutoff;
                return (
                  <tr data-month={month}>
                    <td>
                      <a class="report-html" href={`/ui/reports/${month}`}>
                        {month}
                      </a>
                      {cutoff > now ? <span class="pill">{e.provisional}</span> : null}
                    </td>
                    <td>{cstTime(new Date(cutoff).toISOString()).slice(0, 16)}</td>
                    <td>
                      <a href={`/ui/reports/${month}`}>HTML</a> · <a href={`/ui/reports/${month}?format=xlsx`}>XLSX</a> · <a href={`/ui/reports/${month}?format=csv`}>CSV</a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );

  // the month field's form: a good month opens its report, a bad one comes back with the message
  app.get(
    '/ui/reports/open',
    page(async (c) => {
      managerOnly(c);
      const month = c.req.query('month') ?? '';
      return c.redirect(MONTH_PATTERN.test(month) ? `/ui/reports/${month}` : `/ui/reports?month=${encodeURIComponent(month)}`, 303);
    }),
  );

  app.get(
    '/ui/reports/:month',
    page(async (c) => {
      managerOnly(c);
      const month = c.req.param('month') ?? '';
      if (!MONTH_PATTERN.test(month)) throw new ValidationError([{ path: 'month', message: 'must be a month yyyy-MM' }]);
      const format = c.req.query('format') ?? 'html';
      if (format !== 'html' && format !== 'xlsx' && format !== 'csv') throw new ValidationError([{ path: 'format', message: 'must be html, xlsx or csv' }]);
      const report = await buildReport(deps.database, { month, statementTimeoutMs: deps.config.REPORT_STATEMENT_TIMEOUT_MS, now: deps.now });
      const tables = reportTables(report);
      if (format === 'html') return c.html(renderReportHtml(report, tables), 200);
      if (format === 'csv') {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="provider-risk-${month}.csv"`);
        return c.body(reportCsv(tables), 200);
      }
      const xlsx = await reportXlsxBuffer(report, tables);
      c.header('Content-Type', XLSX_TYPE);
      c.header('Content-Disposition', `attachment; filename="provider-risk-${month}.xlsx"`);
      return c.body(new Uint8Array(xlsx), 200);
    }),
  );
}
