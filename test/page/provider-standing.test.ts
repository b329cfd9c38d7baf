import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportStanding } from '../../src/page/provider-standing.js';
import { launchBrowser, signIn } from '../support/browser.js';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Item 5 of issue 16 in Debian's chromium: the case page and the queue show the institution's
 * current targeting score, its rank in its peer group and the sentence, read when the page is
 * drawn: none before training, the new version's after each training run, while the value the
 * case opened with stays beside it, labelled as such.
 */
const INST = 'H32010200001';
const OTHERS = ['H32010200002', 'H32010200003', 'H32010200004', 'H32010200005', 'H32010200006'];
let svc: TestService;
let browser: Browser;
let page: Page;

let seq = 0;
const stay = (institutionId: string, person: number, admittedAt: string, dischargedAt: string) =>
  inpatientClaim({
    institutionId,
    claimId: `ZY-S${++seq}`,
    insured: { id: `3201021958031401${String(10 + person).padStart(2, '0')}`, sex: 'male', birthDate: '1958-03-14' },
    admittedAt,
    dischargedAt,
    lines: [
      { lineId: 'L1', itemCode: '110200005', hospitalItemName: '住院诊查费', category: 'service', serviceAt: admittedAt, quantity: 1, unitPrice: '20.00', amount: '20.00' },
      { lineId: 'L2', itemCode: '120100001', hospitalItemName: '床位费', category: 'bed', serviceAt: admittedAt, quantity: 1, unitPrice: 45, amount: 45 },
    ],
    totalAmount: '65.00',
    payment: { fund: '65.00', personalAccount: '0', cash: '0' },
  });

const train = async (month: string) => {
  const res = await svc.call('/v1/admin/models/train', { role: 'admin', method: 'POST', json: { month, windowMonths: 1 } });
  expect(res.status).toBe(201);
  return json(res);
};

beforeAll(async () => {
  [svc, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await seedReference(svc, { institutions: [INST, ...OTHERS].map((id) => ({ id })) });
  // INST: two stays of one person that overlap (a case opens), and a few more; the others ordinary stays
  for (const [from, to] of [
    ['2026-10-01 08:00:00', '2026-10-05 10:00:00'],
    ['2026-10-03 08:00:00', '2026-10-08 10:00:00'],
  ] as const) {
    expect((await svc.call('/v1/claims', { json: stay(INST, 1, from, to) })).status).toBe(200);
  }
  for (const [i, id] of OTHERS.entries()) {
    for (let p = 0; p < 2; p++)
      expect(
        (await svc.call('/v1/claims', { json: stay(id, 20 + i * 2 + p, `2026-10-${String(10 + p * 5).padStart(2, '0')} 08:00:00`, `2026-10-${String(12 + p * 5).padStart(2, '0')} 10:00:00`) })).status,
      ).toBe(200);
  }
  const supervisor = (await svc.deps.keys.create({ clientName: 'Supervisor Chen', role: 'supervisor', createdBy: 'Admin Zhou' })).key;
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, svc.url, supervisor);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

describe('the institution’s standing where decisions are made', () => {
  it('shows the live targeting score, rank and sentence on the case page and the queue; the opening value stays, labelled', async () => {
    const queue = await json(await svc.call(`/v1/review/cases?institutionId=${INST}`, { role: 'supervisor' }));
    expect(queue.items.length).toBeGreaterThan(0);
    const caseId = queue.items[0].id;
    const opening = queue.items[0].providerRisk as number;

    // before any training: no score, the opening value labelled
    await page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await page.textContent('#standing-none')).toBe('尚无该机构的模型评分。');
    expect(await page.textContent('#standing-opening')).toBe(`开案时机构风险分: ${opening.toFixed(3)}`);

    // trained: the page shows what the API now says, without the case being touched
    const first = await train('2026-10');
    const score = await json(await svc.call(`/v1/provider-scores/${INST}`, { role: 'auditor' }));
    expect(score.modelId).toBe(first.modelId);
    const t = score.targeting;
    expect(t.peerSize).toBe(6);
    await page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await page.textContent('#standing-score')).toBe(`目标分: ${Math.round(t.score).toLocaleString('en-US')} 元 · 同级同类 (${t.peerGroup}) ${t.peerSize} 家中第 ${t.rank} 位`);
    expect(await page.textContent('#standing-explanation')).toBe(t.zh);
    expect(await page.textContent('#standing-as')).toBe(`2026-10 评分, 模型版本 ${first.modelId}`);
    expect(await page.textContent('#standing-opening')).toBe(`开案时机构风险分: ${opening.toFixed(3)}`);
    expect(t.zh).toContain('规则命中');

    // the monthly report names the version and both windows it scored with (money 1 month, evidence the default 6)
    const cutoff = new Date().toISOString();
    const report = await json(await svc.call(`/v1/reports/2026-10?cutoff=${cutoff}`, { role: 'supervisor' }));
    expect(report.model.version).toBe(String(first.modelId));
    expect(report.model.note).toContain(`机构模型版本 ${first.modelId}`);
    expect(report.model.note).toContain('欺诈概率（证据取近 6 个月） × 近 1 个月的申报金额');
    const en = await json(await svc.call(`/v1/reports/2026-10?cutoff=${cutoff}&lang=en`, { role: 'supervisor' }));
    expect(en.model.note).toContain('P(fraud, from the evidence of the last 6 months) × money billed over the last 1 month');

    // English
    await page.goto(`${svc.url}/ui/cases/${caseId}?lang=en`);
    expect(await page.textContent('#standing-explanation')).toBe(t.en);
    expect(await page.textContent('#standing-opening')).toBe(`Provider risk when the case opened: ${opening.toFixed(3)}`);

    // the queue: the same score and rank in the institution's rows, the sentence as the cell's title
    await page.goto(`${svc.url}/ui/queue?institutionId=${INST}`);
    const cell = page.locator(`#queue tbody tr td.standing[data-institution="${INST}"]`).first();
    expect(await cell.textContent()).toBe(`${Math.round(t.score).toLocaleString('en-US')} · ${t.rank}/${t.peerSize}`);
    expect(await cell.getAttribute('title')).toBe(t.zh);

    // more claims and a new training run: the page follows the new version at once
    for (let p = 0; p < 3; p++) expect((await svc.call('/v1/claims', { json: stay(INST, 40 + p, '2026-10-20 08:00:00', '2026-10-22 10:00:00') })).status).toBe(200);
    const second = await train('2026-10');
    expect(second.modelId).toBeGreaterThan(first.modelId);
    const now = (await json(await svc.call(`/v1/provider-scores/${INST}`, { role: 'auditor' }))).targeting;
    await page.goto(`${svc.url}/ui/cases/${caseId}`);
    expect(await page.textContent('#standing-as')).toBe(`2026-10 评分, 模型版本 ${second.modelId}`);
    expect(await page.textContent('#standing-explanation')).toBe(now.zh);
    expect(await page.textContent('#standing-opening')).toBe(`开案时机构风险分: ${opening.toFixed(3)}`);
  }, 180_000);

  it('gives the monthly report the targeting score, its rank and sentence first (the forest score for an older version)', () => {
    const targeting = { score: 81_234.567, rank: 2, peerSize: 9, zh: '目标分 81,235 元', en: 'targeting score 81,235 yuan' };
    expect(reportStanding({ score: 0.61, rank: 1, peer_size: 9, targeting }, ['平均住院日 18.2 天'])).toEqual({
      score: 81_234.57,
      peerRank: 2,
      peerSize: 9,
      reasons: '目标分 81,235 元\n平均住院日 18.2 天',
    });
    expect(reportStanding({ score: 0.61, rank: 1, peer_size: 9, targeting }, ['mean stay 18.2 days'], 'en').reasons).toBe('targeting score 81,235 yuan\nmean stay 18.2 days');
    expect(reportStanding({ score: 0.61234, rank: 1, peer_size: 9, targeting: null }, ['a'])).toEqual({ score: 0.6123, peerRank: 1, peerSize: 9, reasons: 'a' });
  });
});
