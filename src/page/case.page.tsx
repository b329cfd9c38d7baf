import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { fieldIssues, NotFoundError, ValidationError } from '../http/errors.js';
import { personOf } from '../review/identity.js';
import { ConclusionSchema, ReasonBody, SecondReviewSchema } from '../review/review.routes.js';
import { MESSAGES, type Messages } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf, type PageContext } from './page-env.js';
import { page } from './page-kit.js';
import { ProviderStanding, providerStandings } from './provider-standing.js';
import { RECHECK_MESSAGES } from './recheck.i18n.js';
import { AppealsPanel, ConclusionForms, conclusionFromForm, IntakePanel, RefusalLines } from './refusal-form.js';

interface BodyLine {
  lineId: string;
  itemCode: string;
  hospitalItemName?: string;
  category: string;
  serviceAt: string;
  quantity: number | string;
  unitPrice: number | string;
  amount: number | string;
  specification?: string;
}
interface ClaimBody {
  visitType: string;
  admittedAt?: string;
  dischargedAt?: string;
  visitAt?: string;
  diagnoses?: { code: string; name?: string; main?: boolean }[];
  lines: BodyLine[];
  totalAmount: number | string;
}

const caseId = (c: PageContext) => {
  const id = Number(c.req.param('caseId'));
  if (!Number.isInteger(id) || id <= 0) throw new NotFoundError(`No review case ${c.req.param('caseId')}`);
  return id;
};
const short = cstTime;
const formText = (v: unknown) => (typeof v === 'string' ? v : '');
/** zod parses the same schema the API validates with; a failure is the same 400 with field paths. */
function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Parameters<typeof fieldIssues>[0] } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(fieldIssues(r.error.issues));
  return r.data;
}

function Diff(props: { value: unknown }) {
  if (props.value === null || props.value === undefined) return <span class="muted">—</span>;
  const o = props.value as Record<string, unknown>;
  return <code>{Object.entries(o).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}</code>;
}

/** The case page: the claim's lines with what the findings point at, the reasons, both review levels and the trail. */
export function registerCasePages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const cases = deps.review.cases;

  app.get(
    '/ui/cases/:caseId',
    page(async (c) => {
      const lang = langOf(c);
      const m: Messages = MESSAGES[lang];
      const me = personOf(actorOf(c)!);
      const d = await cases.detail(caseId(c), me);
      const rm = RECHECK_MESSAGES[lang];
      const k = d.case;
      const body = d.claimBody as ClaimBody;
      const violating = new Set(d.findings.flatMap((f) => f.violatingLines));
      const involved = new Set(d.findings.flatMap((f) => f.involvedLines));
      const related = new Map<string, { institutionId: string; claimId: string; lines: string[]; rules: string[] }>();
      for (const f of d.findings)
        for (const o of f.otherClaims as { institutionId: string; claimId: string; lines?: string[] }[]) {
          const key = `${o.institutionId}/${o.claimId}`;
          const r = related.get(key) ?? { institutionId: o.institutionId, claimId: o.claimId, lines: [], rules: [] };
          r.lines.push(...(o.lines ?? []));
          r.rules.push(f.ruleId);
          related.set(key, r);
        }
      const lastConclusion = d.conclusions.at(-1);
      const mayConclude = (k.status === 'assigned' || k.status === 'returned') && k.assignee === me.name;
      const maySecond = k.status === 'concluded' && lastConclusion !== undefined && lastConclusion.concludedBy !== me.name && (me.role === 'auditor' || me.role === 'supervisor');
      const standing = await providerStandings(deps.database, [k.institutionId]);
      const reviewOf = (conclusionId: number) => d.secondReviews.find((r) => r.conclusionId === conclusionId);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={`${m.case} ${k.id}`} path={herePath(c)}>
          <h1>{m.case} {k.id} · {k.institutionId} / {k.claim.claimId}</h1>
          <div class="grid">
            <div class="card" id="case-facts">
              <div>{m.status}: <strong id="case-status">{m.caseStatus[k.status] ?? k.status}</strong>{k.finalOutcome ? ` · ${m.finalOutcome[k.finalOutcome]}` : ''}</div>
              {k.blinded ? <div class="muted" id="blind-note">{rm.blindNote}</div> : (
                <>
                  <div>{m.reason}: {(k.reasonKinds ?? []).map((r) => <span class="pill">{m.reasonKind[r] ?? r}</span>)}</div>
                  <div>{m.severity}: {m.severityName[k.severity ?? 'none'] ?? k.severity} · {m.amountAtIssue}: {k.amountAtIssue} · {m.priority}: {(k.priority ?? 0).toFixed(1)}</div>
                </>
              )}
              <div>{m.age}: {k.ageDays} · {m.assignee}: <span id="case-assignee">{k.assignee ?? '—'}</span></div>
              <div>{m.visitType[body.visitType] ?? body.visitType} · {body.admittedAt ?? body.visitAt ?? ''}{body.dischargedAt ? ` – ${body.dischargedAt}` : ''} · {m.total}: {String(body.totalAmount)}</div>
              <div>{m.diagnoses}: {(body.diagnoses ?? []).map((g) => `${g.code}${g.name ? ` ${g.name}` : ''}${g.main ? ' *' : ''}`).join('; ')}</div>
            </div>
            <ProviderStanding lang={lang} standing={standing.get(k.institutionId)} openingRisk={k.providerRisk} />
          </div>
          <IntakePanel money={d.money} lang={lang} />

          <h2>{m.lines}</h2>
          <table id="lines">
            <thead><tr><th>{m.lineId}</th><th>{m.item}</th><th>{m.category}</th><th>{m.serviceAt}</th><th class="num">{m.quantity}</th><th class="num">{m.unitPrice}</th><th class="num">{m.amount}</th><th></th></tr></thead>
            <tbody>
              {body.lines.map((l) => {
                const cls = violating.has(l.lineId) ? 'violating' : involved.has(l.lineId) ? 'involved' : '';
                return (
                  <tr class={cls} data-line={l.lineId}>
                    <td>{l.lineId}</td>
                    <td>{l.hospitalItemName ?? ''} <span class="muted">{l.itemCode}</span></td>
                    <td>{l.category}</td>
                    <td>{l.serviceAt}</td>
                    <td class="num">{String(l.quantity)}</td>
                    <td class="num">{String(l.unitPrice)}</td>
                    <td class="num">{String(l.amount)}</td>
                    <td>{cls === 'violating' ? m.violatingLine : cls === 'involved' ? m.involvedLine : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>

          <h2>{m.findings}</h2>
          <ul id="findings">
            {d.findings.map((f) => (
              <li>
                <span class="pill">{f.ruleId} v{f.ruleVersion}</span>
                <span class="pill">{m.severityName[f.severity] ?? f.severity}</span>
                {f.status === 'trial' ? <span class="pill">{m.trial}</span> : null}
                {f.retrospective ? <span class="pill">{m.retrospective}</span> : null} {f.message[lang]} <span class="muted">({m.amount} {f.amount})</span>
              </li>
            ))}
            {d.findings.length === 0 ? <li class="muted">{rm.noFindings}</li> : null}
          </ul>
          {d.references.length > 0 ? (
            <>
              <h2>{m.references}</h2>
              <ul id="references">
                {d.references.map((r) => (
                  <li>
                    <span class="pill">{r.ruleId} v{r.ruleVersion}</span> {r.message[lang]}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <AppealsPanel appeals={d.appeals} lang={lang} />
          {d.reasons.filter((r) => r.kind !== 'finding' && r.kind !== 'retrospective' && r.kind !== 'appeal').map((r) => (
            <p class="muted">{m.reasonKind[r.kind] ?? r.kind}{r.detail && Object.keys(r.detail).length ? `: ${JSON.stringify(r.detail)}` : ''}</p>
          ))}

          <h2>{m.relatedClaims}</h2>
          <ul id="related">
            {[...related.values()].map((r) => (
              <li>{r.institutionId} / {r.claimId} <span class="muted">{m.lines}: {r.lines.join(', ') || '—'} · {[...new Set(r.rules)].join(', ')}</span></li>
            ))}
            {related.size === 0 ? <li class="muted">{m.none}</li> : null}
          </ul>

          <h2>{m.reviews}</h2>
          <table id="reviews">
            <thead><tr><th>{m.level1}</th><th>{m.level2}</th></tr></thead>
            <tbody>
              {d.conclusions.map((x) => {
                const r = reviewOf(x.id);
                return (
                  <tr>
                    <td>
                      <strong>{m.outcomeOf[x.outcome]}</strong> · {x.concludedBy} · {short(x.concludedAt)}
                      {x.outcome === 'confirmed' ? <div>{m.refusedLines}: {x.refusedLines.join(', ')} · {m.amountRefused}: {x.amountRefused}</div> : null}
                      <RefusalLines lines={x.lines} lang={lang} />
                      <div>{x.basis}</div>
                    </td>
                    <td>{r ? <><strong>{m.verdict[r.verdict]}</strong> · {r.reviewedBy} · {short(r.reviewedAt)}{r.reason ? <div>{r.reason}</div> : null}</> : <span class="muted">{m.awaiting}</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>

          {mayConclude ? <ConclusionForms caseId={k.id} money={d.money} violating={violating} lang={lang} labels={{ refusedLines: m.refusedLines }} /> : null}
          {maySecond ? (
            <div class="grid" id="level2">
              <form method="post" action={`/ui/cases/${k.id}/second-review`} class="card">
                <input type="hidden" name="verdict" value="agree" />
                <strong>{m.agree}</strong> <span class="muted">{m.agreeHint}</span>
                <div><button type="submit" id="agree">{m.agree}</button></div>
              </form>
              <form method="post" action={`/ui/cases/${k.id}/second-review`} class="card">
                <input type="hidden" name="verdict" value="send_back" />
                <strong>{m.sendBack}</strong>
                <div><textarea name="reason" id="send-back-reason" rows={2} cols={60} placeholder={m.sendBackReason}></textarea></div>
                <button type="submit" id="send-back">{m.sendBack}</button>
              </form>
            </div>
          ) : null}

          <h2>{m.trail}</h2>
          <table id="trail">
            <thead><tr><th class="num">#</th><th>{m.when}</th><th>{m.who}</th><th>{m.action}</th><th>{m.before}</th><th>{m.after}</th><th>hash</th></tr></thead>
            <tbody>
              {d.trail.map((t) => (
                <tr data-action={t.action}>
                  <td class="num">{t.seq}</td><td>{short(t.at)}</td><td>{t.actor}</td><td>{m.trailAction[t.action] ?? t.action}</td>
                  <td><Diff value={t.before} /></td><td><Diff value={t.after} /></td><td>{t.hash ? <code title={t.hash}>{t.hash.slice(0, 10)}</code> : <span class="muted">{m.sealPending}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );

  app.post(
    '/ui/cases/:caseId/conclude',
    page(async (c) => {
      const id = caseId(c);
      const form = await c.req.parseBody({ all: true });
      const input = await conclusionFromForm(form, (i) => cases.refusalCeiling(id, i as never));
      await cases.conclude(personOf(actorOf(c)!), id, parse(ConclusionSchema, input));
      return c.redirect(`/ui/cases/${id}`, 303);
    }),
  );

  app.post(
    '/ui/cases/:caseId/second-review',
    page(async (c) => {
      const id = caseId(c);
      const form = await c.req.parseBody();
      const input = form.verdict === 'agree' ? { verdict: 'agree' } : { verdict: formText(form.verdict), reason: formText(form.reason) };
      await cases.secondReview(personOf(actorOf(c)!), id, parse(SecondReviewSchema, input));
      return c.redirect(`/ui/cases/${id}`, 303);
    }),
  );

  app.post(
    '/ui/cases/:caseId/release',
    page(async (c) => {
      const id = caseId(c);
      const form = await c.req.parseBody();
      await cases.release(personOf(actorOf(c)!), id, parse(ReasonBody, { reason: formText(form.reason) }).reason);
      return c.redirect('/ui/queue', 303);
    }),
  );
}
