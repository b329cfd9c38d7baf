import { familyName, peerGroupName, words, type Lang } from './i18n.js';
import type { Report } from './report.types.js';

export type ColumnType = 'text' | 'int' | 'money' | 'number';

export interface Column {
  key: string;
  label: string;
  type: ColumnType;
  /** the part of a wide table this column is printed in (HTML); the key columns are in every part */
  part?: number;
}

/** One table of the report: a sheet of the XLSX, a block of the CSV, a table of the HTML. */
export interface ReportTable {
  name: string;
  title: string;
  /** how the table's figures are defined: printed once, with the table */
  note?: string;
  /** why the table has no rows, when it has none */
  empty: string;
  columns: Column[];
  rows: Record<string, string | number | null>[];
  /** wide tables: the names of their parts, each printed as a table of its own with the key columns */
  parts?: string[];
  /** columns repeated in each part (the institution) */
  keyColumns?: number;
}

const c = (key: string, label: string, type: ColumnType = 'text', part?: number): Column => ({ key, label, type, ...(part === undefined ? {} : { part }) });

/** Every table of the report, in order, from the report's data alone: the forms cannot disagree. Labels in the report's language. */
export function reportTables(r: Report): ReportTable[] {
  const lang: Lang = r.lang ?? 'zh-CN';
  const zh = lang === 'zh-CN';
  const L = (z: string, e: string) => (zh ? z : e);
  const w = words(lang);
  const fam = (code: string | null) => (code === null ? null : familyName(lang, code));
  const peer = (g: string) => peerGroupName(lang, g);
  const f = r.fund;
  const noRows = w.emptyTable;
  const inst = () => c('institutionId', L('机构编码', 'institution'));
  const nm = () => c('name', L('机构名称', 'name'));
  const areaName = new Map(r.targets.areas.map((a) => [a.key, a]));
  return [
    {
      name: 'fund',
      title: L('基金总体', 'Fund totals'),
      empty: noRows,
      columns: [c('figure', L('指标', 'figure')), c('value', L('数值', 'value'), 'number'), c('reason', L('说明', 'note'))],
      rows: (
        [
          [L('机构数', 'institutions'), f.institutions],
          [L('结算笔数', 'claims'), f.claims],
          [L('就诊人数', 'patients'), f.patients],
          [L('住院结算', 'inpatient claims'), f.inpatientClaims],
          [L('医疗总费用（元）', 'amount (yuan)'), f.amount],
          [L('应付（元）', 'payable (yuan)'), f.payable],
          [L('拒付（元）', 'withheld (yuan)'), f.withheld],
          [L('疑点命中次数', 'finding hits'), f.findingHits],
          [L('有疑点的结算', 'claims with findings'), f.findingClaims],
          [L('疑点金额（元）', 'amount at issue (yuan)'), f.findingAmount],
          [L('明确违规（元）', 'violations (yuan)'), f.violationAmount],
          [L('可疑（元）', 'suspicions (yuan)'), f.suspicionAmount],
          [L('结算笔数环比 %', 'claims MoM %'), f.momClaimsPct, f.momReason],
          [L('结算笔数同比 %', 'claims YoY %'), f.yoyClaimsPct, f.yoyReason],
          [L('费用环比 %', 'amount MoM %'), f.momAmountPct, f.momReason],
          [L('费用同比 %', 'amount YoY %'), f.yoyAmountPct, f.yoyReason],
        ] as [string, string | number | null, (string | null)?][]
      ).map(([figure, value, reason]) => ({ figure, value: value === null ? null : Number(value), reason: reason ?? null })),
    },
    {
      name: 'institutions',
      title: w.headings.institutions,
      empty: L('本月没有机构的结算。', 'No institution has claims this month.'),
      parts: w.headings.institutionsParts,
      keyColumns: 2,
      columns: [
        inst(),
        nm(),
        c('peerGroup', L('同组（类别/级别）', 'peer group'), 'text', 0),
        c('ownership', L('性质', 'ownership'), 'text', 0),
        c('claims', L('结算笔数', 'claims'), 'int', 0),
        c('patients', L('就诊人数', 'patients'), 'int', 0),
        c('inpatientClaims', L('住院结算', 'inpatient claims'), 'int', 0),
        c('amount', L('医疗总费用', 'amount'), 'money', 0),
        c('payable', L('应付', 'payable'), 'money', 0),
        c('withheld', L('拒付', 'withheld'), 'money', 0),
        c('momClaimsPct', L('结算笔数环比 %', 'claims MoM %'), 'number', 1),
        c('yoyClaimsPct', L('结算笔数同比 %', 'claims YoY %'), 'number', 1),
        c('momAmountPct', L('费用环比 %', 'amount MoM %'), 'number', 1),
        c('yoyAmountPct', L('费用同比 %', 'amount YoY %'), 'number', 1),
        c('momReason', L('环比说明', 'MoM note'), 'text', 1),
        c('yoyReason', L('同比说明', 'YoY note'), 'text', 1),
        c('findingHits', L('疑点命中次数', 'finding hits'), 'int', 2),
        c('findingAmount', L('疑点金额', 'amount at issue'), 'money', 2),
        c('violationAmount', L('明确违规', 'violations'), 'money', 2),
        c('suspicionAmount', L('可疑', 'suspicions'), 'money', 2),
        c('lateClaims', L('截止后到达笔数', 'late claims (after cut-off)'), 'int', 2),
        c('lateAmount', L('截止后到达金额', 'late amount'), 'money', 2),
        c('modelScore', L('模型评分', 'model score'), 'number', 3),
        c('peerRank', L('组内排名', 'peer rank'), 'int', 3),
        c('peerSize', L('同组家数', 'peers'), 'int', 3),
        c('modelReasons', L('模型原因', 'model reasons'), 'text', 3),
        c('casesOpened', L('立案数', 'cases opened'), 'int', 3),
        c('casesConcluded', L('办结数', 'cases concluded'), 'int', 3),
        c('violationsConfirmed', L('确认违规', 'violations confirmed'), 'int', 3),
        c('refusedAmount', L('拒付金额', 'amount refused'), 'money', 3),
      ],
      rows: r.institutions.map((i) => ({
        institutionId: i.institutionId,
        name: i.name,
        peerGroup: peer(i.peerGroup),
        ownership: i.ownership === null ? null : (w.ownership[i.ownership] ?? i.ownership),
        claims: i.claims,
        patients: i.patients,
        inpatientClaims: i.inpatientClaims,
        amount: i.amount,
        payable: i.payable,
        withheld: i.withheld,
        momClaimsPct: i.momClaimsPct,
        yoyClaimsPct: i.yoyClaimsPct,
        momAmountPct: i.momAmountPct,
        yoyAmountPct: i.yoyAmountPct,
        momReason: i.momReason,
        yoyReason: i.yoyReason,
        findingHits: i.findingHits,
        findingAmount: i.findingAmount,
        violationAmount: i.violationAmount,
        suspicionAmount: i.suspicionAmount,
        lateClaims: i.late.claims,
        lateAmount: i.late.amount,
        modelScore: i.model?.score ?? null,
        peerRank: i.model && i.model.peerSize > 1 ? i.model.peerRank : null,
        peerSize: i.model?.peerSize ?? null,
        modelReasons: i.model ? i.model.reasons.join('; ') : null,
        casesOpened: i.review?.casesOpened ?? null,
        casesConcluded: i.review?.casesConcluded ?? null,
        violationsConfirmed: i.review?.violationsConfirmed ?? null,
        refusedAmount: i.review?.refusedAmount ?? null,
      })),
    },
    {
      name: 'target_areas',
      title: w.headings.targets,
      note: r.targets.note,
      empty: L('本月没有机构的结算，无指标可比较。', 'No institution has claims this month: no target area to compare.'),
      columns: [
        inst(),
        nm(),
        c('peerGroup', L('同组', 'peer group')),
        c('area', L('指标', 'target area')),
        c('value', L('数值', 'value'), 'number'),
        c('unit', L('单位', 'unit')),
        c('numerator', L('分子', 'numerator'), 'number'),
        c('denominator', L('分母', 'denominator'), 'number'),
        c('peerPercentile', L('同组百分位', 'peer percentile'), 'number'),
        c('peerSize', L('同组家数', 'peer group size'), 'int'),
        c('fundPercentile', L('全部机构百分位', 'fund percentile'), 'number'),
        c('fundSize', L('全部机构家数', 'institutions ranked'), 'int'),
        c('flagged', L('标记', 'flagged')),
        c('comment', L('说明', 'note')),
      ],
      rows: r.targets.rows.map((t) => ({
        institutionId: t.institutionId,
        name: t.name,
        peerGroup: peer(t.peerGroup),
        area: areaName.get(t.area)?.label ?? t.area,
        value: t.value,
        unit: areaName.get(t.area)?.unit ?? '',
        numerator: t.numerator,
        denominator: t.denominator,
        peerPercentile: t.peerPercentile,
        peerSize: t.peerSize,
        fundPercentile: t.fundPercentile,
        fundSize: t.fundSize,
        flagged: t.flagged ? L('是', 'yes') : '',
        comment: t.comment,
      })),
    },
    {
      name: 'institution_findings',
      title: w.headings.institutionFindings,
      empty: L('本月启用规则没有命中。', 'No findings of active rules this month.'),
      columns: [
        inst(),
        c('family', L('违规类型', 'family')),
        c('hits', L('命中次数', 'hits'), 'int'),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('amount', L('疑点金额', 'amount at issue'), 'money'),
      ],
      rows: r.institutions.flatMap((i) => i.families.map((x) => ({ institutionId: i.institutionId, family: fam(x.family), hits: x.hits, claims: x.claims, amount: x.amount }))),
    },
    {
      name: 'standouts',
      title: w.headings.standouts,
      empty: w.noStandouts,
      columns: [
        inst(),
        nm(),
        c('peerGroup', L('同组', 'peer group')),
        c('reasons', L('原因', 'why')),
        c('recommendation', w.headings.recommendation),
        c('example', L('案例', 'example')),
        c('claimNo', L('结算单号', 'claim')),
        c('ruleId', L('规则', 'rule')),
        c('amountAtIssue', L('疑点金额', 'amount at issue'), 'money'),
        c('sentence', L('说明', 'finding')),
      ],
      rows: r.standouts.flatMap((s) =>
        (s.examples.length > 0 ? s.examples : [null]).map((e, k) => ({
          institutionId: s.institutionId,
          name: s.name,
          peerGroup: peer(s.peerGroup),
          reasons: s.reasons.join('; '),
          recommendation: s.recommendation,
          example: e ? k + 1 : null,
          claimNo: e?.claimNo ?? null,
          ruleId: e?.ruleId ?? null,
          amountAtIssue: e?.amountAtIssue ?? null,
          sentence: e?.sentence ?? null,
        })),
      ),
    },
    {
      name: 'trend',
      title: w.charts.trend,
      note: w.charts.gapNote,
      empty: w.charts.noTrend,
      columns: [
        c('month', L('月份', 'month')),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('amount', L('医疗总费用', 'amount'), 'money'),
        c('hospital', w.charts.hospitals, 'money'),
        c('clinic', w.charts.clinics, 'money'),
        c('pharmacy', w.charts.pharmacies, 'money'),
      ],
      rows: r.trend.map((t) => ({ ...t })),
    },
    {
      name: 'findings_by_family',
      title: w.charts.families,
      empty: w.charts.noFamilies,
      columns: [
        c('family', L('违规类型', 'family')),
        c('hits', L('命中次数', 'hits'), 'int'),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('amount', L('疑点金额', 'amount at issue'), 'money'),
        c('violationAmount', L('明确违规', 'violations'), 'money'),
        c('suspicionAmount', L('可疑', 'suspicions'), 'money'),
      ],
      rows: r.findingsByFamily.map((x) => ({ ...x, family: fam(x.family) })),
    },
    {
      name: 'rules',
      title: w.headings.rules,
      empty: L('本月没有规则命中。', 'No rule hit this month.'),
      columns: [
        c('ruleId', L('规则', 'rule')),
        c('family', L('违规类型', 'family')),
        c('status', L('状态', 'status')),
        c('severity', L('性质', 'severity')),
        c('hits', L('命中次数', 'hits'), 'int'),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('amount', L('疑点金额', 'amount'), 'money'),
      ],
      rows: r.rules.map((x) => ({ ...x, family: fam(x.family), status: w.status[x.status] ?? x.status, severity: w.severity[x.severity] ?? x.severity })),
    },
    {
      name: 'trial_rules',
      title: w.headings.trial,
      empty: L('本月没有试运行规则命中。', 'No rule in trial hit this month.'),
      columns: [
        c('ruleId', L('规则', 'rule')),
        c('family', L('违规类型', 'family')),
        c('hits', L('命中次数', 'hits'), 'int'),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('wouldWithhold', L('将拒付', 'would have withheld'), 'money'),
        c('wouldReview', L('将转复审', 'would have sent to review'), 'money'),
      ],
      rows: r.trialRules.map((x) => ({ ...x, family: fam(x.family) })),
    },
    {
      name: 'model_scores',
      title: w.headings.model,
      note: r.model.note,
      empty: r.model.available ? L('本月没有机构评分。', 'No institution scored this month.') : r.model.note,
      columns: [
        inst(),
        nm(),
        c('peerGroup', L('同组', 'peer group')),
        c('score', L('评分', 'score'), 'number'),
        c('peerRank', L('组内排名', 'peer rank'), 'int'),
        c('peerSize', L('同组家数', 'peers'), 'int'),
        c('reasons', L('原因', 'reasons')),
      ],
      rows: r.model.scores.map((x) => ({
        institutionId: x.institutionId,
        name: x.name,
        peerGroup: peer(x.peerGroup),
        score: x.score,
        peerRank: x.peerSize > 1 ? x.peerRank : null,
        peerSize: x.peerSize,
        reasons: x.reasons,
      })),
    },
    {
      name: 'recheck',
      title: w.headings.recheck,
      note: r.review.notes.recheck,
      empty: r.review.available
        ? r.review.recheckOpen
          ? (r.review.notes.recheck ?? noRows)
          : L('本月抽样已关闭，但没有机构需要复审。', "The month's sample is closed with no institution required to re-check.")
        : r.review.note,
      columns: [
        inst(),
        nm(),
        c('visitType', L('就诊类型', 'visit type')),
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('required', L('应复审', 'required'), 'int'),
        c('sampled', L('已抽取', 'sampled'), 'int'),
        c('concluded', L('已完成复审', 're-checks concluded'), 'int'),
        c('sharePct', L('完成占比 %', 'concluded %'), 'number'),
        c('shortfall', L('差额', 'shortfall'), 'int'),
      ],
      rows: r.review.recheck.map((x) => ({ ...x, visitType: w.visitType[x.visitType] ?? x.visitType })),
    },
    {
      name: 'recheck_completion',
      title: w.headings.recheckCompletion,
      note: r.review.notes.completion,
      empty: r.review.available ? (r.review.notes.completion ?? noRows) : r.review.note,
      columns: [
        inst(),
        nm(),
        c('visitType', L('就诊类型', 'visit type')),
        c('required', L('应复审', 'required'), 'int'),
        c('sampled', L('已抽取', 'sampled'), 'int'),
        c('concludedByDue', L('到期前完成', 'concluded by the due date'), 'int'),
        c('concluded', L('至今完成', 'concluded to date'), 'int'),
        c('dueAt', L('到期（北京时间）', 'due (CST)')),
        c('state', L('状态', 'state')),
      ],
      rows: r.review.recheckCompletion.map((x) => ({ ...x, visitType: w.visitType[x.visitType] ?? x.visitType, state: w.state[x.state] ?? x.state })),
    },
    {
      name: 'review_backlog',
      title: w.headings.backlog,
      note: r.review.notes.backlog,
      empty: r.review.note,
      columns: [c('bucket', L('已立案天数', 'age')), c('cases', L('未办结案件', 'open cases'), 'int')],
      rows: (r.review.backlog?.ageing ?? []).map((x) => ({ bucket: w.bucket[x.bucket] ?? x.bucket, cases: x.cases })),
    },
    {
      name: 'rule_precision',
      title: w.headings.precision,
      note: r.review.notes.precision,
      empty: r.review.available ? L('截止前没有经复核同意的规则案件结论。', 'No case of a rule was concluded (second reviewer agreed) by the cut-off.') : r.review.note,
      columns: [
        c('ruleId', L('规则', 'rule')),
        c('concluded', L('已办结', 'concluded'), 'int'),
        c('confirmed', L('违规成立', 'confirmed'), 'int'),
        c('precisionPct', L('准确率 %', 'precision %'), 'number'),
      ],
      rows: r.review.precision.map((x) => ({ ...x })),
    },
    {
      name: 'review_refusals',
      title: w.headings.refusals,
      note: L(
        '截止前经复核同意的结论中整行拒付或核减（数量或单价）的明细，只计入初审未扣的金额。',
        'Lines refused whole or reduced (quantity or unit price) in conclusions agreed by the cut-off; money beyond what the intake withheld.',
      ),
      empty: r.review.available ? noRows : r.review.note,
      columns: [
        c('code', L('原因代码', 'code')),
        c('label', L('原因', 'reason')),
        c('wholeLines', L('整行拒付', 'lines refused whole'), 'int'),
        c('reducedLines', L('核减行数', 'lines reduced'), 'int'),
        c('refused', L('拒付金额', 'refused'), 'money'),
      ],
      rows: r.review.refusals.map((x) => ({ ...x })),
    },
    {
      name: 'missed_violations',
      title: w.headings.missed,
      note: r.review.notes.missed,
      empty: r.review.available ? (r.review.notes.missed ?? noRows) : r.review.note,
      columns: [
        c('sampled', L('随机抽取结算', 'sampled claims'), 'int'),
        c('concluded', L('已办结', 'concluded'), 'int'),
        c('missedConfirmed', L('确认违规但未被标记', 'confirmed, not flagged'), 'int'),
        c('sharePct', L('比例 %', 'share %'), 'number'),
        c('lowPct', L('95% 下限 %', '95% low %'), 'number'),
        c('highPct', L('95% 上限 %', '95% high %'), 'number'),
      ],
      rows: r.review.missed ? [{ ...r.review.missed }] : [],
    },
    {
      name: 'data_quality',
      title: L('数据质量', 'Data quality'),
      empty: L('本月没有收到结算或被拒的上传。', 'No claim or rejected submission this month.'),
      columns: [
        inst(),
        nm(),
        c('claims', L('接收结算', 'claims accepted'), 'int'),
        c('rejected', L('格式错误被拒', 'rejected as malformed'), 'int'),
        c('rejectedPct', L('被拒 %', 'rejected %'), 'number'),
        c('lines', L('明细条数', 'lines'), 'int'),
        c('linesMissingName', L('缺院内项目名称', 'lines without own item name'), 'int'),
        c('linesMissingSpec', L('药品耗材缺规格', 'drug lines without specification'), 'int'),
        c('duplicates', L('重复上传', 'duplicate submissions'), 'int'),
        c('lagMedianDays', L('上传天数中位数', 'days to submit, median'), 'number'),
        c('lagP90Days', L('上传天数P90', 'days to submit, p90'), 'number'),
        c('lagMaxDays', L('上传天数最大', 'days to submit, max'), 'number'),
        c('lateSubmissions', L('迟报', 'late submissions'), 'int'),
        c('lateSubmissionsPct', L('迟报 %', 'late %'), 'number'),
      ],
      rows: r.dataQuality.map((x) => ({ ...x, institutionId: x.institutionId === '(unreadable)' ? w.unreadable : x.institutionId })),
    },
    {
      name: 'rejection_paths',
      title: w.headings.rejections,
      empty: L('本月没有因格式错误被拒的上传。', 'No submission was rejected as malformed this month.'),
      columns: [c('path', L('字段', 'field')), c('count', L('错误次数', 'errors'), 'int')],
      rows: r.rejectionPaths.map((x) => ({ ...x })),
    },
    {
      name: 'late',
      title: L('截止后到达', 'Arrived after the cut-off'),
      note: r.late.note,
      empty: noRows,
      columns: [
        c('claims', L('结算笔数', 'claims'), 'int'),
        c('amount', L('金额', 'amount'), 'money'),
        c('findings', L('疑点命中', 'findings'), 'int'),
        c('findingAmount', L('疑点金额', 'amount at issue'), 'money'),
      ],
      rows: [{ claims: r.late.claims, amount: r.late.amount, findings: r.late.findings, findingAmount: r.late.findingAmount }],
    },
  ];
}
