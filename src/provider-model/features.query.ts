import type { FeatureValues, InstitutionMonth } from '../../models/provider/features.js';
import type { Database } from '../db/client.js';
import { inSnapshot } from '../db/snapshot.js';
import { daysInMonth } from '../lib/time.js';

/** yyyy-MM shifted by whole months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

/**
 * One month's aggregates per institution, computed by PostgreSQL over the stored claims, lines
 * and findings of that service month (nothing is loaded but one row per institution). Stays are
 * counted in China Standard Time calendar days (discharge date − admission date, at least 1).
 * The institution's type, level and beds are its record valid on the month's last day; a line is at the
 * ceiling when its unit price reaches the catalogue ceiling of that level (pharmacies: primary).
 */
const MONTH_AGGREGATES = `
with c as (
  select c.id, c.institution_id, c.person_hash, c.visit_type = 'inpatient' as inpatient, c.started_at,
         c.total_amount::float8 as cost,
         coalesce((c.body->'payment'->>'fund')::float8, 0) as fund,
         (c.total_amount - c.payable_amount)::float8 as withheld,
         extract(isodow from (c.started_at at time zone 'UTC') + interval '8 hours') as dow,
         greatest(1, ((c.ended_at at time zone 'UTC') + interval '8 hours')::date
                   - ((c.started_at at time zone 'UTC') + interval '8 hours')::date) as los
  from claims c where c.service_month = $1
),
inst as (
  select distinct on (institution_id) institution_id, type, level, beds
  from institutions where valid_from <= $2::date order by institution_id, valid_from desc
),
-- Catalogue versions cut so that they do not overlap (a newer version ends the one before it), so
-- each line meets at most one: a plain hash join instead of a lookup per line.
cat as (
  select item_code, valid_from, price_ceiling_primary as p1, price_ceiling_secondary as p2, price_ceiling_tertiary as p3,
         least(coalesce(valid_to, 'infinity'::date), coalesce(lead(valid_from) over (partition by item_code order by valid_from) - 1, 'infinity'::date)) as valid_until
  from catalogue_items
),
visits as (
  select c.institution_id,
    count(*)::int as claims,
    count(distinct c.person_hash)::int as patients,
    count(*) filter (where inpatient)::int as admissions,
    count(distinct c.person_hash) filter (where inpatient)::int as inpatients,
    sum(cost) as cost,
    sum(fund) as fund,
    sum(withheld) as withheld,
    coalesce(sum(cost) filter (where inpatient), 0) as inpatient_cost,
    coalesce(sum(los) filter (where inpatient), 0)::int as inpatient_days,
    count(*) filter (where inpatient and los >= 30)::int as long_stays,
    count(*) filter (where inpatient and los <= 1)::int as short_stays,
    count(*) filter (where inpatient and dow in (6, 7))::int as weekend_admissions,
    count(*) filter (where inpatient and exists (
      select 1 from claims p
      where p.person_hash = c.person_hash and p.institution_id = c.institution_id and p.visit_type = 'inpatient'
        and p.id <> c.id and p.ended_at <= c.started_at and p.ended_at > c.started_at - interval '15 days'
    ))::int as readmissions
  from c group by c.institution_id
),
lines as (
  select c.institution_id,
    count(*)::int as lines,
    coalesce(sum(l.amount), 0)::float8 as line_cost,
    coalesce(sum(l.amount) filter (where l.category = 'drug'), 0)::float8 as drug_cost,
    coalesce(sum(l.amount) filter (where l.category = 'consumable'), 0)::float8 as consumable_cost,
    count(ceil.v)::int as priced_lines,
    count(*) filter (where l.unit_price >= ceil.v)::int as at_ceiling
  from claims c
  cross join lateral claim_lines_of(c.body) l
  left join inst on inst.institution_id = c.institution_id
  left join cat on cat.item_code = l.item_code and cat.valid_from <= l.service_date and l.service_date <= cat.valid_until
  cross join lateral (select case inst.level when 'secondary' then cat.p2 when 'tertiary' then cat.p3 else cat.p1 end as v) ceil
  where c.service_month = $1
  group by c.institution_id
),
-- Rules in trial count apart: their findings do not change payment, but say where to look.
hits as (
  select c.institution_id,
         count(distinct f.claim_id) filter (where f.status = 'active')::int as hit_claims,
         coalesce(sum(f.amount) filter (where f.status = 'active'), 0)::float8 as hit_amount,
         count(distinct f.claim_id)::int as any_hit_claims
  from c join findings f on f.claim_id = c.id
  where f.status in ('active', 'trial') and f.family not in ('provider-model', 'non-designated')
  group by c.institution_id
),
-- Claims with a hit per rule family ('trial:' before a family in trial): fraud styles shift violations toward their own families.
fam as (
  select institution_id, jsonb_object_agg(family, n) as families from (
    select c.institution_id, case when f.status = 'trial' then 'trial:' || f.family else f.family end as family, count(distinct f.claim_id)::int as n
    from c join findings f on f.claim_id = c.id
    where f.status in ('active', 'trial') and f.family not in ('provider-model', 'non-designated')
    group by 1, 2
  ) x group by institution_id
)
select v.*, coalesce(inst.type, 'unknown') as type, coalesce(inst.level, 'unknown') as level, coalesce(inst.beds, 0)::int as beds,
       coalesce(l.lines, 0) as lines, coalesce(l.line_cost, 0) as line_cost, coalesce(l.drug_cost, 0) as drug_cost,
       coalesce(l.consumable_cost, 0) as consumable_cost, coalesce(l.priced_lines, 0) as priced_lines, coalesce(l.at_ceiling, 0) as at_ceiling,
       coalesce(h.hit_claims, 0) as hit_claims, coalesce(h.any_hit_claims, 0) as any_hit_claims,
       coalesce(h.hit_amount, 0) as hit_amount, coalesce(fam.families, '{}'::jsonb) as families
from visits v
left join inst on inst.institution_id = v.institution_id
left join lines l on l.institution_id = v.institution_id
left join hits h on h.institution_id = v.institution_id
left join fam on fam.institution_id = v.institution_id
order by v.institution_id`;

/** Billed cost and claims per institution and month, for growth against the month before and a year before. */
const MONTH_COST = `
select institution_id, service_month as month, sum(total_amount)::float8 as cost, count(*)::int as claims
from claims where service_month in ($1, $2) group by institution_id, service_month`;

export interface MonthAggregates {
  institution_id: string;
  type: string;
  level: string;
  beds: number;
  claims: number;
  patients: number;
  admissions: number;
  inpatients: number;
  cost: number;
  fund: number;
  withheld: number;
  inpatient_cost: number;
  inpatient_days: number;
  long_stays: number;
  short_stays: number;
  weekend_admissions: number;
  readmissions: number;
  lines: number;
  line_cost: number;
  drug_cost: number;
  consumable_cost: number;
  priced_lines: number;
  at_ceiling: number;
  hit_claims: number;
  /** claims with a finding of an active rule or of one in trial */
  any_hit_claims: number;
  hit_amount: number;
  /** claims with an active finding, per rule family */
  families: Record<string, number>;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const growth = (now: number, before: number | undefined) => (before !== undefined && before > 0 ? now / before - 1 : null);

/** When an earlier month is complete enough to measure growth against. */
export interface GrowthOptions {
  /** the moment of training (default now): a month counts once its cut-off has passed by then */
  asOf?: Date;
  /** days after a month's last day by which its claims are in (late settlements), default 30 */
  growthCutoffDays?: number;
  /** fewest claims the earlier month must hold, default 30 */
  growthMinClaims?: number;
}

/**
 * Whether the institution's earlier month may serve as the base of a growth figure: its cut-off
 * (last day + cutoffDays, China Standard Time) is past and it holds at least the minimum of claims.
 * Otherwise growth is missing, not extreme: a partly filled month made +272% out of nothing.
 */
export function completeMonth(month: string, claims: number | undefined, options: GrowthOptions = {}): boolean {
  const cutoffDays = options.growthCutoffDays ?? 30;
  const minClaims = options.growthMinClaims ?? 30;
  const asOf = (options.asOf ?? new Date()).getTime();
  const cutoff = Date.parse(`${lastDay(month)}T00:00:00+08:00`) + (cutoffDays + 1) * 86_400_000;
  return cutoff <= asOf && (claims ?? 0) >= minClaims;
}

/** The features of one institution-month from its aggregates and the cost of the earlier months. */
export function toFeatures(a: MonthAggregates, costBefore: { month?: number | undefined; year?: number | undefined }): FeatureValues {
  const inpatientOnly = (v: number | null) => (a.admissions > 0 ? v : null);
  return {
    claims: a.claims,
    patients: a.patients,
    admissions: a.admissions,
    costPerVisit: a.cost / a.claims,
    costPerInpatientDay: inpatientOnly(ratio(a.inpatient_cost, a.inpatient_days)),
    meanStay: inpatientOnly(ratio(a.inpatient_days, a.admissions)),
    longStayShare: inpatientOnly(ratio(a.long_stays, a.admissions)),
    shortStayShare: inpatientOnly(ratio(a.short_stays, a.admissions)),
    readmission15Rate: inpatientOnly(ratio(a.readmissions, a.admissions)),
    weekendAdmissionShare: inpatientOnly(ratio(a.weekend_admissions, a.admissions)),
    drugShare: ratio(a.drug_cost, a.line_cost),
    consumableShare: ratio(a.consumable_cost, a.line_cost),
    ceilingPriceShare: ratio(a.at_ceiling, a.priced_lines),
    linesPerVisit: a.lines / a.claims,
    patientsPerBed: ratio(a.inpatients, a.beds),
    ruleHitRate: a.hit_claims / a.claims,
    ruleHitAmountShare: ratio(a.hit_amount, a.cost),
    costGrowthMoM: growth(a.cost, costBefore.month),
    costGrowthYoY: growth(a.cost, costBefore.year),
  };
}

const num = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'families' ? familyCounts(v) : k === 'institution_id' || k === 'type' || k === 'level' ? String(v) : Number(v)]));

/** jsonb arrives parsed from postgres.js and as text from some drivers. */
function familyCounts(v: unknown): Record<string, number> {
  const o = (typeof v === 'string' ? JSON.parse(v) : (v ?? {})) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(o).map(([k, n]) => [k, Number(n)]));
}

/**
 * Features of every institution with claims in `month`. Offline work over a whole month: both
 * queries run in one read-only snapshot with their own statement timeout (default 10 minutes),
 * not under the per-request query deadline the claim path uses (a province's month takes seconds).
 */
export async function monthFeatures(database: Database, month: string, options: { statementTimeoutMs?: number } & GrowthOptions = {}): Promise<InstitutionMonth[]> {
  const before = [addMonths(month, -1), addMonths(month, -12)];
  const { rows, costs } = await inSnapshot(database, options.statementTimeoutMs ?? 600_000, async (query) => {
    const rows = (await query(MONTH_AGGREGATES, [month, lastDay(month)])).map((r) => num(r) as unknown as MonthAggregates);
    const costs = new Map(
      (await query<{ institution_id: string; month: string; cost: number; claims: number }>(MONTH_COST, before))
        .filter((r) => completeMonth(r.month, Number(r.claims), options))
        .map((r) => [`${r.institution_id}|${r.month}`, Number(r.cost)]),
    );
    return { rows, costs };
  });
  return rows.map((a) => ({
    institutionId: a.institution_id,
    month,
    peerGroup: `${a.type}/${a.level}`,
    features: toFeatures(a, { month: costs.get(`${a.institution_id}|${before[0]}`), year: costs.get(`${a.institution_id}|${before[1]}`) }),
    exposure: { cost: a.cost, fund: a.fund, withheld: a.withheld, flagged: a.hit_amount },
    ruleFamilies: a.families,
    ruleHits: { claims: a.hit_claims, withTrial: a.any_hit_claims },
  }));
}
