import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../rules/engine.js';
import { admissionCluster } from '../../rules/institution/admission-cluster.js';
import { asWindowClaim, emptyWindow } from '../../rules/institution/window.js';
import { claim } from '../../rules/fixtures/build.js';
import type { Claim } from '../../rules/claim.js';

/** A stay of one night at the clinic, admitted on 2026-10-<day> at <hour>:00, for acute bronchitis (outpatient-treatable). */
const stay = (no: string, day: number, hour: number): Claim =>
  claim({
    claimNo: no,
    personHash: `P-${no}`,
    admitted: `2026-10-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00`,
    discharged: `2026-10-${String(day + 1).padStart(2, '0')} 09:00`,
    diagnoses: [{ code: 'J20.900', main: true }],
    lines: [{ itemCode: 'BED', at: `2026-10-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00`, category: 'bed' }],
  });

const screen = (c: Claim, others: Claim[]) =>
  evaluateRules([admissionCluster], {
    claim: c,
    serviceDate: '2026-10-10',
    today: '2026-10-20',
    history: { personClaims: [], institution: { ...emptyWindow, admissions: others.map(asWindowClaim) } } as never,
  }).findings;

describe('ADMISSION-CLUSTER names the nearest stays of a large cluster, and counts them all', () => {
  // 30 earlier short stays, two a day from the 3rd to the 17th (at 08:00 and 20:00); this one on the 10th at 12:00
  const others = Array.from({ length: 30 }, (_, i) => stay(`C${String(i).padStart(2, '0')}`, 3 + Math.floor(i / 2), i % 2 === 0 ? 8 : 20));
  const mine = stay('MINE', 10, 12);

  it('one finding on this stay: the count of 31, the 20 nearest named (in order of admission), the rest counted', () => {
    const found = screen(mine, others);
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f.ruleVersion).toBe(2);
    expect(f.message.en).toContain('31 short stays here');
    expect(f.message.en).toContain(' and 10 more;');
    expect(f.message.zh).toContain('等 (另有 10 例)');
    // within ±5 days of the 10th (4 days before and after it fully, and the 5th and 15th at the nearer hour)
    const named = f.otherClaims.map((o) => o.claimId);
    expect(named).toEqual(others.filter((o) => Math.abs(o.startedAt - mine.startedAt) <= 5 * 86_400_000 - 4 * 3_600_000).map((o) => o.claimNo));
    expect(named).toHaveLength(20);
    for (const n of named) expect(f.message.en).toContain(`${n} (J20.900)`);
    expect(f.message.en).not.toContain('C00 (');
  });

  it('a cluster of at most maxNamed others names every one of them', () => {
    const found = screen(mine, others.slice(10, 20));
    expect(found[0]?.otherClaims.map((o) => o.claimId)).toEqual(others.slice(10, 20).map((o) => o.claimNo));
    expect(found[0]?.message.en).not.toContain('more');
  });

  it('maxNamed is a parameter: 5 names the five nearest', () => {
    const found = evaluateRules([admissionCluster], {
      claim: mine,
      serviceDate: '2026-10-10',
      today: '2026-10-20',
      history: { personClaims: [], institution: { ...emptyWindow, admissions: others.map(asWindowClaim) } } as never,
      overrides: () => ({ params: { ...admissionCluster.defaults, maxNamed: 5 } }),
    }).findings;
    expect(found[0]?.otherClaims.map((o) => o.claimId)).toEqual(['C12', 'C13', 'C14', 'C15', 'C16']);
    expect(found[0]?.message.en).toContain(' and 25 more;');
  });
});
