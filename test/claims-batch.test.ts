import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import type { ScreenedClaim } from '../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { isDatabaseUnavailable } from '../src/db/errors.js';
import { canonicalJson, keyedHash } from '../src/lib/hash.js';
import { assessClaim } from '../src/screening/assess.js';
import { splitFindings } from '../src/screening/findings.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, TEST_SECRET, type TestService } from './support/service.js';

// Group commit: claims screened at the same time are written by one statement in one transaction.
// These tests hand claims to the repository in one turn of the event loop, so they are one batch,
// and check that a batch is all-or-nothing in the database but not for its callers.

let svc: TestService;
const schema = buildClaimSchema({ maxLines: 500 });

beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
  // A trigger refuses chosen claims, as a constraint or another helper's trigger might: POISON-*
  // with an ordinary error, DOWN-* with the code PostgreSQL uses when it is shutting down.
  await svc.deps.database.query(`
    create function test_refuse_claim() returns trigger language plpgsql as $$
    begin
      if new.claim_no like 'POISON-%' then raise exception 'refused by test trigger: %', new.claim_no; end if;
      if new.claim_no like 'DOWN-%' then raise exception 'terminating connection (test)' using errcode = '57P01'; end if;
      return new;
    end $$`);
  await svc.deps.database.query(`create trigger test_refuse_claim before insert on claims for each row execute function test_refuse_claim()`);
});
afterAll(async () => {
  await svc?.close();
});

let person = 0;
/** Screens a claim as POST /v1/claims does, without storing it. */
async function screened(claimId: string, overrides: Record<string, unknown> = {}): Promise<ScreenedClaim> {
  const input = schema.parse(inpatientClaim({ claimId, insured: { id: `3201021958031${String(++person).padStart(5, '0')}`, sex: 'male', birthDate: '1958-03-14' }, ...overrides }));
  const claim = normalizeClaim(input, keyedHash(TEST_SECRET, input.insured.id));
  const { findings, decision } = await assessClaim({ rules: svc.deps.rules, ruleOverrides: svc.deps.ruleSettings.overrides, history: svc.deps.history, reference: svc.deps.referenceCache }, claim);
  const id = randomUUID();
  const { own, retrospective } = splitFindings(claim, findings);
  const answer = buildAnswer({ id, claim, findings, findingIds: own.map((f) => f.id), decision, screenedAt: Date.now() });
  return { id, claim, contentHash: keyedHash(TEST_SECRET, canonicalJson(claim)), clientId: null, body: storableBody(input), answer, findings: own, retrospective };
}

const stored = async (claimNos: string[]) =>
  svc.deps.database.query<{ claim_no: string; received_at: string; lines: string }>(
    `select c.claim_no, c.received_at::text, (select count(*) from claim_lines_of(c.body))::text as lines
     from claims c where c.claim_no = any($1::text[]) order by c.claim_no`,
    [claimNos],
  );

describe('group commit of claims', () => {
  it('writes claims handed in together in one transaction, each with its lines', async () => {
    const tag = randomUUID().slice(0, 8);
    const list = await Promise.all(Array.from({ length: 12 }, (_, i) => screened(`B-${tag}-${String(i).padStart(2, '0')}`)));
    const outcomes = await Promise.all(list.map((s) => svc.deps.claims.insertScreened(s)));
    expect(outcomes).toEqual(Array(12).fill({ inserted: true }));
    const rows = await stored(list.map((s) => s.claim.claimNo));
    expect(rows.map((r) => r.claim_no)).toEqual(list.map((s) => s.claim.claimNo));
    expect(rows.map((r) => r.lines)).toEqual(Array(12).fill('3'));
    // one transaction: now() is the same for every row
    expect(new Set(rows.map((r) => r.received_at)).size).toBe(1);
    expect(svc.logs.join('')).not.toContain('writing claims together failed');
  });

  it("adds to the running item totals what the statement's claims bring, as the intake parsed their lines", async () => {
    // The statement hands the totals' trigger each claim's deltas from its parsed lines
    // (itemDeltasParameter, migration 0040): here the screened lines bill three times the body's
    // quantities, so the totals show which the trigger counted.
    const tag = randomUUID().slice(0, 8);
    const list = await Promise.all(Array.from({ length: 4 }, (_, i) => screened(`T-${tag}-${i}`)));
    for (const s of list) s.claim.lines = s.claim.lines.map((l) => ({ ...l, quantity: l.quantity * 3, amountFen: l.amountFen * 3 }));
    const totals = async () =>
      new Map(
        (
          await svc.deps.database.query<{ key: string; q: string; a: string; n: string }>(
            `select item_code || '|' || month as key, (quantity * 10000)::bigint::text as q, (amount * 100)::bigint::text as a, lines::text as n
             from institution_item_months where institution_id = $1`,
            [list[0]!.claim.institutionId],
          )
        ).map((r) => [r.key, [Number(r.q), Number(r.a), Number(r.n)]]),
      );
    const before = await totals();
    expect(await Promise.all(list.map((s) => svc.deps.claims.insertScreened(s)))).toEqual(Array(4).fill({ inserted: true }));
    const expected = new Map<string, number[]>();
    for (const s of list)
      for (const l of s.claim.lines) {
        const key = `${l.itemCode}|${l.serviceDate.slice(0, 7)}`;
        const [q, a, n] = expected.get(key) ?? before.get(key) ?? [0, 0, 0];
        expected.set(key, [q! + l.quantity, a! + l.amountFen, n! + 1]);
      }
    const after = await totals();
    expect(new Map([...expected.keys()].map((k) => [k, after.get(k)]))).toEqual(expected);
  });

  it('a claim the database refuses fails alone: its neighbours in the batch are stored', async () => {
    const tag = randomUUID().slice(0, 8);
    const list = await Promise.all(Array.from({ length: 10 }, (_, i) => screened(i === 4 ? `POISON-${tag}` : `N-${tag}-${i}`)));
    const outcomes = await Promise.allSettled(list.map((s) => svc.deps.claims.insertScreened(s)));
    expect(outcomes.map((o) => o.status)).toEqual(list.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
    expect(String((outcomes[4] as PromiseRejectedResult).reason?.message)).toContain(`refused by test trigger: POISON-${tag}`);
    const rows = await stored(list.map((s) => s.claim.claimNo));
    expect(rows.map((r) => r.claim_no)).toEqual(
      list
        .filter((_, i) => i !== 4)
        .map((s) => s.claim.claimNo)
        .sort(),
    );
    expect(rows.map((r) => r.lines)).toEqual(Array(9).fill('3'));
    const poisonLines = await svc.deps.database.query(`select 1 from claims c, claim_lines_of(c.body) where c.id = $1`, [list[4]!.id]);
    expect(poisonLines).toHaveLength(0);
    // the batch failed as a whole first, then its claims went one by one
    expect(svc.logs.some((l) => l.includes('writing claims together failed') && l.includes(`POISON-${tag}`) && l.includes('"claims":10'))).toBe(true);
  });

  it('a batch the database cannot write fails with an unavailable error, and only that batch', async () => {
    const tag = randomUUID().slice(0, 8);
    const down = await Promise.all(Array.from({ length: 5 }, (_, i) => screened(`DOWN-${tag}-${i}`)));
    const fine = await Promise.all(Array.from({ length: 5 }, (_, i) => screened(`OK-${tag}-${i}`)));
    const downOutcomes = Promise.allSettled(down.map((s) => svc.deps.claims.insertScreened(s)));
    // handed in a turn later: a batch of their own
    await new Promise((r) => setImmediate(r));
    const fineOutcomes = await Promise.all(fine.map((s) => svc.deps.claims.insertScreened(s)));
    expect(fineOutcomes).toEqual(Array(5).fill({ inserted: true }));
    const settled = await downOutcomes;
    expect(settled.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    for (const o of settled) expect(isDatabaseUnavailable((o as PromiseRejectedResult).reason)).toBe(true);
    expect((await stored(down.map((s) => s.claim.claimNo))).length).toBe(0);
    expect((await stored(fine.map((s) => s.claim.claimNo))).length).toBe(5);
  });

  it('two different claims under one id in one batch: one is stored, the other learns it lost', async () => {
    const claimNo = `DUP-${randomUUID().slice(0, 8)}`;
    const a = await screened(claimNo);
    const b = await screened(claimNo); // another person: other content
    const [oa, ob] = await Promise.all([svc.deps.claims.insertScreened(a), svc.deps.claims.insertScreened(b)]);
    const winner = oa.inserted ? a : b;
    const loser = oa.inserted ? ob : oa;
    expect([oa.inserted, ob.inserted].sort()).toEqual([false, true]);
    expect(loser).toMatchObject({ inserted: false, existing: { id: winner.id, contentHash: winner.contentHash } });
    const rows = await stored([claimNo]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lines).toBe('3');
  });

  it('over HTTP: a refused claim answers 500, an unavailable one 503, the claims sent with them 200', async () => {
    const tag = randomUUID().slice(0, 8);
    const bodies = Array.from({ length: 30 }, (_, i) =>
      outpatientClaim({
        claimId: i === 7 ? `POISON-H${tag}` : i === 19 ? `DOWN-H${tag}` : `H-${tag}-${i}`,
        insured: { id: `11010119900101${String(1000 + i)}`, sex: 'female', birthDate: '1990-01-01' },
      }),
    );
    const results = await Promise.all(bodies.map((b) => svc.call('/v1/claims', { json: b }).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await json(r) }))));
    expect(results.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 7 ? 500 : i === 19 ? 503 : 200)));
    expect(results[19]!.retry).not.toBeNull();
    expect(results[7]!.body.error.code).toBe('internal');
    for (const [i, b] of bodies.entries()) {
      const got = await svc.call(`/v1/claims/${b.institutionId}/${b.claimId}`, { role: 'auditor' });
      expect(got.status).toBe(i === 7 || i === 19 ? 404 : 200);
      if (got.status === 200) expect((await json(got)).answer).toEqual(results[i]!.body);
    }
  });
});
