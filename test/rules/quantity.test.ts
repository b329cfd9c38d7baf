import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim, ClaimLine } from '../../rules/claim.js';
import { claim, item, reference } from '../../rules/fixtures/build.js';
import { quantityCourse } from '../../rules/quantity/course.js';
import { quantityCycle } from '../../rules/quantity/cycle.js';
import { quantityDaysSupply } from '../../rules/quantity/days-supply.js';
import { cst, nonEmpty, permutations, screenInOrder, type Ledger } from './arrival.js';
import { haveNationalLists, nationalReference } from './national.js';

const DAY_MIN = 24 * 60;
const day = (l: ClaimLine) => Date.parse(`${l.serviceDate}T00:00:00Z`) / 86_400_000;

/** The lines of all claims in service-time order, ties broken by institution, claim and line. */
function ordered(claims: Claim[]) {
  const rows = claims.flatMap((c) => c.lines.map((l) => ({ c, l })));
  return rows.sort((a, b) => a.l.serviceAt - b.l.serviceAt || a.c.institutionId.localeCompare(b.c.institutionId) || a.c.claimNo.localeCompare(b.c.claimNo) || a.l.lineNo - b.l.lineNo);
}

function add(ledger: Ledger, c: Claim, l: ClaimLine, fen: number) {
  const e = (ledger[`${c.institutionId}/${c.claimNo}`] ??= { amountFen: 0, lines: [] });
  e.amountFen += fen;
  e.lines.push(l.lineId);
}
const sorted = (ledger: Ledger) => {
  for (const e of Object.values(ledger)) e.lines.sort();
  return ledger;
};

const scenario = (spanDays: number, withSupply: boolean) =>
  fc.array(
    fc.record({
      inst: fc.constantFrom('H1', 'H2'),
      lines: fc.array(
        fc.record({
          minute: fc.integer({ min: 0, max: spanDays * DAY_MIN }),
          qty: fc.integer({ min: 1, max: 2 }),
          price: fc.integer({ min: 1, max: 50 }),
          supply: withSupply ? fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }) : fc.constant(undefined),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 2, maxLength: 4 },
  );

const build = (specs: { inst: string; lines: { minute: number; qty: number; price: number; supply: number | undefined }[] }[], itemCode: string) =>
  specs.map((s, i) =>
    claim({
      institutionId: s.inst,
      claimNo: `C${i}`,
      lines: s.lines.map((l) => ({ itemCode, at: cst(l.minute), quantity: l.qty * 10_000, unitPrice: l.price * 10_000, daysOfSupply: l.supply, category: 'drug' as const })),
    }),
  );

describe('QTY-CYCLE in every arrival order', () => {
  it('finds the same lines and amounts as a sliding count over all claims at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.constantFrom(7, 15), scenario(40, false), (times, cycleDays, specs) => {
        const ref = reference({ items: [item({ itemCode: 'T', restrictions: { timesPerCycle: { times, cycleDays } } })] });
        const claims = build(specs, 'T');
        const rows = ordered(claims);
        const expected: Ledger = {};
        rows.forEach(({ c, l }, k) => {
          const inWindow = rows.slice(0, k + 1).filter((r) => day(l) - day(r.l) < cycleDays);
          const count = inWindow.reduce((s, r) => s + r.l.quantity, 0);
          const excess = Math.min(l.quantity, Math.max(0, count - times * 10_000));
          if (excess > 0) add(expected, c, l, Math.round((l.amountFen * excess) / l.quantity));
        });
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(quantityCycle, order, ref).ledger)).toEqual(sorted(expected));
      }),
      { numRuns: 150 },
    );
  });
});

describe('QTY-COURSE in every arrival order', () => {
  it('finds the same days beyond the course as a pass over all claims at once, with and without days of supply', () => {
    fc.assert(
      fc.property(fc.constantFrom(7, 14), fc.boolean(), scenario(60, true), (courseDays, countDaysOfSupply, specs) => {
        const ref = reference({ items: [item({ itemCode: 'G', restrictions: { courseDays } })] });
        const claims = build(specs, 'G');
        const expected: Ledger = {};
        let start = -Infinity;
        let covered = -Infinity;
        for (const { c, l } of ordered(claims)) {
          const n = countDaysOfSupply ? (l.daysOfSupply ?? 1) : 1;
          const from = day(l);
          if (from - covered - 1 >= courseDays) start = from; // idle for a whole course: a new one
          covered = Math.max(covered, from + n - 1);
          const beyond = Math.max(0, Math.min(n, from + n - 1 - (start + courseDays - 1)));
          if (beyond > 0) add(expected, c, l, Math.round((l.amountFen * beyond) / n));
        }
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(quantityCourse, order, ref, { countDaysOfSupply }).ledger)).toEqual(sorted(expected));
      }),
      { numRuns: 200 },
    );
  });

  it('starts a new course after the idle share the deployment sets', () => {
    const ref = reference({ items: [item({ itemCode: 'G', restrictions: { courseDays: 14 } })] });
    const dose = (d: string) => ({ itemCode: 'G', at: `2026-10-${d} 08:00` });
    // pauses of 5, 5 and 4 unbilled days; the last dose is day 18 of a course begun 10-01
    const c = claim({ lines: [dose('01'), dose('07'), dose('13'), dose('18')] });
    expect(screenInOrder(quantityCourse, [c], ref, { newCourseAfterIdleShare: 0.5 }).findings.map((f) => f.violatingLines)).toEqual([['L4']]);
    // 0.3 × 14 → 5 idle days start a new course: 10-07 and 10-13 each start one
    expect(screenInOrder(quantityCourse, [c], ref, { newCourseAfterIdleShare: 0.3 }).findings).toEqual([]);
  });
});

describe('QTY-DAYS-SUPPLY parameters', () => {
  const c = claim({
    diagnoses: [
      { code: 'J06.9', main: true },
      { code: 'I10', main: false },
    ],
    lines: [{ itemCode: 'D', at: '2026-10-04 09:00', category: 'drug', daysOfSupply: 30 }],
  });
  it('judges a chronic secondary diagnosis acute unless the deployment counts any diagnosis', () => {
    expect(screenInOrder(quantityDaysSupply, [c], reference({})).findings.map((f) => f.amountFen)).toEqual([767]);
    expect(screenInOrder(quantityDaysSupply, [c], reference({}), { chronicFromAnyDiagnosis: true }).findings).toEqual([]);
  });
  it('takes a deployment’s own chronic list and limits', () => {
    expect(screenInOrder(quantityDaysSupply, [c], reference({}), { acuteDays: 30 }).findings).toEqual([]);
    const gout = claim({ diagnoses: [{ code: 'M10.0', main: true }], lines: [{ itemCode: 'D', at: '2026-10-04 09:00', category: 'drug', daysOfSupply: 30 }] });
    expect(screenInOrder(quantityDaysSupply, [gout], reference({}), { chronicCategories: ['M10'] }).findings).toEqual([]);
  });
});

describe.skipIf(!haveNationalLists)('with the national lists (NHSA batches 8-3 and 8-4)', () => {
  const { ref, limits } = nationalReference(['batch8-3-item-course.csv', 'batch8-4-item-cycle.csv']);
  const on = (claimNo: string, date: string, code: string) => claim({ claimNo, lines: [{ itemCode: code, at: `${date} 09:00` }] });
  const plus = (days: number) => new Date(Date.UTC(2026, 9, 1) + days * 86_400_000).toISOString().slice(0, 10);

  it('holds every listed item to its cycle: the last day inside it is found, the first day after is not, in both arrival orders', () => {
    const cycled = [...limits].filter(([, l]) => l.restrictions.timesPerCycle?.times === 1);
    expect(cycled).toHaveLength(14);
    for (const [code, l] of cycled) {
      const { cycleDays } = l.restrictions.timesPerCycle!;
      const first = on('C1', plus(0), code);
      const inside = on('C2', plus(cycleDays - 1), code);
      for (const order of [
        [first, inside],
        [inside, first],
      ]) {
        expect(nonEmpty(screenInOrder(quantityCycle, order, ref).ledger), `${l.name} ${cycleDays}`).toEqual({ 'H1/C2': { amountFen: 1000, lines: ['L1'] } });
      }
      expect(screenInOrder(quantityCycle, [first, on('C2', plus(cycleDays), code)], ref).findings, `${l.name} ${cycleDays}`).toEqual([]);
    }
  });

  it('holds every listed item to its course: the last day passes, the day after is found, in both arrival orders', () => {
    const coursed = [...limits].filter(([, l]) => l.restrictions.courseDays !== undefined);
    expect(coursed).toHaveLength(11);
    for (const [code, l] of coursed) {
      const courseDays = l.restrictions.courseDays!;
      const first = on('C1', plus(0), code);
      expect(screenInOrder(quantityCourse, [first, on('C2', plus(courseDays - 1), code)], ref).findings, `${l.name} ${courseDays}`).toEqual([]);
      const after = on('C2', plus(courseDays), code);
      for (const order of [
        [first, after],
        [after, first],
      ]) {
        expect(nonEmpty(screenInOrder(quantityCourse, order, ref).ledger), `${l.name} ${courseDays}`).toEqual({ 'H1/C2': { amountFen: 1000, lines: ['L1'] } });
      }
    }
  });
});
