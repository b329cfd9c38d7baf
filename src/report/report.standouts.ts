import { fenFrom, formatFen } from '../lib/money.js';
import type { ReportPeriod } from './period.js';
import type { InstitutionRow, Report, Standout, StandoutExample } from './report.types.js';
import type { Query } from '../db/snapshot.js';
import { familyName, peerGroupName, words, type Lang } from './i18n.js';

const fen = (v: string) => fenFrom(v) ?? 0;

/** How far above its peers a value must lie, in robust standard deviations (1.4826 × MAD). */
export const STANDOUT_Z = 3;
/** Or a share of the amount at issue of at least 5% and this many times the median (a small group's MAD is noisy). */
export const STANDOUT_MULTIPLE = 3;
/** At most this many institutions are named as standing out. */
export const MAX_STANDOUTS = 10;
/** Peer groups smaller than this are compared with all institutions instead. */
export const MIN_PEERS = 5;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Robust z of each value against its group: (x − median) / (1.4826 × MAD); MAD of 0 leaves only exceedances of the median counted. */
function robustZ(values: number[]): { med: number; z: (x: number) => number } {
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med))) * 1.4826;
  return { med, z: (x) => (mad > 0 ? (x - med) / mad : x > med ? Infinity : 0) };
}

const share = (r: InstitutionRow) => (fen(r.amount) > 0 ? fen(r.findingAmount) / fen(r.amount) : 0);

/**
 * Institutions that stand out from their peer group (same type and level): the model's score at the
 * top of the group, a share of the amount at issue in rule findings far above the peers', month-on-
 * month growth far above the peers' (only where month on month is shown: a complete base month),
 * or violations confirmed by review. Each reason is illustrated by claims that show it (the largest
 * findings; the month's largest claims; claims that show the model's first reason; confirmed
 * cases), and a recommendation follows from the reasons.
 */
export async function pickStandouts(query: Query, period: ReportPeriod, report: Report, lang: Lang = 'zh-CN'): Promise<Standout[]> {
  const zh = lang === 'zh-CN';
  const groups = new Map<string, InstitutionRow[]>();
  for (const r of report.institutions) groups.set(r.peerGroup, [...(groups.get(r.peerGroup) ?? []), r]);
  const candidates: { row: InstitutionRow; reasons: string[]; weight: number; kinds: Set<Kind> }[] = [];
  for (const [group, members] of groups) {
    // A peer group of fewer than MIN_PEERS has no usable median: its members are compared with every institution.
    const small = members.length < MIN_PEERS;
    const rows = small ? report.institutions : members;
    const groupName = peerGroupName(lang, group);
    const against = small
      ? zh
        ? `全部 ${rows.length} 家机构（${groupName}仅 ${members.length} 家）`
        : `all ${rows.length} institutions (peer group ${groupName} has ${members.length})`
      : zh
        ? `同组${groupName}`
        : groupName;
    const shares = robustZ(rows.map(share));
    const withGrowth = rows.filter((r) => r.momAmountPct !== null);
    const growth = robustZ(withGrowth.map((r) => r.momAmountPct as number));
    for (const row of members) {
      const reasons: string[] = [];
      const kinds = new Set<Kind>();
      let weight = 0;
      const s = share(row);
      if (rows.length >= 3 && s >= 0.02 && (shares.z(s) >= STANDOUT_Z || (s >= 0.05 && s >= STANDOUT_MULTIPLE * shares.med))) {
        reasons.push(
          zh
            ? `疑点金额占其医疗费用的 ${(s * 100).toFixed(1)}%（${row.findingAmount} 元），${against}中位数 ${(shares.med * 100).toFixed(1)}%`
            : `${(s * 100).toFixed(1)}% of its amount is at issue in rule findings (${row.findingAmount} yuan); median ${(shares.med * 100).toFixed(1)}% in ${against}`,
        );
        kinds.add('findings');
        weight += Math.min(Math.max(shares.z(s), s / Math.max(shares.med, 1e-9)), 50);
      }
      if (withGrowth.length >= 3 && row.momAmountPct !== null && row.momAmountPct >= 30 && growth.z(row.momAmountPct) >= STANDOUT_Z) {
        reasons.push(
          zh ? `费用环比增长 ${row.momAmountPct}%，${against}中位数 ${growth.med.toFixed(1)}%` : `amount up ${row.momAmountPct}% on the month before; median ${growth.med.toFixed(1)}% in ${against}`,
        );
        kinds.add('growth');
        weight += Math.min(growth.z(row.momAmountPct), 50);
      }
      if (row.model && row.model.peerSize > 1 && row.model.peerRank <= Math.max(1, Math.ceil(row.model.peerSize * 0.1))) {
        reasons.push(
          zh
            ? `机构风险评分 ${row.model.score.toFixed(3)}，在${peerGroupName(lang, group)} ${row.model.peerSize} 家中排第 ${row.model.peerRank}${row.model.reasons[0] ? `：${row.model.reasons[0]}` : ''}`
            : `provider model score ${row.model.score.toFixed(3)}, rank ${row.model.peerRank} of ${row.model.peerSize} in ${groupName}${row.model.reasons[0] ? `: ${row.model.reasons[0]}` : ''}`,
        );
        kinds.add('model');
        weight += 10 * row.model.score;
      }
      if (row.review && row.review.violationsConfirmed > 0) {
        reasons.push(
          zh
            ? `复审确认违规 ${row.review.violationsConfirmed} 件，拒付 ${row.review.refusedAmount} 元`
            : `${row.review.violationsConfirmed} violations confirmed by review, ${row.review.refusedAmount} yuan refused`,
        );
        kinds.add('review');
        weight += row.review.violationsConfirmed;
      }
      if (reasons.length > 0) candidates.push({ row, reasons, weight: weight + fen(row.findingAmount) / 1e9, kinds });
    }
  }
  candidates.sort((a, b) => b.kinds.size - a.kinds.size || b.weight - a.weight || a.row.institutionId.localeCompare(b.row.institutionId));
  const picked = candidates.slice(0, MAX_STANDOUTS);
  const out: Standout[] = [];
  for (const c of picked) {
    const examples: StandoutExample[] = [];
    for (const kind of c.kinds) examples.push(...(await examplesFor(query, period, report.cutoff, c.row, kind, lang)));
    out.push({
      institutionId: c.row.institutionId,
      name: c.row.name,
      peerGroup: c.row.peerGroup,
      reasons: c.reasons,
      examples,
      recommendation: recommend(c.kinds, c.row, lang),
    });
  }
  return out;
}

type Kind = StandoutExample['illustrates'];

function recommend(kinds: Set<Kind>, row: InstitutionRow, lang: Lang): string {
  const top = row.families[0]?.family;
  const fam = top ? familyName(lang, top) : undefined;
  if (lang === 'zh-CN') {
    if (kinds.has('review') || (kinds.has('model') && kinds.has('findings'))) return `开展重点现场检查${fam ? `（重点查${fam}）` : ''}；追回已拒付金额；纳入本季度"双随机、一公开"检查。`;
    if (kinds.has('findings')) return `对其${fam ? `涉及${fam}的` : ''}结算开展重点复审，并书面告知机构。`;
    if (kinds.has('model')) return '下月将其住院结算纳入重点复审（模型已将其转入复审），并在下次月度分析时与同组机构比较。';
    return '关注：下次月度分析时将费用增长与收治人次、人员配备对照；若持续增长，开展重点复审。';
  }
  if (kinds.has('review') || (kinds.has('model') && kinds.has('findings')))
    return `Targeted on-site inspection${fam ? ` of its ${fam} billing` : ''}; recover the amounts refused; draw it in this quarter's "double random" inspection.`;
  if (kinds.has('findings')) return `Targeted review sample of its claims${fam ? ` with ${fam} findings` : ''}, and a written notice to the institution.`;
  if (kinds.has('model')) return 'Targeted review of its inpatient claims next month (the model routes them to review), and compare with peers at the next monthly review.';
  return 'Watch: compare the growth with admissions and staffing at the next monthly review; targeted review if it persists.';
}

/** Stay in CST calendar days (discharge date − admission date, at least 1), as the provider model counts it. */
const LOS = `greatest(1, ((c.ended_at at time zone 'UTC') + interval '8 hours')::date - ((c.started_at at time zone 'UTC') + interval '8 hours')::date)`;

/**
 * For each of the model's features, the claims that show it and what each shows. A feature not
 * listed here falls back to the month's largest claims, said as such.
 */
const MODEL_EXAMPLES: Record<string, { where?: string; order: string; what: (v: number, lang: Lang) => string }> = {
  linesPerVisit: { order: 'c.line_count desc', what: (v, l) => (l === 'en' ? `${v} fee lines` : `费用明细 ${v} 条`) },
  costPerVisit: { order: 'c.total_amount desc', what: (v, l) => (l === 'en' ? `claim of ${v.toFixed(2)} yuan` : `单次费用 ${v.toFixed(2)} 元`) },
  costPerInpatientDay: {
    where: `c.visit_type = 'inpatient'`,
    order: `c.total_amount / ${LOS} desc`,
    what: (v, l) => (l === 'en' ? `${v.toFixed(2)} yuan per inpatient day` : `日均住院费用 ${v.toFixed(2)} 元`),
  },
  meanStay: { where: `c.visit_type = 'inpatient'`, order: `${LOS} desc`, what: (v, l) => (l === 'en' ? `stay of ${v} days` : `住院 ${v} 天`) },
  longStayShare: { where: `c.visit_type = 'inpatient'`, order: `${LOS} desc`, what: (v, l) => (l === 'en' ? `stay of ${v} days` : `住院 ${v} 天`) },
  shortStayShare: { where: `c.visit_type = 'inpatient'`, order: `${LOS} asc`, what: (v, l) => (l === 'en' ? `stay of ${v} day(s)` : `住院 ${v} 天`) },
  weekendAdmissionShare: {
    where: `c.visit_type = 'inpatient' and extract(isodow from (c.started_at at time zone 'UTC') + interval '8 hours') in (6, 7)`,
    order: 'c.total_amount desc',
    what: (_v, l) => (l === 'en' ? 'admitted on a weekend' : '周末入院'),
  },
  readmission15Rate: {
    where: `c.visit_type = 'inpatient' and exists (select 1 from claims p where p.person_hash = c.person_hash and p.institution_id = c.institution_id and p.visit_type = 'inpatient' and p.id <> c.id and p.ended_at <= c.started_at and p.ended_at > c.started_at - interval '15 days')`,
    order: 'c.total_amount desc',
    what: (_v, l) => (l === 'en' ? 'readmitted within 15 days of a discharge' : '出院后15天内再入院'),
  },
};
const MEASURE: Record<string, string> = {
  linesPerVisit: 'c.line_count',
  costPerVisit: 'c.total_amount',
  costPerInpatientDay: `round(c.total_amount / ${LOS}, 2)`,
  meanStay: LOS,
  longStayShare: LOS,
  shortStayShare: LOS,
};

/** Two claims of the month that illustrate the reason of that kind (exported for its test). */
export async function examplesFor(query: Query, period: ReportPeriod, cutoff: string, row: InstitutionRow, kind: Kind, lang: Lang): Promise<StandoutExample[]> {
  const w = words(lang);
  const zh = lang === 'zh-CN';
  const base = { illustrates: kind, ruleId: null, family: null, severity: null, amountAtIssue: null };
  if (kind === 'findings' || kind === 'review') {
    // findings: the largest findings; review: the claims of cases confirmed by the cut-off.
    const reviewed =
      kind === 'review' ? `and exists (select 1 from review_cases k join review_conclusions r on r.case_id = k.id and r.outcome = 'confirmed' and r.concluded_at <= $3 where k.claim_id = c.id)` : '';
    const rows = await query<{ claim_no: string; visit_type: string; total: string; rule_id: string; family: string; severity: string; amount: string; zh: string | null; en: string | null }>(
      `select claim_no, visit_type, total, rule_id, family, severity, amount, zh, en from (
         select distinct on (c.id) c.claim_no, c.visit_type, c.total_amount::text as total, f.rule_id, f.family, f.severity,
                f.amount as amt, f.amount::text as amount, f.message->>'zh' as zh, f.message->>'en' as en
         from claims c join findings f on f.claim_id = c.id
         where c.institution_id = $1 and c.service_month = $2 and f.service_month = $2 and f.status = 'active'
           and c.received_at <= $3 and f.created_at <= $3 ${reviewed}
         order by c.id, f.amount desc, f.rule_id) best
       order by amt desc, claim_no limit 2`,
      [row.institutionId, period.month, cutoff],
    );
    return rows.map((r) => ({
      ...base,
      claimNo: r.claim_no,
      visitType: r.visit_type,
      claimAmount: formatFen(fen(r.total)),
      ruleId: r.rule_id,
      family: r.family,
      severity: r.severity,
      amountAtIssue: formatFen(fen(r.amount)),
      sentence: `${kind === 'review' ? (zh ? '复审确认违规：' : 'confirmed by review: ') : ''}${(zh ? (r.zh ?? r.en) : (r.en ?? r.zh)) ?? ''}`,
    }));
  }
  const feature = kind === 'model' ? row.model?.features.find((f) => MODEL_EXAMPLES[f]) : undefined;
  const spec = feature ? MODEL_EXAMPLES[feature] : undefined;
  const measure = feature ? (MEASURE[feature] ?? 'c.total_amount') : 'c.total_amount';
  const rows = await query<{ claim_no: string; visit_type: string; total: string; v: string }>(
    `select c.claim_no, c.visit_type, c.total_amount::text as total, (${measure})::text as v
     from claims c where c.institution_id = $1 and c.service_month = $2 and c.received_at <= $3 ${spec?.where ? `and ${spec.where}` : ''}
     order by ${spec?.order ?? 'c.total_amount desc'}, c.claim_no limit 2`,
    [row.institutionId, period.month, cutoff],
  );
  return rows.map((r) => {
    const what = spec
      ? spec.what(Number(r.v), lang)
      : kind === 'growth'
        ? zh
          ? '本月费用最高的结算之一'
          : "one of the month's largest claims"
        : zh
          ? '本月费用最高的结算之一（模型原因无对应的单笔指标）'
          : "one of the month's largest claims (the model's reason has no per-claim measure)";
    const reason = kind === 'model' && row.model?.reasons[0] ? (zh ? `说明"${row.model.reasons[0]}"：` : `shows "${row.model.reasons[0]}": `) : '';
    return { ...base, claimNo: r.claim_no, visitType: r.visit_type, claimAmount: formatFen(fen(r.total)), sentence: `${reason}${what}`, ...(w ? {} : {}) };
  });
}
