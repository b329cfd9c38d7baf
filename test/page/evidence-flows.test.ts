import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/review/trail.js';
import { launchBrowser, screenshot, signIn } from '../support/browser.js';
import { inpatientClaim, outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 15, items 4, 5 and 8 in Debian's chromium, as two auditors (Li Na in Chinese, Wang Fang
 * in English) and a supervisor (Sun Li): empty states, the queue's search, the evidence on the case
 * page, notes and attachments, inline errors that keep what was typed, every action's button, the
 * trail and the monthly report from the page, and the keyboard.
 */
const INST = 'H32010200001';
const INST_NAME = '南京市鼓楼区第二人民医院';
const PERSON = { id: '320102195803140111', sex: 'male', birthDate: '1958-03-14' };
const MAX_BYTES = 20_000;
let svc: TestService;
let browser: Browser;
const key: Record<string, string> = {};

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const stay = (claimId: string, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    claimId,
    institutionId: INST,
    insured: PERSON,
    admittedAt,
    dischargedAt,
    lines: [
      { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
      { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-04 09:00:00', quantity: 1, unitPrice: 45, amount: 45 },
    ],
    totalAmount: '65.00',
    payment: { fund: '65.00', personalAccount: '0', cash: '0' },
  });

beforeAll(async () => {
  [svc, browser] = await Promise.all([startTestService({ REVIEW_DRAW_POOL: '1', REVIEW_ATTACHMENT_MAX_BYTES: String(MAX_BYTES) }), launchBrowser()]);
  await svc.deps.database.query(
    `insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from)
     values ($1, '2000-01-01', $2, 'hospital', 'secondary', 'public', '320102', 300, '2020-01-01')`,
    [INST, INST_NAME],
  );
  await svc.deps.referenceCache.refresh(true);
  for (const name of ['Li Na', 'Wang Fang']) key[name] = (await svc.deps.keys.create({ clientName: name, role: 'auditor', createdBy: 'Admin Zhou' })).key;
  key['Sun Li'] = (await svc.deps.keys.create({ clientName: 'Sun Li', role: 'supervisor', createdBy: 'Admin Zhou' })).key;
});
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function session(name: string, lang: 'zh' | 'en'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, svc.url, name === 'admin' ? svc.keys.admin : key[name]!);
  if (lang === 'en') await page.goto(`${svc.url}/ui/lang/en?back=/ui/queue`);
  return { context, page };
}
const submit = async (page: Page, selector: string, url: RegExp = /\/ui\/cases\/\d+(#.*)?$/) => {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
};
const posted = async (page: Page, selector: string) => {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(selector)]);
  await page.waitForLoadState();
  return res.status();
};

describe('the auditors’ pages: evidence, no dead ends, reports', () => {
  let caseId = 0;
  let li: { context: BrowserContext; page: Page };
  let wang: { context: BrowserContext; page: Page };
  let sun: { context: BrowserContext; page: Page };

  it('empty states: an empty queue, a failed draw, no inspection draw', async () => {
    li = await session('Li Na', 'zh');
    await li.page.goto(`${svc.url}/ui/queue`);
    expect(await li.page.textContent('#queue-empty')).toContain('队列中没有符合条件的案件');
    await submit(li.page, '#draw', /\/ui\/queue\?empty=1$/);
    expect(await li.page.textContent('#draw-empty')).toContain('现在没有可以分配给您的案件');
    await li.page.goto(`${svc.url}/ui/inspections`);
    expect(await li.page.textContent('#draws-empty')).toContain('还没有抽取记录');
  });

  it('the keyboard: the skip link comes first and leads to the content', async () => {
    await li.page.goto(`${svc.url}/ui/queue`);
    await li.page.keyboard.press('Tab');
    expect(await li.page.evaluate('document.activeElement && document.activeElement.id')).toBe('skip-link');
    expect(await li.page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('跳到主要内容');
    await li.page.keyboard.press('Enter');
    expect(await li.page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');
  });

  it('the queue: search by claim number and by institution name, month, sort, due dates; a bad filter comes back next to its field', async () => {
    // the person's history: an outpatient visit in September, then two overlapping stays in October
    const visit = outpatientClaim({
      claimId: 'MZ0901',
      institutionId: INST,
      insured: PERSON,
      visitAt: '2026-09-10 10:00:00',
      lines: [{ lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-09-10 10:00:00', quantity: 1, unitPrice: 10, amount: 10 }],
    });
    expect((await svc.call('/v1/claims', { json: visit })).status).toBe(200);
    for (const [id, from, to] of [
      ['A1', '2026-10-01 08:00:00', '2026-10-05 10:00:00'],
      ['B1', '2026-10-03 08:00:00', '2026-10-08 10:00:00'],
    ] as const)
      expect((await svc.call('/v1/claims', { json: stay(id, from, to) })).status).toBe(200);
    const all = await json(await svc.call('/v1/review/cases', { role: 'supervisor' }));
    expect(all.total).toBeGreaterThanOrEqual(1);
    const withCase = all.items.map((k: any) => k.claim.claimId) as string[];

    await li.page.goto(`${svc.url}/ui/queue`);
    await li.page.fill('#f-claimId', withCase[0]!);
    await submit(li.page, '#apply', /claimId=/);
    const rows = await li.page.$$eval('#queue tbody tr[data-case]', (trs) => trs.map((tr) => tr.children[2]?.textContent ?? ''));
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain(withCase[0]);

    await li.page.goto(`${svc.url}/ui/queue`);
    await li.page.fill('#f-institution', '鼓楼区第二');
    await li.page.fill('#f-month', '2026-10');
    await li.page.selectOption('#f-sort', 'oldest');
    await submit(li.page, '#apply', /institution=/);
    const found = await li.page.$$eval('#queue tbody tr[data-case]', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(found.length).toBe(all.items.filter((k: any) => k.claim.serviceMonth === '2026-10').length);
    expect(found.join('\n')).toContain(INST_NAME);
    // the due date: opened + REVIEW_CASE_DUE_DAYS (30), a readable CST date
    expect(await li.page.textContent('#queue tbody tr[data-case] td.due')).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(await li.page.inputValue('#f-institution')).toBe('鼓楼区第二');

    // a name nobody has: the empty state, with a way back
    await li.page.goto(`${svc.url}/ui/queue?institution=${encodeURIComponent('不存在的医院')}`);
    expect(await li.page.textContent('#queue-empty')).toContain('清除筛选');
    expect(await li.page.$('#clear-filters')).not.toBeNull();

    // a claim number too long: 400, the message next to the field in Chinese, what was typed kept
    const long = 'X'.repeat(65);
    await li.page.fill('#f-claimId', long);
    await li.page.fill('#f-institution', '');
    const [res] = await Promise.all([li.page.waitForResponse((r) => r.url().includes('claimId=')), li.page.click('#apply')]);
    expect(res.status()).toBe(400);
    expect(await li.page.textContent('#filters-claimId-error')).toBe('最多 64 个字符');
    expect(await li.page.inputValue('#f-claimId')).toBe(long);
    // an auditor is not offered the amount sort (it would unblind the re-check)
    expect(await li.page.$$eval('#f-sort option', (os) => os.map((o) => o.getAttribute('value')))).not.toContain('amount');
  });

  it('the case page holds the evidence: institution, lines in Chinese, findings by rule, related claims, the person’s history, CST times', async () => {
    await li.page.goto(`${svc.url}/ui/queue`);
    await submit(li.page, '#draw');
    caseId = Number(new URL(li.page.url()).pathname.split('/').pop());
    const detail = await json(await svc.call(`/v1/review/cases/${caseId}`, { role: 'supervisor' }));
    const mine = detail.case.claim.claimId as string;
    const other = mine === 'A1' ? 'B1' : 'A1';

    expect(await li.page.textContent('#institution-name')).toContain(INST_NAME);
    expect(await li.page.textContent('#institution-type')).toBe('医院');
    expect(await li.page.textContent('#institution-level')).toBe('二级');
    expect(await li.page.$('#institution-score[data-slot="provider-targeting"]')).not.toBeNull();
    // the blind view: no stored score for the assignee before the conclusion
    expect(await li.page.$('#stored-risk')).toBeNull();

    const categories = await li.page.$$eval('#lines tbody tr', (trs) => trs.map((tr) => tr.children[2]?.textContent));
    expect(categories).toEqual(['诊疗服务', '床位']);
    expect(await li.page.textContent('#case-opened')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const opened = new Date(Date.parse(detail.case.openedAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(await li.page.textContent('#case-opened')).toBe(opened);

    // findings grouped by rule: one row a rule, its count and amount
    const byRule = new Map<string, { n: number; fen: number }>();
    for (const f of detail.findings) {
      const g = byRule.get(f.ruleId) ?? { n: 0, fen: 0 };
      g.n++;
      g.fen += Math.round(Number(f.amount) * 100);
      byRule.set(f.ruleId, g);
    }
    const shown = await li.page.$$eval('#findings tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-rule'), tr.querySelector('.rule-count')?.textContent, tr.querySelector('.rule-amount')?.textContent]),
    );
    expect(shown.length).toBe(byRule.size);
    for (const [rule, n, amount] of shown) {
      expect(Number(n)).toBe(byRule.get(rule!)!.n);
      expect(amount).toBe((byRule.get(rule!)!.fen / 100).toFixed(2));
    }
    expect(await li.page.textContent('#findings-total')).toBe(`(${detail.findings.length})`);

    // the person's history: the September visit and the other stay, as links
    const history = await li.page.$$eval('#history tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-claim')));
    expect(history.sort()).toEqual([other, 'MZ0901'].sort());
    expect(await li.page.textContent('#history')).toContain('门诊');
    await submit(li.page, '#history tr[data-claim="MZ0901"] a', /\/ui\/claims\//);
    expect(await li.page.textContent('h1')).toContain('MZ0901');
    expect(await li.page.textContent('#claim-facts')).toContain(INST_NAME);
    await li.page.goBack();

    // related claims are links (to the claim's page, or its case if it has one)
    const related = await li.page.$$eval('#related a, #references a', (as) => as.map((a) => a.getAttribute('href')));
    expect(related).toContain(`/ui/claims/${INST}/${other}`);
    expect(existsSync(await screenshot(li.page, 'evidence-case-zh'))).toBe(true);
  });

  it('notes and attachments: inline errors in Chinese, stored, listed in the trail, downloaded by a reviewer', async () => {
    const page = li.page;
    await page.goto(`${svc.url}/ui/cases/${caseId}`);
    // an empty note: the message next to the field
    expect(await posted(page, '#add-note')).toBe(400);
    expect(await page.textContent('#note-body-error')).toBe('必须填写');
    await page.fill('#note-body', '已电话核实：10-03 至 10-05 患者在另一病区');
    await submit(page, '#add-note');
    expect(await page.textContent('#notes')).toContain('已电话核实');

    // not a PDF though named one: refused by its first bytes, in Chinese
    await page.setInputFiles('#attach-file', { name: '病历.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just text, not a pdf') });
    expect(await posted(page, '#attach')).toBe(400);
    expect(await page.textContent('#attach-file-error')).toContain('不是 PDF、PNG、JPEG、GIF 或 WebP 文件');
    // too large
    await page.setInputFiles('#attach-file', { name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([PDF, Buffer.alloc(MAX_BYTES)]) });
    expect(await posted(page, '#attach')).toBe(400);
    expect(await page.textContent('#attach-file-error')).toContain(`超过上限 ${MAX_BYTES} 字节`);
    // a PDF and a PNG
    await page.setInputFiles('#attach-file', { name: '出院小结.pdf', mimeType: 'application/octet-stream', buffer: PDF });
    await submit(page, '#attach');
    await page.setInputFiles('#attach-file', { name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await submit(page, '#attach');
    const listed = await page.$$eval('#attachments tbody tr[data-attachment]', (trs) => trs.map((tr) => tr.children[0]?.textContent ?? ''));
    expect(listed.length).toBe(2);
    expect(listed[0]).toContain('出院小结.pdf');
    expect(listed[0]).toContain('application/pdf');
    expect(listed[1]).toContain('image/png');
    const href = (await page.getAttribute('#attachments tr[data-attachment] a', 'href'))!;
    const got = await page.request.get(`${svc.url}${href}`);
    expect(got.status()).toBe(200);
    expect(got.headers()['content-type']).toBe('application/pdf');
    expect(Buffer.from(await got.body()).equals(PDF)).toBe(true);

    const trail = await page.$$eval('#trail tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-action'), tr.children[3]?.textContent]));
    expect(trail.filter(([a]) => a === 'case.attach').map(([, t]) => t)).toEqual(['上传附件', '上传附件']);
    expect(trail.filter(([a]) => a === 'case.note').length).toBe(1);
    // the API sees the same
    const ev = await json(await svc.call(`/v1/review/cases/${caseId}/evidence`, { role: 'auditor' }));
    expect(ev.notes.map((n: any) => n.author)).toEqual(['Li Na']);
    expect(ev.attachments.map((a: any) => [a.fileName, a.contentType, a.sizeBytes])).toEqual([
      ['出院小结.pdf', 'application/pdf', PDF.length],
      ['photo.png', 'image/png', PNG.length],
    ]);
    expect(ev.institution).toMatchObject({ name: INST_NAME, type: 'hospital', level: 'secondary' });
    expect(ev.history.map((h: any) => h.claimId)).toContain('MZ0901');
  });

  it('release: a reason is required (inline), then the case goes back to the pool', async () => {
    const page = li.page;
    await page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await posted(page, '#release')).toBe(400);
    expect(await page.textContent('#release-reason-error')).toBe('必须填写');
    // meanwhile a supervisor releases it through the API: Li Na's page is stale, and the refusal (409) comes back at the form, in Chinese
    expect((await svc.call(`/v1/review/cases/${caseId}/release`, { role: 'supervisor', json: { reason: '重新分配' } })).status).toBe(200);
    await page.fill('#release-reason', '需要先调取病历');
    expect(await posted(page, '#release')).toBe(409);
    expect(await page.textContent('#refusal')).toContain(`案件 ${caseId} 当前状态为「待分配」`);
    expect(await page.$('#release-form')).toBeNull();
    expect(await page.textContent('#case-status')).toBe('待分配');
    expect((await json(await svc.call(`/v1/review/cases/${caseId}`, { role: 'supervisor' }))).case.status).toBe('open');
  });

  it('a second auditor in English: labelled checkboxes, inline errors in English keeping what was typed, concludes; the first agrees', async () => {
    wang = await session('Wang Fang', 'en');
    await wang.page.goto(`${svc.url}/ui/queue`);
    await submit(wang.page, '#draw');
    expect(Number(new URL(wang.page.url()).pathname.split('/').pop())).toBe(caseId);
    expect(await wang.page.textContent('#institution-level')).toBe('secondary (level 2)');
    expect(await wang.page.$$eval('#lines tbody tr', (trs) => trs.map((tr) => tr.children[2]?.textContent))).toEqual(['service', 'bed']);
    // each checkbox is labelled by its line, item and amount; the bed day withheld at intake is offered for nothing
    const labels = await wang.page.$$eval('#refused-lines label', (ls) => ls.map((l) => l.textContent?.trim()));
    expect(labels).toEqual(['L1 住院诊查费 20.00']);
    expect(await wang.page.textContent('#refusal-lines tr[data-line="L2"]')).toContain('withheld in full at intake');
    expect(await wang.page.textContent('#notes')).toContain('已电话核实');

    await wang.page.fill('#dismiss-reason', '');
    expect(await posted(wang.page, '#dismiss')).toBe(400);
    expect(await wang.page.textContent('#dismiss-reason-error')).toBe('must say why it is dismissed');

    await wang.page.check('#refuse-L1');
    await wang.page.fill('#amountRefused', '99.00');
    await wang.page.fill('#basis', 'Ward round billed while in another stay');
    expect(await posted(wang.page, '#confirm')).toBe(400);
    expect(await wang.page.textContent('#confirm-amountRefused-error')).toBe('must not exceed what is still payable on the refused lines (20.00; the intake withheld 45.00 already)');
    expect(await wang.page.inputValue('#basis')).toBe('Ward round billed while in another stay');
    expect(await wang.page.inputValue('#amountRefused')).toBe('99.00');
    expect(await wang.page.isChecked('#refuse-L1')).toBe(true);
    await wang.page.fill('#amountRefused', '20.00');
    await submit(wang.page, '#confirm');
    expect(await wang.page.textContent('#case-status')).toBe('awaiting second review');
    expect(existsSync(await screenshot(wang.page, 'evidence-case-en'))).toBe(true);

    await li.page.goto(`${svc.url}/ui/cases/${caseId}`);
    await submit(li.page, '#agree');
    expect(await li.page.textContent('#case-status')).toBe('已办结');
    // an auditor has no reopen button and no trail page
    expect(await li.page.$('#reopen')).toBeNull();
    expect(await li.page.$('#view-trail')).toBeNull();
  });

  it('the supervisor: reopens (inline error first), reads the trail and verifies it, closes a month, opens the monthly report', async () => {
    sun = await session('Sun Li', 'zh');
    await sun.page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await sun.page.textContent('#stored-risk')).toMatch(/^\d+\.\d{3}$/);
    expect(await posted(sun.page, '#reopen')).toBe(400);
    expect(await sun.page.textContent('#reopen-reason-error')).toBe('必须填写');
    await sun.page.fill('#reopen-reason', '更正：金额需复核');
    await submit(sun.page, '#reopen');
    expect(await sun.page.textContent('#case-status')).toBe('待分配');

    await submit(sun.page, '#view-trail', /\/ui\/trail\?caseId=/);
    const actions = await sun.page.$$eval('#trail tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-action')));
    expect(actions).toEqual(['case.draw', 'case.note', 'case.attach', 'case.attach', 'case.release', 'case.draw', 'case.conclude', 'case.agree', 'case.reopen']);
    await submit(sun.page, '#verify-trail', /verify=1/);
    expect(await sun.page.textContent('#trail-verdict')).toContain('哈希链完整');
    expect((await verifyTrail(svc.deps.database)).ok).toBe(true);
    await sun.page.goto(`${svc.url}/ui/trail?caseId=abc`);
    expect(await sun.page.textContent('#trail-caseId-error')).toBe('应为案件编号（正整数）');

    // close a month's sample from the page: a bad month comes back next to the field
    await sun.page.goto(`${svc.url}/ui/recheck`);
    await sun.page.fill('#close-month', '2026-1');
    await submit(sun.page, '#close-sample', /bad=1/);
    expect(await sun.page.textContent('#close-month-error')).toContain('YYYY-MM');
    expect(await sun.page.inputValue('#close-month')).toBe('2026-1');
    await sun.page.fill('#close-month', '2026-10');
    await submit(sun.page, '#close-sample', /closed=/);
    expect(await sun.page.textContent('#closed-notice')).toContain('2026-10 已关闭抽样');

    // the monthly report, from the page's session
    await submit(sun.page, '#nav-reports', /\/ui\/reports$/);
    expect(await sun.page.$$eval('#report-months tbody tr', (trs) => trs.length)).toBe(12);
    await sun.page.fill('#report-month', '2026-10');
    const [report] = await Promise.all([sun.page.waitForResponse((r) => r.url().endsWith('/ui/reports/2026-10')), sun.page.click('#open-report')]);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toContain('text/html');
    expect(await sun.page.content()).toContain('2026-10');
    const xlsx = await sun.page.request.get(`${svc.url}/ui/reports/2026-10?format=xlsx`);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-disposition']).toContain('provider-risk-2026-10.xlsx');
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
    const csv = await sun.page.request.get(`${svc.url}/ui/reports/2026-10?format=csv`);
    expect(csv.headers()['content-type']).toContain('text/csv');

    // an auditor has no report link, and the route refuses
    await li.page.goto(`${svc.url}/ui/queue`);
    expect(await li.page.$('#nav-reports')).toBeNull();
    expect((await li.page.goto(`${svc.url}/ui/reports`))?.status()).toBe(403);
  });

  it('a conflict declared from the case page gives the case back; an admin sees neither the history nor the files', async () => {
    await wang.page.goto(`${svc.url}/ui/queue`);
    await submit(wang.page, '#draw');
    const drawn = Number(new URL(wang.page.url()).pathname.split('/').pop());
    expect(await posted(wang.page, '#declare-conflict')).toBe(400);
    expect(await wang.page.textContent('#conflict-note-error')).toBe('must say what the relation is');
    await wang.page.selectOption('#conflict-kind', 'kin');
    await wang.page.fill('#conflict-note', 'My cousin works in its billing office');
    await submit(wang.page, '#declare-conflict');
    const after = await json(await svc.call(`/v1/review/cases/${drawn}`, { role: 'supervisor' }));
    expect(after.case).toMatchObject({ status: 'open', assignee: null });
    const conflicts = await json(await svc.call('/v1/review/conflicts?person=Wang%20Fang', { role: 'supervisor' }));
    expect(conflicts.conflicts.map((k: any) => [k.institutionId, k.kind])).toEqual([[INST, 'kin']]);
    // and she is not given the institution's cases any more
    await wang.page.goto(`${svc.url}/ui/queue`);
    await submit(wang.page, '#draw', /empty=1/);
    expect(await wang.page.textContent('#draw-empty')).toContain('No case can be given to you now');

    // the supervisor sees it on the conflicts page and withdraws it (a reason first required, inline)
    await sun.page.goto(`${svc.url}/ui/queue`);
    await submit(sun.page, '#nav-conflicts', /\/ui\/conflicts$/);
    const cid = conflicts.conflicts[0].id as number;
    expect(await sun.page.textContent(`#conflicts tr[data-conflict="${cid}"]`)).toContain('亲属关系');
    expect(await posted(sun.page, `#withdraw-${cid} button`)).toBe(400);
    expect(await sun.page.textContent(`#withdraw-${cid}-reason-error`)).toBe('必须填写');
    await sun.page.fill(`#withdraw-${cid}-reason`, '已调岗，不再相关');
    await submit(sun.page, `#withdraw-${cid} button`, /\/ui\/conflicts$/);
    expect(await sun.page.textContent(`#conflicts tr[data-conflict="${cid}"]`)).toContain('已撤回 (Sun Li)');
    // an auditor sees only her own declarations, and cannot withdraw
    await wang.page.goto(`${svc.url}/ui/conflicts`);
    expect(await wang.page.$$eval('#conflicts tbody tr[data-conflict]', (trs) => trs.length)).toBe(1);
    expect(await wang.page.$(`#withdraw-${cid}`)).toBeNull();
    // the outcomes page: nothing is closed (the supervisor reopened the only closed case)
    await submit(sun.page, '#nav-outcomes', /\/ui\/outcomes$/);
    expect(await sun.page.textContent('#outcomes-empty')).toBe('还没有已办结的案件。');

    const admin = await session('admin', 'en');
    await admin.page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await admin.page.textContent('#history-hidden')).toContain('auditors and supervisors only');
    expect(await admin.page.$('#attachments a')).toBeNull();
    expect(await admin.page.$('#note-form')).toBeNull();
    expect((await admin.page.request.get(`${svc.url}/ui/cases/${caseId}/attachments/1`)).status()).toBe(403);
    const api = await json(await svc.call(`/v1/review/cases/${caseId}/evidence`, { role: 'admin' }));
    expect(api.history).toBeNull();
    expect(api.attachments.length).toBe(2);
    for (const s of [li, wang, sun, admin]) await s.context.close();
  });
});

describe('a case with 150 findings', () => {
  it('lists them grouped by rule, with each rule’s count and amount, and all of them a click away', async () => {
    const lines = Array.from({ length: 151 }, (_, i) => ({
      lineId: `L${i + 1}`,
      itemCode: '110200005',
      hospitalItemName: '住院诊查费',
      category: 'service',
      serviceAt: '2026-10-02 09:00:00',
      quantity: 1,
      unitPrice: '20.00',
      amount: '20.00',
    }));
    const claim = inpatientClaim({
      claimId: 'DUP151',
      institutionId: 'H32010200009',
      insured: { id: '320102196001010033', sex: 'female', birthDate: '1960-01-01' },
      admittedAt: '2026-10-01 08:00:00',
      dischargedAt: '2026-10-05T02:00:00Z',
      lines,
      totalAmount: '3020.00',
      payment: { fund: '3020.00', personalAccount: '0', cash: '0' },
    });
    expect((await json(await svc.call('/v1/claims', { json: claim }))).decision).toBe('withhold');
    // definite violations are withheld at intake without a case; the institution's appeal opens one
    // (the claim is stored in the background after its answer: the appeal waits for it)
    let appealed: Response | undefined;
    for (let i = 0; i < 100; i++) {
      appealed = await svc.call('/v1/review/appeals', { json: { institutionId: 'H32010200009', claimId: 'DUP151', reason: '重复录入，已更正' } });
      if (appealed.status !== 404) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(appealed!.status).toBe(200);
    const q = await json(await svc.call('/v1/review/cases?claimId=DUP151', { role: 'supervisor' }));
    expect(q.total).toBe(1);
    const id = q.items[0].id as number;
    const detail = await json(await svc.call(`/v1/review/cases/${id}`, { role: 'supervisor' }));
    const dups = detail.findings.filter((f: any) => f.ruleId === 'DUP-SAME-LINE');
    expect(dups.length).toBe(150);
    const rules = new Set(detail.findings.map((f: any) => f.ruleId));

    const sun = await session('Sun Li', 'en');
    await sun.page.goto(`${svc.url}/ui/cases/${id}`);
    expect(await sun.page.$$eval('#findings tbody tr', (trs) => trs.length)).toBe(rules.size);
    expect(await sun.page.textContent('#findings tr[data-rule="DUP-SAME-LINE"] .rule-count')).toBe('150');
    const fen = dups.reduce((s: number, f: any) => s + Math.round(Number(f.amount) * 100), 0);
    expect(await sun.page.textContent('#findings tr[data-rule="DUP-SAME-LINE"] .rule-amount')).toBe((fen / 100).toFixed(2));
    await sun.page.click('#findings tr[data-rule="DUP-SAME-LINE"] summary');
    expect(await sun.page.$$eval('#findings tr[data-rule="DUP-SAME-LINE"] details li', (lis) => lis.length)).toBe(150);
    // the claim's times, whatever their form (CST local, ISO in UTC), read as CST
    expect(await sun.page.textContent('#visit-period')).toBe('2026-10-01 08:00 – 2026-10-05 10:00');
    expect(await sun.page.textContent('#lines tr[data-line="L1"] td:nth-child(4)')).toBe('2026-10-02 09:00');
    // an institution not in the reference data says so
    expect(await sun.page.textContent('#institution')).toContain('not in the reference data');
    expect(existsSync(await screenshot(sun.page, 'evidence-150-findings-en'))).toBe(true);
    await sun.context.close();
  });
});

describe('the evidence API', () => {
  it('checks the type by magic bytes, names the field, and refuses what is not a case', async () => {
    const detail = await json(await svc.call('/v1/review/cases?limit=1', { role: 'supervisor' }));
    const id = detail.items[0].id as number;
    const send = (name: string, bytes: Buffer) => {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(bytes)]), name);
      return svc.call(`/v1/review/cases/${id}/attachments`, { method: 'POST', role: 'supervisor', body: form });
    };
    const gif = await send('a.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    expect(gif.status).toBe(200);
    expect((await json(gif)).contentType).toBe('image/gif');
    const html = await send('evil.png', Buffer.from('<html><script>alert(1)</script></html>'));
    expect(html.status).toBe(400);
    expect((await json(html)).error.details[0].path).toBe('file');
    expect((await svc.call(`/v1/review/cases/999999/notes`, { role: 'auditor', json: { body: 'x' } })).status).toBe(404);
    const empty = await svc.call(`/v1/review/cases/${id}/notes`, { role: 'auditor', json: { body: '  ' } });
    expect(empty.status).toBe(400);
    expect((await json(empty)).error.details[0].path).toBe('body');
    expect((await svc.call(`/v1/review/cases/${id}/notes`, { role: 'admin', json: { body: 'x' } })).status).toBe(403);
  });
});
