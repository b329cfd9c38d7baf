import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilson } from '../../src/review/outcomes.js';
import { drawValue, requiredCount, selectGroup, underRate, verifyMonth } from '../../src/review/sampling.js';
import { simulate } from '../../sim/simulation.js';
import { loadReference } from '../../scripts/sim/load-reference.js';
import { streamClaims } from '../../scripts/sim/stream-claims.js';
import { outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

describe('the selection rule', () => {
  it('requires ceil(rate × n): 30 inpatient claims at 5% need 2, 20 need 1, 41 need 3, none need 0', () => {
    expect([30, 20, 40, 41, 0, 1].map((n) => requiredCount(50_000, n))).toEqual([2, 1, 2, 3, 0, 1]);
    expect(requiredCount(10_000, 100)).toBe(1);
    expect(requiredCount(10_000, 101)).toBe(2);
  });

  it('takes the lowest draw values, at least the floor and every value under the rate', () => {
    const claims = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, value: BigInt(i) * 2n ** 43n }));
    // values i/32 of 2^48: 0/32 and 1/32 fall under 5% (1.6/32), the floor is 2
    expect([...selectGroup(claims, 50_000).selected]).toEqual(['c0', 'c1']);
    expect(selectGroup(claims, 50_000).required).toBe(2);
    // at 20% the values under the rate (7 of them: 0..6/32) exceed the floor of 6
    expect(selectGroup(claims, 200_000).selected.size).toBe(7);
    expect(underRate(2n ** 47n, 500_000)).toBe(false);
    expect(underRate(2n ** 47n - 1n, 500_000)).toBe(true);
  });
});

describe('the unflagged violation share', () => {
  it('is a Wilson 95% interval: 2 of 40 gives about 1.38%–16.5%; 0 of 50 gives 0–7.1%; none concluded gives none', () => {
    const a = wilson(2, 40)!;
    expect(a.estimate).toBe(0.05);
    expect(a.low).toBeCloseTo(0.0138, 3);
    expect(a.high).toBeCloseTo(0.165, 3);
    const b = wilson(0, 50)!;
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.0713, 3);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('the random re-check through the service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ REVIEW_SAMPLE_RATE_OUTPATIENT: '0.3', REVIEW_SAMPLE_RATE_PHARMACY: '0.02' });
    await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
  });
  afterAll(() => svc?.close());

  const sampledClaims = async (month: string) =>
    new Set(
      (
        await svc.deps.database.query<{ claim_no: string }>(
          `select cl.claim_no from review_reasons r join review_cases c on c.id = r.case_id join claims cl on cl.id = c.claim_id
           where r.kind = 'sample' and c.service_month = $1`,
          [month],
        )
      ).map((r) => r.claim_no),
    );

  it('draws at intake in the database exactly the claims whose keyed HMAC falls under the rate, and never says so in the answer', async () => {
    const claims = Array.from({ length: 40 }, (_, i) => outpatientClaim({ claimId: `S${String(i).padStart(3, '0')}` }));
    const body = claims.map((c) => JSON.stringify(c)).join('\n');
    const res = await svc.call('/v1/claims/stream', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const answers = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.every((a) => a.status === 200)).toBe(true);

    const key = svc.deps.review.key;
    const expected = claims.filter((c) => underRate(drawValue(key, c.institutionId, c.claimId), 300_000)).map((c) => c.claimId);
    expect(expected.length).toBeGreaterThan(3);
    expect([...(await sampledClaims('2026-10'))].sort()).toEqual(expected.sort());

    // The answer of a sampled claim is shaped like any other and says nothing of the sample.
    const sampled = await json(await svc.call(`/v1/claims/H32010200001/${expected[0]}`));
    const other = claims.find((c) => !expected.includes(c.claimId))!;
    const unsampled = await json(await svc.call(`/v1/claims/H32010200001/${other.claimId}`));
    expect(Object.keys(sampled).sort()).toEqual(Object.keys(unsampled).sort());
    expect(Object.keys(sampled.answer).sort()).toEqual(Object.keys(unsampled.answer).sort());
    expect(JSON.stringify(sampled)).not.toMatch(/sample|review|case/i);
  });

  it('month close tops every group up to the floor, is idempotent, and the selection re-derives from the database and the key', async () => {
    const before = await sampledClaims('2026-10');
    const closed = await json(await svc.call('/v1/review/sampling/2026-10/close', { method: 'POST', role: 'supervisor' }));
    const group = closed.groups.find((g: { visitType: string }) => g.visitType === 'outpatient');
    expect(group).toMatchObject({ claims: 40, required: 12, ratePpm: 300_000 });
    expect(group.sampled).toBe(Math.max(12, before.size));
    const after = await sampledClaims('2026-10');
    for (const c of before) expect(after.has(c)).toBe(true);
    expect((await json(await svc.call('/v1/review/sampling/2026-10/close', { method: 'POST', role: 'supervisor' }))).added).toBe(0);

    const verdict = await json(await svc.call('/v1/review/sampling/2026-10/verify', { role: 'admin' }));
    expect(verdict.match).toBe(true);
    expect(verdict.groups[0]).toMatchObject({ mode: 'closed', derived: group.sampled, sampled: group.sampled });
    // A different key derives a different selection: the stored one no longer matches.
    const wrong = await verifyMonth(svc.deps.database, Buffer.alloc(32, 7), svc.deps.review.rates, '2026-10');
    expect(wrong.match).toBe(false);
    expect((await svc.call('/v1/review/sampling/2026-10/close', { method: 'POST', role: 'auditor' })).status).toBe(403);
    const trail = (await json(await svc.call('/v1/review/trail', { role: 'admin' }))).entries;
    expect(trail.filter((e: { action: string }) => e.action === 'sampling.close')).toHaveLength(2);
  });

  it('the synthetic world’s month: at least 5.0% of every institution’s inpatient claims sampled after the close', async () => {
    const world = simulate({ seed: 11, month: '2026-09', scale: 0.02 });
    await loadReference(world.reference(), svc.url, svc.keys.admin);
    const { sent, answered } = await streamClaims(world.claims(), { url: svc.url, key: svc.keys.settlement, onAnswer: () => {} });
    expect(answered).toBe(sent);
    await svc.call('/v1/review/sampling/2026-09/close', { method: 'POST', role: 'admin' });
    const report = (await json(await svc.call('/v1/review/sampling/2026-09', { role: 'supervisor' }))).groups as {
      institutionId: string;
      visitType: string;
      claims: number;
      sampled: number;
      required: number;
      met: boolean;
    }[];
    const inpatient = report.filter((g) => g.visitType === 'inpatient');
    expect(inpatient.length).toBeGreaterThan(3);
    for (const g of inpatient) {
      expect(g.sampled / g.claims, `${g.institutionId}: ${g.sampled} of ${g.claims}`).toBeGreaterThanOrEqual(0.05);
      expect(g.sampled).toBeGreaterThanOrEqual(Math.ceil((g.claims * 5) / 100));
    }
    expect(report.every((g) => g.met)).toBe(true);
    expect((await verifyMonth(svc.deps.database, svc.deps.review.key, svc.deps.review.rates, '2026-09')).match).toBe(true);
  }, 300_000);
});
