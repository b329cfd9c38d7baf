import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../rules/decide.js';
import type { Finding } from '../../rules/finding.js';
import { buildAnswer } from '../../src/claims/answer.js';
import { buildClaimSchema } from '../../src/claims/claim.schema.js';
import type { ScreenedClaim } from '../../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../../src/claims/normalize.js';
import { keyedHash } from '../../src/lib/hash.js';
import { drawValue, sampleKey, underRate } from '../../src/review/sampling.js';
import { splitFindings } from '../../src/screening/findings.js';
import { inpatientClaim } from '../support/claims.js';
import { seedReference } from '../support/reference.js';
import { startTestService, TEST_SECRET, type TestService } from '../support/service.js';

// The cases a batch's findings open are written once, with their figures (migration 0039): each
// must hold what review_refresh_case counts from its reasons, be opened in the order of its first
// finding whatever its month, and not be updated after its INSERT; a case open before the batch is
// recounted. The claims are handed to the repository in one turn of the event loop: one statement.

let svc: TestService;
const schema = buildClaimSchema({ maxLines: 500 });
const q = <T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []) => svc.deps.database.query<T>(sql, params);

beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
  // every UPDATE of a review case, counted by case
  await q(`create table test_case_updates (case_id bigint, at timestamptz default clock_timestamp())`);
  await q(`create function test_count_case_update() returns trigger language plpgsql as $$
    begin insert into test_case_updates (case_id) values (new.id); return new; end $$`);
  await q(`create trigger test_count_case_update before update on review_cases for each row execute function test_count_case_update()`);
});
afterAll(async () => {
  await svc?.close();
});

// the random re-check (5 % of stays) would open cases of its own: claim numbers it does not draw
const key = sampleKey({ REVIEW_SAMPLE_SECRET: undefined }, TEST_SECRET);
const numbered = (claimNo: string, drawn: boolean) => {
  for (let i = 0; ; i++) if (underRate(drawValue(key, 'H32010200001', `${claimNo}-${i}`), 50_000) === drawn) return `${claimNo}-${i}`;
};

let person = 0;
const finding = (over: Partial<Finding>): Finding => ({
  ruleId: 'TEST-RULE',
  ruleVersion: 1,
  family: 'price',
  severity: 'medium',
  status: 'active',
  message: { zh: '测试', en: 'test' },
  violatingLines: [],
  involvedLines: [],
  otherClaims: [],
  amountFen: 0,
  ...over,
});

/** The support claim's stay (lines L1 20.00, L2 180.00, ...) in October or November, with the given findings, as the intake stores it. */
function screened(claimNo: string, findings: Finding[], month: '2026-10' | '2026-11' = '2026-10', drawn = false): ScreenedClaim {
  const stay = inpatientClaim({ claimId: numbered(claimNo, drawn), insured: { id: `3201021958031${String(++person).padStart(5, '0')}`, sex: 'male', birthDate: '1958-03-14' } });
  const input = schema.parse(JSON.parse(JSON.stringify(stay).replaceAll('2026-10-', `${month}-`)));
  const claim = normalizeClaim(input, keyedHash(TEST_SECRET, input.insured.id));
  const id = randomUUID();
  const { own, ownFindings, retrospective } = splitFindings(claim, findings);
  const answer = buildAnswer({ id, claim, findings: ownFindings, findingIds: own.map((f) => f.id), decision: decide(claim, ownFindings), screenedAt: Date.now() });
  return { id, claim, contentHash: keyedHash(TEST_SECRET, id), clientId: null, body: storableBody(input), answer, findings: own, retrospective };
}

const FIGURES = `select c.id::int as id, c.claim_id::text as claim_id, c.status, c.reason_kinds, c.families, c.severity_rank,
  c.amount_at_issue::text as amount, c.provider_risk::text as risk, c.priority::text as priority, c.assignee, c.final_outcome,
  (select count(*)::int from review_reasons r where r.case_id = c.id) as reasons
  from review_cases c`;
const SAMPLE = `select c.claim_id::text as claim_id, c.sample_due_at::text as due, (c.sample_ripe_at = c.opened_at) as ripe_now, c.sample_ripe_at is null as unripe,
  c.opened_at = c.updated_at as opened_updated from review_cases c`;
type Figures = { id: number; claim_id: string; reason_kinds: string[]; families: string[]; severity_rank: number; amount: string; risk: string; priority: string; reasons: number };

describe('review cases opened by a batch of findings', () => {
  it('hold the recount’s figures from their INSERT, in the order of their first finding, and a case open before is recounted', async () => {
    // open before the batch: a case on an October claim, which the batch adds a retrospective finding to
    const earlier = screened('RC-EARLIER', [finding({ severity: 'low', violatingLines: ['L1'], amountFen: 500 })]);
    // an earlier November claim with no case yet: the batch files a retrospective finding on it
    const earlierNov = screened('RC-EARLIER-NOV', [], '2026-11');
    await Promise.all([svc.deps.claims.insertScreened(earlier), svc.deps.claims.insertScreened(earlierNov)]);
    const [before] = await q<Figures>(`${FIGURES} where c.claim_id = $1`, [earlier.id]);
    expect(before).toMatchObject({ reason_kinds: ['finding'], severity_rank: 1, amount: '5.00', reasons: 1 });

    const batch = [
      // a November stay first: its case is opened first although October's come after it
      screened('RC-NOV', [finding({ severity: 'high', violatingLines: ['L2'], amountFen: 6000 })], '2026-11'),
      // a violation withholds 150.00 of L2 (180.00); a suspicion on L2 of 100.00 can only be 30.00; one on no line 40.00
      screened('RC-WITHHELD', [
        finding({ ruleId: 'TEST-CAP', severity: 'violation', violatingLines: ['L2'], amountFen: 15000 }),
        finding({ ruleId: 'TEST-SUSPECT', family: 'stays', severity: 'medium', violatingLines: ['L2'], amountFen: 10000 }),
        finding({ ruleId: 'TEST-OTHER', family: 'drugs', severity: 'low', amountFen: 4000 }),
      ]),
      // a violation alone opens no case
      screened('RC-VIOLATION', [finding({ severity: 'violation', violatingLines: ['L1'], amountFen: 1000 })]),
      // the provider model's and a trial rule's findings, more than the claim pays
      screened('RC-MODEL', [
        finding({ ruleId: 'PROVIDER-MODEL', family: 'provider-model', severity: 'medium', amountFen: 2000 }),
        finding({ ruleId: 'TEST-TRIAL', family: 'price', severity: 'violation', status: 'trial', violatingLines: ['L1', 'L2'], amountFen: 9_999_900 }),
      ]),
    ];
    // retrospective findings, filed by the batch's claims on the earlier ones
    const retro = (inst: string, cno: string, amountFen: number) => ({
      ...splitFindings(batch[0]!.claim, [finding({ family: 'stays', severity: 'high', amountFen })]).own[0]!,
      inst,
      cno,
    });
    batch[0]!.retrospective = [retro(earlierNov.claim.institutionId, earlierNov.claim.claimNo, 700)];
    batch[1]!.retrospective = [retro(earlier.claim.institutionId, earlier.claim.claimNo, 300)];
    await q(`truncate test_case_updates`);
    const outcomes = await Promise.all(batch.map((s) => svc.deps.claims.insertScreened(s)));
    expect(outcomes).toEqual(batch.map(() => ({ inserted: true })));

    const cases = await q<Figures>(`${FIGURES} order by c.id`);
    const byClaim = new Map(cases.map((c) => [c.claim_id, c]));
    // opened in the order of their first finding (the statement writes the retrospective findings
    // first), the November claims' cases among October's
    expect(cases.map((c) => c.claim_id)).toEqual([earlier.id, earlierNov.id, batch[0]!.id, batch[1]!.id, batch[3]!.id]);
    expect(byClaim.get(batch[2]!.id)).toBeUndefined();
    expect(byClaim.get(batch[0]!.id)).toMatchObject({ reason_kinds: ['finding'], families: ['price'], severity_rank: 3, amount: '60.00', risk: '0.0000', reasons: 1 });
    expect(byClaim.get(batch[1]!.id)).toMatchObject({ reason_kinds: ['finding'], families: ['drugs', 'stays'], severity_rank: 2, amount: '70.00', reasons: 2 });
    // the model's 20.00 on no line, then the trial's 99,999.00 on L1 and L2: what those lines bill, 200.00
    expect(byClaim.get(batch[3]!.id)).toMatchObject({ reason_kinds: ['finding', 'provider_model'], families: ['price', 'provider-model'], amount: '220.00', risk: '0.6000', reasons: 2 });
    expect(byClaim.get(earlierNov.id)).toMatchObject({ reason_kinds: ['retrospective'], families: ['stays'], severity_rank: 3, amount: '7.00', reasons: 1 });
    expect(byClaim.get(earlier.id)).toMatchObject({ reason_kinds: ['finding', 'retrospective'], severity_rank: 3, amount: '8.00', reasons: 2 });

    // written once: only the case open before the batch was updated (its recount)
    const updates = await q<{ case_id: number; n: number }>(`select case_id::int as case_id, count(*)::int as n from test_case_updates group by 1 order by 1`);
    expect(updates).toEqual([{ case_id: byClaim.get(earlier.id)!.id, n: 1 }]);

    // what each case holds is what the recount gives it
    for (const c of cases) await q(`select review_refresh_case($1, false)`, [c.id]);
    expect(await q<Figures>(`${FIGURES} order by c.id`)).toEqual(cases);
  });

  it('a claim drawn by the re-check gets its case written once, with its figures and its month’s due date; with findings too', async () => {
    // November's inpatient sample is closed with a due date; October's is not
    await q(`insert into review_sample_months (institution_id, service_month, visit_type, rate_ppm, claim_count, required, sampled, closed_by, due_at)
             values ('H32010200001', '2026-11', 'inpatient', 50000, 1, 1, 1, 'test', '2027-03-01T00:00:00Z')`);
    const batch = [
      screened('RS-NOV', [], '2026-11', true),
      screened('RS-OCT', [], '2026-10', true),
      screened('RS-FOUND', [finding({ severity: 'high', violatingLines: ['L2'], amountFen: 3000 })], '2026-11', true),
    ];
    await q(`truncate test_case_updates`);
    const first = await q<{ id: number }>(`select coalesce(max(id), 0)::int as id from review_cases`);
    expect(await Promise.all(batch.map((s) => svc.deps.claims.insertScreened(s)))).toEqual(batch.map(() => ({ inserted: true })));

    const cases = await q<Figures>(`${FIGURES} where c.id > $1 order by c.id`, [first[0]!.id]);
    const byClaim = new Map(cases.map((c) => [c.claim_id, c]));
    expect(cases).toHaveLength(3);
    const [nov] = await q<{ payable: string }>(`select payable_amount::text as payable from claims where id = $1`, [batch[0]!.id]);
    // a sample alone: a tenth of 5 % of what the claim pays
    expect(byClaim.get(batch[0]!.id)).toMatchObject({
      reason_kinds: ['sample'],
      families: [],
      severity_rank: 0,
      amount: '0.00',
      risk: '0.0000',
      priority: (Number(nov!.payable) * 0.005).toFixed(4),
      reasons: 1,
    });
    expect(byClaim.get(batch[2]!.id)).toMatchObject({ reason_kinds: ['finding', 'sample'], families: ['price'], severity_rank: 3, amount: '30.00', reasons: 2 });
    const sample = new Map((await q<{ claim_id: string }>(`${SAMPLE} where c.id > $1`, [first[0]!.id])).map((c) => [c.claim_id, c]));
    expect(sample.get(batch[0]!.id)).toEqual({ claim_id: batch[0]!.id, due: expect.stringMatching(/^2027-03-01/), ripe_now: true, unripe: false, opened_updated: true });
    expect(sample.get(batch[1]!.id)).toEqual({ claim_id: batch[1]!.id, due: null, ripe_now: null, unripe: true, opened_updated: true });
    expect(sample.get(batch[2]!.id)).toMatchObject({ due: expect.stringMatching(/^2027-03-01/), ripe_now: true });

    // the sampled cases alone were written once; the one with findings too is opened by whichever
    // trigger runs first and completed by the other
    const updates = await q<{ case_id: number }>(`select distinct case_id::int as case_id from test_case_updates`);
    expect(updates.map((u) => u.case_id).filter((id) => id === byClaim.get(batch[0]!.id)!.id || id === byClaim.get(batch[1]!.id)!.id)).toEqual([]);

    for (const c of cases) await q(`select review_refresh_case($1, false)`, [c.id]);
    expect(await q<Figures>(`${FIGURES} where c.id > $1 order by c.id`, [first[0]!.id])).toEqual(cases);
  });
});
