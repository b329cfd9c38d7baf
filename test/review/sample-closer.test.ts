import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_CLOSER, createSampleCloser } from '../../src/review/sample-closer.js';
import { inpatientClaim } from '../support/claims.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The service closes a month's re-check on its own once the month's cut-off has passed (the 15th
 * day after the month, 24:00 CST), and never a month a person or an earlier run closed already.
 */
const INST = 'H32010200001';
let svc: TestService;
const stay = (claimId: string, person: string, month: string) =>
  inpatientClaim({
    claimId,
    insured: { id: person, sex: 'male', birthDate: '1958-03-14' },
    admittedAt: `${month}-03 08:00:00`,
    dischargedAt: `${month}-06 10:00:00`,
    lines: [{ lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: `${month}-03 08:00:00`, quantity: 1, unitPrice: '20.00', amount: '20.00' }],
    totalAmount: '20.00',
    payment: { fund: '20.00', personalAccount: '0', cash: '0' },
  });
const cst = (text: string) => Date.parse(`${text}+08:00`);
const closer = (now: number, intervalMs = 0) =>
  createSampleCloser({ database: svc.deps.database, logger: svc.deps.logger, key: svc.deps.review.key, rates: svc.deps.review.rates, schedule: svc.deps.review.schedule, intervalMs, now: () => now });
const closedMonths = async () =>
  (
    await svc.deps.database.query<{ service_month: string; closed_by: string; due_at: string; required: number; sampled: number }>(
      `select service_month, closed_by, due_at, required, sampled from review_sample_months where institution_id = $1 order by service_month`,
      [INST],
    )
  ).map((r) => ({ month: r.service_month, by: r.closed_by, dueAt: new Date(r.due_at).toISOString(), required: Number(r.required), sampled: Number(r.sampled) }));

beforeAll(async () => {
  svc = await startTestService({ REVIEW_SAMPLE_DUE_DAYS: '20', REVIEW_SAMPLE_SLACK_DAYS: '5' });
  await seedReference(svc, { institutions: [{ id: INST }] });
  for (let i = 0; i < 4; i++) expect((await svc.call('/v1/claims', { json: stay(`S${i}`, `32010219580314010${i}`, '2026-09') })).status).toBe(200);
  for (let i = 0; i < 20; i++) expect((await svc.call('/v1/claims', { json: stay(`O${i}`, `3201021958031402${String(i).padStart(2, '0')}`, '2026-10') })).status).toBe(200);
});
afterAll(() => svc?.close());

describe('the re-check closed at the cut-off', () => {
  it('closes nothing before a month’s cut-off, then exactly the months whose cut-off passed, once', async () => {
    // 2026-10-15 23:59 CST: September's cut-off (2026-10-15 24:00, i.e. 16 October 00:00) has not passed yet
    expect(await closer(cst('2026-10-15T23:59:00')).closeDue()).toEqual([]);
    expect(await closedMonths()).toEqual([]);

    // a minute later September is closed: ⌈5% × 4⌉ = 1 required, due 20 days after its cut-off; October is not
    expect(await closer(cst('2026-10-16T00:00:01')).closeDue()).toEqual(['2026-09']);
    const september = await closedMonths();
    expect(september).toEqual([{ month: '2026-09', by: AUTO_CLOSER, dueAt: new Date(cst('2026-11-05T00:00:00')).toISOString(), required: 1, sampled: expect.any(Number) }]);
    expect(september[0]!.sampled).toBeGreaterThanOrEqual(1);

    // the trail names the closer
    const trail = await svc.deps.database.query<{ actor: string; action: string }>(`select actor, action from review_trail where action = 'sampling.close' order by seq`);
    expect(trail).toEqual([{ actor: AUTO_CLOSER, action: 'sampling.close' }]);
  });

  it('runs on its interval in the background, and leaves a closed month alone', async () => {
    const c = closer(cst('2026-11-20T12:00:00'), 20);
    c.start();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(await closedMonths()).some((m) => m.month === '2026-10')) await new Promise((r) => setTimeout(r, 50));
    await c.stop();
    const months = await closedMonths();
    expect(months.map((m) => [m.month, m.by, m.dueAt, m.required])).toEqual([
      ['2026-09', AUTO_CLOSER, new Date(cst('2026-11-05T00:00:00')).toISOString(), 1],
      ['2026-10', AUTO_CLOSER, new Date(cst('2026-12-06T00:00:00')).toISOString(), 1],
    ]);
    // closed once: a later run finds nothing to do and writes no second trail entry
    expect(await closer(cst('2026-11-21T12:00:00')).closeDue()).toEqual([]);
    const closes = await svc.deps.database.query<{ n: number }>(`select count(*)::int as n from review_trail where action = 'sampling.close'`);
    expect(Number(closes[0]!.n)).toBe(2);
  });
});
