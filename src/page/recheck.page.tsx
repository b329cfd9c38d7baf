import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ForbiddenError, ValidationError } from '../http/errors.js';
import { completionTotals, recheckCompletion } from '../review/sampling.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf } from './page-env.js';
import { page } from './page-kit.js';
import { RECHECK_MESSAGES } from './recheck.i18n.js';

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
      const month = c.req.query('month') || undefined;
      if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ValidationError([{ path: 'month', message: 'must be YYYY-MM' }]);
      const outstanding = c.req.query('outstanding') === 'true';
      const now = deps.now();
      const groups = await recheckCompletion(deps.database, { month, outstanding, now, dueDays: deps.review.schedule.dueDays });
      const t = completionTotals(groups);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={r.recheck} path={herePath(c)}>
          <h1>{r.recheck}</h1>
          <p class="muted">{r.recheckHint}</p>
          <form method="get" action="/ui/recheck" class="filters" id="recheck-filters">
            <label>{r.month}<input name="month" id="f-month" value={month ?? ''} placeholder="YYYY-MM" size={8} /></label>
            <label>{r.outstandingOnly}<input type="checkbox" name="outstanding" id="f-outstanding" value="true" checked={outstanding} /></label>
            <button type="submit" id="apply">{m.apply}</button>
          </form>
          <p id="recheck-totals">{r.totals(t.groups, t.complete, t.overdue, t.concluded, t.sampled)}</p>
          <table id="recheck">
            <thead>
              <tr>
                <th>{m.institution}</th><th>{r.month}</th><th>{r.visitType}</th><th class="num">{r.concludedOfSampled}</th>
                <th class="num">{r.required}</th><th class="num">{r.drawn}</th><th class="num">{r.final}</th><th>{r.dueAt}</th><th>{r.state}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr data-group={`${g.institutionId}|${g.month}|${g.visitType}`} class={g.overdue ? 'violating' : ''}>
                  <td>{g.institutionId}</td>
                  <td>{g.month}</td>
                  <td>{m.visitType[g.visitType] ?? g.visitType}</td>
                  <td class="num">{g.concluded} / {g.sampled}</td>
                  <td class="num">{g.required}</td>
                  <td class="num">{g.drawn}</td>
                  <td class="num">{g.final}</td>
                  <td>{cstTime(g.dueAt)}</td>
                  <td class="state">{g.complete ? r.complete : g.overdue ? r.overdue : r.inProgress}</td>
                </tr>
              ))}
              {groups.length === 0 ? <tr><td colspan={9} class="muted" id="recheck-empty">{r.noGroups}</td></tr> : null}
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );
}
