import type { Child } from 'hono/jsx';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { NotFoundError, type FieldIssue } from '../http/errors.js';
import type { AttachmentMeta, HistoryClaim, InstitutionRecord, Note } from '../review/evidence.js';
import { bytesText, EVIDENCE_MESSAGES, localIssue, localRefusal, type EvidenceMessages } from './evidence.i18n.js';
import { parseInstant } from '../lib/time.js';
import { MESSAGES, type Lang, type Messages } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf } from './page-env.js';
import { page } from './page-kit.js';

/**
 * The evidence on the case page (docs/review-pages.md) as components, and the
 * claim page a link to a claim without a case opens.
 */

/** A form sent back with what was typed and what is wrong, field by field. */
export interface FormState {
  name: string;
  values: Record<string, string | string[]>;
  issues: FieldIssue[];
  /** a whole-form message (a refusal, a conflict), when the problem is not one field's */
  message?: string;
}

export const formValue = (form: FormState | undefined, name: string, field: string): string => {
  if (form?.name !== name) return '';
  const v = form.values[field];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};
export const formValues = (form: FormState | undefined, name: string, field: string): string[] | undefined => {
  if (form?.name !== name) return undefined;
  const v = form.values[field];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const fieldOf = (path: string) => path.replace(/\[\d+\]$/, '').split('.')[0] ?? '';
export const hasIssue = (form: FormState | undefined, name: string, field: string) => form?.name === name && form.issues.some((i) => fieldOf(i.path) === field);

/** The message next to a field: id `${form}-${field}-error`, for aria-describedby. */
export function FieldError(props: { lang: Lang; form: FormState | undefined; name: string; field: string }) {
  if (props.form?.name !== props.name) return null;
  const issues = props.form.issues.filter((i) => fieldOf(i.path) === props.field);
  if (issues.length === 0) return null;
  return (
    <span class="error field-error" id={`${props.name}-${props.field}-error`} role="alert">
      {issues.map((i) => localIssue(props.lang, i).message).join('；')}
    </span>
  );
}

/** The summary at the top of a form sent back: each field's label and message, or the form's message. */
export function FormErrors(props: { lang: Lang; form: FormState | undefined; name: string }) {
  if (props.form?.name !== props.name || props.form.issues.length === 0) return null;
  const e = EVIDENCE_MESSAGES[props.lang];
  return (
    <div class="error form-errors" id={`${props.name}-errors`} role="alert">
      {props.form.issues.length > 0 ? (
        <>
          <div>{e.errorSummary}</div>
          <ul>
            {props.form.issues.map((i) => {
              const l = localIssue(props.lang, i);
              return (
                <li>
                  {l.label}：{l.message}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/**
 * A refusal that is not one field's (403, 409): at the top of the page, since the form it came
 * from may no longer be offered (the case moved on).
 */
export function Refusal(props: { lang: Lang; form: FormState | undefined }) {
  if (!props.form?.message) return null;
  return (
    <p class="error notice" id="refusal" role="alert">
      {localRefusal(props.lang, props.form.message)}
    </p>
  );
}

/** A time the claim carries (ISO with an offset, or CST local), as CST yyyy-MM-dd HH:mm; as sent when it is not a time. */
export const claimTime = (text: string | undefined) => {
  if (!text) return '';
  const t = parseInstant(text);
  return t === undefined ? text : cstTime(new Date(t).toISOString()).slice(0, 16);
};

/** yyyy-MM-dd HH:mm (CST) */
export const cstMinute = (iso: string) => cstTime(iso).slice(0, 16);

export function InstitutionCard(props: { lang: Lang; institutionId: string; record: InstitutionRecord | undefined; storedRisk: number | null; children?: Child }) {
  const e = EVIDENCE_MESSAGES[props.lang];
  const r = props.record;
  return (
    <div class="card" id="institution">
      <div>
        <strong>{e.institutionCard}</strong>
      </div>
      {r ? (
        <>
          <div id="institution-name">
            {r.name} <span class="muted">{r.institutionId}</span>
          </div>
          <div>
            {e.institutionType_}: <span id="institution-type">{e.institutionType[r.type] ?? r.type}</span> · {e.institutionLevel_}:{' '}
            <span id="institution-level">{e.institutionLevel[r.level] ?? r.level}</span>
            {' · '}
            {e.ownership[r.ownership] ?? r.ownership} · {e.beds}: {r.beds} · {e.area}: {r.area}
          </div>
        </>
      ) : (
        <div class="muted">
          {props.institutionId} · {e.institutionUnknown}
        </div>
      )}
      {/* the institution's live targeting score (ProviderStanding) and, for whom the case is not blind, the score stored when it opened */}
      <div id="institution-score" data-slot="provider-targeting">
        {props.children ?? (
          <div>
            {e.targetingScore} <span class="muted">{e.targetingPending}</span>
          </div>
        )}
        {props.storedRisk === null ? null : (
          <div>
            {e.storedScore}: <span id="stored-risk">{props.storedRisk.toFixed(3)}</span>
          </div>
        )}
      </div>
    </div>
  );
}

interface FindingView {
  ruleId: string;
  ruleVersion: number;
  family: string;
  severity: string;
  status: string;
  message: { zh: string; en: string };
  violatingLines: string[];
  amount: string;
}

/** Findings grouped by rule: a row per rule with its count, amount and lines; each finding's sentence under a disclosure. */
export function FindingsByRule(props: { lang: Lang; findings: FindingView[]; empty: string }) {
  const m: Messages = MESSAGES[props.lang];
  const e = EVIDENCE_MESSAGES[props.lang];
  const groups = new Map<string, { ruleId: string; family: string; severity: string; trial: boolean; count: number; fen: number; lines: Set<string>; items: FindingView[] }>();
  for (const f of props.findings) {
    const g = groups.get(f.ruleId) ?? { ruleId: f.ruleId, family: f.family, severity: f.severity, trial: false, count: 0, fen: 0, lines: new Set<string>(), items: [] };
    g.count++;
    g.fen += Math.round(Number(f.amount) * 100);
    g.trial ||= f.status === 'trial';
    for (const l of f.violatingLines) g.lines.add(l);
    g.items.push(f);
    groups.set(f.ruleId, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.fen - a.fen || b.count - a.count || a.ruleId.localeCompare(b.ruleId));
  if (sorted.length === 0)
    return (
      <p class="muted" id="findings-empty">
        {props.empty}
      </p>
    );
  return (
    <table id="findings">
      <thead>
        <tr>
          <th>{e.rule}</th>
          <th>{m.family}</th>
          <th>{m.severity}</th>
          <th class="num">{e.count}</th>
          <th class="num">{e.amountSum}</th>
          <th>{m.lines}</th>
          <th>{m.findings}</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((g) => (
          <tr data-rule={g.ruleId}>
            <td>
              <span class="pill">{g.ruleId}</span>
              {g.trial ? <span class="pill">{m.trial}</span> : null}
            </td>
            <td>{m.familyName[g.family] ?? g.family}</td>
            <td>{m.severityName[g.severity] ?? g.severity}</td>
            <td class="num rule-count">{g.count}</td>
            <td class="num rule-amount">{(g.fen / 100).toFixed(2)}</td>
            <td>
              {[...g.lines].slice(0, 12).join(', ')}
              {g.lines.size > 12 ? ` … (${g.lines.size})` : ''}
            </td>
            <td>
              {g.items[0]!.message[props.lang]}
              {g.count > 1 ? (
                <details>
                  <summary>
                    {e.showAll} ({g.count})
                  </summary>
                  <ul>
                    {g.items.map((f) => (
                      <li>
                        {f.message[props.lang]}{' '}
                        <span class="muted">
                          ({m.amount} {f.amount})
                        </span>
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const claimHref = (institutionId: string, claimId: string) => `/ui/claims/${encodeURIComponent(institutionId)}/${encodeURIComponent(claimId)}`;

export function HistoryTable(props: { lang: Lang; history: HistoryClaim[] | undefined }) {
  const m: Messages = MESSAGES[props.lang];
  const e = EVIDENCE_MESSAGES[props.lang];
  if (props.history === undefined)
    return (
      <p class="muted" id="history-hidden">
        {e.historyHidden}
      </p>
    );
  if (props.history.length === 0)
    return (
      <p class="muted" id="history-empty">
        {e.historyEmpty}
      </p>
    );
  return (
    <table id="history">
      <thead>
        <tr>
          <th>{m.claim}</th>
          <th>{m.institution}</th>
          <th>{e.visitPeriod}</th>
          <th>{m.diagnoses}</th>
          <th class="num">{e.claimTotal}</th>
          <th>{e.decision_}</th>
          <th>{e.historyCase}</th>
        </tr>
      </thead>
      <tbody>
        {props.history.map((h) => (
          <tr data-claim={h.claimId}>
            <td>
              <a href={claimHref(h.institutionId, h.claimId)}>{h.claimId}</a> <span class="muted">{m.visitType[h.visitType] ?? h.visitType}</span>
            </td>
            <td>
              {h.institutionName ?? h.institutionId} <span class="muted">{h.institutionName ? h.institutionId : ''}</span>
            </td>
            <td>
              {cstMinute(h.startedAt)}
              {h.visitType === 'inpatient' ? ` – ${cstMinute(h.endedAt)}` : ''}
            </td>
            <td>{h.mainDiagnosis ?? ''}</td>
            <td class="num">{h.totalAmount}</td>
            <td>{e.decision[h.decision] ?? h.decision}</td>
            <td>
              {h.caseId === null ? (
                <span class="muted">{e.noCase}</span>
              ) : (
                <a href={`/ui/cases/${h.caseId}`}>
                  {m.case} {h.caseId}
                </a>
              )}
              {h.caseStatus ? <span class="muted"> {m.caseStatus[h.caseStatus] ?? h.caseStatus}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function NotesBlock(props: { lang: Lang; caseId: number; notes: Note[]; mayWrite: boolean; form: FormState | undefined }) {
  const e = EVIDENCE_MESSAGES[props.lang];
  const bad = hasIssue(props.form, 'note', 'body');
  return (
    <>
      <h2 id="notes-title">{e.notes}</h2>
      <ul id="notes">
        {props.notes.map((n) => (
          <li data-note={String(n.id)}>
            <span class="muted">
              {cstMinute(n.createdAt)} · {n.author}：
            </span>
            {n.body}
          </li>
        ))}
        {props.notes.length === 0 ? (
          <li class="muted" id="notes-empty">
            {e.notesEmpty}
          </li>
        ) : null}
      </ul>
      {props.mayWrite ? (
        <form method="post" action={`/ui/cases/${props.caseId}/notes`} class="card" id="note-form">
          <FormErrors lang={props.lang} form={props.form} name="note" />
          <label for="note-body">{e.noteLabel}</label>
          <div>
            <textarea name="body" id="note-body" rows={2} cols={60} aria-invalid={bad ? 'true' : undefined} aria-describedby={bad ? 'note-body-error' : undefined}>
              {formValue(props.form, 'note', 'body')}
            </textarea>
          </div>
          <FieldError lang={props.lang} form={props.form} name="note" field="body" />
          <div>
            <button type="submit" id="add-note">
              {e.addNote}
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}

export function AttachmentsBlock(props: { lang: Lang; caseId: number; attachments: AttachmentMeta[]; mayWrite: boolean; mayDownload: boolean; maxBytes: number; form: FormState | undefined }) {
  const e = EVIDENCE_MESSAGES[props.lang];
  const m: Messages = MESSAGES[props.lang];
  const bad = hasIssue(props.form, 'attach', 'file');
  return (
    <>
      <h2 id="attachments-title">{e.attachments}</h2>
      <table id="attachments">
        <thead>
          <tr>
            <th>{m.item}</th>
            <th class="num">{e.size}</th>
            <th>{e.uploadedBy}</th>
            <th>{m.when}</th>
            <th>SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {props.attachments.map((a) => (
            <tr data-attachment={String(a.id)}>
              <td>
                {props.mayDownload ? (
                  <a href={`/ui/cases/${props.caseId}/attachments/${a.id}`} download={a.fileName}>
                    {a.fileName}
                  </a>
                ) : (
                  <>
                    {a.fileName} <span class="muted">{e.noDownload}</span>
                  </>
                )}{' '}
                <span class="muted">{a.contentType}</span>
              </td>
              <td class="num">{bytesText(a.sizeBytes)}</td>
              <td>{a.uploadedBy}</td>
              <td>{cstMinute(a.createdAt)}</td>
              <td>
                <code title={a.sha256}>{a.sha256.slice(0, 12)}</code>
              </td>
            </tr>
          ))}
          {props.attachments.length === 0 ? (
            <tr>
              <td colspan={5} class="muted" id="attachments-empty">
                {e.attachmentsEmpty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {props.mayWrite ? (
        <form method="post" action={`/ui/cases/${props.caseId}/attachments`} enctype="multipart/form-data" class="card" id="attach-form">
          <FormErrors lang={props.lang} form={props.form} name="attach" />
          <label for="attach-file">{e.fileLabel(bytesText(props.maxBytes))}</label>
          <div>
            <input
              type="file"
              name="file"
              id="attach-file"
              accept="application/pdf,image/png,image/jpeg,image/gif,image/webp"
              aria-invalid={bad ? 'true' : undefined}
              aria-describedby={bad ? 'attach-file-error' : undefined}
            />
          </div>
          <FieldError lang={props.lang} form={props.form} name="attach" field="file" />
          <div>
            <button type="submit" id="attach">
              {e.attach}
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}

/** A line's category in the page's language. */
export const categoryName = (e: EvidenceMessages, category: string) => e.category[category] ?? category;

/** A line of a claim's body as the pages show it. */
export interface ClaimLineView {
  lineId: string;
  itemCode: string;
  hospitalItemName?: string;
  category: string;
  serviceAt: string;
  quantity: unknown;
  unitPrice: unknown;
  amount: unknown;
}

/** A claim's lines (id `lines`); `mark` adds a last column and a row class, e.g. the lines a finding names. */
export function LinesTable(props: { lang: Lang; lines: ClaimLineView[]; mark?: (lineId: string) => { cls: string; label: string } }) {
  const m: Messages = MESSAGES[props.lang];
  const e = EVIDENCE_MESSAGES[props.lang];
  return (
    <table id="lines">
      <thead>
        <tr>
          <th>{m.lineId}</th>
          <th>{m.item}</th>
          <th>{m.category}</th>
          <th>{m.serviceAt}</th>
          <th class="num">{m.quantity}</th>
          <th class="num">{m.unitPrice}</th>
          <th class="num">{m.amount}</th>
          {props.mark ? <th></th> : null}
        </tr>
      </thead>
      <tbody>
        {props.lines.map((l) => {
          const mark = props.mark?.(l.lineId);
          return (
            <tr class={mark?.cls} data-line={l.lineId}>
              <td>{l.lineId}</td>
              <td>
                {l.hospitalItemName ?? ''} <span class="muted">{l.itemCode}</span>
              </td>
              <td>{categoryName(e, l.category)}</td>
              <td>{claimTime(l.serviceAt)}</td>
              <td class="num">{String(l.quantity)}</td>
              <td class="num">{String(l.unitPrice)}</td>
              <td class="num">{String(l.amount)}</td>
              {mark ? <td>{mark.label}</td> : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A claim without a case (a related claim, one of the person's history): its lines and findings; one with a case opens the case. */
export function registerClaimPage(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get(
    '/ui/claims/:institutionId/:claimId',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const e = EVIDENCE_MESSAGES[lang];
      const inst = c.req.param('institutionId') ?? '';
      const no = c.req.param('claimId') ?? '';
      const found = inst.length <= 64 && no.length <= 64 ? await deps.review.evidence.claimByKey(inst, no) : undefined;
      if (!found) throw new NotFoundError(`No claim ${inst}/${no}`);
      if (found.caseId !== null) return c.redirect(`/ui/cases/${found.caseId}`, 303);
      const body = found.body as {
        visitType: string;
        admittedAt?: string;
        dischargedAt?: string;
        visitAt?: string;
        lines: ClaimLineView[];
      };
      const record = await deps.review.evidence.institution(inst, (body.admittedAt ?? body.visitAt ?? '').slice(0, 10) || '1970-01-01');
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={`${m.claim} ${no}`} path={herePath(c)}>
          <h1>
            {m.claim} {inst} / {no}
          </h1>
          <div class="card" id="claim-facts">
            <div>{record ? `${record.name} · ${e.institutionType[record.type] ?? record.type} · ${e.institutionLevel[record.level] ?? record.level}` : inst}</div>
            <div>
              {m.visitType[body.visitType] ?? body.visitType} · {claimTime(body.admittedAt ?? body.visitAt)}
              {body.dischargedAt ? ` – ${claimTime(body.dischargedAt)}` : ''} ({e.cst}) · {m.total}: {found.total} · {e.decision_}: {e.decision[found.decision] ?? found.decision}
            </div>
            <div class="muted">{e.noCase}</div>
          </div>
          <h2>{m.lines}</h2>
          <LinesTable lang={lang} lines={body.lines} />
          <h2>{e.findingsByRule}</h2>
          <FindingsByRule lang={lang} findings={found.findings} empty={m.none} />
        </Layout>,
      );
    }),
  );
}

export const caseTimes = (e: EvidenceMessages, dueAt: string, now: number) => Math.floor((Date.parse(dueAt) - now) / 86_400_000);
