import type { Lang } from './i18n.js';

/** The admin's keys page (src/page/keys.page.tsx): its own messages, in both languages. */
const zh = {
  keys: 'API 密钥',
  keysHint: '新建、查看和吊销密钥，无需重启服务。每一次新建和吊销都记入操作记录。',
  create: '新建密钥',
  name: '姓名或系统名称',
  nameHint: '个人密钥填本人姓名：审核操作都记在这个名字下。',
  role: '角色',
  createButton: '新建',
  created: '新密钥已生成',
  shownOnce: '密钥只显示这一次：请现在复制并交给本人。系统只保存它的哈希值，无法再次查看。',
  prefix: '前缀',
  createdAt: '创建时间',
  createdBy: '创建人',
  status: '状态',
  active: '有效',
  revokedAtBy: (at: string, by: string | null) => `已于 ${at} 吊销${by ? `（${by}）` : ''}`,
  revoke: '吊销',
  revokeConfirm: '吊销后该密钥立即失效，其登录会话随之结束。',
  yourKey: '当前使用的密钥',
  trail: '密钥操作记录',
  when: '时间',
  who: '操作人',
  action: '操作',
  key: '密钥',
  actionName: { 'key.create': '新建', 'key.revoke': '吊销' } as Record<string, string>,
  adminOnly: '只有管理员可以管理密钥。',
};

export type KeyMessages = typeof zh;

const en: KeyMessages = {
  keys: 'API keys',
  keysHint: 'Create, list and revoke keys without restarting the service. Each creation and revocation is recorded in the trail.',
  create: 'New key',
  name: 'Person or system name',
  nameHint: 'A personal key carries the person’s name: their review actions are recorded under it.',
  role: 'Role',
  createButton: 'Create',
  created: 'New key created',
  shownOnce: 'The key is shown this once: copy it now and hand it to its holder. Only its hash is stored; it cannot be shown again.',
  prefix: 'Prefix',
  createdAt: 'Created',
  createdBy: 'Created by',
  status: 'Status',
  active: 'active',
  revokedAtBy: (at: string, by: string | null) => `revoked ${at}${by ? ` by ${by}` : ''}`,
  revoke: 'Revoke',
  revokeConfirm: 'A revoked key stops working at once and its page sessions end.',
  yourKey: 'the key you are using',
  trail: 'Key trail',
  when: 'When',
  who: 'Who',
  action: 'Action',
  key: 'Key',
  actionName: { 'key.create': 'created', 'key.revoke': 'revoked' },
  adminOnly: 'Only an admin manages keys.',
};

export const KEY_MESSAGES: Record<Lang, KeyMessages> = { zh, en };
