import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

// Issue 15, items 3 and 7 (docs/review-money.md): money withheld at intake is not at issue again,
// not refusable again and not counted twice in the report; a line may be reduced with a reason code.

const INST = 'H32010200001';
const UNLISTED = 'H99000000001'; // not a designated institution: every claim of it is withheld in full at intake
const CUTOFF = '2027-01-01T00:00:00Z'; // the report counts the conclusions made today

// Two stays of one person overlapping 10-03..10-05: the later-admitted stay is at fault (STAY-OVERLAP,
// high) and its bed day while the person was in the other stay is withheld at intake when it arrives second.
const stay = (institutionId: string, claimId: string, person: string, admittedAt: string, dischargedAt: string, extra: object[] = []) => {
  const lines = [
    { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
    { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-04 09:00:00', quantity: 1, unitPrice: 45, amount: 45 },
    ...extra,
  ] as { amount: string | number }[];
  const total = lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0) / 100;
  return inpatientClaim({
    institutionId,
    claimId,
    insured: { id: person, sex: 'male', birthDate: '1958-03-14' },
    admittedAt,
    dischargedAt,
    lines,
    totalAmount: total.toFixed(2),
    payment: { fund: total.toFixed(2), personalAccount: '0', cash: '0' },
  });
};
const first = (inst: string, id: string, person: string, extra?: object[]) => stay(inst, id, person, '2026-10-01 08:00:00', '2026-10-05 10:00:00', extra);
const second = (inst: string, id: string, person: string, extra?: object[]) => stay(inst, id, person, '2026-10-03 08:00:00', '2026-10-08 10:00:00', extra);
// a drug line billed 10 × 12.50
const DRUG = {
  lineId: 'L3',
  itemCode: 'XJ01DDA040A001010100001',
  hospitalItemCode: 'YP88',
  hospitalItemName: '头孢曲松钠注射液',
  category: 'drug',
  serviceAt: '2026-10-04 09:00:00',
  quantity: 10,
  unitPrice: '12.50',
  amount: '125.00',
  specification: '1g',
  daysOfSupply: 5,
};

function staffOf(svcRef: () => TestService) {
  const staff: Record<string, string> = {};
  const as = (person: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${staff[person]}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${svcRef().url}${path}`, { ...init, headers, ...(init.json !== undefined ? { method: init.method ?? 'POST', body: JSON.stringify(init.json) } : {}) });
  };
  const hire = async () => {
    for (const [name, role] of [
      ['Li Na', 'auditor'],
      ['Wang Fang', 'auditor'],
      ['Sun Li', 'supervisor'],
    ] as const)
      staff[name] = (await svcRef().deps.keys.create({ clientName: name, role, createdBy: 'Admin Zhou' })).key;
  };
  return { as, hire, staff };
}

const post = async (svc: TestService, claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  expect(res.status).toBe(200);
  return json(res);
};

describe('money counted once: amount at issue, priority, the refusal and the report', () => {
  let svc: TestService;
  const { as, hire } = staffOf(() => svc);
  beforeAll(async () => {
    svc = await startTestService({ REVIEW_DRAW_POOL: '1' });
    await seedReference(svc, { institutions: [{ id: INST }] });
    await hire();
    // arrival order 1: the earlier stay first, so the later one's bed day is withheld at its intake
    await post(svc, first(INST, 'A-1', '320102195803140111'));
    const b1 = await post(svc, second(INST, 'B-1', '320102195803140111'));
    expect([b1.decision, b1.withheldAmount, b1.withheldLines]).toEqual(['withhold', '45.00', [{ lineId: 'L2', amount: '45.00' }]]);
    // arrival order 2: the later stay first; nothing of it was withheld when it was answered
    const b2 = await post(svc, second(INST, 'B-2', '320102195803140222'));
    expect([b2.decision, b2.withheldAmount]).toEqual(['pass', '0.00']);
    await post(svc, first(INST, 'A-2', '320102195803140222'));
    // an unlisted institution: both stays withheld in full at intake, the later one also has the suspicion
    await post(svc, first(UNLISTED, 'A-3', '320102195803140333'));
    const b3 = await post(svc, second(UNLISTED, 'B-3', '320102195803140333'));
    expect([b3.decision, b3.payableAmount, b3.withheldAmount]).toEqual(['withhold', '0.00', '65.00']);
  });
  afterAll(() => svc?.close());

  it('the amount at issue and the priority count only money still payable, in both arrival orders', async () => {
    const q = await json(await as('Sun Li', '/v1/review/cases?limit=100'));
    const byClaim = Object.fromEntries(q.items.map((c: { claim: { claimId: string } }) => [c.claim.claimId, c]));
    expect(Object.keys(byClaim).sort()).toEqual(['B-1', 'B-2', 'B-3']);
    // order 1: 65.00 of findings, 45.00 of it withheld at intake: 20.00 at issue; priority (20 + 5% of 20 payable) × 0.8 (high)
    expect(byClaim['B-1']).toMatchObject({ severity: 'high', amountAtIssue: '20.00', claimTotal: '65.00', priority: 16.8 });
    // order 2: nothing withheld at its intake, so all 65.00 is still payable; the bed day's violation is found after the
    // answer (retrospective, 45.00 on L2) and so is the overlap (retrospective, 65.00 on L1, L2): L2 counted once, 65.00 not 110.00; (65 + 3.25) × 1.0
    expect(byClaim['B-2']).toMatchObject({ severity: 'violation', reasonKinds: ['retrospective'], amountAtIssue: '65.00', priority: 68.25 });
    // withheld in full at intake: nothing at issue and the lowest priority, not the top (issue 15: demo case #112)
    expect(byClaim['B-3']).toMatchObject({ severity: 'high', amountAtIssue: '0.00', priority: 0 });
    expect(q.items.map((c: { claim: { claimId: string } }) => c.claim.claimId)).toEqual(['B-2', 'B-1', 'B-3']);
  });

  it('the case shows the intake decision and what was withheld per line; the refusal offers only what is still payable', async () => {
    const d2 = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(d2.claim.claimId).toBe('B-2');
    const detail2 = await json(await as('Li Na', `/v1/review/cases/${d2.id}`));
    expect(detail2.money).toMatchObject({ decision: 'pass', totalAmount: '65.00', payableAmount: '65.00', withheldAmount: '0.00', refusableAmount: '65.00' });
    expect((await as('Li Na', `/v1/review/cases/${d2.id}/conclusion`, { json: { outcome: 'confirmed', refusedLines: ['L1', 'L2'], amountRefused: '65.00', basis: '叠床住院' } })).status).toBe(200);
    expect((await as('Wang Fang', `/v1/review/cases/${d2.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);

    const d1 = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(d1.claim.claimId).toBe('B-1');
    const detail1 = await json(await as('Li Na', `/v1/review/cases/${d1.id}`));
    expect(detail1.money).toEqual({
      decision: 'withhold',
      totalAmount: '65.00',
      payableAmount: '20.00',
      withheldAmount: '45.00',
      refusableAmount: '20.00',
      lines: [
        { lineId: 'L1', quantity: '1.0000', unitPrice: '20.0000', amount: '20.00', withheldAtIntake: '0.00', refusable: '20.00' },
        { lineId: 'L2', quantity: '1.0000', unitPrice: '45.0000', amount: '45.00', withheldAtIntake: '45.00', refusable: '0.00' },
      ],
    });
    const url = `/v1/review/cases/${d1.id}/conclusion`;
    const again = await as('Li Na', url, { json: { outcome: 'confirmed', refusedLines: ['L2'], amountRefused: '45.00', basis: 'x' } });
    expect(again.status).toBe(400);
    expect((await json(again)).error.details).toEqual([{ path: 'refusedLines[0]', message: 'was withheld in full at intake (45.00): nothing is left to refuse' }]);
    const tooMuch = await as('Li Na', url, { json: { outcome: 'confirmed', refusedLines: ['L1'], amountRefused: '65.00', basis: 'x' } });
    expect(tooMuch.status).toBe(400);
    expect((await json(tooMuch)).error.details[0]).toMatchObject({ path: 'amountRefused', message: expect.stringContaining('(20.00; the intake withheld 45.00 already)') });
    const ok = await as('Li Na', url, { json: { outcome: 'confirmed', refusedLines: ['L1'], amountRefused: '20.00', basis: '叠床住院' } });
    expect(ok.status).toBe(200);
    expect((await as('Wang Fang', `/v1/review/cases/${d1.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);

    const d3 = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(d3.claim.claimId).toBe('B-3');
    const detail3 = await json(await as('Li Na', `/v1/review/cases/${d3.id}`));
    expect(detail3.money).toMatchObject({ decision: 'withhold', payableAmount: '0.00', withheldAmount: '65.00', refusableAmount: '0.00' });
    expect((await as('Li Na', `/v1/review/cases/${d3.id}/conclusion`, { json: { outcome: 'confirmed', refusedLines: ['L1'], amountRefused: '20.00', basis: 'x' } })).status).toBe(400);
    // the violation confirmed, nothing more refused: what the intake withheld stands
    const stands = await json(await as('Li Na', `/v1/review/cases/${d3.id}/conclusion`, { json: { outcome: 'confirmed', basis: '非定点 and 叠床住院' } }));
    expect(stands.status).toBe('concluded');
    expect((await as('Wang Fang', `/v1/review/cases/${d3.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);
    const done = await json(await as('Sun Li', `/v1/review/cases/${d3.id}`));
    expect(done.conclusions.map((c: { amountRefused: string; lines: unknown[] }) => [c.amountRefused, c.lines])).toEqual([['0.00', []]]);
  });

  it('the report sums refusals once: a refusal never counts what the intake withheld, even one stored before this rule', async () => {
    // A conclusion as the API accepted before issue 15: refusing the 65.00 the intake had already withheld from B-3.
    const q = svc.deps.database.query;
    const [c3] = await q<{ id: string }>(`select c.id from review_cases c join claims cl on cl.id = c.claim_id where cl.claim_no = 'B-3'`);
    const [k] = await q<{ id: string }>(
      `insert into review_conclusions (case_id, outcome, refused_lines, amount_refused, basis, concluded_by) values ($1, 'confirmed', '["L1","L2"]', 65.00, 'legacy', 'Li Na') returning id`,
      [c3!.id],
    );
    await q(`insert into review_second_reviews (conclusion_id, case_id, verdict, reviewed_by) values ($1, $2, 'agree', 'Wang Fang')`, [k!.id, c3!.id]);
    const report = await json(await as('Sun Li', `/v1/reports/2026-10?cutoff=${CUTOFF}`));
    const inst = (id: string) => report.institutions.find((i: { institutionId: string }) => i.institutionId === id);
    // INST: 65.00 (B-2, nothing withheld) + 20.00 (B-1, 45.00 withheld at intake); the intake's withholding is its own column
    expect(inst(INST).review).toMatchObject({ violationsConfirmed: 2, refusedAmount: '85.00' });
    expect(inst(INST).withheld).toBe('45.00');
    // UNLISTED: the legacy 65.00 refusal of money withheld at intake counts nothing
    expect(inst(UNLISTED).review).toMatchObject({ violationsConfirmed: 1, refusedAmount: '0.00' });
    expect(inst(UNLISTED).withheld).toBe('130.00');
    const o = await json(await as('Sun Li', '/v1/review/outcomes'));
    // per reason kind: B-1 20.00 and B-3 0.00 (its legacy 65.00 capped at what was payable: nothing); B-2 65.00
    expect(o.reasons.find((r: { kind: string }) => r.kind === 'finding')).toMatchObject({ confirmed: 2, amountRefused: '20.00' });
    expect(o.reasons.find((r: { kind: string }) => r.kind === 'retrospective')).toMatchObject({ confirmed: 1, amountRefused: '65.00' });
  });
});

describe('partial refusals: a line reduced in quantity or unit price, with a reason code', () => {
  let svc: TestService;
  const { as, hire } = staffOf(() => svc);
  beforeAll(async () => {
    svc = await startTestService({ REVIEW_DRAW_POOL: '1' });
    await seedReference(svc, { institutions: [{ id: INST }] });
    await hire();
    // order 1 (earlier stay first): L2 withheld at intake; order 2: nothing withheld
    await post(svc, first(INST, 'A-1', '320102195803140111'));
    expect((await post(svc, second(INST, 'B-1', '320102195803140111', [DRUG]))).withheldAmount).toBe('45.00');
    expect((await post(svc, second(INST, 'B-2', '320102195803140222', [DRUG]))).withheldAmount).toBe('0.00');
    await post(svc, first(INST, 'A-2', '320102195803140222'));
  });
  afterAll(() => svc?.close());

  it('refuses bad reductions with the field named', async () => {
    const d = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(d.claim.claimId).toBe('B-2'); // 190.00 still payable against B-1's 145.00
    const url = `/v1/review/cases/${d.id}/conclusion`;
    const bad = async (adjustments: unknown[], extra: object = {}) => {
      const res = await as('Li Na', url, { json: { outcome: 'confirmed', adjustments, basis: 'x', ...extra } });
      expect(res.status).toBe(400);
      return (await json(res)).error.details;
    };
    expect((await bad([{ lineId: 'L3', code: 'bogus', quantity: 4 }]))[0].path).toBe('adjustments[0].code');
    expect(await bad([{ lineId: 'L3', code: 'over-quantity', quantity: 11 }])).toEqual([{ path: 'adjustments[0].quantity', message: 'must not exceed the quantity billed (10.0000)' }]);
    expect(await bad([{ lineId: 'L3', code: 'over-quantity', quantity: '1.23456' }])).toEqual([{ path: 'adjustments[0].quantity', message: 'must be a number ≥ 0 with at most four decimals' }]);
    expect(await bad([{ lineId: 'L3', code: 'over-price' }])).toEqual([{ path: 'adjustments[0]', message: 'must give the approved quantity or unit price (or both)' }]);
    expect(await bad([{ lineId: 'L3', code: 'over-price', unitPrice: '12.50' }])).toEqual([{ path: 'adjustments[0]', message: 'must lower the quantity or the unit price billed' }]);
    expect(await bad([{ lineId: 'L9', code: 'other', quantity: 0 }])).toEqual([{ path: 'adjustments[0].lineId', message: 'is not a line of the claim (L1, L2, L3)' }]);
    expect(await bad([{ lineId: 'L3', code: 'over-quantity', quantity: 4 }], { refusedLines: ['L3'], amountRefused: '125.00' })).toEqual([
      { path: 'adjustments[0].lineId', message: 'names a line already refused or reduced' },
    ]);
    expect(await bad([{ lineId: 'L3', code: 'over-quantity', quantity: 4 }], { amountRefused: '70.00' })).toEqual([
      { path: 'amountRefused', message: 'must be at least what the reductions refuse (75.00)' },
    ]);
  });

  it('arrival order 2 (nothing withheld): reductions refuse billed minus approved; whole lines carry codes too; the trail carries them', async () => {
    const [d] = (await json(await as('Li Na', '/v1/review/cases?assignee=me&status=assigned'))).items;
    const res = await as('Li Na', `/v1/review/cases/${d.id}/conclusion`, {
      json: {
        outcome: 'confirmed',
        basis: '超量用药；床位费超标准',
        adjustments: [
          { lineId: 'L3', code: 'over-quantity', quantity: 4 },
          { lineId: 'L2', code: 'over-price', unitPrice: '30.00' },
        ],
        refusedLines: [{ lineId: 'L1', code: 'not-rendered' }],
        amountRefused: '110.00',
      },
    });
    expect(res.status).toBe(200);
    const detail = await json(await as('Sun Li', `/v1/review/cases/${d.id}`));
    const k = detail.conclusions.at(-1);
    expect(k.amountRefused).toBe('110.00'); // 20.00 whole + 75.00 (10 → 4 × 12.50) + 15.00 (45.00 → 30.00)
    expect(k.refusedLines).toEqual(['L1', 'L3', 'L2']);
    expect(k.lines).toEqual([
      { lineId: 'L1', kind: 'whole', code: 'not-rendered', amount: '20.00', withheldAtIntake: '0.00', approvedAmount: '0.00', refused: '20.00' },
      {
        lineId: 'L3',
        kind: 'reduced',
        code: 'over-quantity',
        amount: '125.00',
        withheldAtIntake: '0.00',
        quantity: { billed: '10.0000', approved: '4.0000' },
        approvedAmount: '50.00',
        refused: '75.00',
      },
      {
        lineId: 'L2',
        kind: 'reduced',
        code: 'over-price',
        amount: '45.00',
        withheldAtIntake: '0.00',
        unitPrice: { billed: '45.0000', approved: '30.0000' },
        approvedAmount: '30.00',
        refused: '15.00',
      },
    ]);
    const entry = detail.trail.find((e: { action: string }) => e.action === 'case.conclude');
    expect(entry.after).toMatchObject({ amountRefused: '110.00', lines: k.lines });
    expect((await as('Wang Fang', `/v1/review/cases/${d.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);
    const verify = await json(await as('Sun Li', '/v1/review/trail/verify'));
    expect(verify).toMatchObject({ ok: true, pending: 0 });
  });

  it('arrival order 1 (L2 withheld at intake): a reduction refuses only what is still payable; the amount may be left out', async () => {
    const d = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
    expect(d.claim.claimId).toBe('B-1');
    const url = `/v1/review/cases/${d.id}/conclusion`;
    const nothing = await as('Li Na', url, { json: { outcome: 'confirmed', basis: 'x', adjustments: [{ lineId: 'L2', code: 'over-price', unitPrice: '30.00' }] } });
    expect(nothing.status).toBe(400);
    expect((await json(nothing)).error.details).toEqual([{ path: 'adjustments[0]', message: 'refuses nothing beyond the 45.00 withheld at intake (still payable 0.00, approved 30.00)' }]);
    const res = await as('Li Na', url, {
      json: {
        outcome: 'confirmed',
        basis: '超量用药；诊查费超标准',
        adjustments: [
          { lineId: 'L3', code: 'over-quantity', quantity: '4' },
          { lineId: 'L1', code: 'over-price', unitPrice: 15 },
        ],
      },
    });
    expect(res.status).toBe(200);
    const k = (await json(await as('Sun Li', `/v1/review/cases/${d.id}`))).conclusions.at(-1);
    expect([k.amountRefused, k.lines.map((l: { lineId: string; code: string; refused: string }) => [l.lineId, l.code, l.refused])]).toEqual([
      '80.00',
      [
        ['L3', 'over-quantity', '75.00'],
        ['L1', 'over-price', '5.00'],
      ],
    ]);
    expect((await as('Wang Fang', `/v1/review/cases/${d.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);
  });

  it('the report carries the refusals by reason code (JSON and CSV)', async () => {
    const report = await json(await as('Sun Li', `/v1/reports/2026-10?cutoff=${CUTOFF}`));
    expect(report.review.refusals).toEqual([
      { code: 'not-rendered', label: '虚记费用（未提供）', wholeLines: 1, reducedLines: 0, refused: '20.00' },
      { code: 'over-price', label: '超标准收费', wholeLines: 0, reducedLines: 2, refused: '20.00' },
      { code: 'over-quantity', label: '超量（超出必要或限定的数量）', wholeLines: 0, reducedLines: 2, refused: '150.00' },
    ]);
    const english = await json(await as('Sun Li', `/v1/reports/2026-10?cutoff=${CUTOFF}&lang=en`));
    expect(english.review.refusals.map((x: { label: string }) => x.label)).toEqual(['not rendered', 'unit price above the standard', 'quantity beyond what was needed or allowed']);
    expect(report.institutions.find((i: { institutionId: string }) => i.institutionId === INST).review.refusedAmount).toBe('190.00');
    const csv = await (await as('Sun Li', `/v1/reports/2026-10?cutoff=${CUTOFF}&format=csv&table=review_refusals`)).text();
    expect(csv).toContain('over-quantity');
    expect(csv).toContain('150.00');
  });
});
