import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { StoredLine } from '../claims/claim.schema.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError, fieldIssues, NotFoundError, ValidationError } from '../errors.js';
import { httpStatusOf } from '../http/error-status.js';
import { CONFLICT_KINDS } from '../review/conflicts.js';
import { mayReadEvidence } from '../review/evidence.js';
import { formFile, sendAttachment } from '../review/evidence.routes.js';
import { personOf } from '../review/identity.js';
import { ConclusionSchema, ReasonBody, SecondReviewSchema } from '../review/review.schema.js';
import { MESSAGES, type Messages } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf, type PageContext } from './page-env.js';
import { page } from './page-kit.js';
import { ProviderStanding, providerStandings } from './provider-standing.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import {
  AttachmentsBlock,
  LinesTable,
  claimHref,
  cstMinute,
  FieldError,
  FindingsByRule,
  formValue,
  FormErrors,
  hasIssue,
  HistoryTable,
  InstitutionCard,
  NotesBlock,
  Refusal,
  claimTime,
  type FormState,
} from './evidence.page.js';
import { RECHECK_MESSAGES } from './recheck.i18n.js';
import { AppealsPanel, ConclusionForms, conclusionFromForm, IntakePanel, RefusalLines } from './refusal-form.js';

interface ClaimBody {
  visitType: string;
  admittedAt?: string;
  dischargedAt?: string;
  visitAt?: string;
  diagnoses?: { code: string; name?: string; main?: boolean }[];
  lines: StoredLine[];
  totalAmount: number | string;
}

const ConflictBody = z.object({ kind: z.enum(CONFLICT_KINDS), note: z.string().trim().min(1, 'must say what the relation is').max(2000) });

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
  return (
    <code>
      {Object.entries(o)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' ')}
    </code>
  );
}

/** The case page: the claim's lines with what the findings point at, the reasons, both review levels and the trail. */
export function registerCasePages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/cases/:caseId',
    page(async (c) => renderCase(deps, c, caseId(c))),
  );

  registerEvidenceActions(app, deps);
  registerReviewActions(app, deps);
}

/** Notes and attachments on a case. */
function registerEvidenceActions(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { evidence } = deps.review;

  app.post(
    '/ui/cases/:caseId/notes',
    formAction(
      deps,
      () => 'note',
      async (c, id, form) => {
        await evidence.addNote(personOf(actorOf(c)!), id, formText(form.body));
        return `/ui/cases/${id}#notes-title`;
      },
    ),
  );

  app.post(
    '/ui/cases/:caseId/attachments',
    formAction(
      deps,
      () => 'attach',
      async (c, id) => {
        const file = await formFile(c);
        await evidence.attach(personOf(actorOf(c)!), id, file);
        return `/ui/cases/${id}#attachments-title`;
      },
    ),
  );

  app.get(
    '/ui/cases/:caseId/attachments/:attachmentId',
    page(async (c) => {
      const id = caseId(c);
      const att = Number(c.req.param('attachmentId'));
      if (!Number.isInteger(att) || att <= 0) throw new NotFoundError(`No attachment ${c.req.param('attachmentId')}`);
      return sendAttachment(c, await evidence.download(personOf(actorOf(c)!), id, att));
    }),
  );
}

/** The review's steps from the case page: conclude, second review, release, reopen, declare a conflict. */
function registerReviewActions(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { cases } = deps.review;

  app.post(
    '/ui/cases/:caseId/reopen',
    formAction(
      deps,
      () => 'reopen',
      async (c, id, form) => {
        await cases.reopen(personOf(actorOf(c)!), id, parse(ReasonBody, { reason: formText(form.reason) }).reason);
        return `/ui/cases/${id}`;
      },
    ),
  );

  app.post(
    '/ui/cases/:caseId/conflict',
    formAction(
      deps,
      () => 'conflict',
      async (c, id, form) => {
        const k = await cases.get(id);
        const input = parse(ConflictBody, { kind: formText(form.kind), note: formText(form.note) });
        await deps.review.conflicts.declare(personOf(actorOf(c)!), { institutionId: k.institutionId, kind: input.kind, note: input.note });
        return `/ui/cases/${id}`;
      },
    ),
  );

  app.post(
    '/ui/cases/:caseId/conclude',
    formAction(
      deps,
      (f) => (f.outcome === 'confirmed' ? 'confirm' : 'dismiss'),
      async (c, id, form) => {
        const input = await conclusionFromForm(form, (i) => cases.refusalCeiling(id, i as never));
        await cases.conclude(personOf(actorOf(c)!), id, parse(ConclusionSchema, input));
        return `/ui/cases/${id}`;
      },
    ),
  );

  app.post(
    '/ui/cases/:caseId/second-review',
    formAction(
      deps,
      (f) => (f.verdict === 'agree' ? 'agree' : 'send_back'),
      async (c, id, form) => {
        const input = form.verdict === 'agree' ? { verdict: 'agree' } : { verdict: formText(form.verdict), reason: formText(form.reason) };
        await cases.secondReview(personOf(actorOf(c)!), id, parse(SecondReviewSchema, input));
        return `/ui/cases/${id}`;
      },
    ),
  );

  app.post(
    '/ui/cases/:caseId/release',
    formAction(
      deps,
      () => 'release',
      async (c, id, form) => {
        await cases.release(personOf(actorOf(c)!), id, parse(ReasonBody, { reason: formText(form.reason) }).reason);
        return '/ui/queue';
      },
    ),
  );
}

/**
 * A form's action: done, it goes where `then` says; refused for a field, the case page comes back
 * with what was typed and each field's message next to it (400); refused otherwise (403, 409), the
 * case page comes back with the message at the form.
 */
function formAction(deps: AppDeps, name: (form: Record<string, unknown>) => string, run: (c: PageContext, id: number, form: Record<string, string | string[]>) => Promise<string>) {
  return page(async (c) => {
    const id = caseId(c);
    const raw = (c.req.header('content-type') ?? '').startsWith('multipart/form-data') ? {} : await c.req.parseBody({ all: true });
    const values = Object.fromEntries(
      Object.entries(raw)
        .filter(([, v]) => typeof v === 'string' || Array.isArray(v))
        .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
    ) as Record<string, string | string[]>;
    try {
      return c.redirect(await run(c, id, values), 303);
    } catch (err) {
      if (err instanceof ValidationError) return renderCase(deps, c, id, { name: name(values), values, issues: err.issues }, 400);
      if (err instanceof AppError && (err.kind === 'forbidden' || err.kind === 'conflict'))
        return renderCase(deps, c, id, { name: name(values), values, issues: [], message: err.message }, httpStatusOf(err) as 403 | 409);
      throw err;
    }
  });
}

/** The case page; `form` is a form sent back with what was typed and what is wrong (status 400, or the refusal's). */
async function renderCase(deps: AppDeps, c: PageContext, id: number, form?: FormState, status: 200 | 400 | 403 | 404 | 409 = 200) {
  const { cases, evidence } = deps.review;
  const lang = langOf(c);
  const m: Messages = MESSAGES[lang];
  const e = EVIDENCE_MESSAGES[lang];
  const me = personOf(actorOf(c)!);
  const d = await cases.detail(id, me);
  const [record, notes, attachments, history] = await Promise.all([
    evidence.institution(d.case.institutionId, d.case.claim.serviceMonth + '-01'),
    evidence.notes(id),
    evidence.attachments(id),
    evidence.history(me, d.case.claim.id),
  ]);
  const rm = RECHECK_MESSAGES[lang];
  const k = d.case;
  const body = d.claimBody as ClaimBody;
  const violating = new Set(d.findings.flatMap((f) => f.violatingLines));
  const involved = new Set(d.findings.flatMap((f) => f.involvedLines));
  const related = relatedClaims(d.findings);
  const lastConclusion = d.conclusions.at(-1);
  const mayConclude = (k.status === 'assigned' || k.status === 'returned') && k.assignee === me.name;
  const maySecond = k.status === 'concluded' && lastConclusion !== undefined && lastConclusion.concludedBy !== me.name && (me.role === 'auditor' || me.role === 'supervisor');
  const standing = await providerStandings(deps.database, [k.institutionId]);
  const reviewOf = (conclusionId: number) => d.secondReviews.find((r) => r.conclusionId === conclusionId);
  const reviewer = me.role === 'auditor' || me.role === 'supervisor';
  const mayRelease = (k.status === 'assigned' || k.status === 'returned') && (k.assignee === me.name || me.role === 'supervisor');
  const mayReopen = k.status === 'closed' && me.role === 'supervisor';
  const manager = me.role === 'supervisor' || me.role === 'admin';
  const left = Math.floor((Date.parse(k.dueAt) - deps.now()) / 86_400_000);
  const invalid = (name: string, field: string) => (hasIssue(form, name, field) ? { 'aria-invalid': 'true', 'aria-describedby': `${name}-${field}-error` } : {});
  return c.html(
    <Layout lang={lang} actor={actorOf(c)} title={`${m.case} ${k.id}`} path={herePath(c)}>
      <h1>
        {m.case} {k.id} · {k.institutionId} / {k.claim.claimId}
      </h1>
      <Refusal lang={lang} form={form} />
      <div class="grid">
        <div class="card" id="case-facts">
          <div>
            {m.status}: <strong id="case-status">{m.caseStatus[k.status] ?? k.status}</strong>
            {k.finalOutcome ? ` · ${m.finalOutcome[k.finalOutcome]}` : ''}
          </div>
          {k.blinded ? (
            <div class="muted" id="blind-note">
              {rm.blindNote}
            </div>
          ) : (
            <>
              <div>
                {m.reason}:{' '}
                {(k.reasonKinds ?? []).map((r) => (
                  <span class="pill">{m.reasonKind[r] ?? r}</span>
                ))}
              </div>
              <div>
                {m.severity}: {m.severityName[k.severity ?? 'none'] ?? k.severity} · {m.amountAtIssue}: {k.amountAtIssue} · {m.priority}: {(k.priority ?? 0).toFixed(1)}
              </div>
            </>
          )}
          <div>
            {m.age}: {k.ageDays} · {m.assignee}: <span id="case-assignee">{k.assignee ?? '—'}</span>
          </div>
          <div>
            {e.openedAt}: <span id="case-opened">{cstMinute(k.openedAt)}</span> · {e.dueAt}:{' '}
            <span id="case-due" class={left < 0 && k.status !== 'closed' ? 'error' : ''}>
              {cstMinute(k.dueAt).slice(0, 10)}
            </span>
            {k.status !== 'closed' ? <span class="muted"> ({e.daysLeft(left)})</span> : null}
            {k.sampleDueAt ? (
              <>
                {' '}
                · {e.sampleDueAt}: {cstMinute(k.sampleDueAt).slice(0, 10)}
              </>
            ) : null}{' '}
            <span class="muted">({e.cst})</span>
          </div>
          <div>
            {e.visitPeriod}: {m.visitType[body.visitType] ?? body.visitType} ·{' '}
            <span id="visit-period">
              {claimTime(body.admittedAt ?? body.visitAt)}
              {body.dischargedAt ? ` – ${claimTime(body.dischargedAt)}` : ''}
            </span>{' '}
            · {m.total}: {String(body.totalAmount)} · {e.decision_}:{' '}
            {e.decision[(d.answer as { decision?: string } | undefined)?.decision ?? ''] ?? (d.answer as { decision?: string } | undefined)?.decision ?? '—'}
          </div>
          <div>
            {m.diagnoses}: {(body.diagnoses ?? []).map((g) => `${g.code}${g.name ? ` ${g.name}` : ''}${g.main ? ' *' : ''}`).join('; ')}
          </div>
        </div>
        <InstitutionCard lang={lang} institutionId={k.institutionId} record={record} storedRisk={k.providerRisk}>
          <ProviderStanding lang={lang} standing={standing.get(k.institutionId)} openingRisk={k.providerRisk} />
        </InstitutionCard>
      </div>
      <IntakePanel money={d.money} lang={lang} />

      <h2>{m.lines}</h2>
      <LinesTable
        lang={lang}
        lines={body.lines}
        mark={(lineId) => (violating.has(lineId) ? { cls: 'violating', label: m.violatingLine } : involved.has(lineId) ? { cls: 'involved', label: m.involvedLine } : { cls: '', label: '' })}
      />

      <h2>
        {e.findingsByRule}{' '}
        <span class="muted" id="findings-total">
          ({d.findings.length})
        </span>
      </h2>
      <FindingsByRule lang={lang} findings={d.findings} empty={rm.noFindings} />
      {d.references.length > 0 ? (
        <>
          <h2>{m.references}</h2>
          <ul id="references">
            {d.references.map((r) => (
              <li>
                <span class="pill">
                  {r.ruleId} v{r.ruleVersion}
                </span>{' '}
                {r.message[lang]}{' '}
                <a href={claimHref(r.foundBy.institutionId, r.foundBy.claimId)}>
                  {r.foundBy.institutionId} / {r.foundBy.claimId}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <AppealsPanel appeals={d.appeals} lang={lang} />
      {d.reasons
        .filter((r) => r.kind !== 'finding' && r.kind !== 'retrospective' && r.kind !== 'appeal')
        .map((r) => (
          <p class="muted">
            {m.reasonKind[r.kind] ?? r.kind}
            {r.detail && Object.keys(r.detail).length ? `: ${JSON.stringify(r.detail)}` : ''}
          </p>
        ))}

      <h2>{m.relatedClaims}</h2>
      <ul id="related">
        {[...related.values()].map((r) => (
          <li>
            <a href={claimHref(r.institutionId, r.claimId)}>
              {r.institutionId} / {r.claimId}
            </a>{' '}
            <span class="muted">
              {m.lines}: {r.lines.join(', ') || '—'} · {[...new Set(r.rules)].join(', ')}
            </span>
          </li>
        ))}
        {related.size === 0 ? <li class="muted">{m.none}</li> : null}
      </ul>

      <h2 id="history-title">{e.history}</h2>
      <HistoryTable lang={lang} history={history} />

      <NotesBlock lang={lang} caseId={k.id} notes={notes} mayWrite={reviewer} form={form} />
      <AttachmentsBlock lang={lang} caseId={k.id} attachments={attachments} mayWrite={reviewer} mayDownload={mayReadEvidence(me)} maxBytes={evidence.maxAttachmentBytes} form={form} />

      <h2>{m.reviews}</h2>
      <table id="reviews">
        <thead>
          <tr>
            <th>{m.level1}</th>
            <th>{m.level2}</th>
          </tr>
        </thead>
        <tbody>
          {d.conclusions.map((x) => {
            const r = reviewOf(x.id);
            return (
              <tr>
                <td>
                  <strong>{m.outcomeOf[x.outcome]}</strong> · {x.concludedBy} · {short(x.concludedAt)}
                  {x.outcome === 'confirmed' ? (
                    <div>
                      {m.refusedLines}: {x.refusedLines.join(', ')} · {m.amountRefused}: {x.amountRefused}
                    </div>
                  ) : null}
                  <RefusalLines lines={x.lines} lang={lang} />
                  <div>{x.basis}</div>
                </td>
                <td>
                  {r ? (
                    <>
                      <strong>{m.verdict[r.verdict]}</strong> · {r.reviewedBy} · {short(r.reviewedAt)}
                      {r.reason ? <div>{r.reason}</div> : null}
                    </>
                  ) : (
                    <span class="muted">{m.awaiting}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      {mayConclude ? (
        <ConclusionForms
          caseId={k.id}
          money={d.money}
          violating={violating}
          lang={lang}
          labels={{ refusedLines: m.refusedLines }}
          form={form}
          itemNames={new Map(body.lines.map((l) => [l.lineId, l.hospitalItemName ?? l.itemCode]))}
        />
      ) : null}
      {maySecond ? (
        <div class="grid" id="level2">
          <form method="post" action={`/ui/cases/${k.id}/second-review`} class="card" id="agree-form">
            <input type="hidden" name="verdict" value="agree" />
            <FormErrors lang={lang} form={form} name="agree" />
            <strong>{m.agree}</strong> <span class="muted">{m.agreeHint}</span>
            <div>
              <button type="submit" id="agree">
                {m.agree}
              </button>
            </div>
          </form>
          <form method="post" action={`/ui/cases/${k.id}/second-review`} class="card" id="send-back-form">
            <input type="hidden" name="verdict" value="send_back" />
            <strong>{m.sendBack}</strong>
            <FormErrors lang={lang} form={form} name="send_back" />
            <div>
              <label for="send-back-reason">{m.sendBackReason}</label>
            </div>
            <div>
              <textarea name="reason" id="send-back-reason" rows={2} cols={60} placeholder={m.sendBackReason} {...invalid('send_back', 'reason')}>
                {formValue(form, 'send_back', 'reason')}
              </textarea>
            </div>
            <FieldError lang={lang} form={form} name="send_back" field="reason" />
            <button type="submit" id="send-back">
              {m.sendBack}
            </button>
          </form>
        </div>
      ) : null}

      <h2>{e.actions}</h2>
      <div class="grid" id="actions">
        {mayRelease ? (
          <form method="post" action={`/ui/cases/${k.id}/release`} class="card" id="release-form">
            <strong>{e.release}</strong>
            <FormErrors lang={lang} form={form} name="release" />
            <div>
              <label for="release-reason">{e.releaseReason}</label>
            </div>
            <div>
              <textarea name="reason" id="release-reason" rows={2} cols={50} {...invalid('release', 'reason')}>
                {formValue(form, 'release', 'reason')}
              </textarea>
            </div>
            <FieldError lang={lang} form={form} name="release" field="reason" />
            <button type="submit" id="release">
              {e.release}
            </button>
          </form>
        ) : null}
        {mayReopen ? (
          <form method="post" action={`/ui/cases/${k.id}/reopen`} class="card" id="reopen-form">
            <strong>{e.reopen}</strong>
            <FormErrors lang={lang} form={form} name="reopen" />
            <div>
              <label for="reopen-reason">{e.reopenReason}</label>
            </div>
            <div>
              <textarea name="reason" id="reopen-reason" rows={2} cols={50} {...invalid('reopen', 'reason')}>
                {formValue(form, 'reopen', 'reason')}
              </textarea>
            </div>
            <FieldError lang={lang} form={form} name="reopen" field="reason" />
            <button type="submit" id="reopen">
              {e.reopen}
            </button>
          </form>
        ) : null}
        <form method="post" action={`/ui/cases/${k.id}/conflict`} class="card" id="conflict-form">
          <strong>{e.declareConflict}</strong> <span class="muted">{k.institutionId}</span>
          <div class="muted">{e.conflictHint}</div>
          <FormErrors lang={lang} form={form} name="conflict" />
          <div>
            <label for="conflict-kind">{e.conflictKind}</label>{' '}
            <select name="kind" id="conflict-kind">
              {CONFLICT_KINDS.map((x) => (
                <option value={x} selected={formValue(form, 'conflict', 'kind') === x}>
                  {e.conflictKinds[x] ?? x}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="conflict-note">{e.conflictNote}</label>
          </div>
          <div>
            <textarea name="note" id="conflict-note" rows={2} cols={50} {...invalid('conflict', 'note')}>
              {formValue(form, 'conflict', 'note')}
            </textarea>
          </div>
          <FieldError lang={lang} form={form} name="conflict" field="note" />
          <button type="submit" id="declare-conflict" class="secondary">
            {e.declareConflict}
          </button>
        </form>
      </div>

      <h2 id="trail-title">{m.trail}</h2>
      {manager ? (
        <p>
          <a id="view-trail" href={`/ui/trail?caseId=${k.id}`}>
            {e.viewTrail}
          </a>
        </p>
      ) : null}
      <table id="trail">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>{m.when}</th>
            <th>{m.who}</th>
            <th>{m.action}</th>
            <th>{m.before}</th>
            <th>{m.after}</th>
            <th>hash</th>
          </tr>
        </thead>
        <tbody>
          {d.trail.map((t) => (
            <tr data-action={t.action}>
              <td class="num">{t.seq}</td>
              <td>{short(t.at)}</td>
              <td>{t.actor}</td>
              <td>{m.trailAction[t.action] ?? e.trailAction[t.action] ?? t.action}</td>
              <td>
                <Diff value={t.before} />
              </td>
              <td>
                <Diff value={t.after} />
              </td>
              <td>{t.hash ? <code title={t.hash}>{t.hash.slice(0, 10)}</code> : <span class="muted">{m.sealPending}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>,
    status,
  );
}

/** The other claims the case's findings name, each with its lines named and the rules naming it. */
function relatedClaims(findings: readonly { ruleId: string; otherClaims: unknown[] }[]) {
  const related = new Map<string, { institutionId: string; claimId: string; lines: string[]; rules: string[] }>();
  for (const f of findings)
    for (const o of f.otherClaims as { institutionId: string; claimId: string; lines?: string[] }[]) {
      const key = `${o.institutionId}/${o.claimId}`;
      const r = related.get(key) ?? { institutionId: o.institutionId, claimId: o.claimId, lines: [], rules: [] };
      r.lines.push(...(o.lines ?? []));
      r.rules.push(f.ruleId);
      related.set(key, r);
    }
  return related;
}
