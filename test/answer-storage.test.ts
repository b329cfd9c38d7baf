import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * A claim's answer is stored without the fields the claim's columns hold (migration 0043); SQL
 * claim_answer(c) gives it whole. Held here to what the settlement system was answered: for a claim
 * passed and one withheld with findings, read back whole, replayed, and shown to an auditor; a row
 * whose answer was stored whole (before 0043) reads the same.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
});
afterAll(async () => {
  await svc?.close();
});

const STORED = `select c.answer as stored, claim_answer(c) as whole from claim_keys k
  join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
  where k.institution_id = $1 and k.claim_no = $2`;

describe('the stored answer', () => {
  const claims = [inpatientClaim({ claimId: 'ANS-PASS' }), outpatientClaim({ claimId: 'ANS-WITHHELD', institutionId: 'H99999999999' })];

  it('is what the claim was answered, read whole, replayed and shown', async () => {
    for (const claim of claims) {
      const res = await svc.call('/v1/claims', { json: claim });
      expect(res.status).toBe(200);
      const answer = await json(res);
      const [row] = await svc.deps.database.query<{ stored: unknown; whole: unknown }>(STORED, [claim.institutionId, claim.claimId]);
      const stored = typeof row!.stored === 'string' ? JSON.parse(row!.stored) : row!.stored;
      const whole = typeof row!.whole === 'string' ? JSON.parse(row!.whole) : row!.whole;
      // only what the columns do not hold is stored
      expect(Object.keys(stored).sort()).toEqual(['findings', 'screenedAt', 'withheldAmount', 'withheldLines']);
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
    expect(withheld.findings.length).toBeGreaterThan(0);
    expect(withheld.withheldLines.length).toBeGreaterThan(0);
  });

  it('reads the same from a row whose answer was stored whole', async () => {
    const claim = claims[1]!;
    const [before] = await svc.deps.database.query<{ whole: unknown }>(STORED, [claim.institutionId, claim.claimId]);
    await svc.deps.database.query(
      `update claims c set answer = claim_answer(c) from claim_keys k
       where k.institution_id = $1 and k.claim_no = $2 and c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month`,
      [claim.institutionId, claim.claimId],
    );
    const [after] = await svc.deps.database.query<{ stored: any; whole: unknown }>(STORED, [claim.institutionId, claim.claimId]);
    expect(Object.keys(typeof after!.stored === 'string' ? JSON.parse(after!.stored) : after!.stored)).toContain('payableAmount');
    expect(after!.whole).toEqual(before!.whole);
  });
});
