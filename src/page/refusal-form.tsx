import type { Lang } from './i18n.js';
import { REFUSAL_CODES, refusalLabel } from '../review/refusal-codes.js';
import type { Appeal } from '../review/cases.js';
import type { RefusalLine } from '../review/refusals.js';
import { cstTime } from './page-env.js';
import { FieldError, FormErrors, formValue, formValues, hasIssue, type FormState } from './evidence.page.js';

/**
 * The case page's money (docs/review-money.md): what the intake decided
 * and withheld per line, the appeals with their reasons as written, and the conclusion forms,
 * where a line is refused whole or reduced in quantity or unit price with a reason code, and only
 * what is still payable is offered. Kept apart from case.page.tsx, which renders them.
 */
const zh = {
  intake: '受理结果',
  decision: { pass: '通过', review: '转人工审核', withhold: '拒付' } as Record<string, string>,
  total: '申报金额',
  payable: '应付',
  withheld: '受理时已拒付',
  refusable: '仍可扣减',
  line: '明细',
  amount: '金额',
  quantity: '数量',
  unitPrice: '单价',
  withheldAll: '受理时已全额拒付，不能再扣',
  confirm: '违规成立',
  refuseWhole: '整行扣除',
  approvedQty: '核定数量',
  approvedPrice: '核定单价',
  code: '扣减原因',
  noCode: '（未选）',
  amountRefused: '扣减金额',
  amountHint: '整行扣除时填写，不超过仍可扣减的金额；留空则按所选各行及核减计算。仅核减数量或单价时可留空。',
  nothingToRefuse: '受理时已全额拒付：确认违规成立即可，不再另行扣减。',
  basis: '依据（规则、政策文件、证据）',
  dismiss: '不构成违规',
  dismissReason: '不构成违规的理由',
  appeals: '申诉',
  appealStatus: { open: '处理中', decided: '已决定' } as Record<string, string>,
  appealOutcome: { granted: '申诉成立', rejected: '申诉不成立' } as Record<string, string>,
  disputed: '争议金额',
  lodged: '提出',
  refusals: '扣减明细',
  whole: '整行',
  reduced: '核减',
};
const en: typeof zh = {
  intake: 'Intake',
  decision: { pass: 'passed', review: 'sent to review', withhold: 'withheld' },
  total: 'claimed',
  payable: 'payable',
  withheld: 'withheld at intake',
  refusable: 'still refusable',
  line: 'Line',
  amount: 'Amount',
  quantity: 'Qty',
  unitPrice: 'Unit price',
  withheldAll: 'withheld in full at intake: nothing to refuse',
  confirm: 'Violation confirmed',
  refuseWhole: 'Refuse whole line',
  approvedQty: 'Approved qty',
  approvedPrice: 'Approved price',
  code: 'Why refused',
  noCode: '(none)',
  amountRefused: 'Amount refused',
  amountHint:
    'Needed when whole lines are refused, at most what is still refusable; left blank it is everything the lines and reductions chosen refuse. May be left blank when only quantities or prices are reduced.',
  nothingToRefuse: 'Withheld in full at intake: confirm the violation; nothing more is refused.',
  basis: 'Basis (rule, regulation, evidence)',
  dismiss: 'Not a violation',
  dismissReason: 'Why it is not a violation',
  appeals: 'Appeals',
  appealStatus: { open: 'open', decided: 'decided' },
  appealOutcome: { granted: 'granted', rejected: 'rejected' },
  disputed: 'disputed',
  lodged: 'lodged',
  refusals: 'Refusals',
  whole: 'whole',
  reduced: 'reduced',
};
export const MONEY_MESSAGES: Record<Lang, typeof zh> = { zh, en };

export interface CaseMoney {
  decision: string;
  totalAmount: string;
  payableAmount: string;
  withheldAmount: string;
  refusableAmount: string;
  lines: { lineId: string; quantity: string; unitPrice: string; amount: string; withheldAtIntake: string; refusable: string }[];
}

const fen = (s: string) => Math.round(Number(s) * 100);
const trim4 = (s: string) => s.replace(/\.?0+$/, '') || '0';

/** The intake's decision and what it withheld, per line. */
export function IntakePanel(props: { money: CaseMoney; lang: Lang }) {
  const t = MONEY_MESSAGES[props.lang];
  const m = props.money;
  const withheld = m.lines.filter((l) => fen(l.withheldAtIntake) > 0);
  return (
    <div class="card" id="intake">
      <div>
        <strong>{t.intake}</strong>:{' '}
        <span class="pill" id="intake-decision">
          {t.decision[m.decision] ?? m.decision}
        </span>{' '}
        {t.total} {m.totalAmount} · {t.payable} <span id="intake-payable">{m.payableAmount}</span> · {t.withheld} <span id="intake-withheld">{m.withheldAmount}</span> · {t.refusable}{' '}
        <span id="intake-refusable">{m.refusableAmount}</span>
      </div>
      {withheld.length > 0 ? (
        <div class="muted" id="intake-withheld-lines">
          {t.withheld}: {withheld.map((l) => `${l.lineId} ${l.withheldAtIntake}`).join(' · ')}
        </div>
      ) : null}
    </div>
  );
}

/** A conclusion's refusals line by line. */
export function RefusalLines(props: { lines: RefusalLine[]; lang: Lang }) {
  const t = MONEY_MESSAGES[props.lang];
  if (props.lines.length === 0) return null;
  return (
    <ul class="refusal-lines">
      {props.lines.map((l) => (
        <li>
          {l.lineId} · {l.kind === 'whole' ? t.whole : t.reduced}
          {l.quantity ? ` · ${t.quantity} ${trim4(l.quantity.billed)} → ${trim4(l.quantity.approved)}` : ''}
          {l.unitPrice ? ` · ${t.unitPrice} ${trim4(l.unitPrice.billed)} → ${trim4(l.unitPrice.approved)}` : ''} · {t.amountRefused} {l.refused}
          {l.code ? ` · ${refusalLabel(l.code, props.lang)}` : ''}
        </li>
      ))}
    </ul>
  );
}

/** Appeals with their reasons as written (not the stored JSON), status and outcome. */
export function AppealsPanel(props: { appeals: Appeal[]; lang: Lang }) {
  const t = MONEY_MESSAGES[props.lang];
  if (props.appeals.length === 0) return null;
  return (
    <>
      <h2>{t.appeals}</h2>
      <ul id="appeals">
        {props.appeals.map((a) => (
          <li data-appeal={String(a.id)}>
            <span class="pill">{t.appealStatus[a.status] ?? a.status}</span>
            {a.outcome ? <span class="pill">{t.appealOutcome[a.outcome] ?? a.outcome}</span> : null}
            {t.disputed} {a.amount}
            <ul>
              {a.reasons.map((r) => (
                <li class="appeal-reason">
                  {r.reason}{' '}
                  <span class="muted">
                    — {r.lodgedBy}, {t.lodged} {cstTime(r.lodgedAt)}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * The two first-level forms: confirmed (lines refused whole or reduced, each with a reason code,
 * only what is still payable offered) and dismissed. `violating` lines still refusable are ticked.
 */
export function ConclusionForms(props: {
  caseId: number;
  money: CaseMoney;
  violating: Set<string>;
  lang: Lang;
  labels: { refusedLines: string };
  /** what was posted when it came back with errors: shown again, each error next to its field */
  form?: FormState;
  /** each line's item name, for the checkboxes' labels */
  itemNames?: Map<string, string>;
}) {
  const t = MONEY_MESSAGES[props.lang];
  const { money, form, lang } = props;
  const ticked = money.lines.filter((l) => props.violating.has(l.lineId) && fen(l.refusable) > 0);
  const prefill = ticked.length > 0 ? (ticked.reduce((s, l) => s + fen(l.refusable), 0) / 100).toFixed(2) : '';
  const picked = formValues(form, 'confirm', 'refusedLines');
  const back = form?.name === 'confirm';
  const invalid = (name: string, field: string) => (hasIssue(form, name, field) ? { 'aria-invalid': 'true', 'aria-describedby': `${name}-${field}-error` } : {});
  const codeSelect = (name: string, id: string) => {
    const chosen = formValue(form, 'confirm', name);
    return (
      <select name={name} id={id} aria-label={t.code}>
        <option value="">{t.noCode}</option>
        {REFUSAL_CODES.map((c) => (
          <option value={c} selected={chosen === c}>
            {refusalLabel(c, lang)}
          </option>
        ))}
      </select>
    );
  };
  return (
    <div class="grid" id="level1">
      <form method="post" action={`/ui/cases/${props.caseId}/conclude`} class="card" id="confirm-form">
        <input type="hidden" name="outcome" value="confirmed" />
        <strong>{t.confirm}</strong>
        <FormErrors lang={lang} form={form} name="confirm" />
        {fen(money.refusableAmount) === 0 ? (
          <p class="muted" id="nothing-to-refuse">
            {t.nothingToRefuse}
          </p>
        ) : null}
        <fieldset id="refused-lines" {...invalid('confirm', 'refusedLines')}>
          <legend>{props.labels.refusedLines}</legend>
          <table id="refusal-lines">
            <thead>
              <tr>
                <th>{t.line}</th>
                <th class="num">{t.amount}</th>
                <th class="num">{t.withheld}</th>
                <th class="num">{t.refusable}</th>
                <th>{t.refuseWhole}</th>
                <th>{t.approvedQty}</th>
                <th>{t.approvedPrice}</th>
                <th>{t.code}</th>
              </tr>
            </thead>
            <tbody>
              {money.lines.map((l) => {
                const none = fen(l.refusable) === 0;
                const name = props.itemNames?.get(l.lineId);
                return (
                  <tr data-line={l.lineId} class={none ? 'muted' : ''}>
                    <td>{l.lineId}</td>
                    <td class="num">{l.amount}</td>
                    <td class="num">{l.withheldAtIntake}</td>
                    <td class="num">{l.refusable}</td>
                    {none ? (
                      <td colspan={4}>{t.withheldAll}</td>
                    ) : (
                      <>
                        <td>
                          <label>
                            <input type="checkbox" name="refusedLines" value={l.lineId} id={`refuse-${l.lineId}`} checked={picked ? picked.includes(l.lineId) : ticked.includes(l)} /> {l.lineId}
                            {name ? ` ${name}` : ''} {l.amount}
                          </label>
                        </td>
                        <td>
                          <input
                            name={`qty:${l.lineId}`}
                            id={`qty-${l.lineId}`}
                            size={6}
                            placeholder={trim4(l.quantity)}
                            value={formValue(form, 'confirm', `qty:${l.lineId}`)}
                            aria-label={`${t.approvedQty} ${l.lineId}`}
                          />
                        </td>
                        <td>
                          <input
                            name={`price:${l.lineId}`}
                            id={`price-${l.lineId}`}
                            size={8}
                            placeholder={trim4(l.unitPrice)}
                            value={formValue(form, 'confirm', `price:${l.lineId}`)}
                            aria-label={`${t.approvedPrice} ${l.lineId}`}
                          />
                        </td>
                        <td>{codeSelect(`code:${l.lineId}`, `code-${l.lineId}`)}</td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
        <FieldError lang={lang} form={form} name="confirm" field="refusedLines" />
        <FieldError lang={lang} form={form} name="confirm" field="adjustments" />
        <div>
          <label for="amountRefused">{t.amountRefused}</label>{' '}
          <input name="amountRefused" id="amountRefused" value={back ? formValue(form, 'confirm', 'amountRefused') : prefill} size={10} {...invalid('confirm', 'amountRefused')} />{' '}
          <FieldError lang={lang} form={form} name="confirm" field="amountRefused" /> <span class="muted">{t.amountHint}</span>
        </div>
        <div>
          <label for="basis">{t.basis}</label>
        </div>
        <div>
          <textarea name="basis" id="basis" rows={2} cols={60} placeholder={t.basis} {...invalid('confirm', 'basis')}>
            {formValue(form, 'confirm', 'basis')}
          </textarea>
        </div>
        <FieldError lang={lang} form={form} name="confirm" field="basis" />
        <button type="submit" id="confirm">
          {t.confirm}
        </button>
      </form>
      <form method="post" action={`/ui/cases/${props.caseId}/conclude`} class="card" id="dismiss-form">
        <input type="hidden" name="outcome" value="dismissed" />
        <strong>{t.dismiss}</strong>
        <FormErrors lang={lang} form={form} name="dismiss" />
        <div>
          <label for="dismiss-reason">{t.dismissReason}</label>
        </div>
        <div>
          <textarea name="reason" id="dismiss-reason" rows={2} cols={60} placeholder={t.dismissReason} {...invalid('dismiss', 'reason')}>
            {formValue(form, 'dismiss', 'reason')}
          </textarea>
        </div>
        <FieldError lang={lang} form={form} name="dismiss" field="reason" />
        <button type="submit" id="dismiss">
          {t.dismiss}
        </button>
      </form>
    </div>
  );
}

const formText = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The conclusion the forms post, as the API's body: ticked lines refused whole (with their code if
 * one is chosen), lines with an approved quantity or price reduced (their code required by the API).
 * An empty amount with whole lines refused is everything they and the reductions refuse (`ceiling`).
 */
export async function conclusionFromForm(form: Record<string, unknown>, ceiling: (input: Record<string, unknown>) => Promise<string | undefined>) {
  if (form.outcome !== 'confirmed') return { outcome: formText(form.outcome), reason: formText(form.reason) };
  const ticked = form.refusedLines === undefined ? [] : ([] as unknown[]).concat(form.refusedLines).map(String);
  const code = (lineId: string) => formText(form[`code:${lineId}`]).trim();
  const adjustments: Record<string, unknown>[] = [];
  for (const key of Object.keys(form)) {
    const m = /^(qty|price):(.+)$/.exec(key);
    if (!m) continue;
    const value = formText(form[key]).trim();
    if (!value) continue;
    const lineId = m[2]!;
    let a = adjustments.find((x) => x.lineId === lineId);
    if (!a) adjustments.push((a = { lineId, code: code(lineId) || undefined }));
    a[m[1] === 'qty' ? 'quantity' : 'unitPrice'] = value;
  }
  const reduced = new Set(adjustments.map((a) => a.lineId));
  const refusedLines = ticked.filter((l) => !reduced.has(l)).map((lineId) => (code(lineId) ? { lineId, code: code(lineId) } : lineId));
  const input: Record<string, unknown> = { outcome: 'confirmed', refusedLines, adjustments, basis: formText(form.basis) };
  const amount = formText(form.amountRefused).trim();
  if (amount) input.amountRefused = amount;
  else if (refusedLines.length > 0) {
    const filled = await ceiling(input);
    if (filled) input.amountRefused = filled;
  }
  return input;
}
