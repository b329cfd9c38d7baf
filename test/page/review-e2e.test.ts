import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/review/trail.js';
import { launchBrowser, screenshot, signIn } from '../support/browser.js';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * End to end in Debian's chromium: two auditors sign in with their personal keys; one draws a case
 * from the queue and concludes it, the other sends it back, the first concludes again, the second
 * agrees; the case page's trail shows each step under each name, and the chain verifies.
 */
const INST = 'H32010200001';
let svc: TestService;
let browser: Browser;
const key: Record<string, string> = {};

const stay = (claimId: string, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    claimId,
    insured: { id: '320102195803140111', sex: 'male', birthDate: '1958-03-14' },
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
  [svc, browser] = await Promise.all([startTestService({ REVIEW_DRAW_POOL: '1' }), launchBrowser()]);
  await seedReference(svc, { institutions: [{ id: INST }] });
  for (const name of ['Li Na', 'Wang Fang']) key[name] = (await svc.deps.keys.create({ clientName: name, role: 'auditor', createdBy: 'Admin Zhou' })).key;
  for (const [id, from, to] of [
    ['A1', '2026-10-01 08:00:00', '2026-10-05 10:00:00'],
    ['B1', '2026-10-03 08:00:00', '2026-10-08 10:00:00'],
  ] as const) {
    const res = await svc.call('/v1/claims', { json: stay(id, from, to) });
    expect(res.status).toBe(200);
  }
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

const submit = async (page: Page, selector: string) => {
  await Promise.all([page.waitForURL(/\/ui\/cases\/\d+$/), page.click(selector)]);
};

describe('a case through both levels in the browser', () => {
  it('draws, concludes, is sent back, concludes again, is agreed; the trail shows every step', async () => {
    const li = await session('Li Na');
    const wang = await session('Wang Fang');

    // the queue, filtered by family, shows the overlapping stay's case
    await li.page.goto(`${svc.url}/ui/queue`);
    await li.page.selectOption('#f-family', 'overlapping-stay');
    await Promise.all([li.page.waitForURL(/family=overlapping-stay/), li.page.click('#apply')]);
    const rows = await li.page.$$eval('#queue tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.join('\n')).toContain('B1');

    // drawing gives Li Na the case (the only one of its priority; the draw pool is 1)
    await submit(li.page, '#draw');
    const caseId = Number(new URL(li.page.url()).pathname.split('/').pop());
    const detail = await json(await svc.call(`/v1/review/cases/${caseId}`, { role: 'auditor' }));
    // A1 gets the overlap too (retrospectively): either may be the most urgent
    expect(['A1', 'B1']).toContain(detail.case.claim.claimId);
    expect(await li.page.textContent('#case-assignee')).toBe('Li Na');

    // the lines the findings name are highlighted
    const violating = detail.findings.flatMap((f: any) => f.violatingLines);
    expect(violating.length).toBeGreaterThan(0);
    for (const line of violating) expect(await li.page.getAttribute(`#lines tr[data-line="${line}"]`, 'class')).toBe('violating');
    const sentence = detail.findings[0].message.zh;
    expect(await li.page.textContent('#findings')).toContain(sentence);

    // the initial review confirms a violation: the violating lines still payable (ticked by the page) and what is still payable on
    // them; what the intake withheld is not refused again (docs/review-money.md)
    const refused = (detail.money.lines as { lineId: string; refusable: string }[]).filter((l) => violating.includes(l.lineId) && Number(l.refusable) > 0);
    const amount = (refused.reduce((s, l) => s + Math.round(Number(l.refusable) * 100), 0) / 100).toFixed(2);
    expect(Number(amount)).toBeGreaterThan(0);
    expect(await li.page.inputValue('#amountRefused')).toBe(amount);
    await li.page.fill('#amountRefused', amount);
    await li.page.fill('#basis', '同期另一住院记录，床位费重复');
    await submit(li.page, '#confirm');
    expect(await li.page.textContent('#case-status')).toBe('待复审');
    // nobody second-reviews their own conclusion: the page offers Li Na no second-review action
    expect(await li.page.$('#level2')).toBeNull();

    // Wang Fang sends it back
    await wang.page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await wang.page.$('#level1')).toBeNull();
    await wang.page.fill('#send-back-reason', '请补充证据');
    await submit(wang.page, '#send-back');
    expect(await wang.page.textContent('#case-status')).toBe('退回重审');

    // Li Na concludes again; Wang Fang agrees
    await li.page.goto(`${svc.url}/ui/cases/${caseId}`);
    await li.page.fill('#amountRefused', amount);
    await li.page.fill('#basis', '已补充：两段住院 10-03 至 10-05 重叠，床位费重复收取');
    await submit(li.page, '#confirm');
    await wang.page.goto(`${svc.url}/ui/cases/${caseId}`);
    await submit(wang.page, '#agree');
    expect(await wang.page.textContent('#case-status')).toBe('已办结');
    expect(await wang.page.textContent('#case-facts')).toContain('违规成立');

    // the trail on the page: each step under each name, in order
    const trail = await wang.page.$$eval('#trail tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-action'), tr.children[2]?.textContent]));
    expect(trail).toEqual([
      ['case.draw', 'Li Na'],
      ['case.conclude', 'Li Na'],
      ['case.send_back', 'Wang Fang'],
      ['case.conclude', 'Li Na'],
      ['case.agree', 'Wang Fang'],
    ]);
    const final = await json(await svc.call(`/v1/review/cases/${caseId}`, { role: 'auditor' }));
    expect(final.case).toMatchObject({ status: 'closed', finalOutcome: 'confirmed' });
    expect(final.conclusions.map((c: any) => [c.concludedBy, c.amountRefused])).toEqual([
      ['Li Na', amount],
      ['Li Na', amount],
    ]);
    expect(final.secondReviews.map((r: any) => [r.reviewedBy, r.verdict])).toEqual([
      ['Wang Fang', 'send_back'],
      ['Wang Fang', 'agree'],
    ]);
    const chain = await verifyTrail(svc.deps.database);
    expect(chain.ok).toBe(true);
    expect(chain.entries).toBeGreaterThanOrEqual(5);

    expect(existsSync(await screenshot(wang.page, 'case-closed-zh'))).toBe(true);
    await Promise.all([wang.page.waitForURL(/\/ui\/cases\/\d+$/), wang.page.click('#lang-switch')]);
    expect(await wang.page.textContent('#case-status')).toBe('closed');
    expect(existsSync(await screenshot(wang.page, 'case-closed-en'))).toBe(true);
    await li.context.close();
    await wang.context.close();
  });

  it('a bad form is answered on the page with the field, not a 500', async () => {
    const li = await session('Li Na');
    // a stay inside B1's: the stay at fault, so it carries the overlap finding and opens a case
    await svc.call('/v1/claims', { json: { ...stay('C1', '2026-10-04 08:00:00', '2026-10-07 10:00:00'), insured: { id: '320102195803140111', sex: 'male', birthDate: '1958-03-14' } } });
    await li.page.goto(`${svc.url}/ui/queue`);
    await li.page.click('#draw');
    await li.page.waitForURL(/\/ui\/cases\/\d+$/);
    await li.page.fill('#basis', '');
    await li.page.fill('#amountRefused', '12.34');
    const [res] = await Promise.all([li.page.waitForResponse((r) => r.request().method() === 'POST'), li.page.click('#confirm')]);
    expect(res.status()).toBe(400);
    // the message is next to the field, in the page's language, and what was typed is kept (issue 15, item 5)
    expect(await li.page.textContent('#confirm-basis-error')).toBe('必须填写');
    expect(await li.page.textContent('#confirm-errors')).toContain('认定依据');
    expect(await li.page.inputValue('#amountRefused')).toBe('12.34');
    expect(await li.page.getAttribute('#basis', 'aria-invalid')).toBe('true');
    await li.context.close();
  });
});
