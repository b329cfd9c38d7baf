import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { csvColumns, rowReader } from '../../src/reference/csv-record.js';
import { CatalogueItemSchema } from '../../src/reference/reference.schema.js';
import { json } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's pharmacy over-supply, prescription-only drugs and purchase-side substitution through
 * the service (PGlite, or PostgreSQL with DATABASE_URL): daily doses, pack sizes and the
 * prescription-only flag on catalogue items through PUT /v1/reference/catalogue-items (and CSV
 * cells), a person's purchases across pharmacies read from the stored history, and the cheap
 * look-alike's stock record read in the one history statement.
 */
let svc: TestService;
const NIFEDIPINE = 'XC08CAN059A010010100005';
const OMEPRAZOLE = 'XA02BCA050E001010100009';
const ESOMEPRAZOLE = 'XA02BCE016A012010100010';
const put = (kind: string, records: object[]) => svc.call(`/v1/reference/${kind}`, { role: 'admin', method: 'PUT', json: { records } });
const drugItem = (itemCode: string, name: string, restrictions: object, ceiling = '50.00') => ({
  itemCode,
  name,
  category: 'drug',
  unit: '盒',
  priceCeiling: { primary: ceiling, secondary: ceiling, tertiary: ceiling },
  restrictions,
  validFrom: '2020-01-01',
});
const pharmacy = (institutionId: string) => ({
  institutionId,
  name: `${institutionId} 大药房`,
  type: 'pharmacy',
  level: 'none',
  ownership: 'private',
  area: '320102',
  beds: 0,
  designatedFrom: '2020-01-01',
  validFrom: '2000-01-01',
});

beforeAll(async () => {
  svc = await startTestService();
  expect(await json(await put('institutions', ['YD1', 'YD2', 'YD3', 'YD4'].map(pharmacy)))).toEqual({ upserted: 4 });
  const items = [
    drugItem(NIFEDIPINE, '硝苯地平缓释片', { dailyDose: 2, packUnits: 30, prescriptionOnly: true }, '18.00'),
    drugItem(OMEPRAZOLE, '奥美拉唑肠溶胶囊', {}, '7.20'),
    drugItem(ESOMEPRAZOLE, '艾司奥美拉唑镁肠溶片', { lookAlikeOf: [OMEPRAZOLE] }, '58.00'),
  ];
  expect(await json(await put('catalogue-items', items))).toEqual({ upserted: 3 });
  await svc.deps.referenceCache.refresh(true);
});
afterAll(async () => {
  await svc?.close();
});

type F = { ruleId: string; family: string; status: string; severity: string; violatingLines: string[]; amount: string; message: { zh: string; en: string }; otherClaims: { claimId: string }[] };
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  if (res.status !== 200) throw new Error(JSON.stringify(await json(res)));
  return json(res) as Promise<{ decision: string; findings: F[] }>;
};
const of = (answer: { findings: F[] }, ruleId: string) => answer.findings.filter((f) => f.ruleId === ruleId);
let n = 0;
/** a pharmacy purchase: `boxes` of the drug, with a prescribing doctor unless `doctorId` is null */
const purchase = (institutionId: string, person: string, at: string, boxes: number, itemCode = NIFEDIPINE, doctorId: string | null = 'H1-D001') => ({
  institutionId,
  claimId: `YD-${++n}`,
  insured: { id: person, sex: 'male', birthDate: '1960-01-01' },
  visitType: 'pharmacy',
  visitAt: at,
  diagnoses: [{ code: 'I10.x00', main: true }],
  lines: [
    {
      lineId: '1',
      itemCode,
      hospitalItemName: itemCode === NIFEDIPINE ? '硝苯地平缓释片' : '艾司奥美拉唑镁肠溶片',
      category: 'drug',
      serviceAt: at,
      quantity: boxes,
      unitPrice: '15.00',
      amount: (15 * boxes).toFixed(2),
      ...(doctorId === null ? {} : { doctorId }),
    },
  ],
  totalAmount: (15 * boxes).toFixed(2),
  payment: { fund: (10 * boxes).toFixed(2), personalAccount: 0, cash: (5 * boxes).toFixed(2) },
});
const trial = (ruleId: string) => (cstDate(Date.now()) <= catalogue.find((r) => r.id === ruleId)!.trialUntil! ? 'trial' : 'active');

describe('drug doses, pack sizes and the prescription-only flag', () => {
  it('stores and lists them on catalogue items, and refuses a dose without a pack size naming the field', async () => {
    const listed = await json(await svc.call(`/v1/reference/catalogue-items?code=${NIFEDIPINE}`, { role: 'auditor' }));
    expect(listed.records[0].restrictions).toEqual({ dailyDose: 2, packUnits: 30, prescriptionOnly: true });
    const half = await put('catalogue-items', [drugItem('XBAD', '坏记录', { dailyDose: 2 })]);
    expect(half.status).toBe(400);
    expect(JSON.stringify(await json(half))).toContain('packUnits');
    const flag = await put('catalogue-items', [drugItem('XBAD', '坏记录', { prescriptionOnly: 'yes' })]);
    expect(flag.status).toBe(400);
    expect(JSON.stringify(await json(flag))).toContain('prescriptionOnly');
    const zero = await put('catalogue-items', [drugItem('XBAD', '坏记录', { dailyDose: 0, packUnits: 30 })]);
    expect(zero.status).toBe(400);
    expect(JSON.stringify(await json(zero))).toContain('dailyDose');
  });

  it('reads them from CSV cells (numbers, and true/false, 1/0, 是/否 for the flag)', () => {
    const columns = csvColumns('catalogue-items');
    expect(columns).toEqual(
      expect.arrayContaining([
        { name: 'restrictions.dailyDose', type: 'number', required: false },
        { name: 'restrictions.packUnits', type: 'number', required: false },
        { name: 'restrictions.prescriptionOnly', type: 'boolean', required: false },
      ]),
    );
    const header = ['itemCode', 'name', 'category', 'unit', 'restrictions.dailyDose', 'restrictions.packUnits', 'restrictions.prescriptionOnly', 'validFrom'];
    const read = rowReader('catalogue-items', header);
    const row = (flag: string) => CatalogueItemSchema.safeParse(read([NIFEDIPINE, '硝苯地平缓释片', 'drug', '盒', '2', '30', flag, '2026-01-01']));
    expect(row('true').data?.restrictions).toEqual({ dailyDose: 2, packUnits: 30, prescriptionOnly: true });
    expect(row('是').data?.restrictions.prescriptionOnly).toBe(true);
    expect(row('0').data?.restrictions.prescriptionOnly).toBe(false);
    const bad = row('maybe');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['restrictions', 'prescriptionOnly']);
  });
});

describe('over-supply across pharmacies, from the stored history', () => {
  it('SUPPLY-ROLLING: a month bought again a week later at another pharmacy, without daysOfSupply', async () => {
    const person = '320102196001010001';
    const first = await screen(purchase('YD1', person, '2026-10-01 10:00:00', 2));
    expect(of(first, 'SUPPLY-ROLLING')).toEqual([]);
    const second = await screen(purchase('YD2', person, '2026-10-08 10:00:00', 2));
    const [f] = of(second, 'SUPPLY-ROLLING');
    expect(f).toMatchObject({ family: 'over-supply', status: trial('SUPPLY-ROLLING'), severity: 'high', violatingLines: ['1'], amount: '8.00' });
    expect(f!.otherClaims.map((c) => c.claimId)).toEqual([`YD-${n - 1}`]);
    expect(f!.message.en).toBe(
      '硝苯地平缓释片: this dispensing 2 盒 = 30 days (30 a unit, daily dose 2); 23 days still held from 1 earlier dispensing (YD1), 53 days in all, above the limit of 45 days (1.5 × max(30, 30)); 8.00 yuan for the excess',
    );
    expect(f!.message.zh).toContain('合计持有 53 天, 超过上限 45 天');
  });

  it('SUPPLY-ROLLING passes a refill on time; SUPPLY-MULTI-PHARMACY fires on the third pharmacy within 30 days', async () => {
    const person = '320102196001010002';
    expect(of(await screen(purchase('YD1', person, '2026-10-01 10:00:00', 2)), 'SUPPLY-ROLLING')).toEqual([]);
    const refill = await screen(purchase('YD2', person, '2026-10-28 10:00:00', 2));
    expect(of(refill, 'SUPPLY-ROLLING')).toEqual([]);
    expect(of(refill, 'SUPPLY-MULTI-PHARMACY')).toEqual([]);
    const third = await screen(purchase('YD3', person, '2026-10-29 10:00:00', 1));
    const [m] = of(third, 'SUPPLY-MULTI-PHARMACY');
    expect(m).toMatchObject({ family: 'over-supply', status: trial('SUPPLY-MULTI-PHARMACY'), severity: 'medium', violatingLines: ['1'], amount: '15.00' });
    expect(m!.otherClaims).toHaveLength(2);
    expect(m!.message.en).toContain('obtained at 3 different institutions within 30 days (YD1, YD2, YD3; 3 dispensings');
  });

  it('a family member collecting at one pharmacy on another card is neither', async () => {
    const a = '320102196001010003';
    const b = '320102196201010004';
    for (const [person, at] of [
      [a, '2026-10-02 09:00:00'],
      [b, '2026-10-02 09:01:00'],
    ] as const) {
      const answer = await screen(purchase('YD4', person, at, 2));
      expect(of(answer, 'SUPPLY-ROLLING')).toEqual([]);
      expect(of(answer, 'SUPPLY-MULTI-PHARMACY')).toEqual([]);
    }
  });
});

describe('RX-ONLY', () => {
  it('a prescription-only drug at a pharmacy without a prescribing doctor, and not with one', async () => {
    const without = of(await screen(purchase('YD1', '320102196001010005', '2026-10-03 10:00:00', 1, NIFEDIPINE, null)), 'RX-ONLY');
    expect(without).toMatchObject([{ family: 'rx-only', status: trial('RX-ONLY'), severity: 'high', violatingLines: ['1'], amount: '15.00' }]);
    expect(without[0]!.message.en).toBe('Prescription-only 硝苯地平缓释片 (1 line) sold by a retail pharmacy without a prescription (no prescribing doctor), 15.00 yuan');
    expect(of(await screen(purchase('YD1', '320102196001010006', '2026-10-03 10:00:00', 1)), 'RX-ONLY')).toEqual([]);
  });
});

describe('SUB-LOOKALIKE-PURCHASE', () => {
  it('the dearer look-alike with no stock record while the cheap one was bought far beyond its sales; the cheap one’s record read with the claim', async () => {
    // the pharmacy's October ledger: 100 boxes of omeprazole (bought at 6 yuan), none of esomeprazole
    await put('stock-records', [{ institutionId: 'YD3', itemCode: OMEPRAZOLE, month: '2026-10', openingQuantity: '20', purchasedQuantity: '80', purchasePrice: '6' }]);
    await svc.deps.referenceCache.refresh(true);
    const claim = purchase('YD3', '320102196001010007', '2026-10-10 10:00:00', 2, ESOMEPRAZOLE);
    const [f] = of(await screen(claim), 'SUB-LOOKALIKE-PURCHASE');
    // 2 boxes × (15 − 6) yuan
    expect(f).toMatchObject({ family: 'substitution', status: trial('SUB-LOOKALIKE-PURCHASE'), severity: 'high', violatingLines: ['1'], amount: '18.00' });
    expect(f!.message.en).toBe(
      '艾司奥美拉唑镁肠溶片, 2026-10: billed 2 (0 earlier in the month + 2 on this claim) against no stock record (stock 0), 2 beyond; its cheap look-alike 奥美拉唑肠溶胶囊 has 100 in stock and only 0 billed, 100 unaccounted for: likely sold as the dearer item, 18.00 yuan of difference',
    );
    // where the ledger shows no cheap look-alike either, nothing is judged
    expect(of(await screen(purchase('YD4', '320102196001010008', '2026-10-10 10:00:00', 2, ESOMEPRAZOLE)), 'SUB-LOOKALIKE-PURCHASE')).toEqual([]);
  });
});
