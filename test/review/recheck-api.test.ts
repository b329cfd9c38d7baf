import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawValue, underRate } from '../../src/review/sampling.js';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The re-check through the service: the close sets the due date, a draw serves a ripe sample case
 * ahead of a more urgent targeted one, the auditor works it blind, and its completion is in
 * GET /v1/review/recheck and in the monthly report. Due 1 day after the cut-off, so October's
 * re-check is already due (the cut-off is 2026-11-16 00:00 CST): every sample case is ripe at the close.
 */
const INST = 'H32010200001';
let svc: TestService;
const staff: Record<string, string> = {};
const as = (person: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${staff[person]}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${svc.url}${path}`, { ...init, headers, ...(init.json !== undefined ? { method: init.method ?? 'POST', body: JSON.stringify(init.json) } : {}) });
};
const stay = (claimId: string, person: string, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    claimId,
    insured: { id: person, sex: 'male', birthDate: '1958-03-14' },
    admittedAt,
    dischargedAt,
    lines: [
      { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
      { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-04 09:00:00', quantity: 1, unitPrice: 45, amount: 45 },
    ],
    totalAmount: '65.00',
    payment: { fund: '65.00', personalAccount: '0', cash: '0' },
  });

beforeAll(async () => {
  svc = await startTestService({ REVIEW_DRAW_POOL: '1', REVIEW_SAMPLE_DUE_DAYS: '1', REVIEW_SAMPLE_SLACK_DAYS: '0' });
  await seedReference(svc, { institutions: [{ id: INST }] });
  for (const [name, role] of [
    ['Li Na', 'auditor'],
    ['Sun Li', 'supervisor'],
    ['Admin Zhou', 'admin'],
  ] as const)
    staff[name] = (await svc.deps.keys.create({ clientName: name, role, createdBy: 'bootstrap' })).key;
  // two overlapping stays (a high suspicion on the later one) and 18 stays of other people
  const claims = [stay('A1', '320102195803140111', '2026-10-01 08:00:00', '2026-10-05 10:00:00'), stay('B1', '320102195803140111', '2026-10-03 08:00:00', '2026-10-08 10:00:00')];
  for (let i = 0; i < 18; i++) claims.push(stay(`C${i}`, `3201021958031402${String(i).padStart(2, '0')}`, '2026-10-03 08:00:00', '2026-10-06 10:00:00'));
  for (const c of claims) {
    const res = await svc.call('/v1/claims', { json: c });
    expect(res.status, await res.clone().text()).toBe(200);
  }
});
afterAll(() => svc?.close());

describe('the re-check through the API', () => {
  it('the close sets the due date; a draw serves the sample first, blind; completion and the report follow it', async () => {
    const closed = await json(await as('Sun Li', '/v1/review/sampling/2026-10/close', { method: 'POST' }));
    expect(closed.dueAt).toBe('2026-11-16T16:00:00.000Z'); // the cut-off 2026-11-16 00:00 CST + 1 day
    const sampled = closed.groups.find((g: { visitType: string }) => g.visitType === 'inpatient').sampled as number;
    expect(sampled).toBeGreaterThanOrEqual(1); // ⌈5% × 20⌉

    const before = await json(await as('Sun Li', '/v1/review/recheck?month=2026-10'));
    expect(before.groups).toEqual([
      {
        institutionId: INST,
        month: '2026-10',
        visitType: 'inpatient',
        required: 1,
        sampled,
        drawn: 0,
        concluded: 0,
        final: 0,
        dueAt: closed.dueAt,
        overdue: true,
        complete: false,
        closedAt: expect.any(String),
      },
    ]);
    expect(before.totals).toEqual({ groups: 1, complete: 0, overdue: 1, sampled, concluded: 0 });
    expect((await as('Li Na', '/v1/review/recheck')).status).toBe(403);
    const bad = await as('Sun Li', '/v1/review/recheck?month=2026-13&outstanding=maybe');
    expect(bad.status).toBe(400);
    const issues = JSON.stringify(await json(bad));
    expect(issues).toContain('month');
    expect(issues).toContain('outstanding');
    const spec = await json(await fetch(`${svc.url}/openapi.json`));
    expect(Object.keys(spec.paths)).toContain('/v1/review/recheck');

    // The targeted case (B1, high) heads the queue and the pool is 1, yet the draws give the sample first.
    const queue = await json(await as('Sun Li', '/v1/review/cases?status=open'));
    expect(queue.items[0].reasonKinds).toContain('finding');
    for (let i = 0; i < sampled; i++) {
      const drawn = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
      expect(drawn).toMatchObject({ blinded: true, reasonKinds: null, severity: null, amountAtIssue: null, providerRisk: null, priority: null });
      const seen = await json(await as('Li Na', `/v1/review/cases/${drawn.id}`));
      expect(seen.case.blinded).toBe(true);
      expect(seen.reasons.map((r: { kind: string }) => r.kind)).not.toContain('sample');
      expect(JSON.stringify(seen)).not.toMatch(/"sample"|month-close/);
      const truth = await json(await as('Sun Li', `/v1/review/cases/${drawn.id}`));
      expect(truth.case.reasonKinds).toContain('sample');
      const concluded = await json(await as('Li Na', `/v1/review/cases/${drawn.id}/conclusion`, { json: { outcome: 'dismissed', reason: 'checked line by line against the ward record' } }));
      expect(concluded).toMatchObject({ status: 'concluded', blinded: false });
      expect(concluded.reasonKinds).toContain('sample');
    }
    const next = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    const truth = await json(await as('Sun Li', `/v1/review/cases/${next.id}`));
    expect(truth.case.reasonKinds).not.toContain('sample');

    const after = await json(await as('Sun Li', '/v1/review/recheck?month=2026-10'));
    expect(after.groups[0]).toMatchObject({ sampled, drawn: sampled, concluded: sampled, final: 0, complete: true, overdue: false });
    expect((await json(await as('Sun Li', '/v1/review/recheck?outstanding=true'))).groups).toEqual([]);
    expect((await json(await as('Admin Zhou', '/v1/review/sampling/2026-10/verify'))).match).toBe(true);

    // The report: concluded to date, none by the due date (it had passed): overdue.
    const report = await json(await as('Sun Li', '/v1/reports/2026-10?format=json'));
    expect(report.review.recheckCompletion).toEqual([
      { institutionId: INST, name: expect.anything(), visitType: 'inpatient', required: 1, sampled, concludedByDue: 0, concluded: sampled, dueAt: '2026-11-17 00:00', state: 'overdue' },
    ]);
    const html = await (await as('Sun Li', '/v1/reports/2026-10?format=html')).text();
    expect(html).toContain('随机复审完成情况');
    expect(html).toContain(`到期前完成 0 / ${sampled} 件抽样案件`);
    // Compliance: re-checks concluded against those required, for the closed month.
    expect(report.review.recheckOpen).toBe(false);
    expect(report.review.recheck).toEqual([expect.objectContaining({ institutionId: INST, visitType: 'inpatient', required: 1, concluded: sampled, shortfall: Math.max(0, 1 - sampled) })]);
    const en = await (await as('Sun Li', '/v1/reports/2026-10?format=html&lang=en')).text();
    expect(en).toContain(`0 of ${sampled} sample cases concluded by the due date`);
  });

  it('a claim of the closed month sampled at intake is due with its month and drawn first', async () => {
    const key = svc.deps.review.key;
    const claimId = Array.from({ length: 2000 }, (_, i) => `LATE${i}`).find((id) => underRate(drawValue(key, INST, id), 50_000))!;
    expect((await svc.call('/v1/claims', { json: stay(claimId, '320102195803140333', '2026-10-03 08:00:00', '2026-10-06 10:00:00') })).status).toBe(200);
    const rows = await svc.deps.database.query<{ id: number; due: string; ripe: boolean }>(
      `select c.id::int as id, (extract(epoch from c.sample_due_at) * 1000)::float8::text as due, c.sample_ripe_at <= now() as ripe
       from review_cases c join claims cl on cl.id = c.claim_id where cl.claim_no = $1`,
      [claimId],
    );
    expect(rows).toEqual([{ id: expect.any(Number), due: String(Date.parse('2026-11-16T16:00:00.000Z')), ripe: true }]);
    const drawn = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(drawn.id).toBe(Number(rows[0]!.id));
    expect(drawn.claim.claimId).toBe(claimId);
    const group = (await json(await as('Sun Li', '/v1/review/recheck?month=2026-10'))).groups[0];
    expect(group).toMatchObject({ drawn: group.sampled, concluded: group.sampled - 1, complete: false, overdue: true });
  });
});
