import type { Database } from '../db/client.js';
import { fenFrom, formatFen } from '../lib/money.js';
import { isoInstant } from '../lib/time.js';
import { monthLiteral, reportPeriod, shiftMonth, type ReportPeriod } from './period.js';
import type { DataQualityRow, FamilyAmount, InstitutionName, InstitutionRow, Report, RuleRow, TrendPoint } from './report.types.js';
import { modelSection, reviewSection, type SectionContext } from './report.sections.js';
import { pickStandouts } from './report.standouts.js';
import { inSnapshot, type Query } from '../db/snapshot.js';
import { cstText, words, type Lang } from './i18n.js';
import { targetsSection, type TargetOptions } from './report.targets.js';

export interface ReportOptions {
  month: string;
  /** epoch ms; default: 15 days after the month ends (period.ts) */
  cutoff?: number;
  /** a submission later than this many days after the service ended counts as late */
  lateDays?: number;
  statementTimeoutMs?: number;
  now?: () => number;
  /** the language of every heading, label, note and recommendation (default zh-CN); the JSON's keys and codes do not change */
  lang?: Lang;
  /** target areas: flag percentile, smallest peer group ranked, smallest denominator ranked */
  targets?: TargetOptions;
  /** month on month and year on year are shown only against a base month holding at least this many claims (default 30) */
  minBaseClaims?: number;
  /** called as each step finishes (the command's progress bar) */
  onStep?: (step: string) => void;
}

export const REPORT_STEPS = ['volumes', 'data quality', 'findings', 'rules', 'rejections', 'model', 'review', 'target areas', 'standouts'] as const;

const fen = (v: unknown): number => (v === null || v === undefined ? 0 : (fenFrom(String(v)) ?? 0));
const money = (v: unknown) => formatFen(fen(v));
const int = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
export const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);
const change = (now: number, before: number) => (before > 0 ? Math.round(((now - before) / before) * 1000) / 10 : null);

/** Fewest claims a base month must hold for month on month or year on year to be shown. */
export const MIN_BASE_CLAIMS = 30;

/**
 * Why a base month cannot carry a change, or null when it can: it must be complete (its own default
 * cut-off, 15 days after it ended, passed by the report's cut-off) and hold at least `min` claims.
 * A change against an almost empty month (+2,452.6%) is not a fact about the institution.
 */
export function baseReason(lang: Lang, base: string, claims: number, reportCutoff: number, min: number): string | null {
  const zh = lang === 'zh-CN';
  if (reportPeriod(base).cutoff > reportCutoff) return zh ? `${base} 数据尚未截止` : `${base} is not complete by the cut-off`;
  if (claims === 0) return zh ? `${base} 无结算数据` : `no claims in ${base}`;
  if (claims < min) return zh ? `${base} 仅 ${claims} 笔结算，少于 ${min} 笔` : `${base} holds ${claims} claims, fewer than ${min}`;
  return null;
}

type VolumeRow = {
  institution_id: string | null;
  service_month: string;
  claims: number;
  patients: number;
  inpatient: number;
  amount: string;
  payable: string;
  late_claims: number;
  late_amount: string;
};
type FindingRow = {
  institution_id: string;
  family: string;
  status: string;
  hits: number;
  claims: number;
  amount: string;
  violation: string;
  duplicates: number;
  late_hits: number;
  late_amount: string;
};
type RuleSqlRow = { rule_id: string; family: string; status: string; severity: string; hits: number; claims: number; amount: string };
type QualityRow = {
  institution_id: string;
  claims: number;
  lines: number;
  missing_name: number;
  missing_spec: number;
  lag_median: number | null;
  lag_p90: number | null;
  lag_max: number | null;
  late: number;
};

/** A float8[] as the driver hands it back: an array (postgres.js) or its text form (`{1.5,2}`). */
function parseFloatArray(v: unknown): (number | null)[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v)
    ? v
    : String(v)
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter((x) => x !== '');
  return items.map((x) => (x === null || x === 'NULL' ? null : Number(x)));
}

/** The rule whose findings count as duplicate submissions in the data quality table. */
const RESUBMITTED_RULE = 'DUP-RESUBMITTED-VISIT';

/**
 * Builds the report of a month from the database alone, aggregating in SQL: memory grows with the
 * number of institutions and rules, never with the number of claims.
 */
export async function buildReport(database: Database, options: ReportOptions): Promise<Report> {
  const now = options.now ?? Date.now;
  const period = reportPeriod(options.month, options.cutoff);
  const lateDays = options.lateDays ?? 7;
  const step = options.onStep ?? (() => {});
  const lang = options.lang ?? 'zh-CN';
  const generatedAt = now();
  return inSnapshot(database, options.statementTimeoutMs ?? 600_000, async (query) => {
    const cutoff = isoInstant(period.cutoff);
    const names = await institutionNames(query, period);

    const { volumes, quality } = await readVolumes(query, period, cutoff, lateDays);
    step('volumes');
    step('data quality');

    const { findings, rules } = await readFindings(query, period, cutoff);
    step('findings');
    step('rules');

    const { rejected, rejectionPaths } = await readRejections(query, period, cutoff);
    step('rejections');

    const asOf = Math.min(generatedAt, period.cutoff);
    const ctx: SectionContext = { query, period, cutoff, names, lang, asOf: isoInstant(asOf), asOfText: cstText(asOf, lang) };
    const model = await modelSection(ctx);
    step('model');
    const inpatient = new Map(volumes.filter((v) => v.institution_id !== null && v.service_month === period.month).map((v) => [v.institution_id as string, Number(v.inpatient)]));
    const review = await reviewSection(ctx, inpatient);
    step('review');

    const targets = await targetsSection(query, period, cutoff, names, lang, options.targets, targetingScoreArea(model, period, lang));
    step('target areas');
    const report = assemble({
      lang,
      minBaseClaims: options.minBaseClaims ?? MIN_BASE_CLAIMS,
      period,
      generatedAt,
      lateDays,
      names,
      volumes,
      findings,
      rules,
      quality,
      rejected,
      rejectionPaths,
      model,
      review,
    });
    report.targets = targets;
    report.standouts = await pickStandouts(query, period, report, lang);
    step('standouts');
    return report;
  });
}

/**
 * One pass over the claims of 13 months: volumes per institution and month and the fund's (grouping
 * sets), and the month's data quality per institution from the columns intake filled from each claim
 * (src/claims/quality.ts): lines without the institution's own name or a drug's or consumable's
 * specification, and days from the end of service to the submission (the settlement system's
 * settledAt when sent, else the time the service received the claim). The months are in the text
 * (monthLiteral), the rest parameters.
 */
async function readVolumes(query: Query, period: ReportPeriod, cutoff: string, lateDays: number): Promise<{ volumes: VolumeRow[]; quality: QualityRow[] }> {
  const volumeRows = await query<VolumeRow & QualityRow & { fund: number; lag_pct: unknown }>(
    `select institution_id, service_month, grouping(institution_id) as fund,
            count(*) filter (where on_time)::int as claims,
            count(distinct person_hash) filter (where on_time)::int as patients,
            count(*) filter (where on_time and visit_type = 'inpatient')::int as inpatient,
            coalesce(sum(total_amount) filter (where on_time), 0)::text as amount,
            coalesce(sum(payable_amount) filter (where on_time), 0)::text as payable,
            count(*) filter (where not on_time)::int as late_claims,
            coalesce(sum(total_amount) filter (where not on_time), 0)::text as late_amount,
            sum(line_count) filter (where quality)::int as lines,
            sum(lines_missing_name) filter (where quality)::int as missing_name,
            sum(lines_missing_spec) filter (where quality)::int as missing_spec,
            percentile_cont(array[0.5, 0.9]) within group (order by greatest(lag, 0)) filter (where quality) as lag_pct,
            max(greatest(lag, 0)) filter (where quality) as lag_max,
            count(*) filter (where quality and lag > $3)::int as late
     from (select institution_id, service_month, person_hash, visit_type, total_amount, payable_amount,
                  line_count, lines_missing_name, lines_missing_spec,
                  received_at <= $2 as on_time,
                  service_month = $1 and received_at <= $2 as quality,
                  extract(epoch from (coalesce(settled_at, received_at) - ended_at)) / 86400.0 as lag
           from claims where service_month >= ${monthLiteral(period.months[0] as string)} and service_month <= ${monthLiteral(period.month)}) c
     group by grouping sets ((institution_id, service_month), (service_month))`,
    [period.month, cutoff, lateDays],
  );
  const volumes: VolumeRow[] = volumeRows.map((r) => ({ ...r, institution_id: Number(r.fund) === 1 ? null : r.institution_id }));
  const quality: QualityRow[] = volumeRows
    .filter((r) => Number(r.fund) === 0 && r.service_month === period.month && int(r.claims) > 0)
    .map((r) => {
      const pcts = parseFloatArray(r.lag_pct);
      return { ...r, lag_median: pcts[0] ?? null, lag_p90: pcts[1] ?? null };
    });
  return { volumes, quality };
}

/** One pass over the findings of the month's claims: per institution, family and status (late ones apart), and per rule (by the cut-off). */
async function readFindings(query: Query, period: ReportPeriod, cutoff: string): Promise<{ findings: FindingRow[]; rules: RuleSqlRow[] }> {
  const findingRows = await query<FindingRow & RuleSqlRow & { per_rule: number; in_month: number; r_hits: number; r_claims: number; r_amount: string | null }>(
    `select f.institution_id, f.rule_id, f.family, f.status, f.severity, grouping(f.institution_id) as per_rule,
            count(*) filter (where in_month)::int as in_month,
            count(*) filter (where in_month and on_time)::int as hits,
            count(distinct f.claim_id) filter (where in_month and on_time)::int as claims,
            coalesce(sum(f.amount) filter (where in_month and on_time), 0)::text as amount,
            coalesce(sum(f.amount) filter (where in_month and on_time and f.severity = 'violation'), 0)::text as violation,
            count(distinct f.claim_id) filter (where in_month and on_time and f.rule_id = $3)::int as duplicates,
            count(*) filter (where in_month and not on_time)::int as late_hits,
            coalesce(sum(f.amount) filter (where in_month and not on_time), 0)::text as late_amount,
            count(*) filter (where on_time)::int as r_hits,
            count(distinct f.claim_id) filter (where on_time)::int as r_claims,
            sum(f.amount) filter (where on_time)::text as r_amount
     from (select c.institution_id, f.rule_id, f.family, f.status, f.severity, f.claim_id, f.amount,
                  f.created_at <= $2 and c.received_at <= $2 as on_time, c.service_month = $1 as in_month
           from findings f join claims c on c.id = f.claim_id
           where f.service_month = $1) f
     group by grouping sets ((f.institution_id, f.family, f.status), (f.rule_id, f.family, f.status, f.severity))
     order by per_rule, f.rule_id, f.status, f.severity`,
    [period.month, cutoff, RESUBMITTED_RULE],
  );
  // Each grouping set keeps the groups with rows of its own: per institution, findings of the
  // month's claims; per rule, findings by the cut-off.
  const findings: FindingRow[] = findingRows.filter((r) => Number(r.per_rule) === 0 && int(r.in_month) > 0);
  const rules: RuleSqlRow[] = findingRows
    .filter((r) => Number(r.per_rule) === 1 && int(r.r_hits) > 0)
    .map((r) => ({ rule_id: r.rule_id, family: r.family, status: r.status, severity: r.severity, hits: r.r_hits, claims: r.r_claims, amount: r.r_amount as string }));
  return { findings, rules };
}

/**
 * Rejected submissions carry no trustworthy service date: those received in the month's submission
 * window, from its first day to the cut-off, are counted, per institution and per rejected path (the
 * institution's own text of the path, with line numbers taken out: `lines[*].amount`).
 */
async function readRejections(query: Query, period: ReportPeriod, cutoff: string) {
  const rejected = await query<{ institution_id: string | null; n: number }>(
    `select institution_id, count(*)::int as n from rejected_submissions
     where received_at >= $1 and received_at <= $2 group by institution_id`,
    [isoInstant(period.start), cutoff],
  );
  const rejectionPaths = await query<{ path: string; n: number }>(
    `select regexp_replace(e->>'path', '\\[\\d+\\]', '[*]', 'g') as path, count(*)::int as n
     from rejected_submissions r cross join lateral jsonb_array_elements(r.errors) as e
     where r.received_at >= $1 and r.received_at <= $2
     group by 1 order by 2 desc, 1 limit 20`,
    [isoInstant(period.start), cutoff],
  );
  return { rejected, rejectionPaths };
}

/** The provider model's targeting score as one more target area, when the month has scores. */
function targetingScoreArea(model: Report['model'], period: ReportPeriod, lang: Lang) {
  return model.available
    ? [
        {
          area: {
            key: 'targetingScore',
            label: lang === 'en' ? 'targeting score (provider model)' : '机构风险评分（模型）',
            unit: '0–1',
            numerator: lang === 'en' ? 'score' : '评分',
            denominator: '1',
          },
          figures: new Map(model.scores.map((x) => [`${x.institutionId}|${period.month}`, { numerator: x.score, denominator: 1, value: x.score }])),
        },
      ]
    : [];
}

/** Each institution's record in force at the end of the month (the latest version that started by then). */
async function institutionNames(query: Query, period: ReportPeriod): Promise<Map<string, InstitutionName>> {
  const rows = await query<{ institution_id: string; name: string; type: string; level: string; ownership: string }>(
    `select distinct on (institution_id) institution_id, name, type, level, ownership
     from institutions where valid_from < $1::date order by institution_id, valid_from desc`,
    [shiftMonth(period.month, 1) + '-01'],
  );
  return new Map(rows.map((r) => [r.institution_id, { name: r.name, type: r.type, level: r.level, ownership: r.ownership }]));
}

/** What the report is assembled from: the rows read in one snapshot and the sections already built. */
interface AssembleInput {
  lang: Lang;
  /** fewest claims a base month must hold for a change against it */
  minBaseClaims: number;
  period: ReportPeriod;
  generatedAt: number;
  lateDays: number;
  names: Map<string, InstitutionName>;
  volumes: VolumeRow[];
  findings: FindingRow[];
  rules: RuleSqlRow[];
  quality: QualityRow[];
  rejected: RejectedRow[];
  rejectionPaths: { path: string; n: number }[];
  model: Report['model'];
  review: Report['review'];
}

type RejectedRow = { institution_id: string | null; n: number };

/** The months a change compares with: the one before and the same one a year before. */
const basesOf = (month: string) => ({ prev: shiftMonth(month, -1), lastYear: shiftMonth(month, -12) });

/** The report from its rows; target areas and standouts are added after (they read the report). */
function assemble(input: AssembleInput): Report {
  const { lang, period, generatedAt, lateDays, model, review } = input;
  const month = period.month;
  const volumes = indexVolumes(input.volumes);
  const institutions = institutionRows(input, volumes);
  const ruleRows: RuleRow[] = input.rules.map((r) => ({
    ruleId: r.rule_id,
    family: r.family,
    status: r.status,
    severity: r.severity,
    hits: int(r.hits),
    claims: int(r.claims),
    amount: money(r.amount),
  }));
  const provisional = generatedAt < period.cutoff;
  const cutoffText = cstText(period.cutoff, lang);
  return {
    title: words(lang).title(month),
    lang,
    month,
    cutoff: isoInstant(period.cutoff),
    cutoffText,
    provisional,
    generatedAt: isoInstant(generatedAt),
    generatedAtText: cstText(generatedAt, lang),
    definitions: definitions(lang, month, cutoffText, lateDays, provisional),
    fund: fundSummary(input, volumes.fund, institutions),
    trend: trendOf(input, volumes.fund),
    findingsByFamily: familyTotals(input.findings),
    institutions,
    standouts: [],
    targets: { note: '', flagPercentile: 0, minPeerGroup: 0, minCount: 0, months: [], areas: [], rows: [] },
    rules: ruleRows,
    trialRules: trialRules(ruleRows),
    model,
    review: stripPrivate(review),
    dataQuality: dataQualityRows(input, institutions),
    rejectionPaths: input.rejectionPaths.map((r) => ({ path: r.path, count: int(r.n) })),
    late: lateSummary(lang, cutoffText, institutions),
  };
}

/** Volume rows by `institution|month`, and the fund's by month. */
function indexVolumes(volumes: readonly VolumeRow[]) {
  const byInstitution = new Map<string, VolumeRow>();
  const fund = new Map<string, VolumeRow>();
  for (const v of volumes) {
    if (v.institution_id === null) fund.set(v.service_month, v);
    else byInstitution.set(`${v.institution_id}|${v.service_month}`, v);
  }
  return { byInstitution, fund };
}

/** One row per institution with claims (on time or late) or findings in the month, by id. */
function institutionRows(input: AssembleInput, volumes: ReturnType<typeof indexVolumes>): InstitutionRow[] {
  const { period, findings, model, review } = input;
  const month = period.month;
  const ids = new Set<string>();
  for (const v of input.volumes) if (v.institution_id !== null && v.service_month === month && (int(v.claims) > 0 || int(v.late_claims) > 0)) ids.add(v.institution_id);
  const byInstitution = new Map<string, FindingRow[]>();
  for (const f of findings) {
    ids.add(f.institution_id);
    const list = byInstitution.get(f.institution_id) ?? [];
    list.push(f);
    byInstitution.set(f.institution_id, list);
  }
  const modelById = new Map(model.scores.map((s) => [s.institutionId, s]));
  const reviewById = new Map((review as Report['review'] & { perInstitution?: Map<string, InstitutionRow['review']> }).perInstitution ?? []);
  const noCases = review.available ? { casesOpened: 0, casesConcluded: 0, violationsConfirmed: 0, refusedAmount: '0.00' } : null;
  return [...ids].sort().map((id) => institutionRow(input, id, volumes.byInstitution, byInstitution.get(id) ?? [], modelOf(modelById.get(id)), reviewById.get(id) ?? noCases));
}

function modelOf(m: Report['model']['scores'][number] | undefined): InstitutionRow['model'] {
  return m ? { score: m.score, peerRank: m.peerRank, peerSize: m.peerSize, reasons: m.reasons ? m.reasons.split('\n') : [], features: m.features } : null;
}

/** An institution's volumes, changes against its base months, findings, model score, review and late arrivals. */
function institutionRow(input: AssembleInput, id: string, volumes: Map<string, VolumeRow>, fs: FindingRow[], model: InstitutionRow['model'], review: InstitutionRow['review']): InstitutionRow {
  const { lang, period, names, minBaseClaims } = input;
  const { prev, lastYear } = basesOf(period.month);
  const cur = volumes.get(`${id}|${period.month}`);
  const p = volumes.get(`${id}|${prev}`);
  const y = volumes.get(`${id}|${lastYear}`);
  const active = fs.filter((f) => f.status === 'active');
  const sumF = (list: FindingRow[], pick: (f: FindingRow) => unknown) => list.reduce((s, f) => s + fen(pick(f)), 0);
  const findingAmount = sumF(active, (f) => f.amount);
  const violationAmount = sumF(active, (f) => f.violation);
  const n = names.get(id);
  const amount = fen(cur?.amount);
  const momReason = baseReason(lang, prev, int(p?.claims), period.cutoff, minBaseClaims);
  const yoyReason = baseReason(lang, lastYear, int(y?.claims), period.cutoff, minBaseClaims);
  const shown = (reason: string | null, v: number | null) => (reason === null ? v : null);
  return {
    institutionId: id,
    name: n?.name ?? null,
    type: n?.type ?? null,
    level: n?.level ?? null,
    ownership: n?.ownership ?? null,
    peerGroup: n ? `${n.type}/${n.level}` : 'unknown',
    claims: int(cur?.claims),
    patients: int(cur?.patients),
    inpatientClaims: int(cur?.inpatient),
    amount: formatFen(amount),
    payable: money(cur?.payable),
    withheld: formatFen(amount - fen(cur?.payable)),
    prevMonthClaims: int(p?.claims),
    prevMonthAmount: money(p?.amount),
    lastYearClaims: int(y?.claims),
    lastYearAmount: money(y?.amount),
    momClaimsPct: shown(momReason, change(int(cur?.claims), int(p?.claims))),
    momAmountPct: shown(momReason, change(amount, fen(p?.amount))),
    yoyClaimsPct: shown(yoyReason, change(int(cur?.claims), int(y?.claims))),
    yoyAmountPct: shown(yoyReason, change(amount, fen(y?.amount))),
    momReason,
    yoyReason,
    findingHits: active.reduce((s, f) => s + int(f.hits), 0),
    findingClaims: active.reduce((s, f) => s + int(f.claims), 0),
    findingAmount: formatFen(findingAmount),
    violationAmount: formatFen(violationAmount),
    suspicionAmount: formatFen(findingAmount - violationAmount),
    families: familiesOf(active),
    model,
    review,
    late: {
      claims: int(cur?.late_claims),
      amount: money(cur?.late_amount),
      findings: fs.reduce((s, f) => s + int(f.late_hits), 0),
      findingAmount: formatFen(sumF(fs, (f) => f.late_amount)),
    },
  };
}

/** An institution's active findings per family, largest amount first. */
function familiesOf(active: readonly FindingRow[]): FamilyAmount[] {
  const fam = new Map<string, FamilyAmount>();
  for (const f of active) {
    const a = fam.get(f.family) ?? { family: f.family, hits: 0, claims: 0, amount: '0.00' };
    a.hits += int(f.hits);
    a.claims += int(f.claims);
    a.amount = formatFen(fen(a.amount) + fen(f.amount));
    fam.set(f.family, a);
  }
  return [...fam.values()].sort((a, b) => fen(b.amount) - fen(a.amount) || a.family.localeCompare(b.family));
}

/** The fund's amount per month, and per institution type; a month without claims is a gap (null), not a zero. */
function trendOf(input: AssembleInput, fundVolumes: Map<string, VolumeRow>): TrendPoint[] {
  const typeAmount = new Map<string, number>();
  for (const v of input.volumes) {
    if (v.institution_id === null) continue;
    const type = input.names.get(v.institution_id)?.type ?? 'unknown';
    const key = `${v.service_month}|${type}`;
    typeAmount.set(key, (typeAmount.get(key) ?? 0) + fen(v.amount));
  }
  return input.period.months.slice(1).map((m) => {
    const has = int(fundVolumes.get(m)?.claims) > 0;
    const part = (type: string) => (has ? formatFen(typeAmount.get(`${m}|${type}`) ?? 0) : null);
    return {
      month: m,
      claims: has ? int(fundVolumes.get(m)?.claims) : null,
      amount: has ? money(fundVolumes.get(m)?.amount) : null,
      hospital: part('hospital'),
      clinic: part('clinic'),
      pharmacy: part('pharmacy'),
    };
  });
}

/** Active findings per family over every institution, largest amount first. */
function familyTotals(findings: readonly FindingRow[]): Report['findingsByFamily'] {
  const totals = new Map<string, Report['findingsByFamily'][number]>();
  for (const f of findings) {
    if (f.status !== 'active') continue;
    const a = totals.get(f.family) ?? { family: f.family, hits: 0, claims: 0, amount: '0.00', violationAmount: '0.00', suspicionAmount: '0.00' };
    a.hits += int(f.hits);
    a.claims += int(f.claims);
    a.amount = formatFen(fen(a.amount) + fen(f.amount));
    a.violationAmount = formatFen(fen(a.violationAmount) + fen(f.violation));
    a.suspicionAmount = formatFen(fen(a.amount) - fen(a.violationAmount));
    totals.set(f.family, a);
  }
  return [...totals.values()].sort((a, b) => fen(b.amount) - fen(a.amount) || a.family.localeCompare(b.family));
}

/** Rules in trial: what they would have withheld (their violations) and sent to review. */
function trialRules(ruleRows: readonly RuleRow[]): Report['trialRules'] {
  const trial = new Map<string, Report['trialRules'][number]>();
  for (const r of ruleRows) {
    if (r.status !== 'trial') continue;
    const t = trial.get(r.ruleId) ?? { ruleId: r.ruleId, family: r.family, hits: 0, claims: 0, wouldWithhold: '0.00', wouldReview: '0.00' };
    t.hits += r.hits;
    t.claims += r.claims;
    if (r.severity === 'violation') t.wouldWithhold = formatFen(fen(t.wouldWithhold) + fen(r.amount));
    else t.wouldReview = formatFen(fen(t.wouldReview) + fen(r.amount));
    trial.set(r.ruleId, t);
  }
  return [...trial.values()];
}

/** Data quality per institution with claims or rejections, by id; rejections naming no institution last, as "(unreadable)". */
function dataQualityRows(input: AssembleInput, institutions: readonly InstitutionRow[]): DataQualityRow[] {
  const { names, quality, rejected, findings } = input;
  const qualityById = new Map(quality.map((q) => [q.institution_id, q]));
  const rejectedById = new Map(rejected.map((r) => [r.institution_id ?? '', r]));
  const dupById = new Map<string, number>();
  for (const f of findings) dupById.set(f.institution_id, (dupById.get(f.institution_id) ?? 0) + int(f.duplicates));
  const qualityIds = new Set([...institutions.map((i) => i.institutionId), ...rejected.filter((r) => r.institution_id !== null && int(r.n) > 0).map((r) => r.institution_id as string)]);
  const rows: DataQualityRow[] = [...qualityIds].sort().map((id) => {
    const q = qualityById.get(id);
    const rej = int(rejectedById.get(id)?.n);
    const claims = int(q?.claims);
    return {
      institutionId: id,
      name: names.get(id)?.name ?? null,
      claims,
      rejected: rej,
      rejectedPct: pct(rej, claims + rej),
      lines: int(q?.lines),
      linesMissingName: int(q?.missing_name),
      linesMissingSpec: int(q?.missing_spec),
      duplicates: dupById.get(id) ?? 0,
      lagMedianDays: num(q?.lag_median),
      lagP90Days: num(q?.lag_p90),
      lagMaxDays: num(q?.lag_max),
      lateSubmissions: int(q?.late),
      lateSubmissionsPct: pct(int(q?.late), claims),
    };
  });
  const unreadable = rejectedById.get('');
  if (unreadable && int(unreadable.n) > 0)
    rows.push({
      institutionId: '(unreadable)',
      name: null,
      claims: 0,
      rejected: int(unreadable.n),
      rejectedPct: null,
      lines: 0,
      linesMissingName: 0,
      linesMissingSpec: 0,
      duplicates: 0,
      lagMedianDays: null,
      lagP90Days: null,
      lagMaxDays: null,
      lateSubmissions: 0,
      lateSubmissionsPct: null,
    });
  return rows;
}

/** The fund's totals: volumes and changes from its own rows, findings summed over the institutions. */
function fundSummary(input: AssembleInput, fundVolumes: Map<string, VolumeRow>, institutions: readonly InstitutionRow[]): Report['fund'] {
  const { lang, period, minBaseClaims } = input;
  const { prev, lastYear } = basesOf(period.month);
  const fundCur = fundVolumes.get(period.month);
  const fundPrev = fundVolumes.get(prev);
  const fundYear = fundVolumes.get(lastYear);
  const fundAmount = fen(fundCur?.amount);
  const fundMom = baseReason(lang, prev, int(fundPrev?.claims), period.cutoff, minBaseClaims);
  const fundYoy = baseReason(lang, lastYear, int(fundYear?.claims), period.cutoff, minBaseClaims);
  const findingAmount = institutions.reduce((s, r) => s + fen(r.findingAmount), 0);
  const violationAmount = institutions.reduce((s, r) => s + fen(r.violationAmount), 0);
  return {
    institutions: institutions.length,
    claims: int(fundCur?.claims),
    patients: int(fundCur?.patients),
    inpatientClaims: int(fundCur?.inpatient),
    amount: formatFen(fundAmount),
    payable: money(fundCur?.payable),
    withheld: formatFen(fundAmount - fen(fundCur?.payable)),
    findingHits: institutions.reduce((s, r) => s + r.findingHits, 0),
    findingClaims: institutions.reduce((s, r) => s + r.findingClaims, 0),
    findingAmount: formatFen(findingAmount),
    violationAmount: formatFen(violationAmount),
    suspicionAmount: formatFen(findingAmount - violationAmount),
    momAmountPct: fundMom === null ? change(fundAmount, fen(fundPrev?.amount)) : null,
    yoyAmountPct: fundYoy === null ? change(fundAmount, fen(fundYear?.amount)) : null,
    momClaimsPct: fundMom === null ? change(int(fundCur?.claims), int(fundPrev?.claims)) : null,
    yoyClaimsPct: fundYoy === null ? change(int(fundCur?.claims), int(fundYear?.claims)) : null,
    momReason: fundMom,
    yoyReason: fundYoy,
  };
}

/** Data that arrived after the cut-off, summed over the institutions. */
function lateSummary(lang: Lang, cutoffText: string, institutions: readonly InstitutionRow[]): Report['late'] {
  const total = (pick: (r: InstitutionRow) => string) => formatFen(institutions.reduce((s, r) => s + fen(pick(r)), 0));
  return {
    claims: institutions.reduce((s, r) => s + r.late.claims, 0),
    amount: total((r) => r.late.amount),
    findings: institutions.reduce((s, r) => s + r.late.findings, 0),
    findingAmount: total((r) => r.late.findingAmount),
    note:
      lang === 'zh-CN'
        ? `截止 ${cutoffText} 之后到达：不计入以上任何数字，单列于此，以便日后重新生成的报告说明变化从何而来。`
        : `Arrived after the cut-off ${cutoffText}: not in any figure above, shown here so that a report regenerated later explains what changed.`,
  };
}

/** What the figures count, in the report's language. */
function definitions(lang: Lang, month: string, cutoffText: string, lateDays: number, provisional: boolean): string[] {
  return lang === 'zh-CN'
    ? [
        `统计范围：服务月份为 ${month}（北京时间）、在数据截止 ${cutoffText} 前收到的结算，以及截止前产生的疑点。截止后到达的数据不计入各项数字，单列于"截止后到达"。`,
        '金额单位为元。环比、同比分别与同一机构上月、上年同月的结算相比，统计到同一截止时间。',
        '疑点：启用规则在本月结算上的命中；明确违规予以拒付，可疑进入复审。试运行规则单列：若启用将拒付的金额。',
        `数据质量：格式错误被拒 = 自本月1日至截止收到、因格式错误被拒的上传（其服务日期不可信）；迟报 = 服务结束后超过 ${lateDays} 天才上传（以随结算上传的结算时间为准，否则以收到时间为准）；重复上传 = 以新单号重复上传同一就诊的结算（${RESUBMITTED_RULE}）。`,
        ...(provisional ? [`初步数据：生成本报告时数据截止时间尚未到达，${cutoffText} 前数字仍可能增加。`] : []),
      ]
    : [
        `Claims of service month ${month} (China Standard Time) received by the cut-off ${cutoffText}; findings created by the cut-off. Data that arrived later is not in the figures: it is counted apart as late.`,
        "Amounts in yuan. Month-on-month and year-on-year changes compare with the same institution's claims of the month before and of the same month a year before, counted to the same cut-off.",
        "Findings: hits of active rules on the month's claims; violations are withheld, suspicions go to review. Rules in trial are reported apart: what they would have withheld.",
        `Data quality: rejected = submissions refused as malformed, received from the month's first day to the cut-off (they carry no trustworthy service date); a submission is late when it came more than ${lateDays} days after the service ended (the settlement time sent with the claim, else the time received); duplicates = claims found to resubmit a visit under a new claim id (${RESUBMITTED_RULE}).`,
        ...(provisional ? [`Provisional: the cut-off had not passed when this report was generated; figures can still grow until ${cutoffText}.`] : []),
      ];
}

function stripPrivate(review: Report['review']): Report['review'] {
  const { perInstitution: _, ...rest } = review as Report['review'] & { perInstitution?: unknown };
  return rest;
}
