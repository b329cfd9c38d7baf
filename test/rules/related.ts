import fc from 'fast-check';
import type { Claim, ClaimLine } from '../../rules/claim.js';
import { withinWindow } from '../../rules/duplicate/related-lines.js';
import { claim } from '../../rules/fixtures/build.js';
import type { RelationWindow } from '../../rules/reference.js';
import { cst, type Ledger } from './arrival.js';

const DAY_MIN = 24 * 60;
export const WINDOWS: RelationWindow[] = ['same_hour', 'six_hours', 'same_day', 'same_visit'];

export interface ClaimSpecs {
  inst: string;
  inpatient: boolean;
  start: number;
  length: number;
  lines: { code: string; at: number; price: number }[];
}

/** Claims of one person with main items M, N and their sub-item S, as outpatient visits or stays over a few days. */
export const relatedScenario = (codes: string[]) =>
  fc.array(
    fc.record({
      inst: fc.constantFrom('H1', 'H1', 'H1', 'H2'),
      inpatient: fc.boolean(),
      start: fc.integer({ min: 0, max: 3 * DAY_MIN }),
      length: fc.integer({ min: 0, max: 3 * DAY_MIN }),
      lines: fc.array(fc.record({ code: fc.constantFrom(...codes), at: fc.integer({ min: 0, max: 3 * DAY_MIN }), price: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 2, maxLength: 4 },
  );

export function buildRelated(specs: ClaimSpecs[]): Claim[] {
  return specs.map((s, i) => {
    const span = s.inpatient ? s.length : 600;
    const lines = s.lines.map((l) => ({ itemCode: l.code, at: cst(s.start + (l.at % (span + 1))), unitPrice: l.price * 10_000 }));
    return s.inpatient
      ? claim({ institutionId: s.inst, claimNo: `C${i}`, admitted: cst(s.start), discharged: cst(s.start + s.length), lines })
      : claim({ institutionId: s.inst, claimNo: `C${i}`, visit: cst(s.start), lines });
  });
}

/** Sub lines paired with any main line in its window, over all claims at once. */
export function relatedOracle(claims: Claim[], windows: Record<string, RelationWindow>, subsOf: Record<string, string[]>): Ledger {
  const ledger: Ledger = {};
  const located = claims.flatMap((c) => c.lines.map((line) => ({ claim: c, line })));
  const isPaired = (s: { claim: Claim; line: ClaimLine }) => located.some((m) => (subsOf[m.line.itemCode] ?? []).includes(s.line.itemCode) && withinWindow(windows[m.line.itemCode]!, m, s, true));
  for (const s of located) {
    if (!isPaired(s)) continue;
    const e = (ledger[`${s.claim.institutionId}/${s.claim.claimNo}`] ??= { amountFen: 0, lines: [] });
    e.amountFen += s.line.amountFen;
    e.lines.push(s.line.lineId);
  }
  for (const e of Object.values(ledger)) e.lines.sort();
  return ledger;
}
