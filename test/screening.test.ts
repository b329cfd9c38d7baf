import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: 'H32010200001', level: 'secondary' }],
    items: [
      { code: '120100001', name: '床位费', category: 'bed', ceiling: { secondary: '40.00' } },
      { code: '002101030300000', name: '子宫造影', category: 'exam', restrictions: { sex: 'female' } },
      // a restriction of the wrong shape (a number where a list of care settings belongs), as a
      // hand-edited reference row could hold: RESTRICT-CARE-SETTING throws on a line of it
      { code: 'BROKEN0001', name: '损坏的限定', category: 'exam', restrictions: { careSettings: 5 } },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

let people = 0;
/** a claim of a person of its own, so no other test's claims are in its history */
const ownPerson = () => inpatientClaim({ insured: { id: `3201021958031400${String(++people).padStart(2, '0')}`, sex: 'male', birthDate: '1958-03-14' } });

const visit = (claimId: string) =>
  outpatientClaim({
    claimId,
    lines: [{ lineId: 'A', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 }],
  });

describe('screening with rules', () => {
  it('withholds the excess above the price ceiling and says so', async () => {
    const answer = await json(await svc.call('/v1/claims', { json: ownPerson() }));
    // line L2: 4 × 45.00 against a secondary ceiling of 40.00
    expect(answer.decision).toBe('withhold');
    expect(answer.withheldLines).toEqual([{ lineId: 'L2', amount: '20.00' }]);
    expect(answer.payableAmount).toBe('217.00');
    const f = answer.findings.find((x: { ruleId: string }) => x.ruleId === 'PRICE-ABOVE-CEILING');
    expect(f).toMatchObject({ ruleVersion: 1, severity: 'violation', status: 'active', violatingLines: ['L2'], amount: '20.00' });
    expect(f.message.en).toContain('above the secondary ceiling of 40');
    expect(f.message.zh).toContain('床位费');
    expect(f.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('files a later duplicate’s finding on it alone; the earlier claim it names gets a reference, no finding', async () => {
    const first = await json(await svc.call('/v1/claims', { json: visit('DUP-1') }));
    expect(first.decision).toBe('pass');
    const second = await json(await svc.call('/v1/claims', { json: visit('DUP-2') }));
    expect(second.decision).toBe('withhold');
    expect(second.findings.find((f: { ruleId: string }) => f.ruleId === 'DUP-SAME-LINE')).toMatchObject({
      ruleId: 'DUP-SAME-LINE',
      violatingLines: ['A'],
      otherClaims: [{ institutionId: 'H32010200001', claimId: 'DUP-1' }],
    });

    const earlier = await json(await svc.call('/v1/claims/H32010200001/DUP-1', { role: 'auditor' }));
    expect(earlier.answer.decision).toBe('pass');
    expect(earlier.laterFindings).toEqual([]);
    const refs = earlier.references.filter((r: { ruleId: string }) => r.ruleId === 'DUP-SAME-LINE');
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({
      relation: 'later',
      findingId: second.findings.find((f: { ruleId: string }) => f.ruleId === 'DUP-SAME-LINE').id,
      findingClaim: { institutionId: 'H32010200001', claimId: 'DUP-2' },
      foundBy: { institutionId: 'H32010200001', claimId: 'DUP-2' },
      lines: [],
    });
    expect(refs[0].message.en).toContain('Claim DUP-2 (H32010200001), received later, refers to this claim');
    expect(refs[0].message.zh).toContain('后到的结算单 DUP-2 (H32010200001) 引用本结算单');
  });

  it('puts a rule in trial: it reports what it would withhold and withholds nothing', async () => {
    const change = await svc.call('/v1/rules/PRICE-ABOVE-CEILING/settings', { role: 'admin', method: 'PUT', json: { status: 'trial', reason: 'trial month' } });
    expect(change.status).toBe(200);
    expect(await json(change)).toMatchObject({ id: 'PRICE-ABOVE-CEILING', status: 'trial', settingsVersion: 1 });
    const answer = await json(await svc.call('/v1/claims', { json: ownPerson() }));
    expect(answer.decision).toBe('pass');
    expect(answer.payableAmount).toBe('237.00');
    expect(answer.findings.map((f: { ruleId: string; status: string; amount: string }) => [f.ruleId, f.status, f.amount])).toEqual([['PRICE-ABOVE-CEILING', 'trial', '20.00']]);
    await svc.call('/v1/rules/PRICE-ABOVE-CEILING/settings', { role: 'admin', method: 'PUT', json: { status: 'active', reason: 'trial over' } });
  });

  it('lists rules with parameters in force and refuses unknown parameters naming them', async () => {
    const list = await json(await svc.call('/v1/rules', { role: 'auditor' }));
    expect(list.rules.map((r: { id: string }) => r.id)).toContain('DUP-SAME-LINE');
    const bad = await svc.call('/v1/rules/DUP-SAME-LINE/settings', { role: 'admin', method: 'PUT', json: { params: { nonsense: 3 }, reason: 'x' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details).toEqual([{ path: 'params.nonsense', message: 'is not a parameter of DUP-SAME-LINE' }]);
    const auditor = await svc.call('/v1/rules/DUP-SAME-LINE/settings', { role: 'auditor', method: 'PUT', json: { reason: 'x' } });
    expect(auditor.status).toBe(403);
  });

  it('counts hits and amounts per rule and month', async () => {
    const stats = await json(await svc.call('/v1/rules/stats?month=2026-10', { role: 'supervisor' }));
    const dup = stats.rules.find((r: { ruleId: string }) => r.ruleId === 'DUP-SAME-LINE');
    // one hit, on the later claim (10.00 withheld); the earlier claim has a reference, not a finding
    expect(dup).toMatchObject({ status: 'active', severity: 'violation', hits: 1, claims: 1, retrospective: 0, amount: '10.00' });
    const metrics = await (await svc.call('/metrics', { role: 'admin' })).text();
    expect(metrics).toMatch(/rule_hits_total\{rule="DUP-SAME-LINE",status="active"\} 1/);
  });

  it('records a rule that throws as an error of that rule in the claim’s month, and screens the claim with the others', async () => {
    // a rule's settings cannot make it throw any more (each parameter has a range and a form,
    // test/rules/params.test.ts): a malformed reference row still can
    const claim = outpatientClaim({
      claimId: 'MZ-ERR-1',
      lines: [{ lineId: 'A', itemCode: 'BROKEN0001', hospitalItemName: '损坏的限定', category: 'exam', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 }],
    });
    const res = await svc.call('/v1/claims', { json: claim });
    expect(res.status).toBe(200);
    expect((await json(res)).decision).toBe('pass');
    const stats = await json(await svc.call('/v1/rules/stats?month=2026-10', { role: 'auditor' }));
    expect(stats.errors).toEqual([{ ruleId: 'RESTRICT-CARE-SETTING', ruleVersion: 1, errors: 1, lastMessage: expect.stringContaining('includes'), lastAt: expect.any(String) }]);
    expect((await json(await svc.call('/v1/rules/stats?month=2026-09', { role: 'auditor' }))).errors).toEqual([]);
    const metrics = await (await svc.call('/metrics', { role: 'admin' })).text();
    expect(metrics).toMatch(/rule_errors_total\{rule="RESTRICT-CARE-SETTING",month="2026-10"\} 1/);
  });
});
