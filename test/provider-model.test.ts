import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFeature } from '../models/provider/explain.js';
import { FEATURE_NAMES, type InstitutionMonth } from '../models/provider/features.js';
import { peerStats, robustZ } from '../models/provider/peer.js';
import { trainProviderModel } from '../models/provider/score.js';
import { monthFeatures } from '../src/provider-model/features.query.js';
import { trainProviderModelVersion } from '../src/provider-model/train-provider-model.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The provider model end to end on a handful of claims: features computed by the database against
 * the same figures computed here from the claims as sent, a seeded forest, scores and explanations
 * by API, and targeting of an inpatient claim of the top-scored institution.
 */
type Line = { code: string; category: string; price: number; qty: number; at: string };
const ITEMS = {
  bed: { code: '120100001', name: '床位费', category: 'bed', ceiling: 40 },
  drug: { code: 'XJ01DDA040A001010100001', name: '头孢曲松钠注射液', category: 'drug', ceiling: 12.5 },
  consumable: { code: 'C01010101', name: '一次性输液器', category: 'consumable', ceiling: 3 },
  exam: { code: '250101001', name: '血常规', category: 'lab', ceiling: 20 },
} as const;
const nameOf = new Map<string, string>(Object.values(ITEMS).map((i) => [i.code, i.name]));
const ceilingOf = new Map<string, number>(Object.values(ITEMS).map((i) => [i.code, i.ceiling]));
const INSTITUTIONS = ['HA', 'HB', 'HC', 'HD', 'HE', 'HF'].map((s) => `H3201${s}`);
const [HA] = INSTITUTIONS as [string];

interface Sent {
  institutionId: string;
  claimId: string;
  person: string;
  inpatient: boolean;
  admitted?: string;
  discharged?: string;
  lines: Line[];
}
const fen = (yuan: number) => Math.round(yuan * 100);
const total = (c: Sent) => c.lines.reduce((s, l) => s + fen(l.price * l.qty), 0) / 100;

function wire(c: Sent) {
  const amount = total(c);
  return {
    institutionId: c.institutionId,
    claimId: c.claimId,
    insured: { id: c.person, sex: 'male', birthDate: '1960-05-01' },
    visitType: c.inpatient ? 'inpatient' : 'outpatient',
    ...(c.inpatient ? { admittedAt: `${c.admitted} 08:00:00`, dischargedAt: `${c.discharged} 10:00:00` } : { visitAt: `${c.lines[0]!.at} 09:00:00` }),
    diagnoses: [{ code: c.inpatient ? 'J18.900' : 'J06.900', main: true }],
    lines: c.lines.map((l, i) => ({
      lineId: `L${i + 1}`,
      itemCode: l.code,
      hospitalItemName: nameOf.get(l.code),
      category: l.category,
      serviceAt: `${l.at} 09:00:00`,
      quantity: l.qty,
      unitPrice: l.price.toFixed(2),
      amount: (fen(l.price * l.qty) / 100).toFixed(2),
    })),
    totalAmount: amount.toFixed(2),
    payment: { fund: amount.toFixed(2), personalAccount: '0', cash: '0' },
  };
}

let n = 0;
const person = (k: number) => `3201021960050100${String(k).padStart(2, '0')}`;
const stay = (institutionId: string, who: number, admitted: string, discharged: string, lines: Line[]): Sent => ({
  institutionId,
  claimId: `ZY${++n}`,
  person: person(who),
  inpatient: true,
  admitted,
  discharged,
  lines,
});
const visit = (institutionId: string, who: number, at: string, lines: Line[]): Sent => ({
  institutionId,
  claimId: `MZ${++n}`,
  person: person(who),
  inpatient: false,
  lines: lines.map((l) => ({ ...l, at })),
});
const bed = (at: string, qty: number, price = 38): Line => ({ code: ITEMS.bed.code, category: 'bed', price, qty, at });
const drug = (at: string, qty: number, price = 12.5): Line => ({ code: ITEMS.drug.code, category: 'drug', price, qty, at });
const consumable = (at: string, qty: number): Line => ({ code: ITEMS.consumable.code, category: 'consumable', price: 2.8, qty, at });
const exam = (at: string, price = 18): Line => ({ code: ITEMS.exam.code, category: 'lab', price, qty: 1, at });

/** HA: a readmission within 15 days, a weekend admission, a stay of 32 days, a 1-day stay, a bed above its ceiling. */
const claimsOfHA: Sent[] = [
  stay(HA, 1, '2026-10-01', '2026-10-05', [bed('2026-10-01', 4), drug('2026-10-02', 3), consumable('2026-10-02', 2)]),
  stay(HA, 1, '2026-10-12', '2026-10-14', [bed('2026-10-12', 2), drug('2026-10-12', 2, 11)]), // 7 days after: readmission
  stay(HA, 2, '2026-10-03', '2026-11-04', [bed('2026-10-03', 32, 45), exam('2026-10-03')]), // Saturday; 32 days; bed above the ceiling
  stay(HA, 3, '2026-10-20', '2026-10-21', [bed('2026-10-20', 1), exam('2026-10-20', 20)]), // 1 day; exam at its ceiling
  visit(HA, 4, '2026-10-08', [exam('', 15), drug('', 1, 12.5)]),
];
const previousMonthOfHA = [visit(HA, 5, '2026-09-15', [exam('', 18)])];
/** peers: ordinary stays of 5 to 8 days */
const peers = INSTITUTIONS.slice(1).flatMap((inst, i) => [
  stay(inst, 10 + i * 3, '2026-10-06', `2026-10-${String(11 + (i % 3)).padStart(2, '0')}`, [bed('2026-10-06', 5 + (i % 3)), drug('2026-10-07', 2, 10 + i)]),
  stay(inst, 11 + i * 3, '2026-10-14', '2026-10-20', [bed('2026-10-14', 6), exam('2026-10-14', 16)]),
  visit(inst, 12 + i * 3, '2026-10-09', [exam('', 14 + i)]),
]);

let svc: TestService;
const answers = new Map<string, { findings: { family: string; status: string; amount: string }[] }>();
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: INSTITUTIONS.map((id) => ({ id, level: 'secondary' })),
    items: Object.values(ITEMS).map((i) => ({ code: i.code, name: i.name, category: i.category, ceiling: { secondary: i.ceiling.toFixed(2) } })),
  });
  for (const c of [...previousMonthOfHA, ...claimsOfHA, ...peers]) {
    const res = await svc.call('/v1/claims', { json: wire(c) });
    expect(res.status).toBe(200);
    answers.set(c.claimId, await json(res));
  }
});
afterAll(async () => {
  await svc?.close();
});

const dayNo = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
/** the features of HA for 2026-10 computed here from the claims as sent, independently of the SQL */
async function expectedOfHA() {
  const cs = claimsOfHA;
  const stays = cs.filter((c) => c.inpatient);
  const los = (c: Sent) => Math.max(1, dayNo(c.discharged!) - dayNo(c.admitted!));
  const cost = cs.reduce((s, c) => s + total(c), 0);
  const lines = cs.flatMap((c) => c.lines);
  const lineCost = (cat?: string) => lines.filter((l) => !cat || l.category === cat).reduce((s, l) => s + fen(l.price * l.qty), 0) / 100;
  const readmitted = stays.filter((c) => stays.some((p) => p !== c && p.person === c.person && dayNo(p.discharged!) <= dayNo(c.admitted!) && dayNo(c.admitted!) - dayNo(p.discharged!) < 15));
  // findings as the API reports them (the claim's own and those filed on it later), provider-model ones aside
  let hitClaims = 0;
  let hitAmount = 0;
  const hits = { claims: 0, withTrial: 0, families: {} as Record<string, number> };
  for (const c of cs) {
    const stored = await json(await svc.call(`/v1/claims/${c.institutionId}/${c.claimId}`, { role: 'auditor' }));
    const all = [...stored.answer.findings, ...stored.laterFindings].filter(
      (f: { status: string; family: string }) => ['active', 'trial'].includes(f.status) && f.family !== 'provider-model' && f.family !== 'non-designated',
    );
    const fs = all.filter((f: { status: string }) => f.status === 'active');
    if (fs.length > 0) hitClaims++;
    if (all.length > 0) hits.withTrial++;
    for (const k of new Set(all.map((f: { status: string; family: string }) => (f.status === 'trial' ? `trial:${f.family}` : f.family))))
      hits.families[k as string] = (hits.families[k as string] ?? 0) + 1;
    hitAmount += fs.reduce((s: number, f: { amount: string }) => s + Number(f.amount), 0);
  }
  hits.claims = hitClaims;
  return {
    hits,
    claims: cs.length,
    patients: new Set(cs.map((c) => c.person)).size,
    admissions: stays.length,
    costPerVisit: cost / cs.length,
    costPerInpatientDay: stays.reduce((s, c) => s + total(c), 0) / stays.reduce((s, c) => s + los(c), 0),
    meanStay: stays.reduce((s, c) => s + los(c), 0) / stays.length,
    longStayShare: stays.filter((c) => los(c) >= 30).length / stays.length,
    shortStayShare: stays.filter((c) => los(c) <= 1).length / stays.length,
    readmission15Rate: readmitted.length / stays.length,
    weekendAdmissionShare: stays.filter((c) => [0, 6].includes(new Date(`${c.admitted}T00:00:00Z`).getUTCDay())).length / stays.length,
    drugShare: lineCost('drug') / lineCost(),
    consumableShare: lineCost('consumable') / lineCost(),
    ceilingPriceShare: lines.filter((l) => l.price >= ceilingOf.get(l.code)!).length / lines.length,
    linesPerVisit: lines.length / cs.length,
    patientsPerBed: new Set(stays.map((c) => c.person)).size / 100,
    ruleHitRate: hitClaims / cs.length,
    ruleHitAmountShare: hitAmount / cost,
    // September holds one claim of HA, under the 30 a month needs to be the base of a growth figure
    costGrowthMoM: null,
    costGrowthYoY: null,
  };
}

describe('provider model features', () => {
  it('match an independent computation from the claims as sent', async () => {
    const rows = await monthFeatures(svc.deps.database, '2026-10');
    expect(rows.map((r) => r.institutionId).sort()).toEqual([...INSTITUTIONS].sort());
    const ha = rows.find((r) => r.institutionId === HA)!;
    expect(ha.peerGroup).toBe('hospital/secondary');
    const expected = await expectedOfHA();
    // the cases the claims were built to contain are there
    expect(expected).toMatchObject({ admissions: 4, readmission15Rate: 0.25, weekendAdmissionShare: 0.25, longStayShare: 0.25, shortStayShare: 0.25 });
    expect(expected.ruleHitRate).toBeGreaterThan(0);
    for (const name of FEATURE_NAMES) {
      const want = expected[name];
      if (want === null) expect(ha.features[name], name).toBeNull();
      else expect(ha.features[name], name).toBeCloseTo(want, 9);
    }
    const cost = claimsOfHA.reduce((sum, c) => sum + total(c), 0);
    // with a minimum of one claim the month is complete enough: growth against it
    const one = (await monthFeatures(svc.deps.database, '2026-10', { growthMinClaims: 1 })).find((r) => r.institutionId === HA)!;
    expect(one.features.costGrowthMoM).toBeCloseTo(cost / total(previousMonthOfHA[0]!) - 1, 9);
    // before September's cut-off (its last day + 30 days) has passed, it is not: missing, not extreme
    const early = (await monthFeatures(svc.deps.database, '2026-10', { growthMinClaims: 1, asOf: new Date('2026-10-30T12:00:00+08:00') })).find((r) => r.institutionId === HA)!;
    expect(early.features.costGrowthMoM).toBeNull();
    const late = (await monthFeatures(svc.deps.database, '2026-10', { growthMinClaims: 1, asOf: new Date('2026-10-31T00:00:00+08:00') })).find((r) => r.institutionId === HA)!;
    expect(late.features.costGrowthMoM).toBeCloseTo(cost / total(previousMonthOfHA[0]!) - 1, 9);
    // the money at stake comes with the features: cost, fund share, withheld, rule-flagged
    expect(ha.exposure!.cost).toBeCloseTo(cost, 6);
    expect(ha.exposure!.fund).toBeCloseTo(cost, 6); // every claim here is paid wholly by the fund
    expect(ha.exposure!.flagged).toBeGreaterThan(0);
    // claims with a hit (of admissions; with rules in trial) and per family, for the targeting evidence
    const { families, ...counts } = expected.hits;
    expect(ha.ruleHits).toEqual(counts);
    expect(ha.ruleFamilies).toEqual(families);
    expect(counts.claims).toBeGreaterThan(0);
  });

  it('are made comparable within the peer group by median and MAD, with MAD = 0 guarded', () => {
    expect(peerStats([1, 2, 3, 4, 100])).toEqual({ median: 3, scale: 1 });
    expect(robustZ(100, peerStats([1, 2, 3, 4, 100]))).toBe(20); // capped
    expect(robustZ(4, peerStats([1, 2, 3, 4, 100]))).toBe(1);
    // more than half equal: MAD 0, the mean absolute deviation stands in
    const s = peerStats([0, 0, 0, 0, 0.5])!;
    expect(s.median).toBe(0);
    expect(s.scale).toBeCloseTo(0.1 * 0.8453, 3);
    expect(robustZ(0.5, peerStats([0, 0, 0]))).toBe(0);
    expect(robustZ(null, s)).toBe(0);
  });

  it('are explained in sentences with the value and the peer median', () => {
    expect(explainFeature('meanStay', 18.2, 7.9, 4.1)).toMatchObject({
      zh: '平均住院日 18.2 天, 同级同类机构中位数 7.9 天',
      en: 'mean length of stay 18.2 days; peer median 7.9 days',
    });
    expect(explainFeature('readmission15Rate', 0.125, 0.02, 3).zh).toBe('15 天内再住院率 12.5%, 同级同类机构中位数 2.0%');
  });
});

describe('training, scores and targeting', () => {
  let top: { institutionId: string; percentile: number; explanations: { zh: string; en: string }[]; targeting: { percentile: number; rank: number; zh: string; en: string } };

  it('gives identical scores for the same seed, and stores a version served by API', async () => {
    const rows: InstitutionMonth[] = await monthFeatures(svc.deps.database, '2026-10');
    const a = trainProviderModel(rows, '2026-10', { seed: 7 });
    const b = trainProviderModel([...rows].reverse(), '2026-10', { seed: 7 });
    expect(b.scores.map((s) => s.score)).toEqual(a.scores.map((s) => s.score));
    expect(JSON.stringify(b.forest)).toBe(JSON.stringify(a.forest));
    const other = trainProviderModel(rows, '2026-10', { seed: 8 });
    expect(other.scores.map((s) => s.score)).not.toEqual(a.scores.map((s) => s.score));

    const stored = await trainProviderModelVersion(
      { database: svc.deps.database, models: svc.deps.providerModels },
      { month: '2026-10', seed: 7, windowMonths: 1, evidenceMonths: 1, trainedBy: 'test' },
    );
    expect(stored.scores.map((s) => s.score)).toEqual(a.scores.map((s) => s.score));
    const again = await trainProviderModelVersion(
      { database: svc.deps.database, models: svc.deps.providerModels },
      { month: '2026-10', seed: 7, windowMonths: 1, evidenceMonths: 1, trainedBy: 'test' },
    );
    expect(again.inputHash).toBe(stored.inputHash);
    expect(again.modelId).toBeGreaterThan(stored.modelId);

    const models = await json(await svc.call('/v1/models', { role: 'auditor' }));
    expect(models.models[0]).toMatchObject({
      id: again.modelId,
      month: '2026-10',
      windowFrom: '2026-10',
      windowTo: '2026-10',
      seed: 7,
      trainingRows: 6,
      trainedBy: 'test',
      inputHash: stored.inputHash,
    });
    expect(models.models[0].params).toEqual({ trees: 100, psi: 256, seed: 7, windowMonths: 1, evidenceMonths: 1, sides: 'upper', minPeers: 5, growth: { cutoffDays: 30, minClaims: 30 } });
    // features without spread among these six (growth: no month complete enough to be its base) are left out and recorded
    const use = models.models[0].featureUse;
    expect(models.models[0].featureNames).toEqual(use.forest);
    expect(use.leftOut['hospital/secondary']).toEqual(FEATURE_NAMES.filter((f) => !use.forest.includes(f)));
    expect(use.leftOut['hospital/secondary']).toEqual(['costGrowthMoM', 'costGrowthYoY']);
    expect(use.forest).toEqual(expect.arrayContaining(['meanStay', 'costPerVisit']));
    const one = await json(await svc.call(`/v1/models/${stored.modelId}`, { role: 'supervisor' }));
    expect(one.model).toMatchObject({ format: 'claimscreen.isolation-forest', params: { trees: 100, psi: 256, seed: 7 }, sampleSize: 6 });

    const month = await json(await svc.call('/v1/provider-scores?month=2026-10', { role: 'auditor' }));
    expect(month.modelId).toBe(again.modelId);
    expect(month.scores.map((s: { score: number }) => s.score)).toEqual(a.scores.map((s) => s.score));
    expect(month.scores[0]).toMatchObject({ rank: 1, percentile: 100, peerGroup: 'hospital/secondary', peerBasis: 'type/level', nominalPeerGroup: 'hospital/secondary', peerSize: 6 });
    // targeting ranks by the targeting score: the institution it puts first of its peers
    const byTargeting = [...month.scores].sort((x: { targetingScore: number }, y: { targetingScore: number }) => y.targetingScore - x.targetingScore);
    top = byTargeting[0];
    expect(top.targeting).toMatchObject({ rank: 1, percentile: 100, peerGroup: 'hospital/secondary', peerSize: 6 });
    expect(byTargeting.at(-1).targeting.rank).toBe(6);
    expect(top.targeting.zh).toContain('目标分');
    const ha = await json(await svc.call(`/v1/provider-scores/${HA}?month=2026-10`, { role: 'auditor' }));
    expect(ha.features.meanStay).toBeCloseTo((4 + 2 + 32 + 1) / 4, 9);
    expect(ha.peerMedians.meanStay).toBeGreaterThan(4);
    expect(ha.explanations.length).toBeGreaterThan(0);
    for (const e of ha.explanations) {
      expect(e.value).toBe(ha.features[e.feature]);
      expect(e.peerMedian).toBe(ha.peerMedians[e.feature]);
      expect(e.z).toBe(ha.comparable[e.feature]);
      expect(e.zh).toContain('同级同类机构中位数');
    }
    const zs = ha.explanations.map((e: { z: number }) => e.z);
    expect(zs).toEqual([...zs].sort((x, y) => y - x));
    expect(zs.every((z: number) => z > 0)).toBe(true);
    expect(await json(await svc.call(`/v1/provider-scores/${HA}`, { role: 'auditor' }))).toEqual(ha);
  });

  it('refuses other roles, malformed months and unknown institutions', async () => {
    expect((await svc.call('/v1/provider-scores?month=2026-10', { role: 'settlement' })).status).toBe(403);
    expect((await svc.call('/v1/models', { role: null })).status).toBe(401);
    const bad = await svc.call('/v1/provider-scores?month=2026-13', { role: 'auditor' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('month');
    expect((await svc.call('/v1/provider-scores?month=2025-01', { role: 'auditor' })).status).toBe(404);
    expect((await svc.call('/v1/provider-scores/H9999?month=2026-10', { role: 'auditor' })).status).toBe(404);
    expect((await svc.call('/v1/models/999999', { role: 'auditor' })).status).toBe(404);
    const doc = await json(await svc.call('/openapi.json', { role: null }));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/models', '/v1/models/{id}', '/v1/provider-scores', '/v1/provider-scores/{institutionId}']));
  });

  it('routes an inpatient claim of the top-scored institution to review, stating the reason; not its outpatient claims', async () => {
    await svc.deps.providerScores.refresh();
    const inst = top.institutionId;
    const inpatient = stay(inst, 40, '2026-11-10', '2026-11-13', [bed('2026-11-10', 3)]);
    const answer = await json(await svc.call('/v1/claims', { json: wire(inpatient) }));
    expect(answer.decision).toBe('review');
    const f = answer.findings.find((x: { ruleId: string }) => x.ruleId === 'MODEL-PROVIDER-OUTLIER');
    expect(f).toMatchObject({ family: 'provider-model', severity: 'medium', status: 'active', amount: '0.00' });
    expect(f.message.zh).toContain('第 100 百分位');
    expect(f.message.zh).toContain('目标分');
    expect(f.message.zh).toContain(top.targeting.zh);
    expect(f.message.en).toContain(`Institution ${inst} a targeting score of`);

    const outpatient = await json(await svc.call('/v1/claims', { json: wire(visit(inst, 41, '2026-11-11', [exam('', 15)])) }));
    expect(outpatient.findings.map((x: { ruleId: string }) => x.ruleId)).not.toContain('MODEL-PROVIDER-OUTLIER');
    const lowest = (await json(await svc.call('/v1/provider-scores?month=2026-10', { role: 'auditor' }))).scores.sort(
      (x: { targetingScore: number }, y: { targetingScore: number }) => x.targetingScore - y.targetingScore,
    )[0].institutionId;
    const other = await json(await svc.call('/v1/claims', { json: wire(stay(lowest, 42, '2026-11-10', '2026-11-13', [bed('2026-11-10', 3)])) }));
    expect(other.findings.map((x: { ruleId: string }) => x.ruleId)).not.toContain('MODEL-PROVIDER-OUTLIER');
  });

  it('takes the percentile from the rule settings', async () => {
    const res = await svc.call('/v1/rules/MODEL-PROVIDER-OUTLIER/settings', { role: 'admin', method: 'PUT', json: { params: { percentile: 100 }, reason: 'only above the top' } });
    expect(res.status).toBe(200);
    const answer = await json(await svc.call('/v1/claims', { json: wire(stay(top.institutionId, 43, '2026-11-12', '2026-11-14', [bed('2026-11-12', 2)])) }));
    expect(answer.findings.map((x: { ruleId: string }) => x.ruleId)).not.toContain('MODEL-PROVIDER-OUTLIER');
  });
});
