import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSubmission, type Claim } from '../../rules/claim.js';
import { duplicateIncludedItem } from '../../rules/duplicate/included-item.js';
import { duplicateResubmittedVisit } from '../../rules/duplicate/resubmitted-visit.js';
import { duplicateSameLine } from '../../rules/duplicate/same-line.js';
import { duplicateUnitsPerDay } from '../../rules/duplicate/units-per-day.js';
import { claim, item, reference } from '../../rules/fixtures/build.js';
import type { RelationWindow } from '../../rules/reference.js';
import { cst, nonEmpty, permutations, screenInOrder, type Ledger } from './arrival.js';
import { haveNationalLists, nationalReference } from './national.js';
import { buildRelated, relatedOracle, relatedScenario, WINDOWS } from './related.js';

const DAY_MIN = 24 * 60;
const lineSpec = (span: number) => fc.record({ minute: fc.integer({ min: 0, max: span }), qty: fc.integer({ min: 1, max: 2 }), price: fc.integer({ min: 1, max: 50 }) });

/** Each line's share beyond a daily limit, recomputed over all claims at once. */
function unitsOracle(claims: Claim[], limit: number): Ledger {
  const rows = claims.flatMap((c) => c.lines.map((l) => ({ c, l })));
  rows.sort((a, b) => a.l.serviceAt - b.l.serviceAt || a.c.institutionId.localeCompare(b.c.institutionId) || a.c.claimNo.localeCompare(b.c.claimNo) || a.l.lineNo - b.l.lineNo);
  const used = new Map<string, number>();
  const ledger: Ledger = {};
  for (const { c, l } of rows) {
    const k = `${c.institutionId}|${l.serviceDate}`;
    const before = used.get(k) ?? 0;
    used.set(k, before + l.quantity);
    const excess = Math.min(l.quantity, Math.max(0, before + l.quantity - limit * 10_000));
    if (excess === 0) continue;
    const e = (ledger[`${c.institutionId}/${c.claimNo}`] ??= { amountFen: 0, lines: [] });
    e.amountFen += Math.round((l.amountFen * excess) / l.quantity);
    e.lines.push(l.lineId);
  }
  for (const e of Object.values(ledger)) e.lines.sort();
  return ledger;
}

describe('DUP-UNITS-PER-DAY in every arrival order', () => {
  it('finds the same lines and amounts as a count over all claims at once', () => {
    const scenario = fc.record({
      limit: fc.integer({ min: 1, max: 2 }),
      claims: fc.array(fc.record({ inst: fc.constantFrom('H1', 'H1', 'H2'), lines: fc.array(lineSpec(2 * DAY_MIN - 1), { minLength: 1, maxLength: 3 }) }), { minLength: 2, maxLength: 4 }),
    });
    fc.assert(
      fc.property(scenario, ({ limit, claims: specs }) => {
        const ref = reference({ items: [item({ itemCode: 'U', restrictions: { unitsPerDay: limit } })] });
        const claims = specs.map((s, i) =>
          claim({ institutionId: s.inst, claimNo: `C${i}`, lines: s.lines.map((l) => ({ itemCode: 'U', at: cst(l.minute), quantity: l.qty * 10_000, unitPrice: l.price * 10_000 })) }),
        );
        const expected = unitsOracle(claims, limit);
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(duplicateUnitsPerDay, order, ref).ledger)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('DUP-INCLUDED-ITEM in every arrival order', () => {
  it('withholds each included sub-item once, on the claim that holds it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WINDOWS), fc.constantFrom(...WINDOWS), relatedScenario(['M', 'N', 'S', 'S', 'X']), (wm, wn, specs) => {
        const ref = reference({
          relations: [
            { kind: 'includes', mainCode: 'M', subCode: 'S', window: wm, source: 't' },
            { kind: 'includes', mainCode: 'N', subCode: 'S', window: wn, source: 't' },
          ],
        });
        const claims = buildRelated(specs);
        const expected = relatedOracle(claims, { M: wm, N: wn }, { M: ['S'], N: ['S'] });
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(duplicateIncludedItem, order, ref).ledger)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('DUP-SAME-LINE in every arrival order', () => {
  // claims of one person at one or two institutions, lines from a few (item, time) pairs, settled in
  // some order or without settlement times (then the claim number decides)
  const claimsArb = fc
    .array(
      fc.record({
        inst: fc.constantFrom('H1', 'H1', 'H2'),
        settled: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        lines: fc.array(fc.record({ item: fc.constantFrom('A', 'B'), minute: fc.constantFrom(0, 10) }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 2, maxLength: 4 },
    )
    .map((specs) =>
      specs.map((s, i) =>
        claim({
          institutionId: s.inst,
          claimNo: `C${i + 1}`,
          visit: cst(0),
          settledAt: s.settled === undefined ? undefined : Date.UTC(2026, 9, 2) + s.settled * 60_000,
          lines: s.lines.map((l, j) => ({ itemCode: l.item, at: cst(l.minute), amountFen: 100 * (i + 1) + j })),
        }),
      ),
    );
  it('withholds every copy of a line but the first submitted, on the copy’s claim, whichever order the claims arrive in', () => {
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const oracle: Ledger = {};
        const groups = new Map<string, { c: Claim; l: Claim['lines'][number] }[]>();
        for (const c of claims)
          for (const l of c.lines) {
            const k = `${c.institutionId}|${l.serviceAt}|${l.itemCode}`;
            groups.set(k, [...(groups.get(k) ?? []), { c, l }]);
          }
        for (const g of groups.values()) {
          g.sort((a, b) => (a.c === b.c ? 0 : compareSubmission(a.c, b.c)) || a.l.lineNo - b.l.lineNo);
          for (const { c, l } of g.slice(1)) {
            const e = (oracle[`${c.institutionId}/${c.claimNo}`] ??= { amountFen: 0, lines: [] });
            e.amountFen += l.amountFen;
            e.lines.push(l.lineId);
          }
        }
        for (const e of Object.values(oracle)) e.lines.sort();
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(duplicateSameLine, order, reference({})).ledger)).toEqual(oracle);
      }),
      { numRuns: 150 },
    );
  });
});

describe('DUP-RESUBMITTED-VISIT', () => {
  const visit = (claimNo: string, settled?: number) =>
    claim({
      claimNo,
      visit: '2026-10-04 09:00',
      settledAt: settled,
      lines: [
        { itemCode: 'A', at: '2026-10-04 09:00' },
        { itemCode: 'B', at: '2026-10-04 09:10' },
      ],
    });

  it('flags every copy but the first, once, whichever order three copies arrive in', () => {
    const copies = [visit('C1', 1), visit('C2', 2), visit('C3', 3)];
    for (const order of permutations(copies)) {
      const { ledger } = screenInOrder(duplicateResubmittedVisit, order, reference({}));
      expect(nonEmpty(ledger)).toEqual({ 'H1/C2': { amountFen: 2000, lines: ['L1', 'L2'] }, 'H1/C3': { amountFen: 2000, lines: ['L1', 'L2'] } });
    }
  });

  it('without settlement times, the larger claim number is the copy, whichever arrives first', () => {
    for (const order of permutations([visit('C9'), visit('C10')])) {
      const { ledger } = screenInOrder(duplicateResubmittedVisit, order, reference({}));
      expect(nonEmpty(ledger)).toEqual({ 'H1/C10': { amountFen: 2000, lines: ['L1', 'L2'] } });
    }
  });

  it('matches a service time moved within the tolerance', () => {
    const moved = claim({
      claimNo: 'C2',
      visit: '2026-10-04 09:00',
      lines: [
        { itemCode: 'A', at: '2026-10-04 09:00' },
        { itemCode: 'B', at: '2026-10-04 09:15' },
      ],
    });
    const strict = screenInOrder(duplicateResubmittedVisit, [visit('C1'), moved], reference({}));
    expect(strict.findings).toEqual([]);
    const lenient = screenInOrder(duplicateResubmittedVisit, [visit('C1'), moved], reference({}), { serviceTimeToleranceMinutes: 5, minMatchingShare: 1 });
    expect(lenient.findings.map((f) => f.violatingLines)).toEqual([['L1', 'L2']]);
  });
});

describe.skipIf(!haveNationalLists)('with the national lists (NHSA batches 7 and 8-1)', () => {
  const { ref, relations, limits } = nationalReference(['batch7-item-duplicate-charge.csv', 'batch8-1-item-frequency.csv']);
  type L = { itemCode: string; at: string };
  const pair = (claimNo: string, lines: L[]) => claim({ claimNo, visit: lines[0]!.at, lines });
  const stay = (claimNo: string, lines: L[]) => claim({ claimNo, admitted: '2026-10-01 10:00', discharged: '2026-10-09 10:00', lines });
  const EDGES: Record<RelationWindow, { inside: [string, string]; outside: [string, string] }> = {
    same_hour: { inside: ['2026-10-04 09:00', '2026-10-04 09:59'], outside: ['2026-10-04 09:59', '2026-10-04 10:00'] },
    six_hours: { inside: ['2026-10-04 15:00', '2026-10-04 09:00'], outside: ['2026-10-04 09:00', '2026-10-04 15:01'] },
    same_day: { inside: ['2026-10-04 00:00', '2026-10-04 23:59'], outside: ['2026-10-04 23:59', '2026-10-05 00:00'] },
    same_visit: { inside: ['2026-10-01 11:00', '2026-10-09 09:00'], outside: ['2026-10-04 09:00', '2026-10-04 15:00'] },
  };

  it('reads all 900 relations, in the four windows', () => {
    expect(relations).toHaveLength(900);
    expect(new Set(relations.map((r) => r.window))).toEqual(new Set(WINDOWS));
  });

  it('finds every listed sub-item inside its window, in one claim and across two in both arrival orders, and none just outside', () => {
    for (const r of relations) {
      const { inside, outside } = EDGES[r.window];
      const main = (at: string) => ({ itemCode: r.mainCode, at });
      const sub = (at: string) => ({ itemCode: r.subCode, at });
      const hold = r.window === 'same_visit' ? stay : pair;
      const one = hold('C1', [main(inside[0]), sub(inside[1])]);
      expect(nonEmpty(screenInOrder(duplicateIncludedItem, [one], ref).ledger), `${r.mainCode} ⊃ ${r.subCode} ${r.window}`).toEqual({ 'H1/C1': { amountFen: 1000, lines: ['L2'] } });
      const withMain = hold('C1', [main(inside[0])]);
      const withSub = hold('C2', [sub(inside[1])]);
      for (const order of [
        [withMain, withSub],
        [withSub, withMain],
      ]) {
        expect(nonEmpty(screenInOrder(duplicateIncludedItem, order, ref).ledger), `${r.mainCode} ⊃ ${r.subCode} ${r.window}, ${order[0]!.claimNo} first`).toEqual({
          'H1/C2': { amountFen: 1000, lines: ['L1'] },
        });
      }
      // outside: two outpatient visits for same_visit, else one claim
      const apart = r.window === 'same_visit' ? [pair('C1', [main(outside[0])]), pair('C2', [sub(outside[1])])] : [pair('C1', [main(outside[0]), sub(outside[1])])];
      expect(screenInOrder(duplicateIncludedItem, apart, ref).findings, `${r.mainCode} ⊃ ${r.subCode} ${r.window} outside`).toEqual([]);
    }
  });

  it('holds every listed item to its units a day: the limit passes, one unit more is found', () => {
    const daily = [...limits].filter(([, l]) => l.restrictions.unitsPerDay !== undefined);
    expect(daily.length).toBeGreaterThanOrEqual(60);
    for (const [code, l] of daily) {
      const limit = l.restrictions.unitsPerDay!;
      const at = { itemCode: code, at: '2026-10-04 08:00', quantity: limit * 10_000, unitPrice: 20_000 };
      expect(screenInOrder(duplicateUnitsPerDay, [claim({ lines: [at] })], ref).findings, `${l.name} ${limit}`).toEqual([]);
      const more = claim({ claimNo: 'C2', lines: [{ itemCode: code, at: '2026-10-04 20:00', quantity: 10_000, unitPrice: 20_000 }] });
      expect(nonEmpty(screenInOrder(duplicateUnitsPerDay, [more, claim({ lines: [at] })], ref).ledger), `${l.name} ${limit}`).toEqual({ 'H1/C2': { amountFen: 200, lines: ['L1'] } });
    }
  });
});
