import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, type FeatureValues, type InstitutionMonth } from '../models/provider/features.js';
import { peerStats } from '../models/provider/peer.js';
import { assignPeerGroups, trainProviderModel } from '../models/provider/score.js';
import { excessDrivers, targetRisk } from '../models/provider/targeting.js';
import { simulate } from '../sim/simulation.js';
import type { SimInstitution } from '../sim/types.js';
import { variantSpec, weightAt } from '../sim/variants.js';

const weightAtFor = (inst: SimInstitution) => weightAt(variantSpec('parts-separately'), inst);

/** Peer groups that always exist, features from groups with spread, and the expected loss in yuan. */
const base: FeatureValues = Object.fromEntries(FEATURE_NAMES.map((f) => [f, null])) as FeatureValues;
function row(id: string, month: string, peerGroup: string, f: Partial<FeatureValues>, cost = 10_000): InstitutionMonth {
  return { institutionId: id, month, peerGroup, features: { ...base, claims: 100, costPerVisit: cost / 100, ...f }, exposure: { cost, fund: cost * 0.8, withheld: 0, flagged: 0 } };
}

describe('peer groups', () => {
  it('fall back from type and level to type to all under minPeers, month by month', () => {
    const rows = [
      ...['A', 'B', 'C', 'D', 'E'].map((id) => row(`H2${id}`, '2026-09', 'hospital/secondary', {})),
      ...['A', 'B', 'C'].map((id) => row(`H1${id}`, '2026-09', 'hospital/primary', {})),
      ...['A', 'B'].map((id) => row(`P${id}`, '2026-09', 'pharmacy/none', {})),
      ...['A', 'B', 'C', 'D'].map((id) => row(`H2${id}`, '2026-08', 'hospital/secondary', {})),
    ];
    const g = assignPeerGroups(rows, 5);
    const of = (id: string, month = '2026-09') => g.get(rows.find((r) => r.institutionId === id && r.month === month)!);
    expect(of('H2A')).toEqual({ group: 'hospital/secondary', basis: 'type/level' });
    expect(of('H1A')).toEqual({ group: 'hospital/*', basis: 'type' }); // 3 primary + 5 secondary hospitals
    expect(of('PA')).toEqual({ group: '*', basis: 'all' });
    expect(of('H2A', '2026-08')).toEqual({ group: '*', basis: 'all' }); // four in August: all of August's four
  });

  it('give every institution a score with its basis, and leave out features constant within a group', () => {
    const rows = [
      ...[5, 6, 7, 6, 5].map((stay, i) => row(`H2${i}`, '2026-09', 'hospital/secondary', { meanStay: stay, admissions: 20, drugShare: 0.3 })),
      ...[0.2, 0.3, 0.4].map((share, i) => row(`H1${i}`, '2026-09', 'hospital/primary', { meanStay: 4, admissions: 10, drugShare: share })),
      row('PA', '2026-09', 'pharmacy/none', { drugShare: 0.9 }),
    ];
    const m = trainProviderModel(rows, '2026-09', { seed: 1 });
    expect(m.scores).toHaveLength(9);
    expect(m.scores.find((s) => s.institutionId === 'H10')).toMatchObject({ peerGroup: 'hospital/*', peerBasis: 'type', nominalPeerGroup: 'hospital/primary', peerSize: 8 });
    expect(m.scores.find((s) => s.institutionId === 'PA')).toMatchObject({ peerGroup: '*', peerBasis: 'all', peerSize: 9 });
    // drugShare is 0.3 for all five secondary hospitals but varies among all hospitals, so it is a column;
    // claims and cost per visit are the same everywhere: no column
    expect(m.featureUse.forest).toEqual(['admissions', 'meanStay', 'drugShare']);
    expect(m.featureUse.leftOut['hospital/secondary']).toContain('drugShare');
    expect(m.featureUse.leftOut['hospital/*']).not.toContain('drugShare');
    expect(m.featureUse.leftOut['*']).not.toContain('drugShare');
    for (const s of m.scores.filter((x) => x.peerGroup === 'hospital/secondary')) expect(s.explanations.map((e) => e.feature)).not.toContain('drugShare');
  });
});

describe('expected loss', () => {
  it("counts the yuan billed beyond the peers' normal range, feature by feature", () => {
    const stats = new Map([
      ['meanStay', peerStats([5, 6, 7, 6, 5])],
      ['costPerVisit', peerStats([100, 110, 90, 100, 105])],
      ['ceilingPriceShare', peerStats([0.1, 0.2, 0.1, 0.2, 0.15])],
    ] as const);
    // meanStay: median 6, MAD 1, normal up to 7; cost per visit: median 100, MAD 5, normal up to 105
    const r = row('X', '2026-09', 'hospital/secondary', { meanStay: 10, admissions: 20, costPerInpatientDay: 300, costPerVisit: 130, claims: 100, ceilingPriceShare: 0.65 }, 13_000);
    const d = excessDrivers(r, stats as never, { k: 1, ceilingMarkup: 0.05 });
    expect(d.map((x) => [x.feature, x.excess])).toEqual([
      ['meanStay', (10 - 7) * 20 * 300],
      ['costPerVisit', (130 - 105) * 100],
      ['ceilingPriceShare', expect.closeTo((0.65 - 0.2) * 13_000 * 0.05, 9)],
    ]);
  });

  it('is P(abnormal) × excess × fund share, summed over the window, and says so in sentences', () => {
    const months = ['2026-07', '2026-08', '2026-09'];
    const rows = months.flatMap((month) => [
      ...[5, 6, 7, 6, 5, 6].map((stay, i) => row(`H${i}`, month, 'hospital/secondary', { meanStay: stay, admissions: 20, costPerInpatientDay: 300, ruleHitRate: 0.02 * (i % 3) }, 100_000)),
      row('HX', month, 'hospital/secondary', { meanStay: 12, admissions: 20, costPerInpatientDay: 300, ruleHitRate: 0.3 }, 100_000),
    ]);
    const m = trainProviderModel(rows, '2026-09', { seed: 3, windowMonths: 3 });
    const x = m.scores.find((s) => s.institutionId === 'HX')!;
    expect(m.scores[0]!.institutionId).toBe('HX');
    const risk = x.risk!;
    expect(risk.excess).toBeCloseTo((12 - 7) * 20 * 300, 6);
    expect(risk.fundShare).toBeCloseTo(0.8, 9);
    expect(risk.monthLoss).toBeCloseTo(risk.probability * risk.excess * 0.8, 6);
    expect(risk.probability).toBeGreaterThan(0.5);
    const months3 = m.windowScores.filter((s) => s.institutionId === 'HX');
    expect(months3).toHaveLength(3);
    expect(risk.windowLoss).toBeCloseTo(
      months3.reduce((s, r) => s + r.risk!.monthLoss, 0),
      6,
    );
    expect(risk.monthsWithClaims).toBe(3);
    // honest peers within the normal range have no excess and no expected loss
    for (const s of m.scores.filter((y) => y.institutionId !== 'HX')) expect(s.risk!.windowLoss).toBe(0);
    const yuan = Math.round(risk.windowLoss).toLocaleString('en');
    expect(risk.zh).toContain(`近 3 个月预计基金损失 ${yuan} 元`);
    expect(risk.zh).toContain('住院日超出 30,000 元');
    expect(risk.en).toContain(`expected fund loss ${yuan} yuan over 3 months`);
    expect(risk.en).toContain("length of stay (30,000 yuan beyond the peers' normal range)");
    // rows without their exposure get no figure in yuan
    const bare = trainProviderModel(
      rows.map(({ exposure: _e, ...r }) => r),
      '2026-09',
      { seed: 3 },
    );
    expect(bare.scores.every((s) => s.risk === undefined)).toBe(true);
    expect(targetRisk([], '2026-09')).toEqual([]);
  });
});

describe("the benchmark's worlds", () => {
  const daily = (i: { admissionsPerDay: number; outpatientPerDay: number; pharmacyPerDay: number }) => i.admissionsPerDay + i.outpatientPerDay + i.pharmacyPerDay;
  it('spread: one fraudulent institution in each band of five sizes, pharmacies included, styles at partial intensity', () => {
    const s = simulate({ seed: 42, month: '2026-07', months: 1, volume: 0.04, fraudWorld: 'spread' });
    const fraud = s.institutions.filter((i) => i.fraudulent);
    expect(fraud).toHaveLength(Math.ceil(s.institutions.length / 5));
    for (const f of fraud) {
      expect(f.behaviours.length).toBeGreaterThan(0);
      expect(f.violationFactor).toBeGreaterThanOrEqual(1.6);
      expect(f.violationFactor).toBeLessThanOrEqual(3);
      if (f.type === 'pharmacy') expect(f.behaviours.every((b) => ['stock-substitution', 'phantom-visits', 'prices-at-ceiling'].includes(b))).toBe(true);
      for (const w of Object.values(f.familyWeights ?? {})) expect(w).toBeGreaterThanOrEqual(2.2);
    }
    // over a few counties every style of the brief occurs
    const styles = new Set([42, 43, 44, 45, 46, 47].flatMap((seed) => simulate({ seed, month: '2026-07', months: 1, volume: 0.04, fraudWorld: 'spread' }).institutions.flatMap((i) => i.behaviours)));
    for (const b of ['phantom-visits', 'extra-admissions', 'costly-mix', 'prices-at-ceiling', 'long-stays', 'bed-hanging', 'readmissions', 'unbundling', 'stock-substitution'])
      expect(styles.has(b), b).toBe(true);
  });
  it('a fraud style raises its violations: an unbundling clinic bills parts separately more often than its honest peers', () => {
    const s = simulate({ seed: 42, month: '2026-07', months: 1, volume: 0.04, fraudWorld: 'spread' });
    const inst = s.institutions.find((i) => i.type !== 'pharmacy')!;
    expect(weightAtFor({ ...inst, familyWeights: { 'split-charging': 5 } })).toBe(5 * weightAtFor({ ...inst, familyWeights: {} }));
  });
  it('large: fraud only among the larger half', () => {
    const s = simulate({ seed: 42, month: '2026-07', months: 1, volume: 0.04, fraudWorld: 'large' });
    const candidates = s.institutions;
    const sizes = candidates.map(daily).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    const fraud = candidates.filter((i) => i.fraudulent);
    expect(fraud.length).toBeGreaterThan(0);
    for (const f of fraud) expect(daily(f)).toBeGreaterThanOrEqual(median * 0.99);
  });
  it('classic is the world as before', () => {
    const s = simulate({ seed: 42, month: '2026-07', months: 1 });
    for (const f of s.institutions.filter((i) => i.fraudulent)) expect(f.beds > 0 && f.level !== 'tertiary').toBe(true);
  });
});
