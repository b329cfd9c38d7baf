/** The page speaks Chinese by default; English on request (a cookie set by the switch). */
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const zh = {
  appName: '医保审核工作台',
  signIn: '登录',
  signOut: '退出',
  signInTitle: '审核人员登录',
  keyLabel: '个人密钥',
  keyHint: '使用发给您本人的 API 密钥登录；每一项操作都记在您的名下。',
  badKey: '密钥无效、已吊销，或该角色不能使用审核工作台。',
  queue: '审核队列',
  inspections: '双随机检查',
  language: 'English',
  signedInAs: '当前用户',
  role: { auditor: '审核员', supervisor: '科长', admin: '管理员', settlement: '结算系统' } as Record<string, string>,
  notFound: '没有找到',
  forbidden: '无权进行此操作',
  draws: '抽取记录',
  drawTitle: '名称',
  drawKind: { 'audit-weeks': '季末专项检查', 'double-random': '双随机抽查' } as Record<string, string>,
  window: '检查期间',
  drawnAt: '抽取时间',
  drawnCount: '抽取机构数',
  publicSummary: '公开结果',
  method: '抽取方式',
  seed: '随机种子',
  pool: '备选机构数',
  rank: '序号',
  institution: '机构',
  status: '状态',
  outcome: '结论',
  findings: '发现问题',
  amount: '金额',
  total: '合计',
  outcomeName: { 'violations-found': '发现违规', 'no-violation': '未发现违规' } as Record<string, string>,
  inspectionStatus: { concluded: '已办结', 'in-progress': '检查中' } as Record<string, string>,
  none: '无',
};

export type Messages = typeof zh;

const en: Messages = {
  appName: 'Claims review desk',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Sign in to review',
  keyLabel: 'Personal key',
  keyHint: 'Sign in with the API key issued to you personally; every action is recorded under your name.',
  badKey: 'The key is unknown or revoked, or its role cannot use the review desk.',
  queue: 'Review queue',
  inspections: 'Inspections',
  language: '中文',
  signedInAs: 'Signed in as',
  role: { auditor: 'auditor', supervisor: 'supervisor', admin: 'admin', settlement: 'settlement system' },
  notFound: 'Not found',
  forbidden: 'You may not do this',
  draws: 'Draws',
  drawTitle: 'Title',
  drawKind: { 'audit-weeks': 'Quarter-end audit weeks', 'double-random': 'Double random' },
  window: 'Window',
  drawnAt: 'Drawn at',
  drawnCount: 'Institutions',
  publicSummary: 'Public results',
  method: 'Method',
  seed: 'Seed',
  pool: 'Pool',
  rank: '#',
  institution: 'Institution',
  status: 'Status',
  outcome: 'Outcome',
  findings: 'Findings',
  amount: 'Amount',
  total: 'Total',
  outcomeName: { 'violations-found': 'violations found', 'no-violation': 'no violation' },
  inspectionStatus: { concluded: 'concluded', 'in-progress': 'in progress' },
  none: 'none',
};

export const MESSAGES: Record<Lang, Messages> = { zh, en };

export function pickLang(cookie: string | undefined, query: string | undefined): Lang {
  const want = query ?? cookie;
  return want === 'en' ? 'en' : 'zh';
}
