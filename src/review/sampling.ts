import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { reportPeriod } from '../report/period.js';
import { appendTrail } from './trail.js';

/**
 * The random re-check. A claim's draw value is the first 48 bits of
 * HMAC-SHA-256(key, "institution|claim no") as a fraction of 2^48: unpredictable without the key,
 * independent of every finding and score, and reproducible from the database and the key.
 *
 * At intake the database trigger (migrations/0004_review_triggers.sql) samples a claim whose value
 * falls under its visit type's rate, with the key handed to each session as settings (the key
 * never reaches a table). The month close then guarantees the floor: each institution-month-visit
 * type gets its k lowest-valued claims, k = max(ceil(rate × n), the number under the rate). The
 * selection is therefore a pure function of the month's claims, the rate and the key, which is
 * what `npm run sample:verify` re-derives.
 */
export const VISIT_TYPES = ['inpatient', 'outpatient', 'pharmacy'] as const;
export type VisitType = (typeof VISIT_TYPES)[number];
export type RatesPpm = Record<VisitType, number>;

const TWO_48 = 2n ** 48n;
const LABEL = 'claimscreen/review-sample/v1';

/** The sampling key: from REVIEW_SAMPLE_SECRET, else derived from the person-id secret (a distinct key). */
export function sampleKey(config: Pick<Config, 'REVIEW_SAMPLE_SECRET'>, personIdSecret: string): Buffer {
  return createHmac('sha256', config.REVIEW_SAMPLE_SECRET ?? personIdSecret)
    .update(LABEL)
    .digest();
}

export function ratesPpm(config: Pick<Config, 'REVIEW_SAMPLE_RATE_INPATIENT' | 'REVIEW_SAMPLE_RATE_OUTPATIENT' | 'REVIEW_SAMPLE_RATE_PHARMACY'>): RatesPpm {
  return {
    inpatient: Math.round(config.REVIEW_SAMPLE_RATE_INPATIENT * 1e6),
    outpatient: Math.round(config.REVIEW_SAMPLE_RATE_OUTPATIENT * 1e6),
    pharmacy: Math.round(config.REVIEW_SAMPLE_RATE_PHARMACY * 1e6),
  };
}

/** The settings every database session gets, so the intake trigger can draw: HMAC's inner and outer padded keys. */
export function sampleSessionSettings(key: Buffer, rates: RatesPpm): Record<string, string> {
  const block = Buffer.alloc(64);
  key.copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36));
  const opad = Buffer.from(block.map((b) => b ^ 0x5c));
  return {
    'claimscreen.sample_ipad': ipad.toString('hex'),
    'claimscreen.sample_opad': opad.toString('hex'),
    'claimscreen.sample_ppm_inpatient': String(rates.inpatient),
    'claimscreen.sample_ppm_outpatient': String(rates.outpatient),
    'claimscreen.sample_ppm_pharmacy': String(rates.pharmacy),
  };
}

/** The claim's draw value, an integer in [0, 2^48). */
export function drawValue(key: Buffer, institutionId: string, claimNo: string): bigint {
  const h = createHmac('sha256', key).update(`${institutionId}|${claimNo}`, 'utf8').digest();
  return BigInt(h.readUIntBE(0, 6));
}

export const underRate = (value: bigint, ppm: number) => value * 1_000_000n < BigInt(ppm) * TWO_48;
/** ceil(rate × n), in integers */
export const requiredCount = (ppm: number, n: number) => Math.floor((ppm * n + 999_999) / 1_000_000);

export interface Drawable {
  id: string;
  value: bigint;
}

/** The month's selection of one group: the k lowest values, k = max(ceil(rate × n), values under the rate). */
export function selectGroup(claims: Drawable[], ppm: number): { required: number; selected: Set<string> } {
  const sorted = [...claims].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.id < b.id ? -1 : 1));
  const under = sorted.filter((c) => underRate(c.value, ppm)).length;
  const required = requiredCount(ppm, claims.length);
  const k = Math.max(required, under);
  return { required, selected: new Set(sorted.slice(0, k).map((c) => c.id)) };
}

type MonthClaim = {
  id: string;
  institution_id: string;
  claim_no: string;
  visit_type: VisitType;
};

async function monthGroups(database: Database, key: Buffer, month: string) {
  const rows = await database.query<MonthClaim>('select id, institution_id, claim_no, visit_type from claims where service_month = $1', [month]);
  const groups = new Map<string, { institutionId: string; visitType: VisitType; claims: Drawable[] }>();
  for (const r of rows) {
    const g = `${r.institution_id}|${r.visit_type}`;
    let group = groups.get(g);
    if (!group) groups.set(g, (group = { institutionId: r.institution_id, visitType: r.visit_type, claims: [] }));
    group.claims.push({ id: r.id, value: drawValue(key, r.institution_id, r.claim_no) });
  }
  const sampledRows = await database.query<{ claim_id: string }>(
    `select c.claim_id from review_reasons r join review_cases c on c.id = r.case_id
     where r.kind = 'sample' and c.service_month = $1`,
    [month],
  );
  return { groups, sampled: new Set(sampledRows.map((r) => r.claim_id)) };
}

export interface GroupReport {
  institutionId: string;
  visitType: VisitType;
  ratePpm: number;
  claims: number;
  required: number;
  sampled: number;
  added: number;
}

/** When a month's re-check is due: REVIEW_SAMPLE_DUE_DAYS, SLACK_DAYS; `now` is the clock (a test's may be simulated). */
export interface SampleSchedule {
  dueDays: number;
  slackDays: number;
  now: () => number;
}

const DAY_MS = 86_400_000;

/** The month's due date: its cut-off (the report's: 15 days after the month ends, CST) + dueDays. */
export const sampleDueAt = (month: string, dueDays: number) => reportPeriod(month).cutoff + dueDays * DAY_MS;

/**
 * Closes a month for the re-check: tops every institution-month-visit type up to its selection,
 * then schedules the sample (docs/review-recheck.md): every sample case of the month gets the
 * month's due date, and each one still open a ripe time, from which a draw takes it ahead of any
 * targeted case. An institution-month's W open sample cases ripen evenly from now to the due date
 * less the slack, the k-th (k = 0..W-1, in an order no one chooses: md5 of the claim id) at
 * now + k/W of that span. A second close re-spreads what is still open over the time left.
 * Idempotent otherwise: a second close adds nothing unless claims arrived since. One transaction, one trail entry.
 */
export async function closeMonth(database: Database, key: Buffer, rates: RatesPpm, month: string, person: string, schedule: SampleSchedule) {
  const { groups, sampled } = await monthGroups(database, key, month);
  const dueAt = sampleDueAt(month, schedule.dueDays);
  // a month without claims has nothing to close (and leaves no trail entry)
  if (groups.size === 0) return { month, added: 0, dueAt: new Date(dueAt).toISOString(), groups: [] as GroupReport[] };
  const reports: GroupReport[] = [];
  const toAdd: string[] = [];
  for (const g of groups.values()) {
    const ppm = rates[g.visitType];
    const { required, selected } = selectGroup(g.claims, ppm);
    let added = 0;
    for (const id of selected) if (!sampled.has(id)) (toAdd.push(id), added++);
    const already = g.claims.filter((c) => sampled.has(c.id)).length;
    reports.push({ institutionId: g.institutionId, visitType: g.visitType, ratePpm: ppm, claims: g.claims.length, required, sampled: already + added, added });
  }
  reports.sort((a, b) => (a.institutionId + a.visitType < b.institutionId + b.visitType ? -1 : 1));
  const start = schedule.now();
  const ripeEnd = Math.max(start, dueAt - schedule.slackDays * DAY_MS);
  await database.transaction(async (q) => {
    if (toAdd.length > 0) {
      const ids = JSON.stringify(toAdd);
      await q('select review_open_case(x::uuid) from jsonb_array_elements_text($1::jsonb) x', [ids]);
      await q(
        `insert into review_reasons (case_id, kind, amount, detail, created_by)
         select c.id, 'sample', 0, '{"drawn":"month-close"}'::jsonb, $2 from review_cases c
         where c.claim_id in (select x::uuid from jsonb_array_elements_text($1::jsonb) x)
         on conflict (case_id) where kind = 'sample' do nothing`,
        [ids, person],
      );
      await q(
        `select review_refresh_case(c.id, false) from review_cases c
         where c.claim_id in (select x::uuid from jsonb_array_elements_text($1::jsonb) x)`,
        [ids],
      );
    }
    await q(
      `insert into review_sample_months (institution_id, service_month, visit_type, rate_ppm, claim_count, required, sampled, closed_by, due_at)
       select r.inst, $1, r.vt, r.ppm, r.n, r.req, r.s, $3, $4::timestamptz from jsonb_to_recordset($2::jsonb) as r(inst text, vt text, ppm int, n int, req int, s int)
       on conflict (institution_id, service_month, visit_type) do update set rate_ppm = excluded.rate_ppm,
         claim_count = excluded.claim_count, required = excluded.required, sampled = excluded.sampled,
         closed_by = excluded.closed_by, closed_at = now(), due_at = excluded.due_at`,
      [month, JSON.stringify(reports.map((r) => ({ inst: r.institutionId, vt: r.visitType, ppm: r.ratePpm, n: r.claims, req: r.required, s: r.sampled }))), person, new Date(dueAt).toISOString()],
    );
    await q(
      `update review_cases c set sample_due_at = $2::timestamptz
       where c.service_month = $1 and exists (select 1 from review_reasons r where r.case_id = c.id and r.kind = 'sample')`,
      [month, new Date(dueAt).toISOString()],
    );
    await q(
      `update review_cases c set sample_ripe_at = s.ripe
       from (
         select rc.id, $2::timestamptz + ($3::timestamptz - $2::timestamptz)
           * ((row_number() over w - 1)::float8 / count(*) over (partition by rc.institution_id)) as ripe
         from review_cases rc
         where rc.service_month = $1 and rc.status = 'open'
           and exists (select 1 from review_reasons r where r.case_id = rc.id and r.kind = 'sample')
         window w as (partition by rc.institution_id order by md5(rc.claim_id::text))
       ) s
       where c.id = s.id`,
      [month, new Date(start).toISOString(), new Date(ripeEnd).toISOString()],
    );
    await appendTrail(q, {
      actor: person,
      action: 'sampling.close',
      caseId: null,
      before: { month, sampled: sampled.size },
      after: { month, sampled: sampled.size + toAdd.length, added: toAdd.length, groups: reports.length, dueAt: new Date(dueAt).toISOString() },
    });
  });
  return { month, added: toAdd.length, dueAt: new Date(dueAt).toISOString(), groups: reports };
}

export interface VerifyGroup extends GroupReport {
  mode: 'closed' | 'intake';
  derived: number;
  missing: string[];
  unexpected: string[];
  match: boolean;
}

/**
 * Re-derives a month's selection from the database and the key and compares it with what is
 * stored. A closed group is held to the full selection at the rate recorded when it closed; a
 * group not yet closed to the intake draw (values under the configured rate).
 */
export async function verifyMonth(database: Database, key: Buffer, rates: RatesPpm, month: string) {
  const { groups, sampled } = await monthGroups(database, key, month);
  const closed = new Map(
    (
      await database.query<{ institution_id: string; visit_type: string; rate_ppm: number }>('select institution_id, visit_type, rate_ppm from review_sample_months where service_month = $1', [month])
    ).map((r) => [`${r.institution_id}|${r.visit_type}`, Number(r.rate_ppm)]),
  );
  const result: VerifyGroup[] = [];
  for (const [k, g] of groups) {
    const closedPpm = closed.get(k);
    const ppm = closedPpm ?? rates[g.visitType];
    const { required, selected } =
      closedPpm !== undefined ? selectGroup(g.claims, ppm) : { required: requiredCount(ppm, g.claims.length), selected: new Set(g.claims.filter((c) => underRate(c.value, ppm)).map((c) => c.id)) };
    const stored = g.claims.filter((c) => sampled.has(c.id)).map((c) => c.id);
    const missing = [...selected].filter((id) => !sampled.has(id));
    const unexpected = stored.filter((id) => !selected.has(id));
    result.push({
      institutionId: g.institutionId,
      visitType: g.visitType,
      ratePpm: ppm,
      claims: g.claims.length,
      required,
      sampled: stored.length,
      added: 0,
      mode: closedPpm !== undefined ? 'closed' : 'intake',
      derived: selected.size,
      missing,
      unexpected,
      match: missing.length === 0 && unexpected.length === 0,
    });
  }
  result.sort((a, b) => (a.institutionId + a.visitType < b.institutionId + b.visitType ? -1 : 1));
  return { month, match: result.every((g) => g.match), groups: result };
}

/** Per institution and visit type: claims, sampled, required and whether the floor is met. */
export async function sampleReport(database: Database, rates: RatesPpm, month: string) {
  const rows = await database.query<{ institution_id: string; visit_type: VisitType; n: number; s: number; closed_ppm: number | null; closed_at: string | null }>(
    `select c.institution_id, c.visit_type, count(*)::int as n,
            count(*) filter (where exists (select 1 from review_cases rc join review_reasons r on r.case_id = rc.id
              where rc.claim_id = c.id and r.kind = 'sample'))::int as s,
            m.rate_ppm as closed_ppm, m.closed_at::text as closed_at
     from claims c left join review_sample_months m
       on m.institution_id = c.institution_id and m.service_month = c.service_month and m.visit_type = c.visit_type
     where c.service_month = $1
     group by c.institution_id, c.visit_type, m.rate_ppm, m.closed_at
     order by c.institution_id, c.visit_type`,
    [month],
  );
  return rows.map((r) => {
    const ppm = r.closed_ppm === null ? rates[r.visit_type] : Number(r.closed_ppm);
    const required = requiredCount(ppm, Number(r.n));
    return {
      institutionId: r.institution_id,
      visitType: r.visit_type,
      claims: Number(r.n),
      sampled: Number(r.s),
      rate: ppm / 1e6,
      required,
      met: Number(r.s) >= required,
      closedAt: r.closed_at,
    };
  });
}

export interface CompletionRow {
  institutionId: string;
  month: string;
  visitType: VisitType;
  required: number;
  sampled: number;
  drawn: number;
  concluded: number;
  final: number;
  dueAt: string;
  overdue: boolean;
  complete: boolean;
  closedAt: string;
}

/**
 * The re-check's completion per institution, month and visit type of the closed months: the
 * sample's cases (required: the floor ⌈rate × n⌉; sampled: the selection, which is worked whole),
 * how many were drawn, concluded (first level done: awaiting or past the second review) and final
 * (agreed). Complete when every sampled case is concluded; overdue when not complete at the due
 * date. A month closed before due dates existed gets its due date from the configured days.
 */
export async function recheckCompletion(database: Database, opts: { month?: string; outstanding?: boolean; now: number; dueDays: number }) {
  const rows = await database.query<{
    institution_id: string;
    service_month: string;
    visit_type: VisitType;
    required: number;
    due_ms: number | null;
    closed_ms: number;
    sampled: number;
    drawn: number;
    concluded: number;
    final: number;
  }>(
    `select m.institution_id, m.service_month, m.visit_type, m.required,
            (extract(epoch from m.due_at) * 1000)::float8 as due_ms, (extract(epoch from m.closed_at) * 1000)::float8 as closed_ms,
            count(c.id)::int as sampled,
            count(c.id) filter (where c.status <> 'open')::int as drawn,
            count(c.id) filter (where c.status in ('concluded', 'closed'))::int as concluded,
            count(c.id) filter (where c.status = 'closed')::int as final
     from review_sample_months m
     left join review_cases c on c.institution_id = m.institution_id and c.service_month = m.service_month and c.visit_type = m.visit_type
       and exists (select 1 from review_reasons r where r.case_id = c.id and r.kind = 'sample')
     where ($1::text is null or m.service_month = $1)
     group by m.institution_id, m.service_month, m.visit_type, m.required, m.due_at, m.closed_at
     order by m.service_month, m.institution_id, m.visit_type`,
    [opts.month ?? null],
  );
  const out: CompletionRow[] = rows.map((r) => {
    const due = r.due_ms === null ? sampleDueAt(r.service_month, opts.dueDays) : Number(r.due_ms);
    const complete = Number(r.concluded) >= Number(r.sampled);
    return {
      institutionId: r.institution_id,
      month: r.service_month,
      visitType: r.visit_type,
      required: Number(r.required),
      sampled: Number(r.sampled),
      drawn: Number(r.drawn),
      concluded: Number(r.concluded),
      final: Number(r.final),
      dueAt: new Date(due).toISOString(),
      overdue: !complete && opts.now >= due,
      complete,
      closedAt: new Date(Number(r.closed_ms)).toISOString(),
    };
  });
  return opts.outstanding ? out.filter((r) => !r.complete) : out;
}

export const completionTotals = (groups: CompletionRow[]) => ({
  groups: groups.length,
  complete: groups.filter((g) => g.complete).length,
  overdue: groups.filter((g) => g.overdue).length,
  sampled: groups.reduce((s, g) => s + g.sampled, 0),
  concluded: groups.reduce((s, g) => s + g.concluded, 0),
});
