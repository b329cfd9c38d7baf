import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { createReviewCases } from '../../src/review/cases.js';
import { closeMonth, ratesPpm, recheckCompletion, sampleKey, verifyMonth } from '../../src/review/sampling.js';
import { seedCases } from '../../bench/review-seed.js';
import { freshDatabaseUrl } from '../support/database.js';
import { TEST_SECRET } from '../support/service.js';

/**
 * Issue 15, item 1: with 10,000 targeted cases open and 20 auditors drawing, every sample case of
 * a closed month is drawn before its due date. The real draw statement, on a simulated clock: 20
 * auditors draw at once every 2.4 hours (200 draws a day, 4,000 over the 20 days, so the targeted
 * backlog never runs dry), from the month's close at its cut-off to its due date.
 */
const TARGETED = 10_000;
const AUDITORS = 20;
const MONTH = '2026-09';
const DAY = 86_400_000;
const STEP = DAY / 10;
// claims of the sampled month per institution: 5% inpatient → 5, 10, 15, … 40 sample cases
const INSTITUTIONS = Array.from({ length: 8 }, (_, i) => ({ id: `H9${String(i).padStart(10, '0')}`, claims: 100 * (i + 1) }));

describe('the re-check is drawn before its due date, whatever the targeted backlog', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const config = loadConfig({ DATA_DIR: 'memory://', PERSON_ID_SECRET: TEST_SECRET });
  const key = sampleKey(config, TEST_SECRET);
  let clock = Date.parse('2026-10-15T16:00:00Z'); // 2026-10-16 00:00 CST: September's cut-off

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    const cfg = loadConfig({ DATA_DIR: 'memory://', PERSON_ID_SECRET: TEST_SECRET, ...(fresh.url ? { DATABASE_URL: fresh.url } : {}) });
    // no sampling settings in the session: the close draws the whole sample
    database = await openConfiguredDatabase(cfg, { synchronous_commit: 'off' });
    await seedCases(database, TARGETED, '2026-10');
    await database.query(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
         total_amount, payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       select gen_random_uuid(), i.inst, 'SEP' || g, 'q' || g, 'inpatient', now(), now(), $1,
         500 + g % 900, 500 + g % 900, 'pass', 'h', '{}'::jsonb, '{}'::jsonb, 0, 0, 0
       from jsonb_to_recordset($2::jsonb) as i(inst text, n int), generate_series(1, i.n) g`,
      [MONTH, JSON.stringify(INSTITUTIONS.map((i) => ({ inst: i.id, n: i.claims })))],
    );
  }, 600_000);
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const sampleCases = async () =>
    database.query<{ id: string; institution_id: string; status: string; assignee: string | null; due_ms: number | null; ripe_ms: number | null }>(
      `select c.id, c.institution_id, c.status, c.assignee, (extract(epoch from c.sample_due_at) * 1000)::float8 as due_ms,
              (extract(epoch from c.sample_ripe_at) * 1000)::float8 as ripe_ms
       from review_cases c where c.service_month = $1 and exists (select 1 from review_reasons r where r.case_id = c.id and r.kind = 'sample')`,
      [MONTH],
    );

  it(`${AUDITORS} auditors over ${TARGETED.toLocaleString('en')} targeted cases: each ripe sample case is taken at the next draws, every one before the due date`, async () => {
    const cases = createReviewCases({ database, drawPool: 10, now: () => clock });
    const auditors = Array.from({ length: AUDITORS }, (_, i) => ({ name: `auditor-${i}`, role: 'auditor' as const, keyId: `k${i}` }));
    // auditor-0 is related to the largest institution: none of its cases may reach them
    await database.query(`insert into review_conflicts (person, institution_id, kind, note, declared_by) values ('auditor-0', $1, 'kin', 'sister works there', 'auditor-0')`, [INSTITUTIONS[7]!.id]);
    const round = async () => Promise.all(auditors.map(async (p) => ({ p: p.name, c: await cases.draw(p) })));

    const close = await closeMonth(database, key, ratesPpm(config), MONTH, 'Sun Li', { dueDays: 20, slackDays: 5, now: () => clock });
    expect(close.dueAt).toBe('2026-11-04T16:00:00.000Z'); // 2026-11-05 00:00 CST: the cut-off + 20 days
    const due = Date.parse(close.dueAt);
    const ripeEnd = due - 5 * DAY;
    const sample = await sampleCases();
    // at least ⌈5%⌉ of each institution's claims (more where more values fall under the rate): 180 at least
    const w = new Map(close.groups.map((g) => [g.institutionId, g.sampled]));
    for (const inst of INSTITUTIONS) expect(w.get(inst.id)).toBeGreaterThanOrEqual(Math.ceil(inst.claims * 0.05));
    expect(sample.length).toBe([...w.values()].reduce((s, n) => s + n, 0));
    expect(sample.length).toBeGreaterThanOrEqual(180);
    expect(sample.every((c) => c.due_ms === due && c.ripe_ms !== null && c.ripe_ms >= clock && c.ripe_ms <= ripeEnd)).toBe(true);
    // each institution's sample ripens evenly: its k-th of W cases at close + k/W of the span
    for (const inst of INSTITUTIONS) {
      const ripe = sample
        .filter((c) => c.institution_id === inst.id)
        .map((c) => c.ripe_ms!)
        .sort((a, b) => a - b);
      const n = w.get(inst.id)!;
      expect(ripe.map((r) => Math.round(((r - clock) / (ripeEnd - clock)) * n))).toEqual(Array.from({ length: n }, (_, k) => k));
    }
    const sampleIds = new Set(sample.map((c) => Number(c.id)));
    const ripeBy = (t: number) => sample.filter((c) => c.ripe_ms! <= t).length;

    const drawnAt = new Map<number, number>();
    let targeted = 0;
    const perDay = new Map<number, { sample: number; targeted: number }>();
    for (let t = clock; t < due; t += STEP) {
      clock = t;
      for (const { p, c } of await round()) {
        expect(c, `${p} drew nothing at ${new Date(t).toISOString()}`).not.toBeNull();
        const day = Math.floor((t - Date.parse(close.dueAt) + 20 * DAY) / DAY);
        const d = perDay.get(day) ?? { sample: 0, targeted: 0 };
        if (sampleIds.has(c!.id)) {
          drawnAt.set(c!.id, t);
          d.sample++;
          if (p === 'auditor-0') expect(c!.institutionId).not.toBe(INSTITUTIONS[7]!.id);
          // the assignee does not learn it is a sample, nor its priority
          expect(c).toMatchObject({ blinded: true, reasonKinds: null, severity: null, amountAtIssue: null, priority: null });
        } else (targeted++, d.targeted++);
        perDay.set(day, d);
      }
      // every sample case ripe by now has been taken, and none before it was ripe
      expect(drawnAt.size, `at ${new Date(t).toISOString()}`).toBe(ripeBy(t));
    }
    expect(drawnAt.size).toBe(sample.length);
    expect(Math.max(...drawnAt.values())).toBeLessThanOrEqual(ripeEnd);
    expect([...drawnAt.values()].every((t) => t < due)).toBe(true);
    // the targeted work went on every day: the sample took about 180 of 4,000 draws, spread over the days
    expect(targeted).toBe(20 * 10 * AUDITORS - sample.length);
    const days = [...perDay.values()];
    expect(days).toHaveLength(20);
    expect(Math.min(...days.map((d) => d.targeted))).toBeGreaterThanOrEqual(200 - 30);
    expect(Math.max(...days.slice(0, 15).map((d) => d.sample))).toBeLessThanOrEqual(30);
    const open = await database.query<{ n: number }>(`select count(*)::int as n from review_cases where status = 'open'`);
    expect(open[0]!.n).toBe(TARGETED - targeted);

    // the membership is still what the key derives from the month's claims
    expect((await verifyMonth(database, key, ratesPpm(config), MONTH)).match).toBe(true);
    // completion: all drawn, none concluded yet → overdue once the due date passes
    const before = await recheckCompletion(database, { month: MONTH, now: due - 1, dueDays: 20 });
    expect(before).toHaveLength(INSTITUTIONS.length);
    for (const g of before)
      expect(g).toMatchObject({
        drawn: w.get(g.institutionId),
        sampled: w.get(g.institutionId),
        concluded: 0,
        complete: false,
        overdue: false,
        dueAt: close.dueAt,
        required: Math.ceil((INSTITUTIONS.find((i) => i.id === g.institutionId)!.claims * 5) / 100),
      });
    expect((await recheckCompletion(database, { month: MONTH, now: due, dueDays: 20 })).every((g) => g.overdue)).toBe(true);
    // the assignees conclude the sample cases: complete, not overdue
    for (const c of await sampleCases())
      await cases.conclude({ name: c.assignee!, role: 'auditor', keyId: 'k' }, Number(c.id), { outcome: 'dismissed', reason: 'checked line by line: consistent with the record' });
    const after = await recheckCompletion(database, { month: MONTH, now: due, dueDays: 20 });
    expect(after.every((g) => g.complete && !g.overdue && g.concluded === g.sampled && g.final === 0)).toBe(true);
    expect(await recheckCompletion(database, { month: MONTH, now: due, dueDays: 20, outstanding: true })).toEqual([]);
  }, 600_000);
});
