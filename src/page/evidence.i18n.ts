import type { FieldIssue } from '../http/errors.js';
import type { Lang } from './i18n.js';

/**
 * The evidence on the case page, its actions, the queue's search, the reports and the trail
 * (docs/review-pages.md): their own messages, as recheck.i18n.ts has its own.
 */
const zh = {
  skipToMain: '跳到主要内容',
  cst: '北京时间',
  category: { drug: '药品', consumable: '耗材', service: '诊疗服务', bed: '床位', nursing: '护理', exam: '检查', lab: '化验', operation: '手术' } as Record<string, string>,
  institutionType: { hospital: '医院', clinic: '诊所', pharmacy: '药店' } as Record<string, string>,
  institutionLevel: { primary: '一级', secondary: '二级', tertiary: '三级', none: '未定级' } as Record<string, string>,
  ownership: { public: '公立', private: '民营' } as Record<string, string>,
  decision: { pass: '通过', review: '待审核', withhold: '暂缓支付' } as Record<string, string>,
  institutionCard: '定点机构',
  institutionUnknown: '机构目录中没有该机构的记录。',
  institutionType_: '类型',
  institutionLevel_: '等级',
  beds: '床位数',
  area: '统筹区',
  targetingScore: '机构靶向评分',
  targetingPending: '（评分及说明由机构评分组件提供）',
  storedScore: '立案时记录的机构风险分',
  caseFacts: '案件概况',
  openedAt: '立案时间',
  dueAt: '办理期限',
  sampleDueAt: '抽查截止',
  overdue: '已超期',
  daysLeft: (n: number) => (n >= 0 ? `剩 ${n} 天` : `超期 ${-n} 天`),
  visitPeriod: '就诊时间',
  history: '参保人既往结算（近180天）',
  historyHidden: '参保人的既往就医记录只对审核员和科长显示。',
  historyEmpty: '近180天内没有该参保人的其他结算单。',
  historyCase: '案件',
  noCase: '未立案',
  decision_: '初审决定',
  claimTotal: '金额',
  findingsByRule: '发现问题（按规则汇总）',
  rule: '规则',
  count: '条数',
  amountSum: '涉及金额',
  showAll: '展开全部',
  relatedLink: '关联结算单',
  referencesFrom: '引用本单的结算单',
  notes: '备注',
  notesEmpty: '还没有备注。',
  addNote: '添加备注',
  noteLabel: '备注内容',
  attachments: '附件',
  attachmentsEmpty: '还没有附件。',
  attach: '上传附件',
  fileLabel: (max: string) => `选择文件（PDF 或图片，不超过 ${max}）`,
  download: '下载',
  noDownload: '（仅审核员和科长可下载）',
  size: '大小',
  uploadedBy: '上传人',
  actions: '其他操作',
  release: '退回案件池',
  releaseReason: '退回理由',
  reopen: '重新打开（更正）',
  reopenReason: '重新打开的理由',
  declareConflict: '申报利益冲突',
  conflictKind: '关系',
  conflictKinds: { kin: '亲属关系', economic: '经济利益', other: '其他' } as Record<string, string>,
  conflictNote: '说明',
  conflictHint: '申报后不再分配该机构的案件；您手上该机构的案件将退回案件池。',
  viewTrail: '查看完整操作记录',
  errorSummary: '请更正以下内容：',
  saved: '已保存。',
  queueEmpty: '队列中没有符合条件的案件。可以清除筛选条件再试。',
  drawEmpty: '现在没有可以分配给您的案件（没有待分配的案件，或都属于您申报了利益冲突的机构）。',
  clearFilters: '清除筛选',
  claimSearch: '结算单号',
  institutionSearch: '机构（编码或名称）',
  month: '月份',
  sort: '排序',
  sorts: { priority: '优先级', oldest: '最早立案', newest: '最新立案', due: '最早到期', total: '结算金额', amount: '涉及金额' } as Record<string, string>,
  inspectionsEmpty: '还没有抽取记录。双随机抽取由管理员通过接口发起（POST /v1/inspections/draws）。',
  reports: '月度报告',
  conflictsNav: '利益冲突',
  outcomesNav: '审核结果',
  reportsHint: '机构风险监测月报：与接口 GET /v1/reports/{月份} 相同的数据。截止日未到的月份为临时数据。',
  reportMonth: '报告月份',
  openReport: '打开报告',
  provisional: '临时',
  formats: '格式',
  trailPage: '操作记录',
  trailVerify: '哈希链校验',
  trailOk: (n: number, pending: number) => `哈希链完整：已校验 ${n} 条${pending ? `，${pending} 条待封存` : ''}。`,
  trailBroken: (seq: number | undefined) => `哈希链在第 ${seq ?? '?'} 条处断开！`,
  trailEmpty: '没有操作记录。',
  closeSample: '关闭抽样月份',
  closeSampleHint: '结算月截止后关闭该月的随机抽查：每个机构补足到最低比例，并确定截止日。可重复执行。',
  closed: (month: string, added: number, due: string) => `${month} 已关闭抽样：新增 ${added} 件，截止日 ${due}。`,
  trailAction: {
    'case.note': '备注', 'case.attach': '上传附件', 'conflict.declare': '申报利益冲突', 'conflict.withdraw': '撤回利益冲突', 'sampling.close': '关闭抽样月份',
    'key.create': '创建密钥', 'key.revoke': '吊销密钥',
  } as Record<string, string>,
  fieldNames: {
    basis: '认定依据', reason: '理由', amountRefused: '拒付金额', refusedLines: '拒付明细', body: '备注内容', file: '附件', note: '说明', kind: '关系',
    month: '月份', claimId: '结算单号', institution: '机构', sort: '排序', minAgeDays: '最少天数', maxAgeDays: '最多天数', status: '状态', reasonKind: '来源', institutionId: '机构',
  } as Record<string, string>,
};

export type EvidenceMessages = typeof zh;

const en: EvidenceMessages = {
  skipToMain: 'Skip to main content',
  cst: 'China Standard Time',
  category: { drug: 'drug', consumable: 'consumable', service: 'service', bed: 'bed', nursing: 'nursing', exam: 'examination', lab: 'laboratory', operation: 'operation' },
  institutionType: { hospital: 'hospital', clinic: 'clinic', pharmacy: 'pharmacy' },
  institutionLevel: { primary: 'primary (level 1)', secondary: 'secondary (level 2)', tertiary: 'tertiary (level 3)', none: 'unranked' },
  ownership: { public: 'public', private: 'private' },
  decision: { pass: 'passed', review: 'for review', withhold: 'withheld' },
  institutionCard: 'Institution',
  institutionUnknown: 'The institution is not in the reference data.',
  institutionType_: 'Type',
  institutionLevel_: 'Level',
  beds: 'Beds',
  area: 'Area',
  targetingScore: 'Targeting score',
  targetingPending: '(the score and its explanation come from the institution-score component)',
  storedScore: 'Provider risk recorded with the case',
  caseFacts: 'Case',
  openedAt: 'Opened',
  dueAt: 'Due',
  sampleDueAt: 'Re-check due',
  overdue: 'overdue',
  daysLeft: (n: number) => (n >= 0 ? `${n} days left` : `${-n} days overdue`),
  visitPeriod: 'Visit',
  history: 'The insured person’s claims (last 180 days)',
  historyHidden: 'The insured person’s history is shown to auditors and supervisors only.',
  historyEmpty: 'No other claim of this person in the last 180 days.',
  historyCase: 'Case',
  noCase: 'no case',
  decision_: 'Intake decision',
  claimTotal: 'Amount',
  findingsByRule: 'Findings by rule',
  rule: 'Rule',
  count: 'Count',
  amountSum: 'Amount',
  showAll: 'show all',
  relatedLink: 'Related claims',
  referencesFrom: 'Claims referring to this one',
  notes: 'Notes',
  notesEmpty: 'No notes yet.',
  addNote: 'Add note',
  noteLabel: 'Note',
  attachments: 'Attachments',
  attachmentsEmpty: 'No attachments yet.',
  attach: 'Upload',
  fileLabel: (max: string) => `File (PDF or image, at most ${max})`,
  download: 'download',
  noDownload: '(auditors and supervisors may download)',
  size: 'Size',
  uploadedBy: 'Uploaded by',
  actions: 'Other actions',
  release: 'Release to the pool',
  releaseReason: 'Why it is released',
  reopen: 'Reopen (a correction)',
  reopenReason: 'Why it is reopened',
  declareConflict: 'Declare a conflict of interest',
  conflictKind: 'Relation',
  conflictKinds: { kin: 'kin', economic: 'economic interest', other: 'other' },
  conflictNote: 'Note',
  conflictHint: 'You will not be given this institution’s cases again; its cases you hold go back to the pool.',
  viewTrail: 'View the whole trail',
  errorSummary: 'Please correct the following:',
  saved: 'Saved.',
  queueEmpty: 'No case matches. Clear the filters and try again.',
  drawEmpty: 'No case can be given to you now (none is open, or all are of institutions you declared a conflict with).',
  clearFilters: 'Clear filters',
  claimSearch: 'Claim number',
  institutionSearch: 'Institution (code or name)',
  month: 'Month',
  sort: 'Sort',
  sorts: { priority: 'priority', oldest: 'oldest first', newest: 'newest first', due: 'due first', total: 'claim amount', amount: 'amount at issue' },
  inspectionsEmpty: 'No draw yet. An admin starts a double-random draw through the API (POST /v1/inspections/draws).',
  reports: 'Monthly reports',
  conflictsNav: 'Conflicts',
  outcomesNav: 'Outcomes',
  reportsHint: 'The provider risk report: the same data as GET /v1/reports/{month}. Months whose cut-off has not passed are provisional.',
  reportMonth: 'Month',
  openReport: 'Open report',
  provisional: 'provisional',
  formats: 'Formats',
  trailPage: 'Trail',
  trailVerify: 'Hash chain',
  trailOk: (n: number, pending: number) => `The chain is intact: ${n} entries verified${pending ? `, ${pending} being sealed` : ''}.`,
  trailBroken: (seq: number | undefined) => `The chain is broken at entry ${seq ?? '?'}!`,
  trailEmpty: 'No entry.',
  closeSample: 'Close a month for the re-check',
  closeSampleHint: 'After a month’s cut-off, close its random re-check: every institution is topped up to the floor and the due date is set. Idempotent.',
  closed: (month: string, added: number, due: string) => `${month} closed: ${added} cases added, due ${due}.`,
  trailAction: {
    'case.note': 'note', 'case.attach': 'attachment', 'conflict.declare': 'conflict declared', 'conflict.withdraw': 'conflict withdrawn', 'sampling.close': 'month closed',
    'key.create': 'key created', 'key.revoke': 'key revoked',
  },
  fieldNames: {
    basis: 'Basis', reason: 'Reason', amountRefused: 'Amount refused', refusedLines: 'Refused lines', body: 'Note', file: 'File', note: 'Note', kind: 'Relation',
    month: 'Month', claimId: 'Claim number', institution: 'Institution', sort: 'Sort', minAgeDays: 'Min. days', maxAgeDays: 'Max. days', status: 'Status', reasonKind: 'Reason', institutionId: 'Institution',
  },
};

export const EVIDENCE_MESSAGES: Record<Lang, EvidenceMessages> = { zh, en };

/** The API's English field messages, in Chinese; anything not listed is shown as the API said it. */
const ZH_ISSUES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^must say /, () => '必须填写'],
  [/^is required$/, () => '必须填写'],
  [/^must say something$/, () => '必须填写'],
  [/^must say why$/, () => '必须填写'],
  [/^must be YYYY-MM$/i, () => '格式应为 YYYY-MM（例如 2026-10）'],
  [/^must be a month yyyy-MM$/i, () => '格式应为 YYYY-MM（例如 2026-10）'],
  [/^must be a positive amount with at most two decimals$/, () => '应为正数，最多两位小数'],
  [/^must not exceed the refused lines' amount \(([^)]+)\)$/, (m) => `不得超过所选拒付明细的金额（${m[1]}）`],
  [/^is not a line of the claim/, () => '不是本结算单的明细'],
  [/^names a line twice$/, () => '同一明细选了两次'],
  [/^must not contain control characters/, () => '不能包含控制字符'],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^String must contain at most (\d+) character/, (m) => `最多 ${m[1]} 个字符`],
  [/^Array must contain at least 1 element/, () => '至少选择一项'],
  [/^Too small: expected array to have >=1 items$/, () => '至少选择一项'],
  [/^is empty$/, () => '文件为空'],
  [/^is (\d+) bytes; at most (\d+) bytes/, (m) => `文件大小 ${m[1]} 字节，超过上限 ${m[2]} 字节`],
  [/^is not a PDF, PNG, JPEG, GIF or WebP file/, () => '不是 PDF、PNG、JPEG、GIF 或 WebP 文件（按文件内容判断，与文件名无关）'],
  [/^must be a file/, () => '请选择一个文件（PDF 或图片）'],
  [/^sample is for supervisors and admins/, () => '随机抽查仅供科长和管理员筛选：审核员对抽查案件不知情'],
  [/^amount is for supervisors and admins/, () => '按涉及金额排序仅供科长和管理员使用'],
  [/^Invalid (enum value|option)/, () => '不是可选的值'],
  [/^Expected number|^Invalid input: expected number/, () => '应为数字'],
  [/^Number must be greater than or equal to (\d+)|^Too small: expected number to be >=(\d+)/, (m) => `不得小于 ${m[1] ?? m[2]}`],
  [/^must be a comma-separated list/, () => '不是可选的状态'],
];

/** A field issue in the page's language: the field's name and what is wrong with it. */
export function localIssue(lang: Lang, issue: FieldIssue): { field: string; label: string; message: string } {
  const field = issue.path.replace(/\[\d+\]$/, '').split('.')[0] ?? '';
  const m = EVIDENCE_MESSAGES[lang];
  const label = m.fieldNames[field] ?? field;
  if (lang === 'en') return { field, label, message: issue.message };
  for (const [re, say] of ZH_ISSUES) {
    const hit = issue.message.match(re);
    if (hit) return { field, label, message: say(hit) };
  }
  return { field, label, message: issue.message };
}

const ZH_STATUS: Record<string, string> = { open: '待分配', assigned: '初审中', concluded: '待复审', returned: '退回重审', closed: '已办结' };
/** The API's whole-form refusals (403, 409), in Chinese; anything not listed is shown as the API said it. */
const ZH_REFUSALS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Case (\d+) is (\w+): /, (m) => `案件 ${m[1]} 当前状态为「${ZH_STATUS[m[2]!] ?? m[2]}」，不能进行此操作（可能已被他人处理，请刷新）`],
  [/^Case (\d+) is assigned to (.+?)(; only they or a supervisor may release it|, not to .*)$/, (m) => `案件 ${m[1]} 已分配给 ${m[2]}`],
  [/may not second-review their own conclusion$/, () => '不能复审自己的初审结论'],
  [/declared a conflict of interest with (\S+) and must recuse$/, (m) => `您已申报与 ${m[1]} 的利益冲突，须回避`],
  [/^No declared conflict (\S+) in force$/, (m) => `没有有效的利益冲突申报 ${m[1]}`],
  [/^Only a supervisor or an admin may declare a conflict for another person$/, () => '只有科长或管理员可以为他人申报利益冲突'],
  [/^Separation of duties: /, () => '职责分离：修改过规则、参数或创建过密钥的人员不能办理案件'],
  [/^The role (\w+) does not /, () => '您的角色不能进行此操作'],
];

export function localRefusal(lang: Lang, message: string): string {
  if (lang === 'en') return message;
  for (const [re, say] of ZH_REFUSALS) {
    const hit = message.match(re);
    if (hit) return say(hit);
  }
  return message;
}

/** A byte count as people read it. */
export const bytesText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);
