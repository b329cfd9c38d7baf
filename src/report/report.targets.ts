/**
 * Target areas with comparison groups (the idea of CMS's PEPPER): for each institution and each
 * target area — each rule family's hits and amount at issue per 100 claims, cost per inpatient day,
 * average stay, readmission within 15 days, drug and consumable shares, claims per patient and the
 * targeting score — its value, the counts behind it, its percentile in its peer group (same type
 * and level) and in the whole fund, a flag at or above the flag percentile, and for flagged figures
 * its trend over up to 36 months. All aggregated in SQL: one row per institution, month and area.
 */
import type { Query } from '../db/snapshot.js';
import { fenFrom } from '../lib/money.js';
import { familyName, peerGroupName, type Lang } from './i18n.js';
import { monthLiteral, shiftMonth, type ReportPeriod } from './period.js';
import type { InstitutionName } from './institution-name.js';

/** Flag at or above this percentile (PEPPER: 80th). */
export const FLAG_PERCENTILE = 80;
/** Peer groups smaller than this are not ranked: the fund is the comparison group instead, said so. */
export const MIN_PEER_GROUP = 5;
/** A figure whose denominator (claims or admissions) is smaller than this is shown but not ranked or flagged. */
export const MIN_COUNT = 10;
/** Months of trend behind a flagged figure. */
export const TREND_MONTHS = 36;

export interface TargetOptions {
  flagPercentile?: number;
  minPeerGroup?: number;
  minCount?: number;
}

export interface TargetArea {
  key: string;
  label: string;
  unit: string;
  /** what the numerator and the denominator count */
  numerator: string;
  denominator: string;
}

export interface TargetRow {
  institutionId: string;
  name: string | null;
  peerGroup: string;
  area: string;
  value: number;
  numerator: number;
  denominator: number;
  /** institutions of the peer group with this figure ranked (denominator at least minCount) */
  peerSize: number;
  /** mid-rank percentile: 100 × (below + ½ × equal, itself included) ÷ group size; null when not ranked */
  peerPercentile: number | null;
  fundSize: number;
  fundPercentile: number | null;
  /** the percentile the flag is judged on: the peer group's, or the fund's when the peer group is too small */
  basis: 'peer' | 'fund' | null;
  flagged: boolean;
  /** why a percentile is missing (a small group, too few claims), in the report's language */
  comment: string | null;
  /** the value in each of the report's trend months (oldest first), null where there is no data; flagged figures only */
  trend: (number | null)[] | null;
}

export interface TargetsSection {
  note: string;
  flagPercentile: number;
  minPeerGroup: number;
  minCount: number;
  /** the months of each trend, oldest first, ending with the report month */
  months: string[];
  areas: TargetArea[];
  rows: TargetRow[];
}

/** A figure of one institution and month: value = numerator ÷ denominator × scale. */
export interface AreaFigure {
  numerator: number;
  denominator: number;
  value: number;
}

/**
 * More target areas from elsewhere (the live targeting score): each gives, per institution, the
 * figure of the report month and, where it has them, of earlier months (key `${institutionId}|${month}`).
 */
export type TargetAreaSource = (ctx: { query: Query; period: ReportPeriod; cutoff: string; lang: Lang; months: string[] }) => Promise<{ area: TargetArea; figures: Map<string, AreaFigure> }[]>;
export const targetAreaSources: TargetAreaSource[] = [];

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const yuan = (v: unknown) => (fenFrom(String(v ?? '0')) ?? 0) / 100;
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/** Mid-rank percentile of `x` among `values` (x included): ties share the middle of their ranks. */
export function midRankPercentile(x: number, values: number[]): number {
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < x) below++;
    else if (v === x) equal++;
  }
  return round((100 * (below + equal / 2)) / values.length, 1);
}

export async function targetsSection(
  query: Query,
  period: ReportPeriod,
  cutoff: string,
  names: Map<string, InstitutionName>,
  lang: Lang,
  options: TargetOptions = {},
  extra: { area: TargetArea; figures: Map<string, AreaFigure> }[] = [],
): Promise<TargetsSection> {
  const zh = lang === 'zh-CN';
  const flagAt = options.flagPercentile ?? FLAG_PERCENTILE;
  const minPeers = options.minPeerGroup ?? MIN_PEER_GROUP;
  const minCount = options.minCount ?? MIN_COUNT;
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => shiftMonth(period.month, i - TREND_MONTHS + 1));
  const first = months[0] as string;

  // Volumes, stays and readmissions per institution and month, counted to the report's cut-off.
  // A readmission: an inpatient stay admitted within 15 days after the same person's discharge
  // from the same institution (the window sorts only inpatient claims). The months are in the text
  // (monthLiteral), the cut-off a parameter.
  const volumes = await query<{ institution_id: string; service_month: string; claims: number; patients: number; admissions: number; inpatient_cost: string; days: number; readmissions: number }>(
    `with v as (
       select institution_id, service_month, count(*)::int as claims, count(distinct person_hash)::int as patients
       from claims where service_month >= ${monthLiteral(first)} and service_month <= ${monthLiteral(period.month)} and received_at <= $1 group by 1, 2),
     s as (
       select institution_id, service_month, count(*)::int as admissions, sum(total_amount)::text as inpatient_cost, sum(los)::int as days,
              count(*) filter (where prev_end is not null and prev_end <= started_at and prev_end > started_at - interval '15 days')::int as readmissions
       from (select institution_id, service_month, total_amount, started_at,
                    greatest(1, ((ended_at at time zone 'UTC') + interval '8 hours')::date - ((started_at at time zone 'UTC') + interval '8 hours')::date) as los,
                    lag(ended_at) over (partition by person_hash, institution_id order by started_at, id) as prev_end
             from claims where visit_type = 'inpatient' and service_month >= ${monthLiteral(shiftMonth(first, -1))} and service_month <= ${monthLiteral(period.month)} and received_at <= $1) x
       where service_month >= ${monthLiteral(first)} group by 1, 2)
     select v.*, coalesce(s.admissions, 0) as admissions, coalesce(s.inpatient_cost, '0') as inpatient_cost, coalesce(s.days, 0) as days, coalesce(s.readmissions, 0) as readmissions
     from v left join s using (institution_id, service_month)`,
    [cutoff],
  );
  const families = await query<{ institution_id: string; service_month: string; family: string; hits: number; amount: string }>(
    `select c.institution_id, f.service_month, f.family, count(*)::int as hits, sum(f.amount)::text as amount
     from findings f join claims c on c.id = f.claim_id and c.service_month = f.service_month
     where f.service_month >= $1 and f.service_month <= $2 and f.status = 'active' and f.created_at <= $3 and c.received_at <= $3
     group by 1, 2, 3`,
    [first, period.month, cutoff],
  );
  // Drug and consumable shares from the running totals per institution and month of service date
  // (src: institution_months for every line, institution_item_months for the stock items; kept by
  // intake): they do not read every line, and so they count lines as stored now, late arrivals
  // included.
  const items = await query<{ institution_id: string; month: string; total: string; drug: string; consumable: string }>(
    `select t.institution_id, t.month, t.amount::text as total, coalesce(i.drug, 0)::text as drug, coalesce(i.consumable, 0)::text as consumable
     from institution_months t
     left join (
       select m.institution_id, m.month,
              sum(m.amount) filter (where k.category = 'drug') as drug,
              sum(m.amount) filter (where k.category = 'consumable') as consumable
       from institution_item_months m
       join (select distinct on (item_code) item_code, category from catalogue_items order by item_code, valid_from desc) k on k.item_code = m.item_code
       where m.month >= $1 and m.month <= $2 group by 1, 2) i using (institution_id, month)
     where t.month >= $1 and t.month <= $2`,
    [first, period.month],
  );

  const areas: TargetArea[] = [];
  const figures = new Map<string, Map<string, AreaFigure>>();
  const add = (area: TargetArea) => {
    areas.push(area);
    const m = new Map<string, AreaFigure>();
    figures.set(area.key, m);
    return m;
  };
  const put = (m: Map<string, AreaFigure>, key: string, numerator: number, denominator: number, scale: number, digits: number) => {
    if (denominator > 0) m.set(key, { numerator: round(numerator, 2), denominator: round(denominator, 2), value: round((numerator / denominator) * scale, digits) });
  };
  const vol = new Map(volumes.map((v) => [`${v.institution_id}|${v.service_month}`, v]));
  const claimsLabel = zh ? '结算笔数' : 'claims';
  const admissionsLabel = zh ? '住院人次' : 'admissions';

  const familyCodes = [...new Set(families.map((f) => f.family))].sort();
  const famBy = new Map(families.map((f) => [`${f.institution_id}|${f.service_month}|${f.family}`, f]));
  for (const code of familyCodes) {
    const fam = familyName(lang, code);
    const hits = add({
      key: `hits:${code}`,
      label: zh ? `${fam}：每百笔结算命中次数` : `${fam}: hits per 100 claims`,
      unit: zh ? '次/百笔' : 'per 100 claims',
      numerator: zh ? '命中次数' : 'hits',
      denominator: claimsLabel,
    });
    const amount = add({
      key: `amount:${code}`,
      label: zh ? `${fam}：每百笔结算疑点金额` : `${fam}: amount at issue per 100 claims`,
      unit: zh ? '元/百笔' : 'yuan per 100 claims',
      numerator: zh ? '疑点金额（元）' : 'amount at issue (yuan)',
      denominator: claimsLabel,
    });
    for (const [key, v] of vol) {
      const f = famBy.get(`${key}|${code}`);
      put(hits, key, n(f?.hits), n(v.claims), 100, 2);
      put(amount, key, yuan(f?.amount), n(v.claims), 100, 2);
    }
  }
  const costDay = add({
    key: 'costPerInpatientDay',
    label: zh ? '住院床日费用' : 'cost per inpatient day',
    unit: zh ? '元/床日' : 'yuan per day',
    numerator: zh ? '住院费用（元）' : 'inpatient cost (yuan)',
    denominator: zh ? '住院床日' : 'inpatient days',
  });
  const stay = add({ key: 'meanStay', label: zh ? '平均住院日' : 'average stay', unit: zh ? '天' : 'days', numerator: zh ? '住院床日' : 'inpatient days', denominator: admissionsLabel });
  const readmit = add({
    key: 'readmission15',
    label: zh ? '15天内再入院率' : 'readmission within 15 days',
    unit: '%',
    numerator: zh ? '15天内再入院人次' : 'readmissions within 15 days',
    denominator: admissionsLabel,
  });
  const perPatient = add({
    key: 'claimsPerPatient',
    label: zh ? '人均结算次数' : 'claims per patient',
    unit: zh ? '次/人' : 'claims per patient',
    numerator: claimsLabel,
    denominator: zh ? '就诊人数' : 'patients',
  });
  for (const [key, v] of vol) {
    if (n(v.admissions) > 0) {
      put(costDay, key, yuan(v.inpatient_cost), n(v.days), 1, 2);
      put(stay, key, n(v.days), n(v.admissions), 1, 2);
      put(readmit, key, n(v.readmissions), n(v.admissions), 100, 1);
    }
    put(perPatient, key, n(v.claims), n(v.patients), 1, 2);
  }
  const drug = add({
    key: 'drugShare',
    label: zh ? '药品费用占比' : 'drug share',
    unit: '%',
    numerator: zh ? '药品费用（元）' : 'drug amount (yuan)',
    denominator: zh ? '明细费用（元）' : 'line amount (yuan)',
  });
  const consumable = add({
    key: 'consumableShare',
    label: zh ? '耗材费用占比' : 'consumable share',
    unit: '%',
    numerator: zh ? '耗材费用（元）' : 'consumable amount (yuan)',
    denominator: zh ? '明细费用（元）' : 'line amount (yuan)',
  });
  for (const it of items) {
    const key = `${it.institution_id}|${it.month}`;
    put(drug, key, yuan(it.drug), yuan(it.total), 100, 1);
    put(consumable, key, yuan(it.consumable), yuan(it.total), 100, 1);
  }
  for (const x of extra) {
    areas.push(x.area);
    figures.set(x.area.key, x.figures);
  }
  for (const source of targetAreaSources)
    for (const extra of await source({ query, period, cutoff, lang, months })) {
      areas.push(extra.area);
      figures.set(extra.area.key, extra.figures);
    }

  // The month's ranking: per area, among institutions whose figure rests on at least minCount
  // claims (admissions for the inpatient areas), in the peer group and in the fund.
  const peerOf = (id: string) => {
    const x = names.get(id);
    return x ? `${x.type}/${x.level}` : 'unknown';
  };
  const countOf = (area: string, id: string) => {
    const v = vol.get(`${id}|${period.month}`);
    return ['costPerInpatientDay', 'meanStay', 'readmission15'].includes(area) ? n(v?.admissions) : n(v?.claims);
  };
  const rows: TargetRow[] = [];
  for (const area of areas) {
    const m = figures.get(area.key) as Map<string, AreaFigure>;
    const current = [...m.entries()].filter(([k]) => k.endsWith(`|${period.month}`)).map(([k, f]) => ({ id: k.slice(0, k.lastIndexOf('|')), f }));
    const ranked = current.filter((x) => countOf(area.key, x.id) >= minCount || !vol.has(`${x.id}|${period.month}`));
    const fundValues = ranked.map((x) => x.f.value);
    const peerValues = new Map<string, number[]>();
    for (const x of ranked) peerValues.set(peerOf(x.id), [...(peerValues.get(peerOf(x.id)) ?? []), x.f.value]);
    for (const x of current.sort((a, b) => a.id.localeCompare(b.id))) {
      const group = peerOf(x.id);
      const isRanked = ranked.includes(x);
      const peers = peerValues.get(group) ?? [];
      const peerPct = isRanked && peers.length >= minPeers ? midRankPercentile(x.f.value, peers) : null;
      const fundPct = isRanked && fundValues.length >= minPeers ? midRankPercentile(x.f.value, fundValues) : null;
      const basis = peerPct !== null ? 'peer' : fundPct !== null ? 'fund' : null;
      const judged = peerPct ?? fundPct;
      const flagged = judged !== null && judged >= flagAt && x.f.value > 0;
      const gname = peerGroupName(lang, group);
      const comment = !isRanked
        ? zh
          ? `仅 ${countOf(area.key, x.id)} ${area.key === 'meanStay' || area.key === 'costPerInpatientDay' || area.key === 'readmission15' ? '人次住院' : '笔结算'}，少于 ${minCount}，不排名`
          : `only ${countOf(area.key, x.id)} ${['meanStay', 'costPerInpatientDay', 'readmission15'].includes(area.key) ? 'admissions' : 'claims'}, fewer than ${minCount}: not ranked`
        : peerPct === null
          ? zh
            ? `同组（${gname}）仅 ${peers.length} 家，不作组内排名${fundPct !== null ? '，按全市（基金）百分位' : ''}`
            : `peer group (${gname}) has ${peers.length}: not ranked within it${fundPct !== null ? '; judged on the fund percentile' : ''}`
          : null;
      rows.push({
        institutionId: x.id,
        name: names.get(x.id)?.name ?? null,
        peerGroup: group,
        area: area.key,
        value: x.f.value,
        numerator: x.f.numerator,
        denominator: x.f.denominator,
        peerSize: peers.length,
        peerPercentile: peerPct,
        fundSize: fundValues.length,
        fundPercentile: fundPct,
        basis,
        flagged,
        comment,
        trend: flagged ? months.map((mo) => m.get(`${x.id}|${mo}`)?.value ?? null) : null,
      });
    }
  }
  rows.sort((a, b) => a.institutionId.localeCompare(b.institutionId) || areas.findIndex((x) => x.key === a.area) - areas.findIndex((x) => x.key === b.area));
  const note = zh
    ? `每个机构每项指标：本月数值、分子与分母、在同组（同类同级）与全部机构中的百分位（中位秩：100 ×（低于者 + 相同者的一半）÷ 组内家数）。百分位达到 ${flagAt} 即标记；同组少于 ${minPeers} 家时不作组内排名，改按全部机构；分母（结算笔数，住院类指标为住院人次）少于 ${minCount} 的不排名。标记的指标附近 ${TREND_MONTHS} 个月趋势（无数据的月份留空）。疑点与住院指标统计到本报告的数据截止；药品、耗材占比取自按服务日期累计的机构项目月合计，含截止后到达的明细。`
    : `Per institution and target area: the month's value, its numerator and denominator, and its percentile in its peer group (same type and level) and in the whole fund (mid-rank: 100 × (below + half the ties) ÷ group size). Flagged at or above the ${flagAt}th percentile; a peer group of fewer than ${minPeers} is not ranked and the fund is used instead; a figure resting on fewer than ${minCount} claims (admissions for the inpatient areas) is not ranked. Flagged figures carry a trend of up to ${TREND_MONTHS} months (months without data are gaps). Findings and inpatient figures count data to the report's cut-off; drug and consumable shares come from the running item totals per month of service date, late lines included.`;
  return { note, flagPercentile: flagAt, minPeerGroup: minPeers, minCount, months, areas, rows };
}
