import type { Report } from './report.types.js';

export type ColumnType = 'text' | 'int' | 'money' | 'number';

export interface Column {
  key: string;
  label: string;
  type: ColumnType;
}

/** One table of the report: a sheet of the XLSX, a block of the CSV, a table of the HTML. */
export interface ReportTable {
  name: string;
  title: string;
  note?: string;
  columns: Column[];
  rows: Record<string, string | number | null>[];
}

const c = (key: string, label: string, type: ColumnType = 'text'): Column => ({ key, label, type });

/** Every table of the report, in order, from the report's data alone: the forms cannot disagree. */
export function reportTables(r: Report): ReportTable[] {
  const f = r.fund;
  return [
    {
      name: 'fund',
      title: 'Fund totals / 基金总体',
      note: r.definitions.join(' '),
      columns: [c('figure', 'figure'), c('value', 'value', 'number')],
      rows: [
        ['institutions', f.institutions], ['claims', f.claims], ['patients', f.patients], ['inpatient claims', f.inpatientClaims],
        ['amount (yuan)', f.amount], ['payable (yuan)', f.payable], ['withheld (yuan)', f.withheld],
        ['finding hits', f.findingHits], ['claims with findings', f.findingClaims], ['amount at issue (yuan)', f.findingAmount],
        ['violations (yuan)', f.violationAmount], ['suspicions (yuan)', f.suspicionAmount],
        ['claims MoM %', f.momClaimsPct], ['claims YoY %', f.yoyClaimsPct], ['amount MoM %', f.momAmountPct], ['amount YoY %', f.yoyAmountPct],
      ].map(([figure, value]) => ({ figure: figure as string, value: value === null ? null : Number(value) })),
    },
    {
      name: 'institutions',
      title: 'Institutions / 机构',
      columns: [
        c('institutionId', 'institution'), c('name', 'name'), c('peerGroup', 'peer group'), c('ownership', 'ownership'),
        c('claims', 'claims', 'int'), c('patients', 'patients', 'int'), c('inpatientClaims', 'inpatient claims', 'int'),
        c('amount', 'amount', 'money'), c('payable', 'payable', 'money'), c('withheld', 'withheld', 'money'),
        c('momClaimsPct', 'claims MoM %', 'number'), c('yoyClaimsPct', 'claims YoY %', 'number'),
        c('momAmountPct', 'amount MoM %', 'number'), c('yoyAmountPct', 'amount YoY %', 'number'),
        c('findingHits', 'finding hits', 'int'), c('findingAmount', 'amount at issue', 'money'),
        c('violationAmount', 'violations', 'money'), c('suspicionAmount', 'suspicions', 'money'),
        c('modelScore', 'model score', 'number'), c('peerRank', 'peer rank', 'int'), c('peerSize', 'peers', 'int'), c('modelReasons', 'model reasons'),
        c('casesOpened', 'cases opened', 'int'), c('casesConcluded', 'cases concluded', 'int'),
        c('violationsConfirmed', 'violations confirmed', 'int'), c('refusedAmount', 'amount refused', 'money'),
        c('lateClaims', 'late claims (after cut-off)', 'int'), c('lateAmount', 'late amount', 'money'),
      ],
      rows: r.institutions.map((i) => ({
        institutionId: i.institutionId, name: i.name, peerGroup: i.peerGroup, ownership: i.ownership,
        claims: i.claims, patients: i.patients, inpatientClaims: i.inpatientClaims, amount: i.amount, payable: i.payable, withheld: i.withheld,
        momClaimsPct: i.momClaimsPct, yoyClaimsPct: i.yoyClaimsPct, momAmountPct: i.momAmountPct, yoyAmountPct: i.yoyAmountPct,
        findingHits: i.findingHits, findingAmount: i.findingAmount, violationAmount: i.violationAmount, suspicionAmount: i.suspicionAmount,
        modelScore: i.model?.score ?? null, peerRank: i.model?.peerRank ?? null, peerSize: i.model?.peerSize ?? null, modelReasons: i.model ? i.model.reasons.join('; ') : null,
        casesOpened: i.review?.casesOpened ?? null, casesConcluded: i.review?.casesConcluded ?? null,
        violationsConfirmed: i.review?.violationsConfirmed ?? null, refusedAmount: i.review?.refusedAmount ?? null,
        lateClaims: i.late.claims, lateAmount: i.late.amount,
      })),
    },
    {
      name: 'institution_findings',
      title: 'Findings by institution and family / 机构违规类型',
      columns: [c('institutionId', 'institution'), c('family', 'family'), c('hits', 'hits', 'int'), c('claims', 'claims', 'int'), c('amount', 'amount at issue', 'money')],
      rows: r.institutions.flatMap((i) => i.families.map((x) => ({ institutionId: i.institutionId, family: x.family, hits: x.hits, claims: x.claims, amount: x.amount }))),
    },
    {
      name: 'standouts',
      title: 'Institutions that stand out / 重点关注机构',
      columns: [c('institutionId', 'institution'), c('name', 'name'), c('peerGroup', 'peer group'), c('reasons', 'why'), c('recommendation', 'recommendation'),
        c('example', 'example'), c('claimNo', 'claim'), c('ruleId', 'rule'), c('amountAtIssue', 'amount at issue', 'money'), c('sentence', 'finding')],
      rows: r.standouts.flatMap((s) =>
        (s.examples.length > 0 ? s.examples : [null]).map((e, k) => ({
          institutionId: s.institutionId, name: s.name, peerGroup: s.peerGroup, reasons: s.reasons.join('; '), recommendation: s.recommendation,
          example: e ? k + 1 : null, claimNo: e?.claimNo ?? null, ruleId: e?.ruleId ?? null, amountAtIssue: e?.amountAtIssue ?? null, sentence: e?.sentence ?? null,
        })),
      ),
    },
    {
      name: 'trend',
      title: 'Cost trend, last 12 months / 近12个月费用趋势',
      columns: [c('month', 'month'), c('claims', 'claims', 'int'), c('amount', 'amount', 'money'), c('hospital', 'hospitals', 'money'), c('clinic', 'clinics', 'money'), c('pharmacy', 'pharmacies', 'money')],
      rows: r.trend.map((t) => ({ ...t })),
    },
    {
      name: 'findings_by_family',
      title: 'Findings by family / 违规类型',
      columns: [c('family', 'family'), c('hits', 'hits', 'int'), c('claims', 'claims', 'int'), c('amount', 'amount at issue', 'money'), c('violationAmount', 'violations', 'money'), c('suspicionAmount', 'suspicions', 'money')],
      rows: r.findingsByFamily.map((x) => ({ ...x })),
    },
    {
      name: 'rules',
      title: 'Hits per rule / 规则命中',
      columns: [c('ruleId', 'rule'), c('family', 'family'), c('status', 'status'), c('severity', 'severity'), c('hits', 'hits', 'int'), c('claims', 'claims', 'int'), c('amount', 'amount', 'money')],
      rows: r.rules.map((x) => ({ ...x })),
    },
    {
      name: 'trial_rules',
      title: 'Rules in trial: what they would have withheld / 试运行规则',
      columns: [c('ruleId', 'rule'), c('family', 'family'), c('hits', 'hits', 'int'), c('claims', 'claims', 'int'), c('wouldWithhold', 'would have withheld', 'money'), c('wouldReview', 'would have sent to review', 'money')],
      rows: r.trialRules.map((x) => ({ ...x })),
    },
    {
      name: 'model_scores',
      title: 'Provider model scores / 机构风险评分',
      note: r.model.note,
      columns: [c('institutionId', 'institution'), c('name', 'name'), c('peerGroup', 'peer group'), c('score', 'score', 'number'), c('peerRank', 'peer rank', 'int'), c('peerSize', 'peers', 'int'), c('reasons', 'reasons')],
      rows: r.model.scores.map((x) => ({ ...x })),
    },
    {
      name: 'recheck',
      title: '5% random re-check of inpatient claims / 住院费用5%随机复审',
      note: [r.review.note, ...r.review.recheckShortfalls].join(' '),
      columns: [c('institutionId', 'institution'), c('name', 'name'), c('inpatientClaims', 'inpatient claims', 'int'), c('sampled', 'sampled', 'int'), c('sharePct', 'share %', 'number'), c('required', 'required', 'int'), c('shortfall', 'shortfall', 'int')],
      rows: r.review.recheck.map((x) => ({ ...x })),
    },
    {
      name: 'recheck_completion',
      title: 'Random re-check completion by the due date / 随机复审完成情况',
      note: r.review.note,
      columns: [
        c('institutionId', 'institution'), c('name', 'name'), c('visitType', 'visit type'), c('required', 'required', 'int'), c('sampled', 'sampled', 'int'),
        c('concludedByDue', 'concluded by the due date', 'int'), c('concluded', 'concluded to date', 'int'), c('dueAt', 'due (CST)'), c('state', 'state'),
      ],
      rows: r.review.recheckCompletion.map((x) => ({ ...x })),
    },
    {
      name: 'review_backlog',
      title: 'Review backlog and ageing / 待审积压',
      note: r.review.note,
      columns: [c('bucket', 'age'), c('cases', 'open cases', 'int')],
      rows: (r.review.backlog?.ageing ?? []).map((x) => ({ ...x })),
    },
    {
      name: 'rule_precision',
      title: 'Per-rule precision from review outcomes / 规则准确率',
      note: r.review.note,
      columns: [c('ruleId', 'rule'), c('concluded', 'concluded', 'int'), c('confirmed', 'confirmed', 'int'), c('precisionPct', 'precision %', 'number')],
      rows: r.review.precision.map((x) => ({ ...x })),
    },
    {
      name: 'review_refusals',
      title: 'Refusals agreed at review, by reason / 复审扣款原因',
      note: 'Lines refused whole or reduced (quantity or unit price) in conclusions agreed by the cut-off; money beyond what the intake withheld.',
      columns: [c('code', 'code'), c('label', 'reason'), c('wholeLines', 'lines refused whole', 'int'), c('reducedLines', 'lines reduced', 'int'), c('refused', 'refused', 'money')],
      rows: r.review.refusals.map((x) => ({ ...x })),
    },
    {
      name: 'missed_violations',
      title: 'Estimated share of missed violations (random sample) / 漏检估计',
      note: r.review.note,
      columns: [c('sampled', 'sampled claims', 'int'), c('concluded', 'concluded', 'int'), c('missedConfirmed', 'confirmed, not flagged', 'int'), c('sharePct', 'share %', 'number'), c('lowPct', '95% low %', 'number'), c('highPct', '95% high %', 'number')],
      rows: r.review.missed ? [{ ...r.review.missed }] : [],
    },
    {
      name: 'data_quality',
      title: 'Data quality / 数据质量',
      note: r.definitions[3],
      columns: [
        c('institutionId', 'institution'), c('name', 'name'), c('claims', 'claims accepted', 'int'), c('rejected', 'rejected as malformed', 'int'), c('rejectedPct', 'rejected %', 'number'),
        c('lines', 'lines', 'int'), c('linesMissingName', 'lines without own item name', 'int'), c('linesMissingSpec', 'drug lines without specification', 'int'),
        c('duplicates', 'duplicate submissions', 'int'), c('lagMedianDays', 'days to submit, median', 'number'), c('lagP90Days', 'days to submit, p90', 'number'),
        c('lagMaxDays', 'days to submit, max', 'number'), c('lateSubmissions', 'late submissions', 'int'), c('lateSubmissionsPct', 'late %', 'number'),
      ],
      rows: r.dataQuality.map((x) => ({ ...x })),
    },
    {
      name: 'rejection_paths',
      title: 'Most frequent reasons for rejection / 常见格式错误',
      columns: [c('path', 'field'), c('count', 'errors', 'int')],
      rows: r.rejectionPaths.map((x) => ({ ...x })),
    },
    {
      name: 'late',
      title: 'Arrived after the cut-off / 截止后到达',
      note: r.late.note,
      columns: [c('claims', 'claims', 'int'), c('amount', 'amount', 'money'), c('findings', 'findings', 'int'), c('findingAmount', 'amount at issue', 'money')],
      rows: [{ claims: r.late.claims, amount: r.late.amount, findings: r.late.findings, findingAmount: r.late.findingAmount }],
    },
  ];
}
