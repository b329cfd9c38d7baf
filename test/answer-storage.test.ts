import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';
import { databaseAt, type Q } from './support/migrations.js';

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
 * its findings as their ids (migration 0047); SQL claim_answer(c) gives it whole. Its content hash
 * is stored in claim_keys alone (0047). Held here to what
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
const STORED = `select c.answer as stored, claim_answer(c) as whole, c.content_hash as claim_hash, k.content_hash as key_hash from claim_keys k
  join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
  where k.institution_id = $1 and k.claim_no = $2`;

describe('the stored answer', () => {
  const claims = [inpatientClaim({ claimId: 'ANS-PASS' }), outpatientClaim({ claimId: 'ANS-WITHHELD', ...WITHHELD })];

  it('is what the claim was answered, read whole, replayed and shown', async () => {
    for (const claim of claims) {
      const res = await svc.call('/v1/claims', { json: claim });
      expect(res.status).toBe(200);
      const answer = await json(res);
      const [row] = await svc.deps.database.query<{ stored: unknown; whole: unknown; claim_hash: string | null; key_hash: string }>(STORED, [claim.institutionId, claim.claimId]);
      const stored = typeof row!.stored === 'string' ? JSON.parse(row!.stored) : row!.stored;
      const whole = typeof row!.whole === 'string' ? JSON.parse(row!.whole) : row!.whole;
      // only what the columns do not hold is stored, and the findings as their ids, in order
      expect(Object.keys(stored).sort()).toEqual(['findings', 'screenedAt', 'withheldAmount', 'withheldLines']);
      expect(stored.findings).toEqual(answer.findings.map((f: { id: string }) => f.id));
      // the content hash is kept in claim_keys alone, where the replay reads it
      expect([row!.claim_hash, typeof row!.key_hash]).toEqual([null, 'string']);
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

  it('is read by an expression inlined in the query, the findings by a function called only for them', async () => {
    const plan = await svc.deps.database.query<{ 'QUERY PLAN': string }>(`explain verbose select claim_answer(c) from claims c where id = '01a24000-0000-7000-8000-000000000000'`);
    const output = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(output).not.toContain('claim_answer(c');
    expect(output).toContain('claim_answer_findings(');
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

describe('0047 over claims stored before it', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  const FINDINGS = [
    { n: 2, rule: 'PRICE-ABOVE-CEILING', amount: '4.00', lines: ['2'], message: { zh: '第 2 行单价高于限价', en: 'Line 2 is priced above its ceiling' } },
    { n: 1, rule: 'DUP-CHARGE', amount: '10.50', lines: ['1', '3'], message: { zh: '重复收费', en: 'Charged twice' } },
  ];
  const answerOf = (id: string, findings: unknown[]) => ({
    withheldAmount: '14.50',
    withheldLines: [{ lineId: '2', amount: '4.00' }],
    findings,
    screenedAt: '2026-10-03T02:00:01.000Z',
    id,
  });
  // a claim's findings' ids: its own with the last digit n (the first finding's is the larger)
  const fid = (claimId: string, n: number) => `${claimId.slice(0, -1)}${n}`;
  const whole = (claimId: string) =>
    FINDINGS.map((f) => ({
      id: fid(claimId, f.n),
      ruleId: f.rule,
      ruleVersion: 2,
      family: 'price',
      severity: 'violation',
      status: 'active',
      message: f.message,
      violatingLines: f.lines,
      involvedLines: [],
      otherClaims: [{ institutionId: 'H32010200002', claimId: 'X-9', lines: ['4'] }],
      amount: f.amount,
    }));
  const insertClaim = (q: Q, id: string, answer: unknown, hash: string | null) =>
    q(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
         content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       values ($1::uuid, 'H32010200001', $1::text, 'p-1', 'outpatient', '2026-10-03T02:00:00Z', '2026-10-03T02:00:00Z', '2026-10', 30.00, 15.50, 'withhold', $3, '{"lines": []}'::jsonb, $2::jsonb, 0, 0, 0)`,
      [id, JSON.stringify(answer), hash],
    );
  const insertFindings = (q: Q, claimId: string) =>
    q(
      `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message,
         violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
       select f.id, $1::uuid, $1::uuid, false, f."ruleId", f."ruleVersion", f.family, f.severity, f.status, f.message, f."violatingLines", f."involvedLines",
         f."otherClaims", f.amount, '2026-10', 'p-1'
       from jsonb_to_recordset($2::jsonb) as f(id uuid, "ruleId" text, "ruleVersion" int, family text, severity text, status text, message jsonb,
         "violatingLines" jsonb, "involvedLines" jsonb, "otherClaims" jsonb, amount numeric)`,
      [claimId, JSON.stringify(whole(claimId))],
    );
  const text = async (q: Q, id: string) => (await q<{ text: string; hash: string | null }>(`select claim_answer(c)::text as text, c.content_hash as hash from claims c where id = $1`, [id]))[0]!;

  it('reads a row stored with its findings whole as before, and one stored with their ids the same', async () => {
    const { q, migrateRest } = await databaseAt('0046_', cleanups);
    const before = '01a24000-0000-7000-8000-0000000000b0';
    await insertClaim(q, before, answerOf(before, whole(before)), 'hash-before');
    await insertFindings(q, before);
    const read = await text(q, before);
    // the findings in the answer's order (not their ids')
    expect(JSON.parse(read.text).findings.map((f: { id: string }) => f.id)).toEqual([fid(before, 2), fid(before, 1)]);

    expect(await migrateRest()).toBeUndefined();
    expect(await text(q, before)).toEqual({ text: read.text, hash: 'hash-before' });

    // stored now: the findings by their ids, no content hash; given back byte for byte the same
    const after = '01a24000-0000-7000-8000-0000000000a0';
    await insertClaim(q, after, answerOf(after, [fid(after, 2), fid(after, 1)]), null);
    await insertFindings(q, after);
    const now = await text(q, after);
    expect(now.hash).toBeNull();
    expect(now.text).toBe(read.text.replaceAll(before.slice(0, -1), after.slice(0, -1)));
  }, 60_000);
});
