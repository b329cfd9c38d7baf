import { fenFrom, formatFen } from '../lib/money.js';
import type { ReportPeriod } from './period.js';
import type { InstitutionRow, Report, Standout, StandoutExample } from './report.types.js';
import type { Query } from '../db/snapshot.js';

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
 * month growth far above the peers', or violations confirmed by review. Each with its largest
 * findings as examples and a recommendation.
 */
export async function pickStandouts(query: Query, period: ReportPeriod, report: Report): Promise<Standout[]> {
  const groups = new Map<string, InstitutionRow[]>();
  for (const r of report.institutions) groups.set(r.peerGroup, [...(groups.get(r.peerGroup) ?? []), r]);
  const candidates: { row: InstitutionRow; reasons: string[]; weight: number; kinds: Set<string> }[] = [];
  for (const [group, members] of groups) {
    // A peer group of fewer than MIN_PEERS has no usable median: its members are compared with every institution.
    const small = members.length < MIN_PEERS;
    const rows = small ? report.institutions : members;
    const against = small ? `all ${rows.length} institutions (peer group ${group} has ${members.length})` : group;
    const shares = robustZ(rows.map(share));
    const growth = robustZ(rows.map((r) => r.momAmountPct ?? 0));
    for (const row of members) {
      const reasons: string[] = [];
      const kinds = new Set<string>();
      let weight = 0;
      const s = share(row);
      if (rows.length >= 3 && s >= 0.02 && (shares.z(s) >= STANDOUT_Z || (s >= 0.05 && s >= STANDOUT_MULTIPLE * shares.med))) {
        reasons.push(`${(s * 100).toFixed(1)}% of its amount is at issue in rule findings (${row.findingAmount} yuan); median ${(shares.med * 100).toFixed(1)}% in ${against}`);
        kinds.add('findings');
        weight += Math.min(Math.max(shares.z(s), s / Math.max(shares.med, 1e-9)), 50);
      }
      if (rows.length >= 3 && row.momAmountPct !== null && row.momAmountPct >= 30 && growth.z(row.momAmountPct) >= STANDOUT_Z) {
        reasons.push(`amount up ${row.momAmountPct}% on the month before; median ${growth.med.toFixed(1)}% in ${against}`);
        kinds.add('growth');
        weight += Math.min(growth.z(row.momAmountPct), 50);
      }
      if (row.model && row.model.peerRank <= Math.max(1, Math.ceil(row.model.peerSize * 0.1))) {
        reasons.push(`provider model score ${row.model.score.toFixed(3)}, rank ${row.model.peerRank} of ${row.model.peerSize} in ${group}${row.model.reasons[0] ? `: ${row.model.reasons[0]}` : ''}`);
        kinds.add('model');
        weight += 10 * row.model.score;
      }
      if (row.review && row.review.violationsConfirmed > 0) {
        reasons.push(`${row.review.violationsConfirmed} violations confirmed by review, ${row.review.refusedAmount} yuan refused`);
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
    out.push({
      institutionId: c.row.institutionId,
      name: c.row.name,
      peerGroup: c.row.peerGroup,
      reasons: c.reasons,
      examples: await examples(query, period, report.cutoff, c.row.institutionId),
      recommendation: recommend(c.kinds, c.row),
    });
  }
  return out;
}

function recommend(kinds: Set<string>, row: InstitutionRow): string {
  const top = row.families[0]?.family;
  if (kinds.has('review') || (kinds.has('model') && kinds.has('findings')))
    return `Targeted on-site inspection (重点检查)${top ? ` of its ${top} billing` : ''}; recover the amounts refused; draw it in this quarter's "double random" inspection.`;
  if (kinds.has('findings')) return `Targeted review sample (重点复审) of its claims${top ? ` with ${top} findings` : ''}, and a written notice to the institution.`;
  if (kinds.has('model')) return 'Targeted review of its inpatient claims next month (the model routes them to review), and compare with peers at the next monthly review.';
  return 'Watch: compare the growth with admissions and staffing at the next monthly review; targeted review if it persists.';
}

/** The institution's two claims with the largest single finding in the month, with the rule's sentence. */
async function examples(query: Query, period: ReportPeriod, cutoff: string, institutionId: string): Promise<StandoutExample[]> {
  const rows = await query<{ claim_no: string; visit_type: string; total: string; rule_id: string; family: string; severity: string; amount: string; zh: string | null; en: string | null }>(
    `select claim_no, visit_type, total, rule_id, family, severity, amount, zh, en from (
       select distinct on (c.id) c.claim_no, c.visit_type, c.total_amount::text as total, f.rule_id, f.family, f.severity,
              f.amount as amt, f.amount::text as amount, f.message->>'zh' as zh, f.message->>'en' as en
       from claims c join findings f on f.claim_id = c.id
       where c.institution_id = $1 and c.service_month = $2 and f.service_month = $2 and f.status = 'active'
         and c.received_at <= $3 and f.created_at <= $3
       order by c.id, f.amount desc, f.rule_id) best
     order by amt desc, claim_no limit 2`,
    [institutionId, period.month, cutoff],
  );
  return rows.map((r) => ({
    claimNo: r.claim_no,
    visitType: r.visit_type,
    claimAmount: formatFen(fen(r.total)),
    ruleId: r.rule_id,
    family: r.family,
    severity: r.severity,
    amountAtIssue: formatFen(fen(r.amount)),
    sentence: r.zh && r.en ? `${r.zh} / ${r.en}` : (r.zh ?? r.en ?? ''),
  }));
}
