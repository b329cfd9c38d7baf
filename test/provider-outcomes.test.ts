import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, type FeatureName, type InstitutionMonth } from '../models/provider/features.js';
import { rocAuc } from '../models/metrics/auc.js';
import { Xoshiro128ss } from '../models/isolation-forest/prng.js';
import { logOddsOf } from '../models/provider/logistic.js';
import { bayesUpdate, DETAIL_LAMBDAS, learnFromOutcomes, OUTCOME_COLUMNS, outcomeColumns, unsupervisedOf, windowEvidence, type OutcomeLabel, type OutcomeRow } from '../models/provider/outcomes.js';
import { trainProviderModel } from '../models/provider/score.js';
import { logistic, peerHitRates, targetingEvidence, targetingScores } from '../models/provider/target-score.js';
import { hashInput } from '../src/provider-model/train-provider-model.js';
import { inpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/** Issue 16: the targeting score (P(fraud) × money billed) and learning from review outcomes. */
const zeros = () => Object.fromEntries(FEATURE_NAMES.map((f) => [f, 0])) as Record<FeatureName, number>;
const nulls = () => Object.fromEntries(FEATURE_NAMES.map((f) => [f, null])) as Record<FeatureName, number | null>;

function row(id: string, month: string, o: { claims: number; rate: number; median?: number; cost: number; z?: Partial<Record<FeatureName, number>>; group?: string; score?: number }): OutcomeRow {
  const features = { ...nulls(), claims: o.claims, ruleHitRate: o.rate };
  const peerMedians = { ...nulls(), ruleHitRate: o.median ?? 0.04 };
  return {
    institutionId: id,
    month,
    peerGroup: o.group ?? 'hospital/secondary',
    comparable: { ...zeros(), ...o.z },
    features,
    peerMedians,
    exposure: { cost: o.cost, fund: o.cost * 0.7, withheld: 0 },
    score: o.score ?? 0.5,
  };
}

describe('the targeting score', () => {
  it('weighs rule hits as a Poisson z against the peers’ median rate, adds the pattern’s excess, pools the window', () => {
    // 100 claims at 10% against a median of 4%: 10 hits where 4 are expected, z = 6 / 2 = 3
    const e = targetingEvidence([row('A', '2026-09', { claims: 100, rate: 0.1, cost: 50_000, z: { costPerVisit: 7, meanStay: -3 } })]);
    expect(e.ruleHits).toBeCloseTo(10, 9);
    expect(e.ruleHitsExpected).toBeCloseTo(4, 9);
    expect(e.rulesZ).toBeCloseTo(3, 9);
    // pattern: the mean over its 7 features of the z above the median (a negative z counts 0)
    expect(e.patternZ).toBeCloseTo(1, 9);
    expect(e.evidence).toBeCloseTo(4, 9);
    expect(e.patternTop).toEqual([{ feature: 'costPerVisit', z: 7 }]);
    // three months pooled: 30 hits where 12 are expected
    const w = targetingEvidence(['2026-07', '2026-08', '2026-09'].map((m) => row('A', m, { claims: 100, rate: 0.1, cost: 50_000 })));
    expect(w.rulesZ).toBeCloseTo(18 / Math.sqrt(12), 9);
    expect(w.atStake).toBe(150_000);
    // a small institution with the same rate is less certain
    expect(targetingEvidence([row('B', '2026-09', { claims: 10, rate: 0.1, cost: 5_000 })]).rulesZ).toBeCloseTo(0.6 / Math.sqrt(0.4), 9);
  });

  it('compares with the other institutions of the peer group pooled, and counts rules in trial where the rows carry them', () => {
    const withTrial = (id: string, claims: number, hits: number, group = 'clinic/primary') => ({
      ...row(id, '2026-09', { claims, rate: 0, cost: 1_000, group }),
      ruleHits: { claims: 0, withTrial: hits },
    });
    const rows = [withTrial('A', 100, 12), withTrial('B', 300, 9), withTrial('C', 100, 3), withTrial('P', 80, 40, 'pharmacy/none')];
    const rate = peerHitRates(rows);
    // A's peers: B and C, 12 hits on 400 claims
    expect(rate(rows[0]!)).toBeCloseTo(12 / 400, 12);
    expect(rate(rows[1]!)).toBeCloseTo(15 / 200, 12);
    // the only pharmacy has no peer: the median rate is used
    expect(rate(rows[3]!)).toBeUndefined();
    const a = targetingEvidence([rows[0]!], { peerRate: rate });
    expect(a.ruleHits).toBe(12);
    expect(a.ruleHitsExpected).toBeCloseTo(3, 12);
    expect(a.rulesZ).toBeCloseTo(9 / Math.sqrt(3), 12);
    // targetingScores pools the peers itself, and says rules in trial are counted
    const t = targetingScores(rows, '2026-09').get('A')!;
    expect(t.rulesZ).toBeCloseTo(9 / Math.sqrt(3), 12);
    expect(t.zh).toContain('规则命中 (含试行规则) 12 人次, 按同级机构的命中率应为 3 人次');
    expect(t.en).toContain('12 claims with rule hits (rules in trial included) where the peers');
    // the trial counts are input of the model version: its input hash changes with them
    const im = (withTrial: number) => ({ institutionId: 'A', month: '2026-09', peerGroup: 'clinic/primary', features: nulls(), ruleHits: { claims: 1, withTrial } });
    expect(hashInput([im(3)], ['claims'], {})).not.toBe(hashInput([im(4)], ['claims'], {}));
    expect(hashInput([im(3)], ['claims'], {})).toBe(hashInput([im(3)], ['claims'], {}));
    // a row that fell back to its type is compared with every institution of the type
    const fellBack = { ...withTrial('D', 100, 5, 'clinic/*'), nominalPeerGroup: 'clinic/secondary' };
    expect(peerHitRates([...rows, fellBack])(fellBack)).toBeCloseTo(24 / 500, 12);
  });

  it('is P(fraud) × money billed, ranked within the peer group, with sentences giving the numbers', () => {
    const rows = [
      row('BIG', '2026-09', { claims: 400, rate: 0.06, cost: 400_000 }), // 24 where its peers' pooled rate (15 of 150) expects 40: P about 0
      row('SMALL', '2026-09', { claims: 50, rate: 0.3, cost: 25_000 }), // 15 where 24 of 500 expects 2.4: z 8.1, P about 1
      row('CLEAN', '2026-09', { claims: 100, rate: 0.0, cost: 60_000 }),
      row('PHARM', '2026-09', { claims: 100, rate: 0.2, cost: 10_000, group: 'pharmacy/none' }),
    ];
    const t = targetingScores(rows, '2026-09');
    const small = t.get('SMALL')!;
    expect(small.probability).toBeGreaterThan(0.999);
    expect(small.score).toBeCloseTo(small.probability * 25_000, 6);
    expect(small.rank).toBe(1);
    expect(small.percentile).toBe(100);
    expect(small.peerSize).toBe(3);
    expect(t.get('BIG')!.rank).toBe(2);
    expect(t.get('CLEAN')!.rank).toBe(3);
    expect(t.get('PHARM')).toMatchObject({ rank: 1, peerSize: 1, peerGroup: 'pharmacy/none', source: 'unsupervised' });
    expect(small.zh).toContain(`目标分 ${Math.round(small.score).toLocaleString('en-US')} 元 = 欺诈概率 1.00 × 近 1 个月申报费用 25,000 元`);
    expect(small.zh).toContain('同级同类 (hospital/secondary, 3 家) 第 1 位');
    expect(small.zh).toContain('规则命中 15 人次, 按同级机构的命中率应为 2 人次');
    expect(small.en).toContain("15 claims with rule hits where the peers' rate expects 2");
    // a supervised probability replaces the unsupervised one and says so
    const s = targetingScores(rows, '2026-09', { probabilityOf: (id) => (id === 'BIG' ? 0.9 : 0.1) });
    expect(s.get('BIG')).toMatchObject({ probability: 0.9, source: 'supervised', score: 360_000, rank: 1 });
    expect(s.get('BIG')!.zh).toContain('由复审结论训练的模型');
  });

  it('is stored on every score of the scored month by trainProviderModel', () => {
    const rows: InstitutionMonth[] = Array.from({ length: 6 }, (_, i) => ({
      institutionId: `H${i}`,
      month: '2026-09',
      peerGroup: 'hospital/secondary',
      features: { ...nulls(), claims: 100 + i, ruleHitRate: i === 5 ? 0.3 : 0.03 + i * 0.001, costPerVisit: 1000 + i * 10 },
      exposure: { cost: 100_000, fund: 70_000, withheld: 0, flagged: 0 },
    }));
    const m = trainProviderModel(rows, '2026-09', { seed: 1, windowMonths: 1 });
    for (const s of m.scores) expect(s.targeting).toBeDefined();
    const top = m.scores.find((s) => s.targeting!.rank === 1)!;
    expect(top.institutionId).toBe('H5');
    expect(m.outcome).toBeUndefined();
  });

  it('pools the evidence over the evidence window and counts the money of the money window only', () => {
    const months = ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'];
    // A bills every month (100 claims at 10% against the median 4%, 50,000 yuan); B only in two of them
    const rows = [
      ...months.map((m) => row('A', m, { claims: 100, rate: 0.1, cost: 50_000 })),
      row('B', '2026-05', { claims: 100, rate: 0.1, cost: 40_000, group: 'pharmacy/none' }),
      row('B', '2026-09', { claims: 100, rate: 0.1, cost: 30_000, group: 'pharmacy/none' }),
    ];
    const inSix = rows.filter((r) => r.month >= '2026-04');
    const a = targetingScores(inSix, '2026-09', { moneyWindow: 3, evidenceWindow: 6 }).get('A')!;
    // evidence: six months pooled, 60 hits where 24 are expected
    expect(a.ruleHits).toBeCloseTo(60, 9);
    expect(a.ruleHitsExpected).toBeCloseTo(24, 9);
    expect(a.rulesZ).toBeCloseTo(36 / Math.sqrt(24), 9);
    expect(a).toMatchObject({ atStake: 150_000, months: 3, moneyWindow: 3, evidenceMonths: 6, evidenceWindow: 6 });
    expect(a.score).toBeCloseTo(a.probability * 150_000, 6);
    expect(a.zh).toContain('近 3 个月申报费用 150,000 元; ');
    expect(a.zh).toContain('证据取近 6 个月: 规则命中 60 人次, 按同级机构的命中率应为 24 人次');
    expect(a.en).toContain('× 150,000 yuan billed over the last 3 month(s); ');
    expect(a.en).toContain('evidence from the last 6 month(s): 60 claims with rule hits');
    // one month of money and two of evidence billed: the sentences say so
    const b = targetingScores(inSix, '2026-09', { moneyWindow: 3, evidenceWindow: 6 }).get('B')!;
    expect(b).toMatchObject({ atStake: 30_000, months: 1, evidenceMonths: 2, ruleHits: 20 });
    expect(b.zh).toContain('近 3 个月申报费用 30,000 元 (有申报 1 个月); ');
    expect(b.zh).toContain('证据取近 6 个月 (有申报 2 个月): 规则命中 20 人次');
    expect(b.en).toContain('30,000 yuan billed over the last 3 month(s) (billed in 1); ');
    expect(b.en).toContain('evidence from the last 6 month(s) (billed in 2): 20 claims');

    // trainProviderModel: by default 6 months of evidence (2026-03 left out) and 3 of money
    const im = (id: string, month: string, rate: number): InstitutionMonth => ({
      institutionId: id,
      month,
      peerGroup: 'hospital/secondary',
      features: { ...nulls(), claims: 100, ruleHitRate: rate, costPerVisit: 1000 + Number(id.slice(1)) * 10 },
      exposure: { cost: 100_000, fund: 70_000, withheld: 0, flagged: 0 },
    });
    const history = months.flatMap((m) => Array.from({ length: 6 }, (_, i) => im(`H${i}`, m, i === 5 ? 0.3 : 0.03)));
    const m = trainProviderModel(history, '2026-09', { seed: 1 });
    expect([m.windowMonths, m.evidenceMonths]).toEqual([3, 6]);
    const h5 = m.scores.find((s) => s.institutionId === 'H5')!.targeting!;
    // 30 hits a month where the other five's 3% expects 3: six months pooled, 180 where 18 are expected
    expect(h5).toMatchObject({ atStake: 300_000, months: 3, evidenceMonths: 6, moneyWindow: 3, evidenceWindow: 6 });
    expect(h5.ruleHits).toBeCloseTo(180, 9);
    expect(h5.ruleHitsExpected).toBeCloseTo(18, 9);
    // both windows configurable: two months of evidence, one of money
    const short = trainProviderModel(history, '2026-09', { seed: 1, windowMonths: 1, evidenceMonths: 2 }).scores.find((s) => s.institutionId === 'H5')!.targeting!;
    expect(short).toMatchObject({ atStake: 100_000, months: 1, evidenceMonths: 2, moneyWindow: 1, evidenceWindow: 2 });
    expect(short.ruleHits).toBeCloseTo(60, 9);
    expect(short.zh).toContain('近 1 个月申报费用 100,000 元; ');
    expect(short.zh).toContain('证据取近 2 个月: ');
  });
});

describe('learning from outcomes', () => {
  // 120 institutions × 3 months; fraud follows drugShare's z, which the unsupervised evidence does not read
  const rng = Xoshiro128ss.fromSeed(5);
  const u = () => rng.nextUint32() / 2 ** 32;
  const rows: OutcomeRow[] = [];
  const fraud = new Map<string, boolean>();
  for (let i = 0; i < 120; i++) {
    const id = `H${String(i).padStart(3, '0')}`;
    fraud.set(id, i % 3 === 0);
    for (const month of ['2026-07', '2026-08', '2026-09'])
      rows.push(row(id, month, { claims: 100, rate: 0.02 + 0.06 * u(), cost: 50_000, z: { drugShare: (fraud.get(id) ? 2 : 0) + (u() - 0.5) * 2 } }));
  }
  const labelsOf = (ids: (r: OutcomeRow) => boolean): OutcomeLabel[] => rows.filter(ids).map((r) => ({ institutionId: r.institutionId, month: r.month, label: fraud.get(r.institutionId) ? 1 : 0 }));

  it('fits nothing with too few labels of a class, and says so', () => {
    const few = labelsOf((r) => r.month === '2026-09' && Number(r.institutionId.slice(1)) < 60);
    const { result, probabilityOf } = learnFromOutcomes(rows, [...few, { institutionId: 'H999', month: '2026-09', label: 1 }], { minPerClass: 30 });
    expect(result.used).toBe('unsupervised');
    expect(result.labels).toEqual({ positive: 20, negative: 40, unmatched: 1 });
    expect(result.why).toBe('too few labels in the window: 20 confirmed and 40 dismissed institution-months, 30 of each needed');
    expect(probabilityOf).toBeUndefined();
  });

  it('uses the supervised model when it beats the unsupervised evidence on held-out folds by the margin', () => {
    const labels = labelsOf((r) => Number(r.institutionId.slice(1)) % 2 === 0);
    // the labels here are the truth: fitted as such (label noise 0)
    const { result, probabilityOf } = learnFromOutcomes(rows, labels, { minPerClass: 30, margin: 0.02, labelNoise: 0 });
    expect(result.labels).toEqual({ positive: 60, negative: 120, unmatched: 0 });
    // drugShare is a detail column (penalty 100): the signal is strong enough to be learned all the same
    expect(result.cv!.supervisedAuc).toBeGreaterThan(0.8);
    expect(result.cv!.unsupervisedAuc).toBeLessThan(0.65);
    expect(result.used).toBe('supervised');
    expect(result.why).toMatch(/^supervised: held-out AUC 0\.8\d\d against 0\.\d{3} unsupervised/);
    expect(result.model!.columns).toContain('z:drugShare');
    // never-reviewed institutions get a probability too, and the fraudulent ones higher
    const unreviewed = [...fraud.keys()].filter((id) => Number(id.slice(1)) % 2 === 1);
    expect(
      rocAuc(
        unreviewed.map((id) => probabilityOf!(id)!),
        unreviewed.map((id) => fraud.get(id)!),
      ),
    ).toBeGreaterThan(0.85);
    // fitted as if one conclusion in ten were wrong (the default), it is less sure of the detail column, and still wins
    const noisy = learnFromOutcomes(rows, labels, { minPerClass: 30, margin: 0.02 }).result;
    expect(noisy.used).toBe('supervised');
    expect(noisy.cv!.supervisedAuc).toBeGreaterThan(0.7);
    // a margin it cannot meet keeps the unsupervised score
    expect(learnFromOutcomes(rows, labels, { minPerClass: 30, margin: 0.9 }).result.used).toBe('unsupervised');
  });

  it('learns size from the labels when the fraudulent institutions are the large ones (world b)', () => {
    // evidence flat (every institution at its peers' rate, 1/16 so that the sums are exact), fraud = more than 400 claims a month
    const g = Xoshiro128ss.fromSeed(9);
    const big = new Map<string, boolean>();
    const sized: OutcomeRow[] = [];
    for (let i = 0; i < 100; i++) {
      const id = `S${String(i).padStart(3, '0')}`;
      const claims = 50 + Math.round(900 * (g.nextUint32() / 2 ** 32));
      big.set(id, claims > 400);
      for (const month of ['2026-07', '2026-08', '2026-09']) sized.push(row(id, month, { claims, rate: 0.0625, median: 0.0625, cost: claims * 500 }));
    }
    const labels = sized.filter((r) => Number(r.institutionId.slice(1)) % 2 === 0).map((r) => ({ institutionId: r.institutionId, month: r.month, label: (big.get(r.institutionId) ? 1 : 0) as 0 | 1 }));
    const { result, probabilityOf } = learnFromOutcomes(sized, labels, { minPerClass: 20 });
    expect(OUTCOME_COLUMNS.slice(0, 3)).toEqual(['windowRulesZ', 'windowPatternZ', 'logWindowClaims']);
    expect(result.used).toBe('supervised');
    expect(result.cv!.supervisedAuc).toBeGreaterThan(0.95);
    expect(result.cv!.unsupervisedAuc).toBe(0.5);
    expect(result.model!.weights[2]).toBeGreaterThan(1);
    expect(result.model).toMatchObject({ lambda: 1, detailLambda: 100 });
    const unreviewed = [...big.keys()].filter((id) => Number(id.slice(1)) % 2 === 1);
    const ps = unreviewed.map((id) => probabilityOf!(id)!);
    expect(ps.every((p) => p >= 0 && p <= 1)).toBe(true);
    const min = Math.min(...unreviewed.filter((id) => big.get(id)).map((id) => probabilityOf!(id)!));
    const max = Math.max(...unreviewed.filter((id) => !big.get(id)).map((id) => probabilityOf!(id)!));
    expect(min).toBeGreaterThan(max - 0.3);
  });

  it('keeps the unsupervised evidence for targeting when the supervised model does not win; the learned probability is its P(fraud) updated by each reviewed institution’s own conclusions', () => {
    // fraud follows the rule-hit rate, which the unsupervised evidence reads; the model cannot beat it by 0.2
    const g = Xoshiro128ss.fromSeed(3);
    const f = new Map<string, boolean>();
    const list: OutcomeRow[] = [];
    for (let i = 0; i < 90; i++) {
      const id = `R${String(i).padStart(3, '0')}`;
      f.set(id, i % 3 === 0);
      for (const month of ['2026-07', '2026-08', '2026-09']) list.push(row(id, month, { claims: 200, rate: (f.get(id) ? 0.07 : 0.04) + 0.02 * (g.nextUint32() / 2 ** 32), cost: 100_000 }));
    }
    // every institution below 60 reviewed in July; R000 (fraudulent) confirmed, R001 wrongly confirmed too
    const labels: OutcomeLabel[] = list
      .filter((r) => r.month === '2026-07' && Number(r.institutionId.slice(1)) < 60)
      .map((r) => ({ institutionId: r.institutionId, month: r.month, label: (f.get(r.institutionId) || r.institutionId === 'R001' ? 1 : 0) as 0 | 1 }));
    const learned = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.2, prior: 'unsupervised' });
    expect(learned.result.used).toBe('unsupervised');
    expect(learned.source).toBe('unsupervised');
    expect(learned.result.calibration!.weights[0]).toBeGreaterThan(0);
    expect(learned.result.update).toEqual({ auditorAccuracy: 0.9, reviewedInstitutions: 60 });
    expect(learned.result.why).toContain('targeting keeps the unsupervised P(fraud) (the learned probability: the unsupervised P(fraud); each of the 60 reviewed institutions');
    // R001 (honest, one wrong confirmation): the unsupervised P(fraud) of its window evidence, odds times 9
    const peerRate = peerHitRates(list);
    const ev = (id: string) =>
      targetingEvidence(
        list.filter((r) => r.institutionId === id),
        { peerRate },
      ).evidence;
    const prior = logistic(3 * (ev('R001') - 3));
    expect(learned.predict!(list.find((r) => r.institutionId === 'R001')!)).toBeCloseTo(prior, 12);
    expect(learned.learnedOf!('R001')!).toBeCloseTo(bayesUpdate(prior, [1], 0.9), 12);
    expect(learned.learnedLogOdds!('R001')!).toBeCloseTo(3 * (ev('R001') - 3) + Math.log(9), 9);
    // never reviewed: the unsupervised P(fraud) alone, same order as the evidence
    const never = [...f.keys()].filter((id) => Number(id.slice(1)) >= 60);
    const byP = [...never].sort((a, b) => learned.learnedLogOdds!(b)! - learned.learnedLogOdds!(a)!);
    expect(byP).toEqual([...never].sort((a, b) => ev(b) - ev(a)));
    // targeting keeps the unsupervised P(fraud): no probability is handed to it
    expect(learned.probabilityOf).toBeUndefined();
    // auditors right half the time: conclusions change nothing
    const coin = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.2, auditorAccuracy: 0.5, prior: 'unsupervised' });
    expect(coin.learnedOf!('R001')).toBeCloseTo(prior, 12);
    expect(() => learnFromOutcomes(list, labels, { minPerClass: 15, auditorAccuracy: 1 })).toThrow(/auditorAccuracy/);
  });

  it('fits with the auditors’ error rate as label noise; the learned probability’s prior is the supervised model, or the calibrated evidence, on the labels’ scale', () => {
    // fraud follows the rule-hit rate; 60 of 90 institutions reviewed in July and August, every tenth conclusion wrong
    const g = Xoshiro128ss.fromSeed(13);
    const f = new Map<string, boolean>();
    const list: OutcomeRow[] = [];
    for (let i = 0; i < 90; i++) {
      const id = `N${String(i).padStart(3, '0')}`;
      f.set(id, i % 3 === 0);
      for (const month of ['2026-07', '2026-08', '2026-09']) list.push(row(id, month, { claims: 200, rate: (f.get(id) ? 0.07 : 0.04) + 0.03 * (g.nextUint32() / 2 ** 32), cost: 100_000 }));
    }
    const labels: OutcomeLabel[] = list
      .filter((r) => r.month !== '2026-09' && Number(r.institutionId.slice(1)) < 60)
      .map((r, i) => ({ institutionId: r.institutionId, month: r.month, label: ((f.get(r.institutionId) ? 1 : 0) ^ (i % 10 === 3 ? 1 : 0)) as 0 | 1 }));
    const learned = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.5 });
    expect(learned.result.used).toBe('unsupervised');
    expect(learned.result.labelNoise).toBeCloseTo(0.1, 12);
    expect(learned.result.model!.labelNoise).toBeCloseTo(0.1, 12);
    expect(learned.result.prior).toBe('supervised');
    expect(learned.result.penalty).toBeUndefined();
    expect(learned.result.why).toContain('(the learned probability: the supervised model’s P(fraud); each of the 60 reviewed'.replace('’', "'"));
    // targeting still keeps the unsupervised P(fraud) (the margin is not met)
    expect(learned.probabilityOf).toBeUndefined();
    // the learned log odds: the mean of the supervised model's months, plus ln 9 per confirmed month, minus per dismissed
    const window = windowEvidence(list);
    const own = (id: string) => labels.filter((l) => l.institutionId === id).reduce((s, l) => s + (l.label === 1 ? Math.log(9) : -Math.log(9)), 0);
    const months = (id: string) => list.filter((r) => r.institutionId === id);
    const meanLogOdds = (id: string, m: Parameters<typeof logOddsOf>[0], x: (r: OutcomeRow) => number[]) => months(id).reduce((s, r) => s + logOddsOf(m, x(r)), 0) / 3;
    for (const id of ['N000', 'N001', 'N075']) expect(learned.learnedLogOdds!(id)!).toBeCloseTo(meanLogOdds(id, learned.result.model!, (r) => outcomeColumns(r, window)) + own(id), 9);
    // 'calibrated': the evidence's P(fraud) fitted on the labels is the prior instead
    const calibrated = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.5, prior: 'calibrated' });
    expect(calibrated.result.prior).toBe('calibrated');
    expect(calibrated.learnedLogOdds!('N001')!).toBeCloseTo(logOddsOf(calibrated.result.calibration!, [unsupervisedOf(list[3]!, window)]) + own('N001'), 9);
    // the noise-aware calibration is steeper than a plain fit of the same labels, which reads the wrong conclusions as a weak slope
    const slope = (m: { weights: number[]; sds: number[] }) => m.weights[0]! / m.sds[0]!;
    const plain = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.5, labelNoise: 0 });
    expect(plain.result.labelNoise).toBe(0);
    expect(slope(calibrated.result.calibration!)).toBeGreaterThan(1.3 * slope(plain.result.calibration!));
    // the detail penalty chosen by cross-validation among the candidates given: the one of least held-out loss
    const cv = learnFromOutcomes(list, labels, { minPerClass: 15, margin: 0.5, detailLambdas: DETAIL_LAMBDAS });
    const p = cv.result.penalty!;
    expect(p.detailLambdas).toEqual([...DETAIL_LAMBDAS]);
    expect(p.heldOutLoss).toHaveLength(DETAIL_LAMBDAS.length);
    expect(p.chosen).toBe(DETAIL_LAMBDAS[p.heldOutLoss.indexOf(Math.min(...p.heldOutLoss))]);
    expect(cv.result.model!.detailLambda).toBe(p.chosen);
    expect(() => learnFromOutcomes(list, labels, { minPerClass: 15, labelNoise: 0.5 })).toThrow(/labelNoise/);
  });

  it('updates odds by Bayes’ rule with the auditors’ accuracy', () => {
    expect(bayesUpdate(0.5, [1], 0.9)).toBeCloseTo(0.9, 12);
    expect(bayesUpdate(0.5, [0], 0.9)).toBeCloseTo(0.1, 12);
    expect(bayesUpdate(0.2, [1, 0], 0.9)).toBeCloseTo(0.2, 12);
    expect(bayesUpdate(0.1, [1, 1], 0.8)).toBeCloseTo(((0.1 / 0.9) * 16) / (1 + (0.1 / 0.9) * 16), 12);
    expect(bayesUpdate(0.3, [], 0.9)).toBe(0.3);
    expect(bayesUpdate(0.3, [1, 1, 1], 0.5)).toBe(0.3);
  });
});

const stayAt = (institutionId: string, claimId: string, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    institutionId,
    claimId,
    insured: { id: institutionId.endsWith('1') ? '320102195803140111' : '320102195803140012', sex: 'male', birthDate: '1958-03-14' },
    admittedAt,
    dischargedAt,
    lines: [
      { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
      { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-04 09:00:00', quantity: 1, unitPrice: 45, amount: 45 },
    ],
    totalAmount: '65.00',
    payment: { fund: '65.00', personalAccount: '0', cash: '0' },
  });

describe('train reads concluded review cases as labels and records the outcome', () => {
  let svc: TestService;
  const A = 'H32010200001';
  const B = 'H32010200002';
  beforeAll(async () => {
    svc = await startTestService();
    await seedReference(svc, { institutions: [A, B, 'H32010200003'].map((id) => ({ id })) });
    let n = 0;
    for (const inst of [A, B])
      for (const [from, to] of [
        ['2026-10-01 08:00:00', '2026-10-05 10:00:00'],
        ['2026-10-03 08:00:00', '2026-10-08 10:00:00'],
      ] as const)
        expect((await svc.call('/v1/claims', { json: stayAt(inst, `ZY-O${++n}`, from, to) })).status).toBe(200);
    expect((await svc.call('/v1/claims', { json: inpatientClaim({ institutionId: 'H32010200003', claimId: 'ZY-O9' }) })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await svc?.close();
  });

  it('confirmed at A, dismissed elsewhere: one positive label, too few to fit; the version says why', async () => {
    for (let i = 0; i < 10; i++) {
      const drawn = await svc.call('/v1/review/draw', { role: 'auditor', method: 'POST' });
      if (drawn.status === 204) break;
      const k = await json(drawn);
      const detail = await json(await svc.call(`/v1/review/cases/${k.id}`, { role: 'auditor' }));
      const lines = [...new Set(detail.findings.flatMap((f: { violatingLines: string[] }) => f.violatingLines))] as string[];
      const body =
        // confirmed with nothing more refused: the violating lines were withheld at intake
        detail.case.institutionId === A && lines.length > 0 ? { outcome: 'confirmed', refusedLines: [], basis: '重复收费' } : { outcome: 'dismissed', reason: '核实无误' };
      expect((await svc.call(`/v1/review/cases/${k.id}/conclusion`, { role: 'auditor', json: body })).status).toBe(200);
      expect((await svc.call(`/v1/review/cases/${k.id}/second-review`, { role: 'supervisor', json: { verdict: 'agree' } })).status).toBe(200);
    }
    const outcomes = await svc.deps.database.query<{ institution_id: string; final_outcome: string }>(
      'select institution_id, final_outcome from review_cases where final_outcome is not null order by institution_id',
    );
    expect(new Set(outcomes.filter((o) => o.institution_id === A).map((o) => o.final_outcome)).has('confirmed')).toBe(true);
    expect(outcomes.filter((o) => o.institution_id === B).every((o) => o.final_outcome === 'dismissed')).toBe(true);

    const res = await svc.call('/v1/admin/models/train', { role: 'admin', method: 'POST', json: { month: '2026-10', windowMonths: 1, minLabels: 2 } });
    expect(res.status).toBe(201);
    const trained = await json(res);
    // one institution-month per institution with a concluded case: A's confirmed, the others' dismissed
    const negatives = new Set(outcomes.map((o) => o.institution_id)).size - 1;
    expect(negatives).toBeGreaterThanOrEqual(1);
    expect(trained.outcome).toEqual({
      used: 'unsupervised',
      why: `too few labels in the window: 1 confirmed and ${negatives} dismissed institution-months, 2 of each needed`,
      labels: { positive: 1, negative: negatives, unmatched: 0 },
    });
    const version = (await json(await svc.call('/v1/models', { role: 'auditor' }))).models[0];
    expect(version.id).toBe(trained.modelId);
    expect(version.outcome).toMatchObject({ used: 'unsupervised', options: { minPerClass: 2, margin: 0.02 }, labels: { positive: 1, negative: negatives } });
    const bad = await svc.call('/v1/admin/models/train', { role: 'admin', method: 'POST', json: { month: '2026-10', minLabels: 1 } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('minLabels');
  }, 180_000);
});
