import type { Query } from '../db/client.js';
import { fenFrom, formatFen, formatTenThousandths, lineAmountFen, tenThousandthsFrom } from '../lib/money.js';
import type { RefusalCode } from './refusal-codes.js';

/**
 * Money counted once (docs/review-money.md). What a review may refuse on
 * a line is what is still payable on it: the line's amount less what the intake withheld from it.
 * A refusal is a whole line or a line's quantity or unit price reduced, with a reason code; all in
 * fen, prices and quantities scaled by 10^4 (src/lib/money.ts).
 */
export interface LineMoney {
  lineId: string;
  quantity: number; // 10^-4
  unitPrice: number; // 10^-4
  amountFen: number;
  withheldFen: number;
  /** the line's amount less what the intake withheld: what a review may still refuse */
  refusableFen: number;
}

export interface IntakeMoney {
  decision: 'pass' | 'review' | 'withhold';
  totalFen: number;
  payableFen: number;
  withheldFen: number;
  lines: LineMoney[];
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** The claim's intake answer and its lines with what was withheld from each. */
export async function intakeMoney(q: Query, claimId: string): Promise<IntakeMoney> {
  const [claim] = await q<{ decision: IntakeMoney['decision']; total: string; payable: string; answer: unknown }>(
    'select decision, total_amount::text as total, payable_amount::text as payable, answer from claims where id = $1',
    [claimId],
  );
  const lines = await q<{ line_id: string; quantity: string; unit_price: string; amount: string }>(
    'select l.line_id, l.quantity::text as quantity, l.unit_price::text as unit_price, l.amount::text as amount from claims c, claim_lines_of(c.body) l where c.id = $1 order by l.line_no',
    [claimId],
  );
  const answer = (json(claim?.answer) ?? {}) as { withheldLines?: { lineId: string; amount: string }[] };
  const withheld = new Map<string, number>();
  for (const w of answer.withheldLines ?? []) withheld.set(w.lineId, (withheld.get(w.lineId) ?? 0) + (fenFrom(w.amount) ?? 0));
  const totalFen = fenFrom(claim?.total ?? '0') ?? 0;
  const payableFen = fenFrom(claim?.payable ?? '0') ?? 0;
  return {
    decision: claim?.decision ?? 'pass',
    totalFen,
    payableFen,
    withheldFen: totalFen - payableFen,
    lines: lines.map((l) => {
      const amountFen = fenFrom(l.amount) ?? 0;
      const withheldFen = Math.min(amountFen, withheld.get(l.line_id) ?? 0);
      return {
        lineId: l.line_id,
        quantity: toTenThousandths(l.quantity),
        unitPrice: toTenThousandths(l.unit_price),
        amountFen,
        withheldFen,
        refusableFen: Math.max(0, amountFen - withheldFen),
      };
    }),
  };
}

/** numeric text from the database (any scale) to 10^-4, rounding half up past the fourth decimal. */
function toTenThousandths(text: string): number {
  const [whole = '0', frac = ''] = text.split('.');
  const exact = tenThousandthsFrom(`${whole}${frac ? `.${frac.slice(0, 4)}` : ''}`) ?? 0;
  return frac.length > 4 && Number(frac[4]) >= 5 ? exact + (whole.startsWith('-') ? -1 : 1) : exact;
}

export const intakeMoneyJson = (m: IntakeMoney) => ({
  decision: m.decision,
  totalAmount: formatFen(m.totalFen),
  payableAmount: formatFen(m.payableFen),
  withheldAmount: formatFen(m.withheldFen),
  refusableAmount: formatFen(m.lines.reduce((s, l) => s + l.refusableFen, 0)),
  lines: m.lines.map((l) => ({
    lineId: l.lineId,
    quantity: formatTenThousandths(l.quantity),
    unitPrice: formatTenThousandths(l.unitPrice),
    amount: formatFen(l.amountFen),
    withheldAtIntake: formatFen(l.withheldFen),
    refusable: formatFen(l.refusableFen),
  })),
});

export interface RefusalInput {
  refusedLines?: (string | { lineId: string; code?: RefusalCode })[];
  adjustments?: { lineId: string; code: RefusalCode; quantity?: string | number; unitPrice?: string | number }[];
  amountRefused?: string | number;
}

/** One line of a conclusion's refusals, as stored (review_conclusions.lines) and trailed. */
export interface RefusalLine {
  lineId: string;
  kind: 'whole' | 'reduced';
  code: RefusalCode | null;
  amount: string;
  withheldAtIntake: string;
  /** reduced: the quantity and unit price billed and approved */
  quantity?: { billed: string; approved: string };
  unitPrice?: { billed: string; approved: string };
  /** what the line may still be paid after this refusal */
  approvedAmount: string;
  refused: string;
}

type Issue = { path: string; message: string };

/**
 * Works out a confirmed conclusion's refusals. Whole lines refuse what is still payable on them
 * (the stated amountRefused may be less: the remainder after the reductions is laid on the whole
 * lines in the order given); a reduced line refuses what is still payable beyond the approved
 * quantity × unit price, which must be more than nothing (a reduction the intake already withheld
 * refuses nothing). amountRefused is required when whole lines are refused, and must lie between
 * the reductions' total and everything the refusals could refuse; with reductions only it may be
 * left out (it is their total). No lines at all confirms the violation without refusing more
 * (what the intake withheld stands).
 */
export function computeRefusals(money: IntakeMoney, input: RefusalInput): { lines: RefusalLine[]; totalFen: number } | { issues: Issue[] } {
  const byId = new Map(money.lines.map((l) => [l.lineId, l]));
  const known = () => [...byId.keys()].slice(0, 20).join(', ');
  const issues: Issue[] = [];
  const whole = (input.refusedLines ?? []).map((r) => (typeof r === 'string' ? { lineId: r, code: undefined } : r));
  const adjustments = input.adjustments ?? [];
  if (whole.length === 0 && adjustments.length === 0) {
    // The violation is confirmed and nothing more is refused: what the intake withheld stands (an appeal rejected, a withheld claim's suspicion confirmed).
    const given = input.amountRefused === undefined || input.amountRefused === '' ? 0 : fenFrom(input.amountRefused);
    if (given !== 0)
      return {
        issues: [{ path: 'amountRefused', message: 'refuses money on no line: name the lines refused (refusedLines) or reduced (adjustments), or leave it out to confirm without refusing more' }],
      };
    return { lines: [], totalFen: 0 };
  }
  const seen = new Set<string>();
  whole.forEach((w, i) => {
    const l = byId.get(w.lineId);
    if (!l) issues.push({ path: `refusedLines[${i}]`, message: `is not a line of the claim (${known()})` });
    else if (l.refusableFen === 0) issues.push({ path: `refusedLines[${i}]`, message: `was withheld in full at intake (${formatFen(l.withheldFen)}): nothing is left to refuse` });
    if (seen.has(w.lineId)) issues.push({ path: 'refusedLines', message: 'names a line twice' });
    seen.add(w.lineId);
  });
  const reduced: RefusalLine[] = [];
  adjustments.forEach((a, i) => {
    const at = `adjustments[${i}]`;
    const l = byId.get(a.lineId);
    if (!l) return void issues.push({ path: `${at}.lineId`, message: `is not a line of the claim (${known()})` });
    if (seen.has(a.lineId)) return void issues.push({ path: `${at}.lineId`, message: 'names a line already refused or reduced' });
    seen.add(a.lineId);
    if (a.quantity === undefined && a.unitPrice === undefined) return void issues.push({ path: at, message: 'must give the approved quantity or unit price (or both)' });
    const qty = a.quantity === undefined ? l.quantity : tenThousandthsFrom(a.quantity);
    const price = a.unitPrice === undefined ? l.unitPrice : tenThousandthsFrom(a.unitPrice);
    if (qty === undefined || qty < 0) return void issues.push({ path: `${at}.quantity`, message: 'must be a number ≥ 0 with at most four decimals' });
    if (price === undefined || price < 0) return void issues.push({ path: `${at}.unitPrice`, message: 'must be a number ≥ 0 with at most four decimals' });
    if (qty > l.quantity) return void issues.push({ path: `${at}.quantity`, message: `must not exceed the quantity billed (${formatTenThousandths(l.quantity)})` });
    if (price > l.unitPrice) return void issues.push({ path: `${at}.unitPrice`, message: `must not exceed the unit price billed (${formatTenThousandths(l.unitPrice)})` });
    if (qty === l.quantity && price === l.unitPrice) return void issues.push({ path: at, message: 'must lower the quantity or the unit price billed' });
    const approvedFen = Math.min(l.amountFen, lineAmountFen(price, qty));
    const refusedFen = Math.max(0, l.refusableFen - approvedFen);
    if (refusedFen === 0)
      return void issues.push({
        path: at,
        message: `refuses nothing beyond the ${formatFen(l.withheldFen)} withheld at intake (still payable ${formatFen(l.refusableFen)}, approved ${formatFen(approvedFen)})`,
      });
    reduced.push({
      lineId: l.lineId,
      kind: 'reduced',
      code: a.code,
      amount: formatFen(l.amountFen),
      withheldAtIntake: formatFen(l.withheldFen),
      ...(a.quantity === undefined ? {} : { quantity: { billed: formatTenThousandths(l.quantity), approved: formatTenThousandths(qty) } }),
      ...(a.unitPrice === undefined ? {} : { unitPrice: { billed: formatTenThousandths(l.unitPrice), approved: formatTenThousandths(price) } }),
      approvedAmount: formatFen(l.refusableFen - refusedFen),
      refused: formatFen(refusedFen),
    });
  });
  if (issues.length > 0) return { issues };
  const reducedFen = reduced.reduce((s, r) => s + (fenFrom(r.refused) ?? 0), 0);
  const wholeFen = whole.reduce((s, w) => s + byId.get(w.lineId)!.refusableFen, 0);
  let fen: number;
  if (input.amountRefused === undefined || input.amountRefused === '') {
    if (whole.length > 0)
      return { issues: [{ path: 'amountRefused', message: `is required when whole lines are refused (at most ${formatFen(wholeFen + reducedFen)}, what is still payable on them)` }] };
    fen = reducedFen;
  } else {
    const given = fenFrom(input.amountRefused);
    if (given === undefined || given <= 0) return { issues: [{ path: 'amountRefused', message: 'must be a positive amount with at most two decimals' }] };
    if (given > wholeFen + reducedFen)
      return {
        issues: [
          {
            path: 'amountRefused',
            message: `must not exceed what is still payable on the refused lines (${formatFen(wholeFen + reducedFen)}; the intake withheld ${formatFen(money.withheldFen)} already)`,
          },
        ],
      };
    if (given < reducedFen) return { issues: [{ path: 'amountRefused', message: `must be at least what the reductions refuse (${formatFen(reducedFen)})` }] };
    fen = given;
  }
  let rest = fen - reducedFen;
  const wholeLines: RefusalLine[] = whole.map((w) => {
    const l = byId.get(w.lineId)!;
    const take = Math.min(rest, l.refusableFen);
    rest -= take;
    return {
      lineId: l.lineId,
      kind: 'whole',
      code: w.code ?? null,
      amount: formatFen(l.amountFen),
      withheldAtIntake: formatFen(l.withheldFen),
      approvedAmount: formatFen(l.refusableFen - take),
      refused: formatFen(take),
    };
  });
  return { lines: [...wholeLines, ...reduced], totalFen: fen };
}

/** Everything the refusals could refuse (the page's amount left blank): what is still payable on the whole lines plus the reductions. */
export function refusalCeiling(money: IntakeMoney, input: RefusalInput): string | undefined {
  const whole = (input.refusedLines ?? []).map((r) => (typeof r === 'string' ? r : r.lineId));
  const byId = new Map(money.lines.map((l) => [l.lineId, l]));
  if (whole.some((l) => !byId.has(l))) return undefined;
  let fen = whole.reduce((s, l) => s + byId.get(l)!.refusableFen, 0);
  if ((input.adjustments ?? []).length > 0) {
    const r = computeRefusals(money, { adjustments: input.adjustments });
    if ('issues' in r) return undefined;
    fen += r.totalFen;
  }
  return fen > 0 ? formatFen(fen) : undefined;
}
