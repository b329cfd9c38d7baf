import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ForbiddenError } from '../http/errors.js';
import { readTrail, verifyTrail } from '../review/trail.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf } from './page-env.js';
import { page } from './page-kit.js';
import { FieldError, FormErrors, type FormState } from './evidence.page.js';

const PAGE = 200;

const compact = (v: unknown) =>
  v === null || v === undefined
    ? '—'
    : Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== null && x !== undefined)
        .map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
        .join(' ');

/**
 * The trail for supervisors and admins (GET /v1/review/trail and /trail/verify from the page): one
 * case's or everyone's, in order, with the hash chain's verdict.
 */
export function registerTrailPage(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/trail',
    page(async (c) => {
      const role = actorOf(c)!.role;
      if (role !== 'supervisor' && role !== 'admin') throw new ForbiddenError(`The role ${role} does not read the whole trail: supervisors and admins do (each case's trail is on its page)`);
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const e = EVIDENCE_MESSAGES[lang];
      const rawCase = c.req.query('caseId') ?? '';
      const rawAfter = c.req.query('afterSeq') ?? '';
      const issues = [];
      if (rawCase !== '' && !/^[1-9]\d{0,15}$/.test(rawCase)) issues.push({ path: 'caseId', message: lang === 'zh' ? '应为案件编号（正整数）' : 'must be a case number (a positive integer)' });
      if (rawAfter !== '' && !/^\d{1,15}$/.test(rawAfter)) issues.push({ path: 'afterSeq', message: lang === 'zh' ? '应为非负整数' : 'must be a whole number' });
      const form: FormState | undefined = issues.length ? { name: 'trail', values: { caseId: rawCase, afterSeq: rawAfter }, issues } : undefined;
      await deps.review.sealer.trySeal();
      const caseId = form || rawCase === '' ? undefined : Number(rawCase);
      const afterSeq = form || rawAfter === '' ? 0 : Number(rawAfter);
      // verifying reads the whole chain: on request (the link), not on every visit
      const verify = c.req.query('verify') === '1';
      const [entries, verdict] = await Promise.all([form ? [] : readTrail(deps.database, { caseId, afterSeq, limit: PAGE }), verify ? verifyTrail(deps.database) : undefined]);
      const last = entries.at(-1);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={e.trailPage} path={herePath(c)}>
          <h1>{e.trailPage}</h1>
          {verdict ? (
            <p id="trail-verdict" class={verdict.ok ? 'notice' : 'error'} role="status">
              {e.trailVerify}: {verdict.ok ? e.trailOk(verdict.entries, verdict.pending) : e.trailBroken(verdict.brokenAt)}
            </p>
          ) : (
            <p>
              <a id="verify-trail" href={`/ui/trail?${new URLSearchParams({ ...(caseId ? { caseId: String(caseId) } : {}), verify: '1' }).toString()}`}>
                {e.trailVerify}
              </a>
            </p>
          )}
          <FormErrors lang={lang} form={form} name="trail" />
          <form method="get" action="/ui/trail" class="filters" id="trail-filters">
            <label for="t-caseId">
              {m.case}
              <input name="caseId" id="t-caseId" value={rawCase} size={8} />
              <FieldError lang={lang} form={form} name="trail" field="caseId" />
            </label>
            <label for="t-afterSeq">
              #<input name="afterSeq" id="t-afterSeq" value={rawAfter} size={8} />
              <FieldError lang={lang} form={form} name="trail" field="afterSeq" />
            </label>
            <button type="submit" id="apply">
              {m.apply}
            </button>
          </form>
          <table id="trail">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>
                  {m.when} ({e.cst})
                </th>
                <th>{m.who}</th>
                <th>{m.action}</th>
                <th>{m.case}</th>
                <th>{m.before}</th>
                <th>{m.after}</th>
                <th>hash</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((t) => (
                <tr data-action={t.action}>
                  <td class="num">{t.seq}</td>
                  <td>{cstTime(t.at)}</td>
                  <td>{t.actor}</td>
                  <td>{m.trailAction[t.action] ?? e.trailAction[t.action] ?? t.action}</td>
                  <td>{t.caseId === null ? '—' : <a href={`/ui/cases/${t.caseId}`}>{t.caseId}</a>}</td>
                  <td>
                    <code>{compact(t.before)}</code>
                  </td>
                  <td>
                    <code>{compact(t.after)}</code>
                  </td>
                  <td>{t.hash ? <code title={t.hash}>{t.hash.slice(0, 10)}</code> : <span class="muted">{m.sealPending}</span>}</td>
                </tr>
              ))}
              {entries.length === 0 ? (
                <tr>
                  <td colspan={8} class="muted" id="trail-empty">
                    {e.trailEmpty}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {entries.length === PAGE && last ? (
            <div class="pager">
              <a id="next" href={`/ui/trail?${new URLSearchParams({ ...(caseId ? { caseId: String(caseId) } : {}), afterSeq: String(last.seq) }).toString()}`}>
                {m.next}
              </a>
            </div>
          ) : null}
        </Layout>,
      );
    }),
  );
}
