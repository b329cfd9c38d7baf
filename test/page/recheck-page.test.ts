import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn } from '../support/browser.js';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * In Debian's chromium: an auditor draws a case of the random re-check from the page and sees it
 * without any sample marker (reason, severity, amount at issue, priority), in zh-CN and en, until
 * she concludes it; the supervisor's re-check view shows the month's completion and due date.
 * October's re-check is due 1 day after its cut-off (2026-11-17 00:00 CST), so it is overdue at the close.
 */
const INST = 'H32010200001';
let svc: TestService;
let browser: Browser;
const key: Record<string, string> = {};

const stay = (claimId: string, person: string, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    claimId,
    insured: { id: person, sex: 'male', birthDate: '1958-03-14' },
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
  [svc, browser] = await Promise.all([startTestService({ REVIEW_DRAW_POOL: '1', REVIEW_SAMPLE_DUE_DAYS: '1', REVIEW_SAMPLE_SLACK_DAYS: '0' }), launchBrowser()]);
  await seedReference(svc, { institutions: [{ id: INST }] });
  for (const [name, role] of [
    ['Li Na', 'auditor'],
    ['Sun Li', 'supervisor'],
  ] as const)
    key[name] = (await svc.deps.keys.create({ clientName: name, role, createdBy: 'Admin Zhou' })).key;
  const claims = [stay('A1', '320102195803140111', '2026-10-01 08:00:00', '2026-10-05 10:00:00'), stay('B1', '320102195803140111', '2026-10-03 08:00:00', '2026-10-08 10:00:00')];
  for (let i = 0; i < 18; i++) claims.push(stay(`C${i}`, `3201021958031402${String(i).padStart(2, '0')}`, '2026-10-03 08:00:00', '2026-10-06 10:00:00'));
  for (const c of claims) expect((await svc.call('/v1/claims', { json: c })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function session(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, svc.url, key[name]!);
  return { context, page };
}
const switchLang = (page: Page) => Promise.all([page.waitForURL(/\/ui\//), page.click('#lang-switch')]);

describe('the random re-check in the browser', () => {
  it('the assignee sees a sample case without its markers; the supervisor sees the completion, in zh-CN and en', async () => {
    const sun = await session('Sun Li');
    const li = await session('Li Na');

    // the supervisor closes October (by the API; the page has no button yet) and reads the re-check view
    const closed = await json(await svc.call('/v1/review/sampling/2026-10/close', { method: 'POST', role: 'supervisor' }));
    const sampled = closed.groups[0].sampled as number;
    await sun.page.goto(`${svc.url}/ui/queue`);
    await Promise.all([sun.page.waitForURL(/\/ui\/recheck/), sun.page.click('#nav-recheck')]);
    const row = `#recheck tr[data-group="${INST}|2026-10|inpatient"]`;
    expect((await sun.page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent))).slice(0, 9)).toEqual([
      INST,
      '2026-10',
      '住院',
      `0 / ${sampled}`,
      '1',
      '0',
      '0',
      '2026-11-17 00:00:00',
      '已逾期',
    ]);
    expect(await sun.page.textContent('#recheck-totals')).toBe(`1 组，已完成 0 组，逾期 1 组；抽查案件已初审 0 / ${sampled}`);
    expect(await li.page.$('#nav-recheck')).toBeNull();

    // the auditor draws from the queue page: the sample case, ahead of the high suspicion (the pool is 1)
    await li.page.goto(`${svc.url}/ui/queue`);
    await Promise.all([li.page.waitForURL(/\/ui\/cases\/\d+$/), li.page.click('#draw')]);
    const caseId = Number(new URL(li.page.url()).pathname.split('/').pop());
    const truth = await json(await svc.call(`/v1/review/cases/${caseId}`, { role: 'supervisor' }));
    expect(truth.case.reasonKinds).toContain('sample');
    const note = '案件来源和优先级在您作出初审结论后显示。';
    expect(await li.page.textContent('#blind-note')).toBe(note);
    const facts = ((await li.page.textContent('#case-facts')) ?? '').replace(note, '');
    for (const marker of ['随机抽查', '严重程度', '涉及金额', '优先级', '来源']) expect(facts).not.toContain(marker);
    const whole = ((await li.page.textContent('main')) ?? '').replace(note, '');
    expect(whole).not.toContain('随机抽查');
    expect(whole).not.toContain('机构风险分');
    expect(existsSync(await screenshot(li.page, 'recheck-assignee-zh'))).toBe(true);
    await switchLang(li.page);
    const noteEn = 'Why the case is in the queue, and its priority, are shown once you conclude it.';
    expect(await li.page.textContent('#blind-note')).toBe(noteEn);
    const en = ((await li.page.textContent('main')) ?? '').replace(noteEn, '');
    for (const marker of ['random sample', 'Severity', 'At issue', 'Priority', 'Reason', 'Provider risk']) expect(en).not.toContain(marker);
    expect(existsSync(await screenshot(li.page, 'recheck-assignee-en'))).toBe(true);
    // the queue page shows her no reason, severity, amount or priority either, and offers no "random sample" filter
    await li.page.goto(`${svc.url}/ui/queue?assignee=me`);
    const mine = await li.page.$$eval(`#queue tr[data-case="${caseId}"] td`, (tds) => tds.map((td) => td.textContent));
    expect([mine[3], mine[5], mine[6], mine[7]]).toEqual(['—', '—', '—', '—']);
    expect(await li.page.$$eval('#f-reason option', (os) => os.map((o) => o.getAttribute('value')))).not.toContain('sample');

    // concluded, the case shows why it was there
    await li.page.goto(`${svc.url}/ui/cases/${caseId}`);
    await li.page.fill('#dismiss-reason', 'Checked line by line against the ward record');
    await Promise.all([li.page.waitForURL(/\/ui\/cases\/\d+$/), li.page.click('#dismiss')]);
    expect(await li.page.$('#blind-note')).toBeNull();
    expect(await li.page.textContent('#case-facts')).toContain('random sample');

    // the supervisor's view in English follows
    await sun.page.goto(`${svc.url}/ui/recheck?month=2026-10`);
    await switchLang(sun.page);
    const done = await sun.page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent));
    expect(done.slice(2, 9)).toEqual(['inpatient', `1 / ${sampled}`, '1', '1', '0', '2026-11-17 00:00:00', sampled === 1 ? 'complete' : 'overdue']);
    expect(await sun.page.textContent('h1')).toBe('Random re-check');
    expect(existsSync(await screenshot(sun.page, 'recheck-supervisor-en'))).toBe(true);
    await switchLang(sun.page);
    expect(await sun.page.textContent('h1')).toBe('随机复审进度');
    expect(existsSync(await screenshot(sun.page, 'recheck-supervisor-zh'))).toBe(true);
    // a bad month is a 400 on the page, the message next to the field in the page's language, what was typed kept
    const res = await sun.page.goto(`${svc.url}/ui/recheck?month=2026-13`);
    expect(res?.status()).toBe(400);
    expect(await sun.page.textContent('#f-month-error')).toContain('YYYY-MM');
    expect(await sun.page.inputValue('#f-month')).toBe('2026-13');
    await li.context.close();
    await sun.context.close();
  });
});
