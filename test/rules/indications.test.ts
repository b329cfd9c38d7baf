import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's item indications through the service (PGlite, or PostgreSQL with DATABASE_URL): the
 * reference kind `item-indications` (PUT/GET /v1/reference/item-indications, validity dates), and
 * ITEM-INDICATION judging a fee line against the claim's diagnoses, in trial until its date.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: 'H32010200001', level: 'secondary' }],
    items: [
      { code: '110100001', name: '普通门诊诊查费' },
      { code: '250301001', name: '糖化血红蛋白测定', category: 'lab' },
      { code: 'XR03ACS001', name: '沙丁胺醇气雾剂', category: 'drug' },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

type F = { ruleId: string; status: string; severity: string; violatingLines: string[]; amount: string; message: { zh: string; en: string } };
const put = (records: object[]) => svc.call('/v1/reference/item-indications', { role: 'admin', method: 'PUT', json: { records } });
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  if (res.status !== 200) throw new Error(JSON.stringify(await json(res)));
  return json(res) as Promise<{ decision: string; findings: F[] }>;
};
const ours = (answer: { findings: F[] }) => answer.findings.filter((f) => f.ruleId === 'ITEM-INDICATION');
const today = cstDate(Date.now());
const until = catalogue.find((r) => r.id === 'ITEM-INDICATION')!.trialUntil!;

// each visit by another person, so no duplicate-line rule sees two alike
let n = 0;
const visit = (claimId: string, codes: string[], visitAt = '2026-10-03 10:00:00') =>
  outpatientClaim({
    claimId,
    insured: { id: `3201021990${String(++n).padStart(8, '0')}`, sex: 'female', birthDate: '1990-01-01' },
    visitAt,
    diagnoses: codes.map((code, i) => ({ code, main: i === 0 })),
    lines: [
      { lineId: '1', itemCode: '110100001', category: 'service', serviceAt: visitAt, quantity: 1, unitPrice: 10, amount: 10 },
      { lineId: '2', itemCode: '250301001', category: 'lab', serviceAt: visitAt, quantity: 1, unitPrice: 45, amount: 45 },
      { lineId: '3', itemCode: 'XR03ACS001', category: 'drug', serviceAt: visitAt, quantity: 1, unitPrice: 28.5, amount: 28.5 },
    ],
    totalAmount: 83.5,
    payment: { fund: 60, personalAccount: 0, cash: 23.5 },
  });

describe('the item-indications reference kind', () => {
  it('stores, lists and versions indications, and refuses bad entries naming the field', async () => {
    const res = await put([
      { itemCode: '250301001', allowed: ['E10', 'E11', 'O24', 'r73'], validFrom: '2026-01-01', source: 'fund-2026' },
      { itemCode: 'XR03ACS001', allowed: ['J45', 'J44'], excluded: ['J06.9'], validFrom: '2026-01-01', validTo: '2026-10-31' },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ upserted: 2 });
    const listed = await json(await svc.call('/v1/reference/item-indications?code=250301001', { role: 'auditor' }));
    expect(listed).toMatchObject({ total: 1, records: [{ itemCode: '250301001', allowed: ['E10', 'E11', 'O24', 'R73'], excluded: [], source: 'fund-2026', validFrom: '2026-01-01' }] });
    expect((await json(await svc.call('/v1/reference/item-indications?asOf=2026-11-15', { role: 'auditor' }))).total).toBe(1);

    const empty = await put([{ itemCode: '250301001', validFrom: '2026-01-01' }]);
    expect(empty.status).toBe(400);
    expect(JSON.stringify(await json(empty))).toContain('at least one of allowed and excluded must name a prefix');
    const badPrefix = await put([{ itemCode: '250301001', allowed: ['diabetes'], validFrom: '2026-01-01' }]);
    expect(badPrefix.status).toBe(400);
    const body = JSON.stringify(await json(badPrefix));
    expect(body).toContain('allowed');
    expect(body).toContain('must be an ICD-10 code or prefix');
    const backwards = await put([{ itemCode: '250301001', allowed: ['E11'], validFrom: '2026-01-01', validTo: '2025-01-01' }]);
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(await json(backwards))).toContain('validTo');
  });

  it('flags the lines outside their indications, names the numbers, and lets diagnoses within them pass', async () => {
    // hypertension only: neither the HbA1c test nor the inhaler is indicated
    const out = ours(await screen(visit('IND-1', ['I10.x00'])));
    expect(out).toMatchObject([{ status: today <= until ? 'trial' : 'active', severity: 'medium', violatingLines: ['2', '3'], amount: '73.50' }]);
    expect(out[0]!.message.en).toBe(
      'Billed without indication: 250301001: no diagnosis (I10.x00) is among the item’s indications E10, E11, O24, R73; XR03ACS001: no diagnosis (I10.x00) is among the item’s indications J45, J44; 2 lines, 73.50 yuan, for review',
    );
    expect(out[0]!.message.zh).toContain('均不在该项目的适应症 E10、E11、O24、R73 之内');

    // diabetes (E11.9, the prefix itself) and asthma: both within
    expect(ours(await screen(visit('IND-2', ['E11.9', 'J45.900'])))).toEqual([]);
    // asthma with an upper respiratory infection: the inhaler's excluded prefix J06.9 wins
    const excluded = ours(await screen(visit('IND-3', ['J06.900', 'J45.900', 'E11.900'])));
    expect(excluded).toMatchObject([{ violatingLines: ['3'], amount: '28.50' }]);
    expect(excluded[0]!.message.en).toContain('diagnosis J06.900 is among the item’s excluded indications (J06.9)');
    // after the inhaler's indications end (2026-10-31), only the lab test is judged
    expect(ours(await screen(visit('IND-4', ['I10.x00'], '2026-11-03 10:00:00')))).toMatchObject([{ violatingLines: ['2'], amount: '45.00' }]);
  });

  it('withholds nothing in trial and routes to review once active; a claim without diagnoses is not judged by default', async () => {
    const trial = await screen(visit('IND-5', ['I10.x00']));
    if (today <= until) expect(trial.decision).toBe('pass');
    const res = await svc.call('/v1/rules/ITEM-INDICATION/settings', { role: 'admin', method: 'PUT', json: { status: 'active', reason: 'test' } });
    expect(res.status).toBe(200);
    const active = await screen(visit('IND-6', ['I10.x00']));
    expect(ours(active)).toMatchObject([{ status: 'active' }]);
    expect(active.decision).toBe('review');
    expect(ours(await screen(visit('IND-7', [])))).toEqual([]);
  });
});
