import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError, fieldIssues, ValidationError } from '../errors.js';
import { httpStatusOf } from '../http/error-status.js';
import { CONFLICT_KINDS } from '../review/conflicts.js';
import { personOf } from '../review/identity.js';
import { reviewOutcomes } from '../review/outcomes.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';
import { cstMinute, FieldError, FormErrors, formValue, Refusal, type FormState } from './evidence.page.js';
import { MESSAGES, type Lang } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, herePath, langOf, type PageContext } from './page-env.js';
import { page } from './page-kit.js';

const T = {
  zh: {
    conflicts: '利益冲突',
    conflictsHint: '申报了利益冲突的人员不会被分配该机构的案件，也不能办理其案件。',
    person: '人员',
    declaredBy: '申报人',
    declaredAt: '申报时间',
    withdrawn: '已撤回',
    inForce: '有效',
    withdraw: '撤回',
    withdrawReason: '撤回理由',
    declare: '申报',
    forPerson: '为他人申报（留空为本人）',
    none: '没有申报记录。',
    outcomes: '审核结果统计',
    outcomesHint: '已办结案件（复审同意）的结论：按规则的准确率、按来源的结果，以及随机抽查中未被规则发现的违规比例（95% Wilson 区间）。',
    precision: '准确率',
    concluded: '已办结',
    confirmed: '违规成立',
    dismissed: '排除',
    refused: '拒付金额',
    sample: '随机抽查',
    unflagged: '未被规则发现的违规',
    share: '比例',
    noData: '还没有已办结的案件。',
    cases: '案件数（按状态）',
  },
  en: {
    conflicts: 'Conflicts of interest',
    conflictsHint: 'A person with a declared conflict is never given the institution’s cases and may not conclude them.',
    person: 'Person',
    declaredBy: 'Declared by',
    declaredAt: 'Declared',
    withdrawn: 'withdrawn',
    inForce: 'in force',
    withdraw: 'Withdraw',
    withdrawReason: 'Why it is withdrawn',
    declare: 'Declare',
    forPerson: 'For another person (empty: yourself)',
    none: 'No declaration.',
    outcomes: 'Review outcomes',
    outcomesHint: 'Final outcomes of closed cases: per-rule precision, outcomes per reason, and the share of violations the rules did not flag in the random sample (95% Wilson interval).',
    precision: 'Precision',
    concluded: 'Closed',
    confirmed: 'Confirmed',
    dismissed: 'Dismissed',
    refused: 'Refused',
    sample: 'Random sample',
    unflagged: 'Violations not flagged',
    share: 'Share',
    noData: 'No closed case yet.',
    cases: 'Cases by status',
  },
} satisfies Record<Lang, Record<string, string>>;

const DeclareBody = z.object({
  person: z.string().trim().max(200).optional(),
  institutionId: z.string().trim().min(1, 'is required').max(64),
  kind: z.enum(CONFLICT_KINDS),
  note: z.string().trim().min(1, 'must say what the relation is').max(2000),
});
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** Conflicts of interest (declare, withdraw) and the review outcomes, from the page: the API's, with the page's session. */
export function registerOversightPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const renderConflicts = async (c: PageContext, form?: FormState, status: 200 | 400 | 403 | 404 | 409 = 200) => {
    const lang = langOf(c);
    const m = MESSAGES[lang];
    const e = EVIDENCE_MESSAGES[lang];
    const t = T[lang];
    const me = personOf(actorOf(c)!);
    const manager = me.role === 'supervisor' || me.role === 'admin';
    const rows = await deps.review.conflicts.list({ person: manager ? undefined : me.name });
    return c.html(
      <Layout lang={lang} actor={actorOf(c)} title={t.conflicts} path={herePath(c)}>
        <h1>{t.conflicts}</h1>
        <p class="muted">{t.conflictsHint}</p>
        <Refusal lang={lang} form={form} />
        <table id="conflicts">
          <thead>
            <tr>
              <th>#</th>
              <th>{t.person}</th>
              <th>{m.institution}</th>
              <th>{e.conflictKind}</th>
              <th>{e.conflictNote}</th>
              <th>{t.declaredBy}</th>
              <th>{t.declaredAt}</th>
              <th>{m.status}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <tr data-conflict={String(k.id)}>
                <td>{k.id}</td>
                <td>{k.person}</td>
                <td>{k.institutionId}</td>
                <td>{e.conflictKinds[k.kind] ?? k.kind}</td>
                <td>{k.note}</td>
                <td>{k.declaredBy}</td>
                <td>{cstMinute(k.declaredAt)}</td>
                <td>
                  {k.withdrawnAt ? `${t.withdrawn} (${k.withdrawnBy ?? ''})` : t.inForce}
                  {!k.withdrawnAt && manager ? (
                    <form method="post" action={`/ui/conflicts/${k.id}/withdraw`} id={`withdraw-${k.id}`}>
                      <FormErrors lang={lang} form={form} name={`withdraw-${k.id}`} />
                      <label for={`withdraw-${k.id}-reason`}>{t.withdrawReason}</label>
                      <input name="reason" id={`withdraw-${k.id}-reason`} value={formValue(form, `withdraw-${k.id}`, 'reason')} />
                      <FieldError lang={lang} form={form} name={`withdraw-${k.id}`} field="reason" />
                      <button type="submit" class="secondary">
                        {t.withdraw}
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colspan={8} class="muted" id="conflicts-empty">
                  {t.none}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        <form method="post" action="/ui/conflicts" class="card" id="declare-form">
          <strong>{e.declareConflict}</strong>
          <FormErrors lang={lang} form={form} name="declare" />
          {manager ? (
            <div>
              <label for="d-person">{t.forPerson}</label> <input name="person" id="d-person" value={formValue(form, 'declare', 'person')} />
            </div>
          ) : null}
          <div>
            <label for="d-institutionId">{m.institution}</label> <input name="institutionId" id="d-institutionId" value={formValue(form, 'declare', 'institutionId')} />
            <FieldError lang={lang} form={form} name="declare" field="institutionId" />
          </div>
          <div>
            <label for="d-kind">{e.conflictKind}</label>{' '}
            <select name="kind" id="d-kind">
              {CONFLICT_KINDS.map((x) => (
                <option value={x} selected={formValue(form, 'declare', 'kind') === x}>
                  {e.conflictKinds[x] ?? x}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="d-note">{e.conflictNote}</label>
          </div>
          <div>
            <textarea name="note" id="d-note" rows={2} cols={50}>
              {formValue(form, 'declare', 'note')}
            </textarea>
          </div>
          <FieldError lang={lang} form={form} name="declare" field="note" />
          <button type="submit" id="declare">
            {t.declare}
          </button>
        </form>
      </Layout>,
      status,
    );
  };

  const act = (name: (c: PageContext) => string, run: (c: PageContext, values: Record<string, string>) => Promise<void>) =>
    page(async (c) => {
      const raw = await c.req.parseBody();
      const values = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      try {
        await run(c, values);
        return c.redirect('/ui/conflicts', 303);
      } catch (err) {
        if (err instanceof ValidationError) return renderConflicts(c, { name: name(c), values, issues: err.issues }, 400);
        if (err instanceof AppError && (err.kind === 'forbidden' || err.kind === 'not_found' || err.kind === 'conflict'))
          return renderConflicts(c, { name: name(c), values, issues: [], message: err.message }, httpStatusOf(err) as 403 | 404 | 409);
        throw err;
      }
    });

  app.get(
    '/ui/conflicts',
    page((c) => renderConflicts(c)),
  );
  app.post(
    '/ui/conflicts',
    act(
      () => 'declare',
      async (c, v) => {
        const r = DeclareBody.safeParse({ ...v, person: v.person || undefined });
        if (!r.success) throw new ValidationError(fieldIssues(r.error.issues));
        await deps.review.conflicts.declare(personOf(actorOf(c)!), { ...r.data, person: r.data.person || undefined });
      },
    ),
  );
  app.post(
    '/ui/conflicts/:conflictId/withdraw',
    act(
      (c) => `withdraw-${c.req.param('conflictId')}`,
      async (c, v) => {
        const me = actorOf(c)!;
        if (me.role !== 'supervisor' && me.role !== 'admin') throw new AppError('forbidden', 'forbidden', `The role ${me.role} does not withdraw conflicts: supervisors and admins do`);
        const id = Number(c.req.param('conflictId'));
        if (!Number.isInteger(id) || id <= 0) throw new AppError('not_found', 'not_found', `No declared conflict ${c.req.param('conflictId')}`);
        const reason = (v.reason ?? '').trim();
        if (!reason) throw new ValidationError([{ path: 'reason', message: 'must say why' }]);
        await deps.review.conflicts.withdraw(personOf(me), id, reason.slice(0, 2000));
      },
    ),
  );

  app.get(
    '/ui/outcomes',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const t = T[lang];
      const o = await reviewOutcomes(deps.database);
      const share = o.sample.unflaggedViolationShare;
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={t.outcomes} path={herePath(c)}>
          <h1>{t.outcomes}</h1>
          <p class="muted">{t.outcomesHint}</p>
          <p id="case-counts">
            {t.cases}:{' '}
            {Object.entries(o.cases)
              .map(([s, n]) => `${m.caseStatus[s] ?? s} ${n}`)
              .join(' · ') || '—'}
          </p>
          <h2>{m.reason}</h2>
          <table id="outcome-reasons">
            <thead>
              <tr>
                <th>{m.reason}</th>
                <th class="num">{t.concluded}</th>
                <th class="num">{t.confirmed}</th>
                <th class="num">{t.dismissed}</th>
                <th class="num">{t.precision}</th>
                <th class="num">{t.refused}</th>
              </tr>
            </thead>
            <tbody>
              {o.reasons.map((r) => (
                <tr data-kind={r.kind}>
                  <td>{m.reasonKind[r.kind] ?? r.kind}</td>
                  <td class="num">{r.concluded}</td>
                  <td class="num">{r.confirmed}</td>
                  <td class="num">{r.dismissed}</td>
                  <td class="num">{pct(r.precision)}</td>
                  <td class="num">{r.amountRefused}</td>
                </tr>
              ))}
              {o.reasons.length === 0 ? (
                <tr>
                  <td colspan={6} class="muted" id="outcomes-empty">
                    {t.noData}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <h2>{EVIDENCE_MESSAGES[lang].rule}</h2>
          <table id="outcome-rules">
            <thead>
              <tr>
                <th>{EVIDENCE_MESSAGES[lang].rule}</th>
                <th>{m.family}</th>
                <th class="num">{t.concluded}</th>
                <th class="num">{t.confirmed}</th>
                <th class="num">{t.precision}</th>
              </tr>
            </thead>
            <tbody>
              {o.rules.map((r) => (
                <tr data-rule={r.ruleId}>
                  <td>{r.ruleId}</td>
                  <td>{m.familyName[r.family] ?? r.family}</td>
                  <td class="num">{r.concluded}</td>
                  <td class="num">{r.confirmed}</td>
                  <td class="num">{pct(r.precision)}</td>
                </tr>
              ))}
              {o.rules.length === 0 ? (
                <tr>
                  <td colspan={5} class="muted">
                    {t.noData}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <h2>{t.sample}</h2>
          <p id="outcome-sample">
            {t.concluded}: {o.sample.concluded} · {t.unflagged}: {o.sample.confirmedUnflagged} · {t.share}: {share ? `${pct(share.estimate)} (${pct(share.low)}–${pct(share.high)})` : '—'}
          </p>
        </Layout>,
      );
    }),
  );
}
