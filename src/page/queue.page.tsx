import type { OpenAPIHono } from '@hono/zod-openapi';
import { catalogue } from '../../rules/catalogue.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { fieldIssues, ValidationError } from '../http/errors.js';
import { CASE_STATUSES, REASON_KINDS } from '../review/cases.js';
import { personOf } from '../review/identity.js';
import { QueueQuery } from '../review/review.routes.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, herePath, langOf } from './page-env.js';
import { ProviderStandingCell, providerStandings, standingHeader } from './provider-standing.js';
import { page } from './page-kit.js';

const FAMILIES = [...new Set(catalogue.map((r) => r.family as string))].sort();
const PAGE_SIZE = 50;

/** The queue: the same query the API's GET /v1/review/cases runs, with its filters and paging. */
export function registerQueuePage(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/queue',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const person = personOf(actorOf(c)!);
      // empty form fields mean "any"
      const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => v !== '' && k !== 'lang'));
      const status = raw.status ?? 'open,assigned,concluded,returned';
      const parsed = QueueQuery.safeParse({ limit: String(PAGE_SIZE), ...raw, status: status === 'all' ? undefined : status });
      if (!parsed.success) throw new ValidationError(fieldIssues(parsed.error.issues));
      const q = parsed.data;
      const result = await deps.review.cases.queue({
        ...(q.status ? { status: q.status.split(',') as (typeof CASE_STATUSES)[number][] } : {}),
        reason: q.reason, family: q.family, institutionId: q.institutionId, assignee: q.assignee === 'me' ? person.name : q.assignee,
        month: q.month, minAgeDays: q.minAgeDays, maxAgeDays: q.maxAgeDays, limit: q.limit, offset: q.offset,
      }, person);
      const standings = await providerStandings(deps.database, result.items.map((k) => k.institutionId));
      const link = (offset: number) => {
        const u = new URLSearchParams({ ...raw, offset: String(offset) });
        return `/ui/queue?${u.toString()}`;
      };
      const sel = (name: string, value: string | undefined, options: readonly (readonly [string, string])[]) => (
        <select name={name} id={`f-${name}`}>
          {options.map(([v, label]) => (
            <option value={v} selected={v === (value ?? '')}>{label}</option>
          ))}
        </select>
      );
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={m.queue} path={herePath(c)}>
          <h1>{m.queue}</h1>
          <form method="post" action="/ui/queue/draw" class="card">
            <button id="draw" type="submit">{m.drawCase}</button> <span class="muted">{m.drawHint}</span>
          </form>
          <form method="get" action="/ui/queue" class="filters" id="filters">
            <label>{m.status}{sel('status', status, [['open,assigned,concluded,returned', m.statusActive], ['all', m.any], ...CASE_STATUSES.map((s) => [s, m.caseStatus[s] ?? s] as const)])}</label>
            <label>{m.reason}{sel('reason', q.reason, [['', m.any], ...REASON_KINDS.filter((r) => r !== 'sample' || person.role !== 'auditor').map((r) => [r, m.reasonKind[r] ?? r] as const)])}</label>
            <label>{m.family}{sel('family', q.family, [['', m.any], ...FAMILIES.map((f) => [f, m.familyName[f] ?? f] as const)])}</label>
            <label>{m.institution}<input name="institutionId" id="f-institutionId" value={q.institutionId ?? ''} size={14} /></label>
            <label>{m.assignee}{sel('assignee', q.assignee, [['', m.any], ['me', m.me]])}</label>
            <label>{m.minAge}<input name="minAgeDays" id="f-minAgeDays" type="number" min="0" value={q.minAgeDays?.toString() ?? ''} style="width:5em" /></label>
            <label>{m.maxAge}<input name="maxAgeDays" id="f-maxAgeDays" type="number" min="0" value={q.maxAgeDays?.toString() ?? ''} style="width:5em" /></label>
            <button type="submit" id="apply">{m.apply}</button>
          </form>
          <p class="muted" id="count">{m.casesFound(result.total, q.offset + 1, q.offset + result.items.length)}</p>
          <table id="queue">
            <thead>
              <tr>
                <th class="num">#</th><th>{m.institution}</th><th>{m.claim}</th><th>{m.reason}</th><th>{m.family}</th><th>{m.severity}</th>
                <th class="num">{m.amountAtIssue}</th><th class="num">{m.priority}</th><th class="num">{m.age}</th><th>{m.status}</th><th>{m.assignee}</th><th class="num">{standingHeader(lang)}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((k) => (
                <tr data-case={String(k.id)}>
                  <td class="num"><a href={`/ui/cases/${k.id}`}>{k.id}</a></td>
                  <td>{k.institutionId}</td>
                  <td>{k.claim.claimId} <span class="muted">{m.visitType[k.claim.visitType] ?? k.claim.visitType}</span></td>
                  <td>{k.reasonKinds ? k.reasonKinds.map((r) => <span class="pill">{m.reasonKind[r] ?? r}</span>) : '—'}</td>
                  <td>{k.families.map((f) => <span class="pill">{m.familyName[f] ?? f}</span>)}</td>
                  <td>{k.severity ? (m.severityName[k.severity] ?? k.severity) : '—'}</td>
                  <td class="num">{k.amountAtIssue ?? '—'}</td>
                  <td class="num">{k.priority === null ? '—' : k.priority.toFixed(1)}</td>
                  <td class="num">{k.ageDays}</td>
                  <td>{m.caseStatus[k.status] ?? k.status}</td>
                  <td>{k.assignee ?? '—'}</td>
                  <ProviderStandingCell lang={lang} standing={standings.get(k.institutionId)} />
                </tr>
              ))}
            </tbody>
          </table>
          <div class="pager">
            {q.offset > 0 ? <a id="prev" href={link(Math.max(0, q.offset - q.limit))}>{m.prev}</a> : null}
            {q.offset + result.items.length < result.total ? <a id="next" href={link(q.offset + q.limit)}>{m.next}</a> : null}
          </div>
        </Layout>,
      );
    }),
  );

  app.post(
    '/ui/queue/draw',
    page(async (c) => {
      const drawn = await deps.review.cases.draw(personOf(actorOf(c)!));
      if (!drawn) return c.redirect('/ui/queue?empty=1', 303);
      return c.redirect(`/ui/cases/${drawn.id}`, 303);
    }),
  );
}
