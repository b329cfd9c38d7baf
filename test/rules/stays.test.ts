import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../rules/claim.js';
import { evaluateRules, type AnyRule } from '../../rules/engine.js';
import { claim } from '../../rules/fixtures/build.js';
import { bedAbsent } from '../../rules/stays/bed-absent.js';
import { splitStay } from '../../rules/stays/split-stay.js';
import { cstDate, datesFrom, daysBetween } from '../../rules/stays/stay.js';
import { stayOverlap } from '../../rules/stays/stay-overlap.js';
import { fenFrom } from '../../src/lib/money.js';
import { referenceMessage, splitFindings } from '../../src/screening/findings.js';

/**
 * Claims arrive late and in any order. Each claim is screened with the claims that arrived before
 * it as history, and its findings are split as the service stores them (src/screening/findings.ts):
 * the finding, the lines at issue and their amount land on this claim, or retrospectively on the
 * earlier claim whose lines are the violating ones; every other claim named gets a reference. What
 * ends up at issue must not depend on the order, and must equal what a look at all the claims at
 * once finds; no claim without lines at issue carries a finding; the claims carrying findings and
 * the claims referred to are the same in every order.
 */
type Ledger = Record<string, { amountFen: number; lines: string[] }>;
const key = (institutionId: string, claimNo: string) => `${institutionId}/${claimNo}`;

function screenInOrder(rule: AnyRule, order: readonly Claim[], params?: object) {
  const arrived: Claim[] = [];
  const ledger: Ledger = {};
  const named = new Set<string>();
  /** "claim shown <- claim carrying the finding" */
  const referred = new Set<string>();
  const add = (k: string, lines: string[], amountFen: number) => {
    const e = (ledger[k] ??= { amountFen: 0, lines: [] });
    e.amountFen += amountFen;
    e.lines.push(...lines);
  };
  for (const c of order) {
    const { findings, errors } = evaluateRules([rule], {
      claim: c,
      history: { personClaims: [...arrived], institutionMonthQuantity: new Map() },
      serviceDate: cstDate(c.startedAt),
      overrides: () => (params ? { params } : undefined),
    });
    expect(errors).toEqual([]);
    const { own, retrospective, references, retroReferences } = splitFindings(c, findings);
    for (const f of own) {
      named.add(key(c.institutionId, c.claimNo));
      expect(f.vl.length).toBeGreaterThan(0);
      add(key(c.institutionId, c.claimNo), f.vl, fenFrom(f.amt)!);
    }
    for (const r of retrospective) {
      named.add(key(r.inst, r.cno));
      expect(r.vl.length).toBeGreaterThan(0);
      add(key(r.inst, r.cno), r.vl, fenFrom(r.amt)!);
    }
    for (const r of references) referred.add(`${key(c.institutionId, c.claimNo)} <- ${key(r.on.institutionId, r.on.claimId)}`);
    for (const r of retroReferences) referred.add(`${key(r.inst, r.cno)} <- ${key(r.on.institutionId, r.on.claimId)}`);
    arrived.push(c);
  }
  for (const e of Object.values(ledger)) e.lines.sort();
  return { ledger, named: [...named].sort(), referred: [...referred].sort() };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * Every arrival order gives the oracle's ledger; findings only on the claims with lines at issue;
 * the same references (claim shown, claim carrying the finding).
 */
function expectOrderFree(rule: AnyRule, claims: Claim[], oracle: Ledger, params?: object) {
  for (const e of Object.values(oracle)) e.lines.sort();
  const first = screenInOrder(rule, claims, params);
  expect(first.ledger).toEqual(oracle);
  expect(first.named).toEqual(Object.keys(oracle).sort());
  for (const order of permutations(claims)) {
    const { ledger, named, referred } = screenInOrder(rule, order, params);
    expect(ledger).toEqual(oracle);
    expect(named).toEqual(first.named);
    expect(referred).toEqual(first.referred);
  }
}

const BASE = Date.UTC(2026, 8, 1) - 8 * 3_600_000; // 2026-09-01 00:00 CST
const HOUR = 3_600_000;
const fmt = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

/** A stay with one 10-yuan line on every date from admission to discharge. */
function stay(institutionId: string, claimNo: string, admittedHour: number, hours: number, dx: string): Claim {
  const admitted = fmt(BASE + admittedHour * HOUR);
  const discharged = fmt(BASE + (admittedHour + hours) * HOUR);
  return claim({
    institutionId,
    claimNo,
    admitted,
    discharged,
    diagnoses: [{ code: dx, main: true }],
    lines: datesFrom(admitted.slice(0, 10), discharged.slice(0, 10)).map((d) => ({ itemCode: '001109000010000', category: 'bed' as const, at: `${d} 12:00`, amountFen: 1000 })),
  });
}
const stayArb = (n: number) =>
  fc
    .array(
      fc.record({
        inst: fc.constantFrom('H1', 'H1', 'H2'),
        start: fc.integer({ min: 0, max: 40 * 24 }),
        hours: fc.integer({ min: 1, max: 8 * 24 }),
        dx: fc.constantFrom('I21.0', 'I21.9', 'I25.1', 'Z51.1'),
      }),
      { minLength: 2, maxLength: n },
    )
    .map((specs) => specs.map((s, i) => stay(s.inst, `C${i + 1}`, s.start, s.hours, s.dx)));

const sortByAdmission = (a: Claim, b: Claim) => a.startedAt - b.startedAt || a.endedAt - b.endedAt || a.claimNo.localeCompare(b.claimNo);
const pairs = <T>(xs: T[]) => xs.flatMap((x, i) => xs.slice(i + 1).map((y) => [x, y] as const));
const add = (ledger: Ledger, c: Claim, lines: Claim['lines']) => {
  if (lines.length === 0) return;
  const e = (ledger[key(c.institutionId, c.claimNo)] ??= { amountFen: 0, lines: [] });
  e.amountFen += lines.reduce((s, l) => s + l.amountFen, 0);
  e.lines.push(...lines.map((l) => l.lineId));
};

describe('SPLIT-STAY in every arrival order', () => {
  it('puts every readmission’s lines at issue once per earlier stay it follows within N days', () => {
    fc.assert(
      fc.property(stayArb(4), fc.integer({ min: 0, max: 20 }), (claims, withinDays) => {
        const oracle: Ledger = {};
        for (const [x, y] of pairs(claims)) {
          const [e, l] = [x, y].sort(sortByAdmission) as [Claim, Claim];
          const gap = daysBetween(cstDate(e.endedAt), cstDate(l.startedAt));
          if (e.institutionId !== l.institutionId || e.mainDiagnosis!.slice(0, 3) !== l.mainDiagnosis!.slice(0, 3) || l.mainDiagnosis!.startsWith('Z51')) continue;
          if (gap >= 0 && gap <= withinDays) add(oracle, l, l.lines);
        }
        expectOrderFree(splitStay, claims, oracle, { withinDays });
      }),
      { numRuns: 150 },
    );
  });

  it('names the readmission’s lines on it when the earlier stay arrives second', () => {
    const first = stay('H1', 'C1', 0, 24 * 10 + 10, 'I21.0'); // 09-01 00:00 to 09-11 10:00
    const readmitted = stay('H1', 'C2', 24 * 26 + 9, 48, 'I21.9'); // 09-27, day 16 after 09-11
    const onDay15 = stay('H1', 'C2', 24 * 25 + 23, 48, 'I21.9'); // 09-26 23:00, day 15
    const run = (c: Claim, other: Claim) =>
      evaluateRules([splitStay], { claim: c, history: { personClaims: [other], institutionMonthQuantity: new Map() }, serviceDate: cstDate(c.startedAt) }).findings;
    expect(run(first, readmitted)).toEqual([]);
    const [f] = run(first, onDay15);
    expect(f).toMatchObject({ severity: 'medium', violatingLines: [], otherClaims: [{ institutionId: 'H1', claimId: 'C2', lines: onDay15.lines.map((l) => l.lineId) }], amountFen: 3000 });
    expect(f!.message.en).toContain('day 15 after discharge (limit 15 days');
    expect(f!.message.zh).toContain('第 15 天');
  });
});

describe('STAY-OVERLAP in every arrival order', () => {
  it('puts the later admission’s lines on the overlap’s dates at issue, whoever arrives last', () => {
    fc.assert(
      fc.property(stayArb(4), (claims) => {
        const oracle: Ledger = {};
        for (const [x, y] of pairs(claims)) {
          const [e, l] = [x, y].sort(sortByAdmission) as [Claim, Claim];
          const start = l.startedAt,
            end = Math.min(e.endedAt, l.endedAt);
          if (end <= start) continue;
          if (cstDate(l.startedAt) === cstDate(e.endedAt) && l.endedAt >= e.endedAt) continue; // a same-day transfer
          const dates = datesFrom(cstDate(start), cstDate(end));
          add(
            oracle,
            l,
            l.lines.filter((ln) => dates.includes(ln.serviceDate)),
          );
        }
        expectOrderFree(stayOverlap, claims, oracle);
      }),
      { numRuns: 150 },
    );
  });

  it('names the earlier stay’s lines of those dates as involved when the later stay arrives second', () => {
    const outer = stay('H1', 'C1', 0, 24 * 9, 'I21.0'); // 09-01 to 09-10
    const inner = stay('H2', 'C2', 24 * 4 + 14, 24 * 2, 'J18.9'); // 09-05 14:00 to 09-07 14:00
    const { findings } = evaluateRules([stayOverlap], { claim: inner, history: { personClaims: [outer], institutionMonthQuantity: new Map() }, serviceDate: '2026-09-05' });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'high', violatingLines: ['L1', 'L2', 'L3'], amountFen: 3000, otherClaims: [{ claimId: 'C1', lines: ['L5', 'L6', 'L7'] }] });
    // the outer stay gets a reference naming its lines, no finding
    const { own, retrospective, retroReferences } = splitFindings(inner, findings);
    expect(own).toMatchObject([{ vl: ['L1', 'L2', 'L3'], amt: '30.00' }]);
    expect(retrospective).toEqual([]);
    expect(retroReferences).toMatchObject([{ cno: 'C1', fid: own[0]!.id, rel: 'later', lines: ['L5', 'L6', 'L7'], on: { institutionId: 'H2', claimId: 'C2' } }]);
    expect(referenceMessage(retroReferences[0]!).en).toBe(
      'Claim C2 (H2), received later, refers to this claim: its finding STAY-OVERLAP names lines L5, L6, L7 of this claim; the finding and its amount are on claim C2 (H2), none on this claim',
    );
  });
});

describe('BED-ABSENT in every arrival order', () => {
  const visitArb = fc.record({ inst: fc.constantFrom('H1', 'H2', 'Y7'), day: fc.integer({ min: 0, max: 20 }), type: fc.constantFrom('outpatient' as const, 'pharmacy' as const) });
  it('puts the stay’s lines of the days the person was elsewhere at issue, whoever arrives last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 12 }), fc.array(visitArb, { minLength: 1, maxLength: 3 }), (startDay, days, visits) => {
        const s = stay('H1', 'C1', startDay * 24 + 9, days * 24, 'I21.0');
        const others = visits.map((v, i) => {
          const at = fmt(BASE + (v.day * 24 + 15) * HOUR);
          return claim({ institutionId: v.inst, claimNo: `V${i + 1}`, visitType: v.type, visit: at, lines: [{ itemCode: '110200001', at, amountFen: 500 }] });
        });
        const oracle: Ledger = {};
        const [adm, dis] = [cstDate(s.startedAt), cstDate(s.endedAt)];
        for (const v of others) {
          const date = v.lines[0]!.serviceDate;
          if (v.institutionId !== s.institutionId && date > adm && date < dis)
            add(
              oracle,
              s,
              s.lines.filter((l) => l.serviceDate === date),
            );
        }
        expectOrderFree(bedAbsent, [s, ...others], oracle);
      }),
      { numRuns: 100 },
    );
  });
});
