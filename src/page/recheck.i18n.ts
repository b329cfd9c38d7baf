import type { Lang } from './i18n.js';

/** The random re-check on the page (src/page/recheck.page.tsx, and the blind case view): its own messages. */
const zh = {
  recheck: '随机复审进度',
  recheckHint: '每个机构每月的随机抽查案件须在截止日前完成初审（结算月截止日后若干天）。抽取案件时，系统按剩余工作量均匀地优先分配到期前的抽查案件。',
  month: '月份',
  allMonths: '全部月份',
  outstandingOnly: '只看未完成',
  visitType: '类别',
  concludedOfSampled: '已初审 / 抽中',
  required: '最低要求',
  drawn: '已分配',
  final: '复审同意',
  dueAt: '截止日',
  state: '状态',
  complete: '已完成',
  overdue: '已逾期',
  inProgress: '进行中',
  noGroups: '没有已关闭抽样的月份。月底截止后请先关闭抽样（sample:close）。',
  totals: (groups: number, complete: number, overdue: number, concluded: number, sampled: number) =>
    `${groups} 组，已完成 ${complete} 组，逾期 ${overdue} 组；抽查案件已初审 ${concluded} / ${sampled}`,
  blindNote: '案件来源和优先级在您作出初审结论后显示。',
  noFindings: '无规则疑点：请逐项审核本结算单。',
};

export type RecheckMessages = typeof zh;

const en: RecheckMessages = {
  recheck: 'Random re-check',
  recheckHint:
    'Each institution-month’s random sample must have its initial review done by the due date (days after the month’s cut-off). Draws give sample cases ahead of their due date, evenly over the work still owed.',
  month: 'Month',
  allMonths: 'all months',
  outstandingOnly: 'outstanding only',
  visitType: 'Visit type',
  concludedOfSampled: 'Concluded / sampled',
  required: 'Required',
  drawn: 'Drawn',
  final: 'Agreed',
  dueAt: 'Due',
  state: 'State',
  complete: 'complete',
  overdue: 'overdue',
  inProgress: 'in progress',
  noGroups: 'No month has its sample closed. Close the month’s sample (sample:close) after its cut-off.',
  totals: (groups: number, complete: number, overdue: number, concluded: number, sampled: number) =>
    `${groups} groups, ${complete} complete, ${overdue} overdue; sample cases concluded ${concluded} / ${sampled}`,
  blindNote: 'Why the case is in the queue, and its priority, are shown once you conclude it.',
  noFindings: 'No rule finding: review the claim line by line.',
};

export const RECHECK_MESSAGES: Record<Lang, RecheckMessages> = { zh, en };
