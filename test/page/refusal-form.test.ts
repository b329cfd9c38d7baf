import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn } from '../support/browser.js';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The case page's money in Debian's chromium (issue 15, items 3, 6, 7; docs/review-money.md): the
 * intake's decision and what it withheld per line, a line withheld in full offered for nothing,
 * lines reduced in quantity or unit price with a reason code, appeals with their reasons as written.
 */
const INST = 'H32010200001';
const UNLISTED = 'H99000000001';
let svc: TestService;
let browser: Browser;
const key: Record<string, string> = {};
const auth = (name: string) => ({ authorization: `Bearer ${key[name]}` });

const DRUG = {
  lineId: 'L3',
  itemCode: 'XJ01DDA040A001010100001',
  hospitalItemCode: 'YP88',
  hospitalItemName: '头孢曲松钠注射液',
  category: 'drug',
  serviceAt: '2026-10-04 09:00:00',
  quantity: 10,
  unitPrice: '12.50',
  amount: '125.00',
  specification: '1g',
  daysOfSupply: 5,
};
const stay = (claimId: string, admittedAt: string, dischargedAt: string, extra: object[] = []) => {
  const lines = [
    { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
    { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-04 09:00:00', quantity: 1, unitPrice: 45, amount: 45 },
    ...extra,
  ] as { amount: string | number }[];
  const total = (lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0) / 100).toFixed(2);
  return inpatientClaim({
    claimId,
    insured: { id: '320102195803140111', sex: 'male', birthDate: '1958-03-14' },
    admittedAt,
    dischargedAt,
    lines,
    totalAmount: total,
    payment: { fund: total, personalAccount: '0', cash: '0' },
  });
};

beforeAll(async () => {
  [svc, browser] = await Promise.all([startTestService({ REVIEW_DRAW_POOL: '1' }), launchBrowser()]);
  await seedReference(svc, { institutions: [{ id: INST }] });
  for (const name of ['Li Na', 'Wang Fang']) key[name] = (await svc.deps.keys.create({ clientName: name, role: 'auditor', createdBy: 'Admin Zhou' })).key;
  for (const claim of [stay('A1', '2026-10-01 08:00:00', '2026-10-05 10:00:00'), stay('B1', '2026-10-03 08:00:00', '2026-10-08 10:00:00', [DRUG])])
    expect((await svc.call('/v1/claims', { json: claim })).status).toBe(200);
  expect((await svc.call('/v1/claims', { json: inpatientClaim({ institutionId: UNLISTED, claimId: 'W1', insured: { id: '320102195803140222', sex: 'male', birthDate: '1958-03-14' } }) })).status).toBe(
    200,
  );
  for (const reason of ['我院9月1日起已获定点资格', 'second letter: the approval is attached'])
    expect((await svc.call('/v1/review/appeals', { json: { institutionId: UNLISTED, claimId: 'W1', reason } })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function drawn(name: string) {
  const res = await fetch(`${svc.url}/v1/review/draw`, { method: 'POST', headers: auth(name) });
  expect(res.status).toBe(200);
  return json(res);
}
async function pageOf(name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await signIn(page, svc.url, key[name]!);
  return page;
}

describe('the refusal form and the money on the case page', () => {
  it('zh: an appeal shows its reasons as written, once; the money disputed once', async () => {
    const w = await drawn('Li Na'); // the appeal: 237.00 withheld and disputed is the most urgent
    expect(w.claim.claimId).toBe('W1');
    const page = await pageOf('Li Na');
    await page.goto(`${svc.url}/ui/cases/${w.id}`);
    expect(await page.textContent('#intake-decision')).toBe('拒付');
    expect(await page.textContent('#intake-withheld')).toBe('237.00');
    expect(await page.$$eval('#appeals .appeal-reason', (li) => li.map((x) => x.textContent?.split(' — ')[0]))).toEqual(['我院9月1日起已获定点资格', 'second letter: the approval is attached']);
    expect(await page.textContent('#appeals')).toContain('237.00');
    expect(await page.content()).not.toContain('{&quot;reason');
    // nothing is left to refuse: the form says so and offers no line
    expect(await page.textContent('#nothing-to-refuse')).toContain('受理时已全额拒付');
    expect(await page.$$('#refusal-lines input[type=checkbox]')).toHaveLength(0);
    await page.fill('#amountRefused', '');
    await page.fill('#basis', '批复自11月起生效：非定点属实');
    await Promise.all([page.waitForURL(/\/ui\/cases\/\d+$/), page.click('#confirm')]);
    expect(await page.textContent('#case-status')).toBe('待复审');
  });

  it('en: a line withheld at intake is offered for nothing; two lines reduced with reason codes refuse 80.00', async () => {
    const b = await drawn('Li Na');
    expect(b.claim.claimId).toBe('B1');
    const detail = await json(await fetch(`${svc.url}/v1/review/cases/${b.id}`, { headers: auth('Li Na') }));
    const page = await pageOf('Li Na');
    await page.goto(`${svc.url}/ui/cases/${b.id}?lang=en`);
    expect(await page.textContent('#intake-decision')).toBe('withheld');
    expect([await page.textContent('#intake-payable'), await page.textContent('#intake-withheld'), await page.textContent('#intake-refusable')]).toEqual(['145.00', '45.00', '145.00']);
    expect(await page.textContent('#refusal-lines tr[data-line="L2"]')).toContain('withheld in full at intake: nothing to refuse');
    expect(await page.$('#refusal-lines tr[data-line="L2"] input')).toBeNull();
    // ticked: the violating lines still payable, and what is still payable on them
    const violating = new Set(detail.findings.flatMap((f: { violatingLines: string[] }) => f.violatingLines));
    const ticked = await page.$$eval('#refusal-lines input[type=checkbox]:checked', (xs) => xs.map((x) => (x as unknown as { value: string }).value));
    expect(ticked).toEqual(detail.money.lines.filter((l: { lineId: string; refusable: string }) => violating.has(l.lineId) && Number(l.refusable) > 0).map((l: { lineId: string }) => l.lineId));
    for (const box of await page.$$('#refusal-lines input[type=checkbox]:checked')) await box.uncheck();
    await page.fill('#qty-L3', '4');
    await page.selectOption('#code-L3', 'over-quantity');
    await page.fill('#price-L1', '15');
    await page.selectOption('#code-L1', 'over-price');
    await page.fill('#amountRefused', '');
    await page.fill('#basis', 'four doses were given; the consultation fee is 15.00 at this level');
    await Promise.all([page.waitForURL(/\/ui\/cases\/\d+$/), page.click('#confirm')]);
    expect(await page.textContent('#case-status')).toBe('待复审'); // the redirect drops ?lang (the language is the cookie's)
    await page.goto(`${svc.url}/ui/cases/${b.id}?lang=en`);
    expect(await page.textContent('#case-status')).toBe('awaiting second review');
    const after = await json(await fetch(`${svc.url}/v1/review/cases/${b.id}`, { headers: auth('Li Na') }));
    const k = after.conclusions.at(-1);
    expect([k.amountRefused, k.lines.map((l: { lineId: string; code: string; refused: string }) => [l.lineId, l.code, l.refused])]).toEqual([
      '80.00',
      [
        ['L1', 'over-price', '5.00'],
        ['L3', 'over-quantity', '75.00'],
      ],
    ]);
    const shown = await page.textContent('#reviews');
    expect(shown).toContain('quantity beyond what was needed or allowed');
    expect(shown).toContain('Qty 10 → 4');
    expect(shown).toContain('Unit price 20 → 15');
  });
});
