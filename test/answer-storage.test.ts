import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/** Two lines above their price ceilings: withheld with two findings, so their order is held too. */
const WITHHELD = {
  lines: [
    { lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 },
    { lineId: '2', itemCode: '110100002', hospitalItemName: '副主任医师诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 20, amount: 20 },
  ],
  totalAmount: 30,
  payment: { fund: 18, personalAccount: 0, cash: 12 },
};

/**
 * A claim's answer is stored without the fields the claim's columns hold (migration 0043) and with
 * its findings as their ids (migration 0047); SQL claim_answer(c) gives it whole. Held here to what
 * the settlement system was answered: for a claim passed and one withheld with findings, read back
 * whole, replayed, and shown to an auditor; a row whose answer was stored whole (before 0043), or
 * with its findings whole (0043 to 0046), reads the same, replayed byte for byte.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: 'H32010200001' }],
    items: [
      { code: '110100001', name: '普通门诊诊查费', ceiling: { secondary: '6.00' } },
      { code: '110100002', name: '副主任医师诊查费', ceiling: { secondary: '12.00' } },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

const KEY = `from claim_keys k
  join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
  where k.institution_id = $1 and k.claim_no = $2`;
const TEXT = `select claim_answer(c)::text as text ${KEY}`;
const STORED = `select c.answer as stored, claim_answer(c) as whole from claim_keys k
  join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
  where k.institution_id = $1 and k.claim_no = $2`;

describe('the stored answer', () => {
  const claims = [inpatientClaim({ claimId: 'ANS-PASS' }), outpatientClaim({ claimId: 'ANS-WITHHELD', ...WITHHELD })];

  it('is what the claim was answered, read whole, replayed and shown', async () => {
    for (const claim of claims) {
      const res = await svc.call('/v1/claims', { json: claim });
      expect(res.status).toBe(200);
      const answer = await json(res);
      const [row] = await svc.deps.database.query<{ stored: unknown; whole: unknown }>(STORED, [claim.institutionId, claim.claimId]);
      const stored = typeof row!.stored === 'string' ? JSON.parse(row!.stored) : row!.stored;
      const whole = typeof row!.whole === 'string' ? JSON.parse(row!.whole) : row!.whole;
      // only what the columns do not hold is stored, and the findings as their ids, in order
      expect(Object.keys(stored).sort()).toEqual(['findings', 'screenedAt', 'withheldAmount', 'withheldLines']);
      expect(stored.findings).toEqual(answer.findings.map((f: { id: string }) => f.id));
      expect(whole).toEqual(answer);

      const replay = await svc.call('/v1/claims', { json: claim });
      expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
      expect(await json(replay)).toEqual(answer);
      const shown = await svc.call(`/v1/claims/${claim.institutionId}/${claim.claimId}`, { role: 'auditor' });
      expect((await json(shown)).answer).toEqual(answer);
    }
    // both kinds: one passed whole, one withheld with its findings and lines
    const [, withheld] = await Promise.all(claims.map(async (c) => (await svc.deps.database.query<{ whole: any }>(STORED, [c.institutionId, c.claimId]))[0]!.whole));
    expect(withheld.decision).toBe('withhold');
    expect(withheld.findings.length).toBeGreaterThan(1);
    expect(withheld.withheldLines.length).toBeGreaterThan(0);
  });

  // each form the answer was stored in before: whole (before 0043), and without the columns'
  // fields but with its findings whole (0043 to 0046)
  const FORMS = {
    whole: 'claim_answer(c)',
    'findings whole': "claim_answer(c) - '{id,institutionId,claimId,decision,totalAmount,payableAmount,serviceMonth}'::text[]",
  };
  for (const [form, expression] of Object.entries(FORMS)) {
    it(`reads the same from a row whose answer was stored with its findings whole: ${form}`, async () => {
      const claim = claims[1]!;
      const [before] = await svc.deps.database.query<{ text: string }>(TEXT, [claim.institutionId, claim.claimId]);
      const replayBefore = await (await svc.call('/v1/claims', { json: claim })).text();
      await svc.deps.database.query(
        `update claims c set answer = ${expression} from claim_keys k
         where k.institution_id = $1 and k.claim_no = $2 and c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month`,
        [claim.institutionId, claim.claimId],
      );
      const [after] = await svc.deps.database.query<{ stored: any }>(STORED, [claim.institutionId, claim.claimId]);
      const stored = typeof after!.stored === 'string' ? JSON.parse(after!.stored) : after!.stored;
      expect(typeof stored.findings[0]).toBe('object');
      expect('payableAmount' in stored).toBe(form === 'whole');
      const [reread] = await svc.deps.database.query<{ text: string }>(TEXT, [claim.institutionId, claim.claimId]);
      expect(reread!.text).toBe(before!.text);
      const replayAfter = await svc.call('/v1/claims', { json: claim });
      expect(replayAfter.headers.get('idempotent-replayed')).toBe('true');
      expect(await replayAfter.text()).toBe(replayBefore);
      const shown = await svc.call(`/v1/claims/${claim.institutionId}/${claim.claimId}`, { role: 'auditor' });
      expect(JSON.stringify((await json(shown)).answer)).toBe(replayBefore);
    });
  }
});
