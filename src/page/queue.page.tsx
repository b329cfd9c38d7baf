import type { OpenAPIHono } from '@hono/zod-openapi';
import { catalogue } from '../../rules/catalogue.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { fieldIssues, ValidationError } from '../http/errors.js';
import { CASE_STATUSES, QUEUE_SORTS, REASON_KINDS } from '../review/cases.js';
import { personOf } from '../review/identity.js';
import { QueueQuery } from '../review/review.schema.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, herePath, langOf } from './page-env.js';
import { ProviderStandingCell, providerStandings, standingHeader } from './provider-standing.js';
import { page } from './page-kit.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import { cstMinute, FieldError, FormErrors, type FormState } from './evidence.page.js';

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
      const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => v !== '' && k !== 'lang' && k !== 'empty'));
      const status = raw.status ?? 'open,assigned,concluded,returned';
      const e = EVIDENCE_MESSAGES[lang];
      const parsed = QueueQuery.safeParse({ limit: String(PAGE_SIZE), ...raw, status: status === 'all' ? undefined : status });
      // a bad filter comes back in the form, next to its field, with what was typed; the queue is not run
      let form: FormState | undefined;
      let result: Awaited<ReturnType<typeof deps.review.cases.queue>> = { total: 0, limit: PAGE_SIZE, offset: 0, items: [] };
      const q = parsed.success ? parsed.data : ({ limit: PAGE_SIZE, offset: 0 } as Partial<NonNullable<typeof parsed.data>> & { limit: number; offset: number });
      if (!parsed.success) form = { name: 'filters', values: raw, issues: fieldIssues(parsed.error.issues) };
      else {
        try {
          result = await deps.review.cases.queue(
            {
              ...(q.status ? { status: q.status.split(',') as (typeof CASE_STATUSES)[number][] } : {}),
              reason: q.reason,
              family: q.family,
              institutionId: q.institutionId,
              assignee: q.assignee === 'me' ? person.name : q.assignee,
              month: q.month,
              minAgeDays: q.minAgeDays,
              maxAgeDays: q.maxAgeDays,
              claimId: q.claimId,
              institution: q.institution,
              sort: q.sort,
              limit: q.limit,
              offset: q.offset,
            },
            person,
          );
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          form = { name: 'filters', values: raw, issues: err.issues };
        }
      }
      const typed = (name: string) => raw[name] ?? '';
      const now = deps.now();
      const filtered = Object.keys(raw).some((k) => k !== 'offset' && k !== 'empty' && k !== 'sort');
      const ids = [...new Set(result.items.map((k) => k.institutionId))];
      const names = new Map(
        ids.length === 0
          ? []
          : (
              await deps.database.query<{ institution_id: string; name: string }>(
                'select distinct on (institution_id) institution_id, name from institutions where institution_id = any($1::text[]) order by institution_id, valid_from desc',
                [ids],
              )
            ).map((r) => [r.institution_id, r.name]),
      );
      const standings = await providerStandings(
        deps.database,
        result.items.map((k) => k.institutionId),
      );
      const link = (offset: number) => {
        const u = new URLSearchParams({ ...raw, offset: String(offset) });
        return `/ui/queue?${u.toString()}`;
      };
      const sel = (name: string, value: string | undefined, options: readonly (readonly [string, string])[]) => (
        <select name={name} id={`f-${name}`}>
          {options.map(([v, label]) => (
            <option value={v} selected={v === (value ?? '')}>
              {label}
            </option>
          ))}
        </select>
      );
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={m.queue} path={herePath(c)}>
          <h1>{m.queue}</h1>
          <form method="post" action="/ui/queue/draw" class="card">
            <button id="draw" type="submit">
              {m.drawCase}
            </button>{' '}
            <span class="muted">{m.drawHint}</span>
          </form>
          {c.req.query('empty') === '1' ? (
            <p class="notice" id="draw-empty" role="status">
              {e.drawEmpty}
            </p>
          ) : null}
          <FormErrors lang={lang} form={form} name="filters" />
          <form method="get" action="/ui/queue" class="filters" id="filters">
            <label for="f-claimId">
              {e.claimSearch}
              <input name="claimId" id="f-claimId" value={typed('claimId')} size={14} />
              <FieldError lang={lang} form={form} name="filters" field="claimId" />
            </label>
            <label for="f-institution">
              {e.institutionSearch}
              <input name="institution" id="f-institution" value={typed('institution') || typed('institutionId')} size={16} />
              <FieldError lang={lang} form={form} name="filters" field="institution" />
              <FieldError lang={lang} form={form} name="filters" field="institutionId" />
            </label>
            <label for="f-month">
              {e.month}
              <input name="month" id="f-month" type="month" value={typed('month')} placeholder="YYYY-MM" />
              <FieldError lang={lang} form={form} name="filters" field="month" />
            </label>
            <label>
              {m.status}
              {sel('status', status, [['open,assigned,concluded,returned', m.statusActive], ['all', m.any], ...CASE_STATUSES.map((s) => [s, m.caseStatus[s] ?? s] as const)])}
              <FieldError lang={lang} form={form} name="filters" field="status" />
            </label>
            <label>
              {m.reason}
              {sel('reason', q.reason, [['', m.any], ...REASON_KINDS.filter((r) => r !== 'sample' || person.role !== 'auditor').map((r) => [r, m.reasonKind[r] ?? r] as const)])}
              <FieldError lang={lang} form={form} name="filters" field="reason" />
            </label>
            <label>
              {m.family}
              {sel('family', q.family, [['', m.any], ...FAMILIES.map((f) => [f, m.familyName[f] ?? f] as const)])}
              <FieldError lang={lang} form={form} name="filters" field="family" />
            </label>
            <label>
              {m.assignee}
              {sel('assignee', q.assignee, [
                ['', m.any],
                ['me', m.me],
              ])}
              <FieldError lang={lang} form={form} name="filters" field="assignee" />
            </label>
            <label for="f-minAgeDays">
              {m.minAge}
              <input name="minAgeDays" id="f-minAgeDays" type="number" min="0" value={typed('minAgeDays')} style="width:5em" />
              <FieldError lang={lang} form={form} name="filters" field="minAgeDays" />
            </label>
            <label for="f-maxAgeDays">
              {m.maxAge}
              <input name="maxAgeDays" id="f-maxAgeDays" type="number" min="0" value={typed('maxAgeDays')} style="width:5em" />
              <FieldError lang={lang} form={form} name="filters" field="maxAgeDays" />
            </label>
            <label for="f-sort">
              {e.sort}
              {sel(
                'sort',
                q.sort,
                QUEUE_SORTS.filter((x) => x !== 'amount' || person.role !== 'auditor').map((x) => [x === 'priority' ? '' : x, e.sorts[x] ?? x] as const),
              )}
              <FieldError lang={lang} form={form} name="filters" field="sort" />
            </label>
            <button type="submit" id="apply">
              {m.apply}
            </button>
            {filtered ? (
              <a id="clear-filters" href="/ui/queue">
                {e.clearFilters}
              </a>
            ) : null}
          </form>
          <p class="muted" id="count">
            {m.casesFound(result.total, q.offset + 1, q.offset + result.items.length)}
          </p>
          <table id="queue">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>{m.institution}</th>
                <th>{m.claim}</th>
                <th>{m.reason}</th>
                <th>{m.family}</th>
                <th>{m.severity}</th>
                <th class="num">{m.amountAtIssue}</th>
                <th class="num">{m.priority}</th>
                <th class="num">{m.age}</th>
                <th>{e.dueAt}</th>
                <th>{m.status}</th>
                <th>{m.assignee}</th>
                <th class="num">{standingHeader(lang)}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((k) => (
                <tr data-case={String(k.id)}>
                  <td class="num">
                    <a href={`/ui/cases/${k.id}`}>{k.id}</a>
                  </td>
                  <td>
                    {names.get(k.institutionId) ?? ''} <span class="muted">{k.institutionId}</span>
                  </td>
                  <td>
                    {k.claim.claimId} <span class="muted">{m.visitType[k.claim.visitType] ?? k.claim.visitType}</span>
                  </td>
                  <td>{k.reasonKinds ? k.reasonKinds.map((r) => <span class="pill">{m.reasonKind[r] ?? r}</span>) : '—'}</td>
                  <td>
                    {k.families.map((f) => (
                      <span class="pill">{m.familyName[f] ?? f}</span>
                    ))}
                  </td>
                  <td>{k.severity ? (m.severityName[k.severity] ?? k.severity) : '—'}</td>
                  <td class="num">{k.amountAtIssue ?? '—'}</td>
                  <td class="num">{k.priority === null ? '—' : k.priority.toFixed(1)}</td>
                  <td class="num">{k.ageDays}</td>
                  <td class={k.status !== 'closed' && Date.parse(k.dueAt) < now ? 'due overdue' : 'due'}>
                    {cstMinute(k.dueAt).slice(0, 10)}
                    {k.status !== 'closed' && Date.parse(k.dueAt) < now ? <span class="error"> {e.overdue}</span> : null}
                    {k.sampleDueAt ? (
                      <div class="muted">
                        {e.sampleDueAt} {cstMinute(k.sampleDueAt).slice(0, 10)}
                      </div>
                    ) : null}
                  </td>
                  <td>{m.caseStatus[k.status] ?? k.status}</td>
                  <td>{k.assignee ?? '—'}</td>
                  <ProviderStandingCell lang={lang} standing={standings.get(k.institutionId)} />
                </tr>
              ))}
              {result.items.length === 0 ? (
                <tr>
                  <td colspan={13} class="muted" id="queue-empty">
                    {e.queueEmpty}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <div class="pager">
            {q.offset > 0 ? (
              <a id="prev" href={link(Math.max(0, q.offset - q.limit))}>
                {m.prev}
              </a>
            ) : null}
            {q.offset + result.items.length < result.total ? (
              <a id="next" href={link(q.offset + q.limit)}>
                {m.next}
              </a>
            ) : null}
          </div>
        </Layout>,
        form ? 400 : 200,
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
