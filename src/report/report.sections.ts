import { fenFrom, formatFen } from '../lib/money.js';
import { refusalLabel } from '../review/refusal-codes.js';
import type { ReportPeriod } from './period.js';
import type { InstitutionName, InstitutionRow, Report } from './report.types.js';
import type { Query } from '../db/snapshot.js';
import { reportStanding } from '../page/provider-standing.js';
import { words, type Lang } from './i18n.js';

export interface SectionContext {
  query: Query;
  period: ReportPeriod;
  /** ISO instant of the cut-off */
  cutoff: string;
  names: Map<string, InstitutionName>;
  lang: Lang;
  /** ISO instant the backlog is aged at: the earlier of generation time and the cut-off */
  asOf: string;
  asOfText: string;
}

/** The regulator's floor: at least 5% of each institution's inpatient claims of a month re-checked at random. */
export const RECHECK_SHARE = 0.05;

export async function tablesExist(query: Query, tables: string[]): Promise<boolean> {
  const rows = await query<{ n: number }>(`select count(*)::int as n from unnest($1::text[]) as t(name) where to_regclass('public.' || t.name) is not null`, [`{${tables.join(',')}}`]);
  return rows[0]?.n === tables.length;
}

const MODEL_TABLES = ['provider_models', 'provider_scores'];
const REVIEW_TABLES = ['review_cases', 'review_reasons', 'review_conclusions', 'review_second_reviews'];

/**
 * The provider model's scores, peer ranks and reasons: the scores of the month under the
 * latest model version trained by the cut-off (a version trained later is named, not used).
 */
export async function modelSection(ctx: SectionContext): Promise<Report['model']> {
  if (!(await tablesExist(ctx.query, MODEL_TABLES)))
    return {
      available: false,
      note: words(ctx.lang).modelUnavailable,
      version: null,
      scores: [],
    };
  const versions = await ctx.query<{ id: string; trained_at: string; late: boolean; money: number | null; evidence: number | null }>(
    `select m.id::text as id, to_char(m.trained_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as trained_at, m.trained_at > $2 as late,
            (m.params->>'windowMonths')::int as money, (m.params->>'evidenceMonths')::int as evidence
     from provider_models m where exists (select 1 from provider_scores s where s.model_id = m.id and s.month = $1)
     order by m.trained_at > $2, m.id desc`,
    [ctx.period.month, ctx.cutoff],
  );
  const used = versions.find((v) => !v.late);
  const later = versions.filter((v) => v.late).length;
  if (!used)
    return {
      available: false,
      note: words(ctx.lang).modelNotScored(ctx.period.month, later),
      version: null,
      scores: [],
    };
  const rows = await ctx.query<{ institution_id: string; peer_group: string; peer_size: number; score: number; rank: number; explanations: unknown; targeting: unknown }>(
    `select institution_id, peer_group, peer_size, score, rank, explanations, targeting from provider_scores
     where model_id = $1 and month = $2 order by peer_group, coalesce((targeting->>'rank')::int, rank), institution_id`,
    [used.id, ctx.period.month],
  );
  const list = (e: unknown) => ((typeof e === 'string' ? JSON.parse(e) : e) as { feature?: string; zh?: string; en?: string }[] | null) ?? [];
  const reasons = (e: unknown) => {
    return list(e)
      .map((x) => (ctx.lang === 'en' ? (x.en ?? x.zh) : (x.zh ?? x.en)) ?? '')
      .filter(Boolean);
  };
  return {
    available: true,
    note: words(ctx.lang).modelNote(ctx.period.month, used.id, used.trained_at, later, { money: used.money ?? undefined, evidence: used.evidence ?? undefined }),
    version: used.id,
    scores: rows.map((r) => ({
      institutionId: r.institution_id,
      name: ctx.names.get(r.institution_id)?.name ?? null,
      peerGroup: r.peer_group,
      ...reportStanding(r, reasons(r.explanations), ctx.lang === 'en' ? 'en' : 'zh'),
      features: list(r.explanations)
        .map((x) => x.feature ?? '')
        .filter(Boolean),
    })),
  };
}

/** Wilson score interval of a proportion, in percent (95%: z = 1.96). */
export function wilson(successes: number, n: number, z = 1.96): { share: number; low: number; high: number } {
  if (n === 0) return { share: 0, low: 0, high: 0 };
  const p = successes / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  const r = (x: number) => Math.round(x * 1000) / 10;
  return { share: r(p), low: r(Math.max(0, centre - half)), high: r(Math.min(1, centre + half)) };
}

/**
 * The review queue's figures, each as it stood at the cut-off: a case is concluded when
 * its latest conclusion by then was agreed by a second reviewer by then (only an agreed refusal
 * stands); reasons count when added by then.
 */
export async function reviewSection(ctx: SectionContext, inpatientClaims: Map<string, number>): Promise<Report['review'] & { perInstitution?: Map<string, InstitutionRow['review']> }> {
  if (!(await tablesExist(ctx.query, REVIEW_TABLES)))
    return {
      available: false,
      note: words(ctx.lang).reviewUnavailable,
      notes: {},
      recheckOpen: false,
      recheck: [],
      recheckShortfalls: [],
      recheckCompletion: [],
      backlog: null,
      precision: [],
      refusals: [],
      missed: null,
    };
  const { query, period, cutoff } = ctx;
  // The final state of each case at the cut-off.
  const FINAL = `
    final as (
      select distinct on (k.case_id) k.case_id, k.outcome, k.amount_refused, s.verdict
      from review_conclusions k left join review_second_reviews s on s.conclusion_id = k.id and s.reviewed_at <= $2
      where k.concluded_at <= $2
      order by k.case_id, k.id desc)`;
  const perInstitution = await query<{ institution_id: string; opened: number; concluded: number; confirmed: number; refused: string }>(
    `with ${FINAL}
     select c.institution_id, count(*)::int as opened,
            count(*) filter (where f.verdict = 'agree')::int as concluded,
            count(*) filter (where f.verdict = 'agree' and f.outcome = 'confirmed')::int as confirmed,
            coalesce(sum(least(f.amount_refused, cl.payable_amount)) filter (where f.verdict = 'agree' and f.outcome = 'confirmed'), 0)::text as refused
     from review_cases c left join final f on f.case_id = c.id
     join claims cl on cl.id = c.claim_id and cl.person_hash = c.person_hash and cl.service_month = c.service_month
     where c.service_month = $1 and c.opened_at <= $2
     group by c.institution_id`,
    [period.month, cutoff],
  );
  const sampled = await query<{ institution_id: string; n: number }>(
    `select c.institution_id, count(distinct c.id)::int as n
     from review_cases c join review_reasons r on r.case_id = c.id and r.kind = 'sample' and r.created_at <= $2
     join claims cl on cl.id = c.claim_id and cl.received_at <= $2
     where c.service_month = $1 and c.visit_type = 'inpatient'
     group by c.institution_id`,
    [period.month, cutoff],
  );
  // The re-check's completion: each closed group's sample cases concluded (first level) by the due
  // date, and to date; overdue when the due date has passed with a case not concluded by then.
  const completion = await query<{
    institution_id: string;
    visit_type: string;
    required: number;
    claim_count: number;
    sampled: number;
    by_due: number;
    concluded: number;
    due_at: string | null;
    overdue: boolean;
  }>(
    `select m.institution_id, m.visit_type, m.required, m.claim_count, count(c.id)::int as sampled,
            count(c.id) filter (where exists (select 1 from review_conclusions k where k.case_id = c.id and k.concluded_at <= m.due_at))::int as by_due,
            count(c.id) filter (where exists (select 1 from review_conclusions k where k.case_id = c.id))::int as concluded,
            to_char(m.due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as due_at, coalesce(m.due_at <= now(), false) as overdue
     from review_sample_months m
     left join review_cases c on c.institution_id = m.institution_id and c.service_month = m.service_month and c.visit_type = m.visit_type
       and exists (select 1 from review_reasons r where r.case_id = c.id and r.kind = 'sample')
     where m.service_month = $1
     group by m.institution_id, m.visit_type, m.required, m.claim_count, m.due_at
     order by m.institution_id, m.visit_type`,
    [period.month],
  );
  const backlog = await query<{ bucket: string; n: number }>(
    `with ${FINAL.replace('$2', '$1').replace('$2', '$1')}
     select case when $1::timestamptz - c.opened_at <= interval '7 days' then '0-7 days'
                 when $1::timestamptz - c.opened_at <= interval '30 days' then '8-30 days'
                 when $1::timestamptz - c.opened_at <= interval '90 days' then '31-90 days'
                 else 'over 90 days' end as bucket, count(*)::int as n
     from review_cases c left join final f on f.case_id = c.id
     where c.opened_at <= $1 and f.verdict is distinct from 'agree'
     group by 1`,
    [ctx.asOf],
  );
  const precision = await query<{ rule_id: string; concluded: number; confirmed: number }>(
    `with ${FINAL.replace('$2', '$1').replace('$2', '$1')}
     select r.rule_id, count(distinct c.id)::int as concluded, count(distinct c.id) filter (where f.outcome = 'confirmed')::int as confirmed
     from review_cases c join final f on f.case_id = c.id and f.verdict = 'agree'
     join review_reasons r on r.case_id = c.id and r.kind in ('finding', 'retrospective') and r.rule_id is not null and r.created_at <= $1
     group by r.rule_id order by r.rule_id`,
    [cutoff],
  );
  // Refusals agreed by the cut-off, line by line, per reason code (older conclusions carry no lines).
  const refusals = await query<{ code: string | null; whole: number; reduced: number; refused: string }>(
    `with ${FINAL.replace('k.amount_refused,', 'k.amount_refused, k.lines,')}
     select l->>'code' as code, count(*) filter (where l->>'kind' = 'whole')::int as whole, count(*) filter (where l->>'kind' = 'reduced')::int as reduced,
            coalesce(sum((l->>'refused')::numeric), 0)::text as refused
     from review_cases c join final f on f.case_id = c.id and f.verdict = 'agree' and f.outcome = 'confirmed'
     cross join lateral jsonb_array_elements(f.lines) l
     where c.service_month = $1
     group by 1 order by 1 nulls last`,
    [period.month, cutoff],
  );
  const missed = await query<{ concluded: number; missed: number; sampled: number }>(
    `with ${FINAL}
     select count(*)::int as sampled,
            count(*) filter (where f.verdict = 'agree')::int as concluded,
            count(*) filter (where f.verdict = 'agree' and f.outcome = 'confirmed' and not exists (
              select 1 from review_reasons o where o.case_id = c.id and o.kind <> 'sample' and o.kind <> 'appeal' and o.created_at <= $2))::int as missed
     from review_cases c join review_reasons r on r.case_id = c.id and r.kind = 'sample' and r.created_at <= $2
     left join final f on f.case_id = c.id
     where c.service_month = $1`,
    [period.month, cutoff],
  );

  const zh = ctx.lang === 'zh-CN';
  const w = words(ctx.lang);
  const name = (id: string) => ctx.names.get(id)?.name ?? null;
  const sampledSoFar = sampled.reduce((s, x) => s + Number(x.n), 0);
  const inpatientTotal = [...inpatientClaims.values()].reduce((s, n) => s + n, 0);
  // Compliance counts re-checks concluded against those required, for the month's closed sample
  // only: before the close the required number is not fixed and the re-checks are still being done.
  const recheckOpen = completion.length === 0;
  const recheck = completion.map((g) => {
    const claims = Number(g.claim_count);
    const required = Number(g.required);
    const concluded = Number(g.concluded);
    return {
      institutionId: g.institution_id,
      name: name(g.institution_id),
      visitType: g.visit_type,
      claims,
      required,
      sampled: Number(g.sampled),
      concluded,
      sharePct: claims > 0 ? Math.round((concluded / claims) * 1000) / 10 : null,
      shortfall: Math.max(0, required - concluded),
    };
  });
  const order = ['0-7 days', '8-30 days', '31-90 days', 'over 90 days'];
  const m = missed[0];
  const wi = m && m.concluded > 0 ? wilson(Number(m.missed), Number(m.concluded)) : null;
  const asOfText = ctx.asOfText;
  const notes = zh
    ? {
        cases: `${period.month} 的案件（截止前立案）；截止前最近一次结论经第二人复核同意的，计为已办结。`,
        recheck: recheckOpen
          ? `${period.month} 的随机抽样尚未关闭（npm run sample:close 在截止后关闭），应复审数尚未确定，故不计复审合规。截至目前已抽取住院结算 ${sampledSoFar} 笔（本月住院结算 ${inpatientTotal} 笔）。`
          : `已关闭的抽样月份：应复审数（不少于住院结算的 ${RECHECK_SHARE * 100}%）与已完成复审（初审结论）数之比；差额 = 应复审 − 已完成。`,
        completion: recheckOpen
          ? `${period.month} 的抽样尚未关闭：关闭后按到期日统计完成情况。`
          : '每个机构与就诊类型：到期日（截止 + REVIEW_SAMPLE_DUE_DAYS，北京时间）前作出初审结论的抽样案件数，以及至今完成数；到期仍有未结案件的为逾期。',
        backlog: `截止前立案、截至 ${asOfText} 仍未办结的案件，按截至 ${asOfText} 的已立案天数分档（生成时间与截止时间取较早者）。`,
        precision: '每条规则：截止前经复核同意的结论中，违规成立数 ÷ 已办结数。',
        missed:
          m && Number(m.concluded) > 0
            ? '本月随机抽取的结算中，经复核确认违规但没有任何规则或模型原因的比例，附 Wilson 95% 区间。'
            : `本月随机抽取的结算尚无经复核的结论（已抽取 ${Number(m?.sampled ?? 0)} 笔），暂无法估计漏检。`,
      }
    : {
        cases: `Cases of ${period.month} opened by the cut-off; a case counts as concluded when its latest conclusion by the cut-off was agreed by a second reviewer by then.`,
        recheck: recheckOpen
          ? `The random sample of ${period.month} is not closed yet (npm run sample:close closes it after the cut-off): the number required is not fixed, so compliance is not counted. ${sampledSoFar} inpatient claims sampled so far (of ${inpatientTotal} inpatient claims this month).`
          : `Closed sample month: re-checks concluded (first-level conclusion) against those required (at least ${RECHECK_SHARE * 100}% of inpatient claims); shortfall = required − concluded.`,
        completion: recheckOpen
          ? `The sample of ${period.month} is not closed yet: completion by the due date is counted once it is.`
          : 'Per institution and visit type: sample cases with a first-level conclusion by the due date (the cut-off + REVIEW_SAMPLE_DUE_DAYS, China Standard Time) and to date; overdue when the due date has passed with a case not concluded by then.',
        backlog: `Cases opened by the cut-off and not concluded at ${asOfText}, by their age at ${asOfText} (the earlier of generation time and the cut-off).`,
        precision: 'Per rule: confirmed ÷ concluded over all cases concluded (second reviewer agreed) by the cut-off.',
        missed:
          m && Number(m.concluded) > 0
            ? "The month's randomly sampled claims confirmed with no rule or model reason, over those concluded, with a Wilson 95% interval."
            : `No randomly sampled claim of the month has an agreed conclusion yet (${Number(m?.sampled ?? 0)} sampled): no estimate of missed violations.`,
      };
  return {
    available: true,
    note: notes.cases,
    notes,
    recheckOpen,
    recheck,
    recheckCompletion: completion.map((g) => ({
      institutionId: g.institution_id,
      name: name(g.institution_id),
      visitType: g.visit_type,
      required: Number(g.required),
      sampled: Number(g.sampled),
      concludedByDue: Number(g.by_due),
      concluded: Number(g.concluded),
      dueAt: g.due_at,
      state: Number(g.by_due) >= Number(g.sampled) ? ('complete' as const) : g.overdue ? ('overdue' as const) : ('in progress' as const),
    })),
    recheckShortfalls: recheck
      .filter((r) => r.shortfall > 0)
      .map((r) => {
        const who = `${r.institutionId}${r.name ? ` ${r.name}` : ''}`;
        const vt = w.visitType[r.visitType] ?? r.visitType;
        return zh
          ? `${who}（${vt}）：应复审 ${r.required} 笔，已完成 ${r.concluded} 笔，差 ${r.shortfall} 笔`
          : `${who} (${vt}): ${r.concluded} of ${r.required} required re-checks concluded, ${r.shortfall} short`;
      }),
    backlog: { open: backlog.reduce((s, b) => s + Number(b.n), 0), asOf: ctx.asOf, ageing: order.map((bucket) => ({ bucket, cases: Number(backlog.find((b) => b.bucket === bucket)?.n ?? 0) })) },
    refusals: refusals.map((x) => ({
      code: x.code ?? '',
      label: x.code ? refusalLabel(x.code, zh ? 'zh' : 'en') : zh ? '未注明' : 'no code given',
      wholeLines: Number(x.whole),
      reducedLines: Number(x.reduced),
      refused: formatMoney(x.refused),
    })),
    precision: precision.map((p) => ({
      ruleId: p.rule_id,
      concluded: Number(p.concluded),
      confirmed: Number(p.confirmed),
      precisionPct: p.concluded > 0 ? Math.round((Number(p.confirmed) / Number(p.concluded)) * 1000) / 10 : null,
    })),
    missed: m && wi ? { sampled: Number(m.sampled), concluded: Number(m.concluded), missedConfirmed: Number(m.missed), sharePct: wi.share, lowPct: wi.low, highPct: wi.high } : null,
    perInstitution: new Map(
      perInstitution.map((p) => [
        p.institution_id,
        { casesOpened: Number(p.opened), casesConcluded: Number(p.concluded), violationsConfirmed: Number(p.confirmed), refusedAmount: formatMoney(p.refused) },
      ]),
    ),
  };
}

const formatMoney = (v: string) => formatFen(fenFrom(v) ?? 0);
