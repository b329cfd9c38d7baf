/**
 * The report's words in its two languages: Chinese (zh-CN, the default: the fund's managers read
 * it) and English (`lang=en`). The JSON keeps stable machine names (keys, family codes, visit
 * types, states); headings, labels, family names, notes, recommendations and column headers of
 * every form come from here.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** `zh`, `zh-CN`, `cn` → zh-CN; `en`, `en-US` → en; anything else undefined (a 400 names the field). */
export function parseLang(text: string | undefined): Lang | undefined {
  if (text === undefined || text === '') return 'zh-CN';
  const t = text.toLowerCase();
  if (t === 'zh' || t === 'zh-cn' || t === 'cn' || t === 'zh-hans') return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

const CST_OFFSET_MS = 8 * 3_600_000;

/** An instant as China Standard Time, readable: `2026-11-16 00:00（北京时间）` / `2026-11-16 00:00 CST`. */
export function cstText(epochMs: number, lang: Lang): string {
  const s = new Date(epochMs + CST_OFFSET_MS).toISOString();
  const text = `${s.slice(0, 10)} ${s.slice(11, 16)}`;
  return lang === 'en' ? `${text} CST` : `${text}（北京时间）`;
}

/** the provider model version's two windows, months (absent on versions trained before they were recorded) */
export type ModelWindows = { money?: number; evidence?: number };

const ZH = {
  title: (m: string) => `定点医药机构医保基金使用风险月报（${m}）`,
  serviceMonth: '服务月份',
  cutoff: '数据截止',
  generated: '生成时间',
  provisional: '初步（截止时间未到）',
  yuan: '元',
  family: {
    duplicate: '重复收费',
    'split-charging': '分解收费',
    'split-stay': '分解住院',
    'bed-hanging': '挂床住院',
    'overlapping-stay': '叠床住院',
    substitution: '串换项目',
    price: '超标准收费',
    quantity: '超量',
    restriction: '限定条件',
    'non-designated': '非定点',
    'provider-model': '机构模型',
  } as Record<string, string>,
  visitType: { inpatient: '住院', outpatient: '门诊', pharmacy: '购药' } as Record<string, string>,
  type: { hospital: '医院', clinic: '基层医疗机构', pharmacy: '定点药店', unknown: '未知' } as Record<string, string>,
  level: { tertiary: '三级', secondary: '二级', primary: '一级', none: '', unknown: '未知' } as Record<string, string>,
  ownership: { public: '公立', private: '民营' } as Record<string, string>,
  status: { active: '启用', trial: '试运行', off: '停用' } as Record<string, string>,
  severity: { violation: '明确违规', suspicion: '可疑', high: '高', medium: '中', low: '低' } as Record<string, string>,
  state: { complete: '按期完成', overdue: '逾期', 'in progress': '进行中' } as Record<string, string>,
  bucket: { '0-7 days': '0–7天', '8-30 days': '8–30天', '31-90 days': '31–90天', 'over 90 days': '90天以上' } as Record<string, string>,
  unreadable: '（无法识别机构）',
  sections: {
    situation: '一、基本情况',
    data: '二、数据',
    targets: '三、重点指标与同组比较',
    analysis: '四、分析、典型案例与建议',
    review: '五、复审',
    rules: '六、规则',
    quality: '七、数据质量',
    late: '八、截止后到达',
  },
  cards: {
    claims: '结算笔数',
    patients: '就诊人数',
    amount: '医疗总费用（元）',
    withheld: '拒付金额（元）',
    atIssue: '疑点金额（元）',
    institutions: '机构数',
    inpatient: (n: string) => `住院 ${n} 笔`,
    payable: (n: string) => `应付 ${n}`,
    hits: (h: string, c: string) => `命中 ${h} 次，涉及 ${c} 笔`,
    standout: (n: number) => `${n} 家需重点关注`,
    mom: '环比',
    yoy: '同比',
  },
  charts: {
    trend: '近12个月费用趋势',
    families: '违规类型分布',
    scores: '同级同类机构风险评分',
    all: '合计',
    hospitals: '医院',
    clinics: '基层',
    pharmacies: '药店',
    noTrend: '近12个月没有结算数据。',
    noFamilies: '本月启用规则没有命中。',
    scoreAxis: '评分（0–1）；竖线：同组中位数',
    gapNote: '无数据的月份留空，不按0计。',
  },
  headings: {
    institutions: '机构明细',
    institutionsParts: ['规模', '环比与同比', '疑点', '模型与复审'],
    institutionFindings: '机构违规类型',
    standouts: '重点关注机构',
    examples: '典型案例',
    recommendation: '建议',
    model: '机构风险模型',
    recheck: '住院费用随机复审（5%）',
    recheckCompletion: '随机复审完成情况',
    backlog: '待审积压与账龄',
    precision: '规则准确率（复审结论）',
    refusals: '复审拒付与核减（按原因）',
    missed: '漏检估计（随机抽样）',
    trial: '试运行规则：若启用将拒付的金额',
    rules: '规则命中',
    rejections: '常见格式错误',
    targets: '重点指标（同组百分位）',
    targetFlags: '达到或超过标记线的指标',
    targetAll: '全部机构的重点指标见 XLSX、CSV 与 JSON。',
  },
  example: (claim: string, visit: string, amount: string, rule: string, atIssue: string, sentence: string) => `结算单 ${claim}（${visit}，${amount} 元）：${rule}，疑点金额 ${atIssue} 元——${sentence}`,
  noStandouts: '本月没有机构在下列指标上明显偏离同组机构。',
  moreRows: (n: number) => `另有 ${n} 行见 XLSX、CSV 与 JSON。`,
  emptyTable: '本月无数据。',
  dash: '—',
  reviewUnavailable: '不可用：本数据库没有复审队列（issue 5）的表，故不报告案件、结论、复审合规、积压、准确率与漏检估计。',
  modelUnavailable: '不可用：本数据库没有机构风险模型（issue 4）的表，故不报告评分、组内排名与原因。',
  modelNotScored: (m: string, later: number) => `不可用：截止时尚无机构模型对 ${m} 评分${later ? `（截止后训练的 ${later} 个版本不使用，以保持报告不变）` : ''}。`,
  modelNote: (m: string, v: string, at: string, later: number, windows: ModelWindows) =>
    `${m} 的评分来自机构模型版本 ${v}（训练于 ${at}），即截止前最新训练的版本${later ? `；其后 ${later} 个版本未使用` : ''}。评分为目标分（元）：欺诈概率${windows.evidence ? `（证据取近 ${windows.evidence} 个月）` : ''} × ${windows.money ? `近 ${windows.money} 个月` : '窗口期内'}的申报金额（早于目标分的模型版本为孤立森林分，在 (0, 1]）；第1名为组内最高；第一条理由为目标分的说明。`,
};

type Dict = typeof ZH;

const EN: Dict = {
  title: (m: string) => `Provider risk report ${m}`,
  serviceMonth: 'Service month',
  cutoff: 'cut-off',
  generated: 'generated',
  provisional: 'provisional (cut-off not yet passed)',
  yuan: 'yuan',
  family: {
    duplicate: 'duplicate billing',
    'split-charging': 'split charging',
    'split-stay': 'split stay',
    'bed-hanging': 'phantom stay (bed-hanging)',
    'overlapping-stay': 'overlapping stays',
    substitution: 'item substitution',
    price: 'over-price',
    quantity: 'excess quantity',
    restriction: 'restriction',
    'non-designated': 'non-designated',
    'provider-model': 'provider model',
  },
  visitType: { inpatient: 'inpatient', outpatient: 'outpatient', pharmacy: 'pharmacy' },
  type: { hospital: 'hospital', clinic: 'clinic', pharmacy: 'pharmacy', unknown: 'unknown' },
  level: { tertiary: 'tertiary', secondary: 'secondary', primary: 'primary', none: '', unknown: 'unknown' },
  ownership: { public: 'public', private: 'private' },
  status: { active: 'active', trial: 'trial', off: 'off' },
  severity: { violation: 'violation', suspicion: 'suspicion', high: 'high', medium: 'medium', low: 'low' },
  state: { complete: 'complete', overdue: 'overdue', 'in progress': 'in progress' },
  bucket: { '0-7 days': '0–7 days', '8-30 days': '8–30 days', '31-90 days': '31–90 days', 'over 90 days': 'over 90 days' },
  unreadable: '(unreadable)',
  sections: {
    situation: '1. Situation',
    data: '2. Data',
    targets: '3. Target areas against comparison groups',
    analysis: '4. Analysis, examples and recommendations',
    review: '5. Review',
    rules: '6. Rules',
    quality: '7. Data quality',
    late: '8. Arrived after the cut-off',
  },
  cards: {
    claims: 'claims',
    patients: 'patients',
    amount: 'amount (yuan)',
    withheld: 'withheld (yuan)',
    atIssue: 'at issue (yuan)',
    institutions: 'institutions',
    inpatient: (n: string) => `${n} inpatient claims`,
    payable: (n: string) => `payable ${n}`,
    hits: (h: string, c: string) => `${h} hits on ${c} claims`,
    standout: (n: number) => `${n} stand out`,
    mom: 'MoM',
    yoy: 'YoY',
  },
  charts: {
    trend: 'Cost trend, last 12 months',
    families: 'Findings by family',
    scores: 'Provider scores within each peer group',
    all: 'all',
    hospitals: 'hospitals',
    clinics: 'clinics',
    pharmacies: 'pharmacies',
    noTrend: 'No claims in the last 12 months.',
    noFamilies: 'No findings of active rules this month.',
    scoreAxis: 'score (0–1); tick: peer median',
    gapNote: 'Months without data are gaps, not zeros.',
  },
  headings: {
    institutions: 'Institutions',
    institutionsParts: ['volume', 'month on month and year on year', 'findings', 'model and review'],
    institutionFindings: 'Findings by institution and family',
    standouts: 'Institutions that stand out',
    examples: 'Examples',
    recommendation: 'Recommendation',
    model: 'Provider model',
    recheck: '5% random re-check of inpatient claims',
    recheckCompletion: 'Random re-check completion',
    backlog: 'Review backlog and ageing',
    precision: 'Per-rule precision from review outcomes',
    refusals: 'Refusals and reductions at review, by reason',
    missed: 'Missed violations (random sample)',
    trial: 'Rules in trial: what they would have withheld',
    rules: 'Hits per rule',
    rejections: 'Most frequent reasons for rejection',
    targets: 'Target areas (percentile in the comparison group)',
    targetFlags: 'Target areas at or above the flag line',
    targetAll: "Every institution's target areas are in the XLSX, CSV and JSON forms.",
  },
  example: (claim: string, visit: string, amount: string, rule: string, atIssue: string, sentence: string) =>
    `claim ${claim} (${visit}, ${amount} yuan): ${rule}, ${atIssue} yuan at issue — ${sentence}`,
  noStandouts: 'No institution stands out from its peers by the measures below this month.',
  moreRows: (n: number) => `${n} more rows in the XLSX, CSV and JSON forms.`,
  emptyTable: 'No rows this month.',
  dash: '—',
  reviewUnavailable:
    'Not available: the review queue (issue 5) has no tables in this database, so no cases, conclusions, re-check compliance, backlog, precision or missed-violation estimate is reported.',
  modelUnavailable: 'Not available: the provider model (issue 4) has no tables in this database, so no score, peer rank or reason is reported.',
  modelNotScored: (m: string, later: number) =>
    `Not available: no provider model scored ${m} by the cut-off${later ? ` (${later} version(s) trained after it are not used, so that the report stays as it was)` : ''}.`,
  modelNote: (m: string, v: string, at: string, later: number, windows: ModelWindows) =>
    `Scores of ${m} under provider model version ${v} (trained ${at}), the latest trained by the cut-off${later ? `; ${later} later version(s) not used` : ''}. Score: the targeting score in yuan, P(fraud${windows.evidence ? `, from the evidence of the last ${windows.evidence} month${windows.evidence === 1 ? '' : 's'}` : ''}) × money billed over ${windows.money ? `the last ${windows.money} month${windows.money === 1 ? '' : 's'}` : 'the window'} (a version before the targeting score: the forest score in (0, 1]); rank 1 is the peer group's highest; the first reason is the targeting sentence.`,
};

export function words(lang: Lang): Dict {
  return lang === 'en' ? EN : ZH;
}
export type Words = Dict;

/** A family code's name in the language (the code itself when unknown). */
export const familyName = (lang: Lang, code: string) => words(lang).family[code] ?? code;

/** A peer group `type/level` in words: `医院/三级` → `三级医院`. */
export function peerGroupName(lang: Lang, group: string): string {
  const w = words(lang);
  const [type = '', level = ''] = group.split('/');
  const t = w.type[type] ?? type;
  const l = w.level[level] ?? level;
  if (lang === 'en') return l ? `${l} ${t}` : t;
  return `${l}${t}`;
}
