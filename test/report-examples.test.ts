import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportPeriod } from '../src/report/period.js';
import { examplesFor } from '../src/report/report.standouts.js';
import type { InstitutionRow } from '../src/report/report.types.js';
import { outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The claims a standout's reason is illustrated with when the reason has no per-claim measure
 * (growth of the month's amount, or a model reason without one): the month's two largest claims.
 * The report's own tests reach this only with a month's data that makes such a standout.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const claim = (claimId: string, yuan: number, day: string) =>
  outpatientClaim({
    claimId,
    insured: { id: `32010219900101${claimId.slice(-4)}`, sex: 'female', birthDate: '1990-01-01' },
    visitAt: `2026-10-${day} 10:00:00`,
    lines: [{ lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: `2026-10-${day} 10:00:00`, quantity: yuan / 10, unitPrice: 10, amount: yuan }],
    totalAmount: yuan,
    payment: { fund: yuan - 4, personalAccount: 0, cash: 4 },
  });

describe('a standout without a per-claim measure', () => {
  it("is illustrated by the month's two largest claims, largest first", async () => {
    for (const [id, yuan, day] of [
      ['MZ-EX-0001', 20, '03'],
      ['MZ-EX-0002', 50, '04'],
      ['MZ-EX-0003', 30, '05'],
    ] as const)
      expect((await svc.call('/v1/claims', { method: 'POST', role: 'settlement', json: claim(id, yuan, day) })).status).toBe(200);
    // the service's query itself, not a wrapper written here: the statement is the service's (SQL_LOG)
    const query = svc.deps.database.query;
    const row = { institutionId: 'H32010200001' } as InstitutionRow;
    const cutoff = new Date(Date.now() + 60_000).toISOString();
    const growth = await examplesFor(query, reportPeriod('2026-10'), cutoff, row, 'growth', 'en');
    expect(growth.map((e) => [e.claimNo, e.sentence, e.illustrates])).toEqual([
      ['MZ-EX-0002', "one of the month's largest claims", 'growth'],
      ['MZ-EX-0003', "one of the month's largest claims", 'growth'],
    ]);
    // received after the cut-off: not in the month's figures, not an example
    expect(await examplesFor(query, reportPeriod('2026-10'), '2026-01-01T00:00:00Z', row, 'growth', 'zh-CN')).toEqual([]);
  });
});
