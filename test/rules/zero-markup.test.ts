import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's zero markup through the service (PGlite, or PostgreSQL with DATABASE_URL): the
 * institution's `zeroMarkup` flag and the stock record's optional `purchasePrice`, both through
 * PUT /v1/reference/*, and PRICE-ABOVE-PURCHASE withholding the markup once out of trial.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    items: [
      { code: '110100001', name: '普通门诊诊查费' },
      { code: 'XC08CAN059A010010100005', name: '硝苯地平缓释片', category: 'drug' },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

type F = { ruleId: string; status: string; severity: string; violatingLines: string[]; amount: string; message: { zh: string; en: string } };
const put = (kind: string, records: object[]) => svc.call(`/v1/reference/${kind}`, { role: 'admin', method: 'PUT', json: { records } });
const institution = (id: string, zeroMarkup?: boolean) => ({
  institutionId: id,
  name: id,
  type: 'hospital',
  level: 'secondary',
  ownership: 'public',
  area: '320102',
  beds: 200,
  designatedFrom: '2020-01-01',
  validFrom: '2000-01-01',
  ...(zeroMarkup === undefined ? {} : { zeroMarkup }),
});
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  if (res.status !== 200) throw new Error(JSON.stringify(await json(res)));
  return json(res) as Promise<{ decision: string; findings: F[]; withheldLines: { lineId: string; amount: string }[] }>;
};
const ours = (answer: { findings: F[] }) => answer.findings.filter((f) => f.ruleId === 'PRICE-ABOVE-PURCHASE');
let n = 0;
const sale = (institutionId: string, unitPrice: string, quantity = 2) =>
  outpatientClaim({
    institutionId,
    claimId: `ZM-${++n}`,
    insured: { id: `3201021970${String(n).padStart(8, '0')}`, sex: 'male', birthDate: '1970-01-01' },
    diagnoses: [{ code: 'I10.x00', main: true }],
    lines: [
      { lineId: '1', itemCode: '110100001', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 },
      {
        lineId: '2',
        itemCode: 'XC08CAN059A010010100005',
        hospitalItemName: '硝苯地平缓释片',
        category: 'drug',
        serviceAt: '2026-10-03 10:20:00',
        quantity,
        unitPrice,
        amount: (Number(unitPrice) * quantity).toFixed(2),
      },
    ],
    totalAmount: (10 + Number(unitPrice) * quantity).toFixed(2),
    payment: { fund: '5.00', personalAccount: 0, cash: (5 + Number(unitPrice) * quantity).toFixed(2) },
  });

describe('zero markup: purchase prices and the institution flag', () => {
  it('stores and lists the flag and the purchase price, omitted when absent, and refuses bad values naming the field', async () => {
    expect(await json(await put('institutions', [institution('H-ZERO', true), institution('H-PRIVATE')]))).toEqual({ upserted: 2 });
    const listed = await json(await svc.call('/v1/reference/institutions?id=H-ZERO', { role: 'auditor' }));
    expect(listed.records[0]).toMatchObject({ institutionId: 'H-ZERO', zeroMarkup: true });
    const other = await json(await svc.call('/v1/reference/institutions?id=H-PRIVATE', { role: 'auditor' }));
    expect(other.records[0]).not.toHaveProperty('zeroMarkup');
    const stock = (institutionId: string, purchasePrice?: string) => ({
      institutionId,
      itemCode: 'XC08CAN059A010010100005',
      month: '2026-10',
      openingQuantity: '100',
      purchasedQuantity: '0',
      ...(purchasePrice === undefined ? {} : { purchasePrice }),
    });
    expect(await json(await put('stock-records', [stock('H-ZERO', '15.5'), stock('H-PRIVATE', '15.5')]))).toEqual({ upserted: 2 });
    const records = (await json(await svc.call('/v1/reference/stock-records?id=H-ZERO', { role: 'auditor' }))).records;
    expect(records).toEqual([{ institutionId: 'H-ZERO', itemCode: 'XC08CAN059A010010100005', month: '2026-10', openingQuantity: '100.0000', purchasedQuantity: '0.0000', purchasePrice: '15.5000' }]);

    const bad = await put('stock-records', [stock('H-ZERO', '-1')]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await json(bad))).toContain('purchasePrice');
    const badFlag = await put('institutions', [{ ...institution('H-ZERO'), zeroMarkup: 'yes' }]);
    expect(badFlag.status).toBe(400);
    expect(JSON.stringify(await json(badFlag))).toContain('zeroMarkup');
  });

  it('finds the markup at a zero-markup institution, in trial first, then withholds the difference', async () => {
    const until = catalogue.find((r) => r.id === 'PRICE-ABOVE-PURCHASE')!.trialUntil!;
    const first = ours(await screen(sale('H-ZERO', '18.00')));
    expect(first).toMatchObject([{ status: cstDate(Date.now()) <= until ? 'trial' : 'active', severity: 'violation', violatingLines: ['2'], amount: '5.00' }]);
    expect(first[0]!.message.en).toBe('硝苯地平缓释片 priced 18 yuan, above its 2026-10 purchase price of 15.5 yuan (zero markup); quantity 2, 5.00 yuan of markup not payable');
    expect(first[0]!.message.zh).toBe('硝苯地平缓释片 单价 18 元, 高于 2026-10 进货价 15.5 元 (零差率), 数量 2, 加价 5.00 元不予支付');

    // at the purchase price, and above it where zero markup does not apply: nothing
    expect(ours(await screen(sale('H-ZERO', '15.50')))).toEqual([]);
    expect(ours(await screen(sale('H-PRIVATE', '18.00')))).toEqual([]);

    const res = await svc.call('/v1/rules/PRICE-ABOVE-PURCHASE/settings', { role: 'admin', method: 'PUT', json: { status: 'active', reason: 'test' } });
    expect(res.status).toBe(200);
    const active = await screen(sale('H-ZERO', '16.00', 3));
    expect(ours(active)).toMatchObject([{ status: 'active', amount: '1.50' }]);
    expect(active.decision).toBe('withhold');
    expect(active.withheldLines).toEqual([{ lineId: '2', amount: '1.50' }]);
  });

  it('judges the lines of a stay across a month end against each month’s purchase price, read in the one history statement', async () => {
    await put('stock-records', [{ institutionId: 'H-ZERO', itemCode: 'XC08CAN059A010010100005', month: '2026-11', openingQuantity: '50', purchasedQuantity: '0', purchasePrice: '16.8' }]);
    const drug = (lineId: string, serviceAt: string) => ({
      lineId,
      itemCode: 'XC08CAN059A010010100005',
      hospitalItemName: '硝苯地平缓释片',
      category: 'drug',
      serviceAt,
      quantity: 1,
      unitPrice: '17.00',
      amount: '17.00',
    });
    const stay = await screen({
      institutionId: 'H-ZERO',
      claimId: 'ZM-STAY',
      insured: { id: '320102197099999999', sex: 'male', birthDate: '1970-01-01' },
      visitType: 'inpatient',
      admittedAt: '2026-10-30 08:00:00',
      dischargedAt: '2026-11-02 10:00:00',
      diagnoses: [{ code: 'I10.x00', main: true }],
      // October: bought at 15.5, so 1.50 over; November: bought at 16.8, so 0.20 over
      lines: [drug('OCT', '2026-10-31 09:00:00'), drug('NOV', '2026-11-01 09:00:00')],
      totalAmount: '34.00',
      payment: { fund: '20.00', personalAccount: 0, cash: '14.00' },
    });
    expect(ours(stay).map((f) => [f.violatingLines, f.amount])).toEqual([
      [['OCT'], '1.50'],
      [['NOV'], '0.20'],
    ]);
  });
});
