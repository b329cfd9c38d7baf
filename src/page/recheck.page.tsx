import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ForbiddenError } from '../errors.js';
import { closeMonth, completionTotals, recheckCompletion, sampleDueAt } from '../review/sampling.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf } from './page-env.js';
import { page } from './page-kit.js';
import { RECHECK_MESSAGES } from './recheck.i18n.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The supervisors' view of the random re-check: the same figures as GET /v1/review/recheck. */
export function registerRecheckPage(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/recheck',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const r = RECHECK_MESSAGES[lang];
      const role = actorOf(c)!.role;
      if (role !== 'supervisor' && role !== 'admin') throw new ForbiddenError(`The role ${role} does not see the re-check's progress: supervisors and admins do`);
      const e = EVIDENCE_MESSAGES[lang];
      const typedMonth = c.req.query('month') || undefined;
      const monthBad = typedMonth !== undefined && !MONTH.test(typedMonth);
      const month = monthBad ? undefined : typedMonth;
      const closeTyped = c.req.query('close') ?? '';
      const closeBad = c.req.query('bad') === '1';
      const closed = c.req.query('closed');
      const badMonth = lang === 'zh' ? '格式应为 YYYY-MM（例如 2026-10）' : 'must be YYYY-MM';
      const outstanding = c.req.query('outstanding') === 'true';
      const now = deps.now();
      const groups = monthBad ? [] : await recheckCompletion(deps.database, { month, outstanding, now, dueDays: deps.review.schedule.dueDays });
      const t = completionTotals(groups);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={r.recheck} path={herePath(c)}>
          <h1>{r.recheck}</h1>
          <p class="muted">{r.recheckHint}</p>
          {closed !== undefined && month ? (
            <p class="notice" id="closed-notice" role="status">
              {e.closed(month, Number(closed), cstTime(new Date(sampleDueAt(month, deps.review.schedule.dueDays)).toISOString()).slice(0, 10))}
            </p>
          ) : null}
          <form method="get" action="/ui/recheck" class="filters" id="recheck-filters">
            <label for="f-month">
              {r.month}
              <input
                name="month"
                id="f-month"
                value={typedMonth ?? ''}
                placeholder="YYYY-MM"
                size={8}
                aria-invalid={monthBad ? 'true' : undefined}
                aria-describedby={monthBad ? 'f-month-error' : undefined}
              />
              {monthBad ? (
                <span class="error field-error" id="f-month-error" role="alert">
                  {badMonth}
                </span>
              ) : null}
            </label>
            <label>
              {r.outstandingOnly}
              <input type="checkbox" name="outstanding" id="f-outstanding" value="true" checked={outstanding} />
            </label>
            <button type="submit" id="apply">
              {m.apply}
            </button>
          </form>
          <form method="post" action="/ui/recheck/close" class="card filters" id="close-form">
            <div>
              <strong>{e.closeSample}</strong>
              <div class="muted">{e.closeSampleHint}</div>
            </div>
            <label for="close-month">
              {r.month}
              <input
                name="month"
                id="close-month"
                value={closeTyped}
                placeholder="YYYY-MM"
                size={8}
                aria-invalid={closeBad ? 'true' : undefined}
                aria-describedby={closeBad ? 'close-month-error' : undefined}
              />
              {closeBad ? (
                <span class="error field-error" id="close-month-error" role="alert">
                  {badMonth}
                </span>
              ) : null}
            </label>
            <button type="submit" id="close-sample">
              {e.closeSample}
            </button>
          </form>
          <p id="recheck-totals">{r.totals(t.groups, t.complete, t.overdue, t.concluded, t.sampled)}</p>
          <table id="recheck">
            <thead>
              <tr>
                <th>{m.institution}</th>
                <th>{r.month}</th>
                <th>{r.visitType}</th>
                <th class="num">{r.concludedOfSampled}</th>
                <th class="num">{r.required}</th>
                <th class="num">{r.drawn}</th>
                <th class="num">{r.final}</th>
                <th>{r.dueAt}</th>
                <th>{r.state}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr data-group={`${g.institutionId}|${g.month}|${g.visitType}`} class={g.overdue ? 'violating' : ''}>
                  <td>{g.institutionId}</td>
                  <td>{g.month}</td>
                  <td>{m.visitType[g.visitType] ?? g.visitType}</td>
                  <td class="num">
                    {g.concluded} / {g.sampled}
                  </td>
                  <td class="num">{g.required}</td>
                  <td class="num">{g.drawn}</td>
                  <td class="num">{g.final}</td>
                  <td>{cstTime(g.dueAt)}</td>
                  <td class="state">{g.complete ? r.complete : g.overdue ? r.overdue : r.inProgress}</td>
                </tr>
              ))}
              {groups.length === 0 ? (
                <tr>
                  <td colspan={9} class="muted" id="recheck-empty">
                    {r.noGroups}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </Layout>,
        monthBad ? 400 : 200,
      );
    }),
  );

  app.post(
    '/ui/recheck/close',
    page(async (c) => {
      const actor = actorOf(c)!;
      if (actor.role !== 'supervisor' && actor.role !== 'admin') throw new ForbiddenError(`The role ${actor.role} does not close a month's sample: supervisors and admins do`);
      const form = await c.req.parseBody();
      const month = typeof form.month === 'string' ? form.month.trim() : '';
      if (!MONTH.test(month)) return c.redirect(`/ui/recheck?${new URLSearchParams({ close: month.slice(0, 20), bad: '1' }).toString()}`, 303);
      const done = await closeMonth(deps.database, deps.review.key, deps.review.rates, month, actor.clientName, deps.review.schedule);
      deps.review.sealer.nudge();
      return c.redirect(`/ui/recheck?month=${month}&closed=${done.added}`, 303);
    }),
  );
}
