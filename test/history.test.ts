import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { keyedHash } from '../src/lib/hash.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
import { startTestService, TEST_SECRET, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
  // 5 units of the drug in stock at H32010200001 in October, and some saline no claim bills; the
  // bed has no record
  for (const [item, opening, purchased] of [
    [DRUG, 2, 3],
    [SALINE, 100, 0],
  ] as const) {
    await svc.deps.database.query(`insert into stock_records (institution_id, item_code, month, opening_quantity, purchased_quantity) values ('H32010200001', $1, '2026-10', $2, $3)`, [
      item,
      opening,
      purchased,
    ]);
  }
});
afterAll(async () => {
  await svc?.close();
});

const DRUG = 'XJ01DDA040A001010100001';
const SALINE = 'XB05BBA010B002010100001';
let people = 0;
/** an inpatient stay of a person of its own, billing `boxes` of the drug and one bed day */
function stay(claimId: string, boxes: number, overrides: Record<string, unknown> = {}) {
  const amount = (boxes * 12).toFixed(2);
  return inpatientClaim({
    claimId,
    insured: { id: `32010219800101${String(++people).padStart(4, '0')}`, sex: 'female', birthDate: '1980-01-01' },
    lines: [
      { lineId: 'D', itemCode: DRUG, hospitalItemName: '头孢曲松钠注射液', category: 'drug', serviceAt: '2026-10-02 09:00:00', quantity: boxes, unitPrice: '12.00', amount },
      { lineId: 'B', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-02 09:00:00', quantity: 4, unitPrice: '45.00', amount: '180.00' },
    ],
    totalAmount: (boxes * 12 + 180).toFixed(2),
    payment: { fund: '180.00', personalAccount: '0.00', cash: amount },
    ...overrides,
  });
}

describe('the institution’s month of an item in a claim’s history', () => {
  it('sums the month’s earlier claims for items with a stock record, and only for those', async () => {
    expect((await svc.call('/v1/claims', { json: stay('STOCK-1', 3) })).status).toBe(200);
    // another institution and another month do not count
    expect((await svc.call('/v1/claims', { json: stay('STOCK-X', 4, { institutionId: 'H32010200002' }) })).status).toBe(200);

    const claim = stay('STOCK-PROBE', 1);
    const { history } = await svc.deps.history.forClaim({
      institutionId: claim.institutionId,
      claimNo: claim.claimId,
      personHash: 'nobody',
      startedAt: Date.parse('2026-10-01T00:00:00+08:00'),
      endedAt: Date.parse('2026-10-05T10:00:00+08:00'),
      visitType: 'inpatient',
      diagnoses: [],
      lines: [{ itemCode: DRUG }, { itemCode: '120100001' }, { itemCode: SALINE }],
    } as never);
    // 3 boxes at 10^-4: the bed days (no stock record) are not summed, the saline (none billed) is absent
    expect([...history.institutionMonthQuantity]).toEqual([[DRUG, 30_000]]);
  });

  it('withholds what a later claim sells beyond the month’s stock', async () => {
    // 3 sold already (STOCK-1), 5 in stock: 3 more is one too many
    const answer = await json(await svc.call('/v1/claims', { json: stay('STOCK-2', 3) }));
    expect(answer.decision).toBe('withhold');
    const f = answer.findings.find((x: { ruleId: string }) => x.ruleId === 'SUB-STOCK-SHORTAGE');
    expect(f).toMatchObject({ violatingLines: ['D'], amount: '12.00' });
    expect(answer.findings.filter((x: { violatingLines: string[] }) => x.violatingLines.includes('B'))).toEqual([]);
  });

  it('reads the histories of claims handed in together in one statement, each its own, as one by one', async () => {
    // four people with an earlier stay each (at another institution, so the sums above stay as they are)
    const earlier = [1, 2, 3, 4].map((i) => stay(`MANY-${i}`, i, { institutionId: 'H32010200003' }));
    for (const c of earlier) expect((await svc.call('/v1/claims', { json: c })).status).toBe(200);
    const probes = earlier.map((c, i) => ({
      institutionId: 'H32010200001',
      claimNo: `MANY-PROBE-${i}`,
      personHash: keyedHash(TEST_SECRET, c.insured.id),
      startedAt: Date.parse('2026-10-20T00:00:00+08:00'),
      endedAt: Date.parse('2026-10-22T10:00:00+08:00'),
      visitType: 'inpatient',
      diagnoses: [],
      lines: [{ itemCode: DRUG }],
    }));
    probes.push({ ...probes[0]!, claimNo: 'MANY-PROBE-NOBODY', personHash: 'nobody' });
    const together = await Promise.all(probes.map((p) => svc.deps.history.forClaim(p as never)));
    const oneByOne = [];
    for (const p of probes) oneByOne.push(await svc.deps.history.forClaim(p as never));
    expect(together).toEqual(oneByOne);
    expect(svc.logs.join('')).not.toContain('reading histories together failed');
    expect(together.map((h) => h.history.personClaims.map((c) => c.claimNo))).toEqual([['MANY-1'], ['MANY-2'], ['MANY-3'], ['MANY-4'], []]);
    expect(together[2]!.history.personClaims[0]!.lines.map((l) => [l.lineId, l.quantity])).toEqual([
      ['D', 30_000],
      ['B', 40_000],
    ]);
    // STOCK-1 and STOCK-2 sold 3 boxes each at H32010200001 in October; its stock records come along
    for (const h of together) {
      expect([...h.history.institutionMonthQuantity]).toEqual([[DRUG, 60_000]]);
      expect([...h.stock]).toEqual([[`H32010200001|${DRUG}|2026-10`, { openingQuantity: 20_000, purchasedQuantity: 30_000 }]]);
    }
  });
  it('reads each shape of the statement (with or without the nearby claims, the short stays, the census) as each claim alone', async () => {
    // an outpatient visit and two stays stored at H32010200001, for the window's optional parts to find
    const stored = [
      outpatientClaim({ claimId: 'SHAPE-OUT', insured: { id: '320102199001019901', sex: 'female', birthDate: '1990-01-01' } }),
      inpatientClaim({ claimId: 'SHAPE-SHORT', insured: { id: '320102195803149902', sex: 'male', birthDate: '1958-03-14' }, dischargedAt: '2026-10-03T10:00:00+08:00' }),
    ];
    for (const c of stored) expect((await svc.call('/v1/claims', { json: c })).status).toBe(200);
    const at = (t: string) => Date.parse(`${t}+08:00`);
    const probe = (claimNo: string, visitType: string, startedAt: number, endedAt: number) => ({
      institutionId: 'H32010200001',
      claimNo,
      personHash: `shape-${claimNo}`,
      startedAt,
      endedAt,
      visitType,
      diagnoses: [],
      lines: [{ itemCode: DRUG }],
    });
    // an outpatient claim reads the nearby claims; a stay of at most 3 days the short stays; a stay
    // the census where its institution has one (census > 0); each probe one part, one none: every
    // set of them is a shape of the statement
    const out = probe('SHAPE-P-OUT', 'outpatient', at('2026-10-03T10:05:00'), at('2026-10-03T10:05:00'));
    const short = probe('SHAPE-P-SHORT', 'inpatient', at('2026-10-02T08:00:00'), at('2026-10-03T10:00:00'));
    const counted = probe('SHAPE-P-CENSUS', 'inpatient', at('2026-10-01T08:00:00'), at('2026-10-10T10:00:00'));
    const none = probe('SHAPE-P-NONE', 'inpatient', at('2026-10-01T08:00:00'), at('2026-10-10T10:00:00'));
    const needs = new Map([
      [out.claimNo, { nearby: true, admissions: false, doctor: true, census: 0 }],
      [short.claimNo, { nearby: false, admissions: true, doctor: true, census: 0 }],
      [counted.claimNo, { nearby: false, admissions: false, doctor: true, census: 1_000 }],
      [none.claimNo, { nearby: false, admissions: false, doctor: true, census: 0 }],
    ]);
    const history = createHistoryRepository({ database: svc.deps.database, windowDays: 30, windowNeeds: (c) => needs.get(c.claimNo)! });
    const alone = new Map<unknown, unknown>();
    for (const p of [out, short, counted, none]) alone.set(p, await history.forClaim(p as never));
    const window = (p: unknown) => (alone.get(p) as Awaited<ReturnType<typeof history.forClaim>>).history.institution!;
    expect(window(out).nearby.map((c) => c.claimNo)).toEqual(['SHAPE-OUT']);
    expect(window(short).admissions.map((c) => c.claimNo)).toEqual(['SHAPE-SHORT']);
    // SHAPE-SHORT was in on the night after 2026-10-01 (its stay from 10-01 to 10-03), with the stays
    // the tests above stored at H32010200001
    expect(window(counted).census).toBeGreaterThanOrEqual(1);
    expect([window(none).nearby, window(none).admissions, window(none).census]).toEqual([[], [], 0]);
    // each set read together in one statement: the eight shapes
    const probes = [out, short, counted];
    for (let set = 0; set < 8; set++) {
      const batch = [none, ...probes.filter((_, i) => set & (1 << i))];
      const together = await Promise.all(batch.map((p) => history.forClaim(p as never)));
      expect(together).toEqual(batch.map((p) => alone.get(p)));
    }
  });

  it('finds a person’s claims of earlier quarters when read together with later claims', async () => {
    // the statement's literal month bound is the batch's earliest: a stay of August 2026 is in the
    // history of a stay of October 2026, read beside a stay of January 2028 whose window starts in
    // October 2026
    const early = stay('QUARTER-EARLY', 1, {
      institutionId: 'H32010200003',
      admittedAt: '2026-08-01 08:00:00',
      dischargedAt: '2026-08-03T10:00:00+08:00',
    });
    const lines = (early as { lines: Record<string, unknown>[] }).lines.map((l) => ({ ...l, serviceAt: '2026-08-01 09:00:00' }));
    expect((await svc.call('/v1/claims', { json: { ...early, lines } })).status).toBe(200);
    const person = keyedHash(TEST_SECRET, (early as { insured: { id: string } }).insured.id);
    const probe = (claimNo: string, start: string, end: string, personHash = person) => ({
      institutionId: 'H32010200001',
      claimNo,
      personHash,
      startedAt: Date.parse(start),
      endedAt: Date.parse(end),
      visitType: 'inpatient',
      diagnoses: [],
      lines: [{ itemCode: DRUG }],
    });
    const probes = [probe('QUARTER-LATER', '2028-01-10T00:00:00+08:00', '2028-01-12T10:00:00+08:00', 'someone else'), probe('QUARTER-PROBE', '2026-10-20T00:00:00+08:00', '2026-10-22T10:00:00+08:00')];
    const together = await Promise.all(probes.map((p) => svc.deps.history.forClaim(p as never)));
    expect(together.map((h) => h.history.personClaims.map((c) => c.claimNo))).toEqual([[], ['QUARTER-EARLY']]);
    const alone = await svc.deps.history.forClaim(probes[1] as never);
    expect(alone.history.personClaims.map((c) => c.claimNo)).toEqual(['QUARTER-EARLY']);
  });

  it('reads stock records of stock items only: drugs, consumables and items not in the catalogue', async () => {
    // a stock record of a service item (bed days, here in the catalogue as such) is stored and not
    // judged: its month's totals are not kept (migration 0041)
    await seedReference(svc, { items: [{ code: '120100002', name: '床位费(单人间)', category: 'bed' }] });
    await svc.deps.database.query(`insert into stock_records (institution_id, item_code, month, opening_quantity, purchased_quantity) values ('H32010200001', '120100002', '2026-10', 1, 0)`);
    const claim = stay('STOCK-BED', 1);
    const { stock } = await svc.deps.history.forClaim({
      institutionId: claim.institutionId,
      claimNo: claim.claimId,
      personHash: 'nobody',
      startedAt: Date.parse('2026-10-01T00:00:00+08:00'),
      endedAt: Date.parse('2026-10-05T10:00:00+08:00'),
      visitType: 'inpatient',
      diagnoses: [],
      lines: [{ itemCode: DRUG }, { itemCode: '120100002' }, { itemCode: SALINE }],
    } as never);
    expect([...stock.keys()].sort()).toEqual([`H32010200001|${SALINE}|2026-10`, `H32010200001|${DRUG}|2026-10`]);
  });
});
