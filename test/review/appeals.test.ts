import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

// Issue 15, item 6 (docs/review-money.md): one open appeal per claim, its reasons readable, its
// status and outcome readable by the institution's own key (its own only).

const OWN = 'H99000000001'; // unlisted institutions: every claim withheld in full at intake
const OTHER = 'H99000000002';

let svc: TestService;
const keys: Record<string, string> = {};
const as = (who: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${keys[who]}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${svc.url}${path}`, { ...init, headers, ...(init.json !== undefined ? { method: init.method ?? 'POST', body: JSON.stringify(init.json) } : {}) });
};
const appeal = (who: string, institutionId: string, claimId: string, reason: string) => as(who, '/v1/review/appeals', { json: { institutionId, claimId, reason } });

beforeAll(async () => {
  svc = await startTestService({ REVIEW_DRAW_POOL: '1' });
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
  for (const [name, role] of [
    ['Li Na', 'auditor'],
    ['Wang Fang', 'auditor'],
    ['Sun Li', 'supervisor'],
    ['settlement', 'settlement'],
  ] as const)
    keys[name] = (await svc.deps.keys.create({ clientName: name, role, createdBy: 'Admin Zhou' })).key;
  keys.admin = svc.keys.admin;
  for (const [institutionId, claimId, person] of [
    [OWN, 'W-1', '320102195803140111'],
    [OTHER, 'W-2', '320102195803140222'],
  ]) {
    const res = await svc.call('/v1/claims', { json: inpatientClaim({ institutionId, claimId, insured: { id: person, sex: 'male', birthDate: '1958-03-14' } }) });
    expect(await json(res)).toMatchObject({ decision: 'withhold', withheldAmount: '237.00' });
  }
});
afterAll(() => svc?.close());

describe('institution keys', () => {
  it('an admin issues a key for one institution; the role needs it and only it takes one', async () => {
    const missing = await as('admin', '/v1/admin/keys', { json: { clientName: 'H99000000001 billing office', role: 'institution' } });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.details).toEqual([{ path: 'institutionId', message: 'is required for an institution’s key (the institution it speaks for)' }]);
    const stray = await as('admin', '/v1/admin/keys', { json: { clientName: 'someone', role: 'auditor', institutionId: OWN } });
    expect(stray.status).toBe(400);
    expect((await json(stray)).error.details[0].path).toBe('institutionId');
    for (const [name, institutionId] of [
      ['own', OWN],
      ['other', OTHER],
    ] as const) {
      const res = await as('admin', '/v1/admin/keys', { json: { clientName: `${institutionId} billing office`, role: 'institution', institutionId } });
      expect(res.status).toBe(201);
      keys[name] = (await json(res)).key;
    }
    // an institution's key reads appeals and nothing else of the review
    expect((await as('own', '/v1/review/cases')).status).toBe(403);
    expect((await as('own', '/v1/claims', { json: inpatientClaim({ institutionId: OWN }) })).status).toBe(403);
  });
});

describe('one open appeal per claim', () => {
  let ownAppeal: number;
  let otherAppeal: number;
  it('institution first, then the settlement system: the second joins the open appeal and adds no money', async () => {
    const a = await json(await appeal('own', OWN, 'W-1', '我院9月1日起已获定点资格，附批复文件'));
    expect(a).toMatchObject({ status: 'open', joined: false });
    const b = await json(await appeal('settlement', OWN, 'W-1', 'forwarding the institution’s second letter'));
    expect(b).toMatchObject({ caseId: a.caseId, appealId: a.appealId, joined: true });
    ownAppeal = a.appealId;
    const d = await json(await as('Sun Li', `/v1/review/cases/${a.caseId}`));
    // 237.00 withheld and disputed: counted once, not 474.00 (issue 15: case 349 showed 8.40 for 4.20 withheld)
    expect(d.case).toMatchObject({ amountAtIssue: '237.00', reasonKinds: ['appeal'] });
    expect(d.reasons.map((r: { kind: string; amount: string; note: string }) => [r.kind, r.amount, r.note])).toEqual([
      ['appeal', '237.00', '我院9月1日起已获定点资格，附批复文件'],
      ['appeal', '0.00', 'forwarding the institution’s second letter'],
    ]);
    expect(d.appeals).toHaveLength(1);
    expect(d.appeals[0]).toMatchObject({ id: ownAppeal, status: 'open', outcome: null, amount: '237.00', decision: null });
    expect(d.appeals[0].reasons.map((r: { reason: string; lodgedBy: string }) => [r.reason, r.lodgedBy])).toEqual([
      ['我院9月1日起已获定点资格，附批复文件', `${OWN} billing office`],
      ['forwarding the institution’s second letter', 'settlement'],
    ]);
  });

  it('the settlement system first, then the institution: the same', async () => {
    const a = await json(await appeal('settlement', OTHER, 'W-2', 'designated since September'));
    const b = await json(await appeal('other', OTHER, 'W-2', 'see the attached approval'));
    expect([a.joined, b.joined, b.appealId]).toEqual([false, true, a.appealId]);
    otherAppeal = a.appealId;
    const d = await json(await as('Sun Li', `/v1/review/cases/${a.caseId}`));
    expect(d.case.amountAtIssue).toBe('237.00');
    expect(d.appeals[0].reasons.map((r: { reason: string }) => r.reason)).toEqual(['designated since September', 'see the attached approval']);
  });

  it('an institution’s key sees and appeals only its own claims', async () => {
    expect((await appeal('own', OTHER, 'W-2', 'not ours')).status).toBe(403);
    const mine = await json(await as('own', `/v1/review/appeals?institutionId=${OTHER}`));
    expect(mine.items.map((x: { id: number; institutionId: string }) => [x.id, x.institutionId])).toEqual([[ownAppeal, OWN]]);
    expect(mine.total).toBe(1);
    expect((await as('own', `/v1/review/appeals/${otherAppeal}`)).status).toBe(404);
    expect((await as('other', `/v1/review/appeals/${ownAppeal}`)).status).toBe(404);
    expect((await json(await as('other', '/v1/review/appeals'))).items.map((x: { id: number }) => x.id)).toEqual([otherAppeal]);
    // the settlement system and review staff read every institution's
    expect((await json(await as('settlement', '/v1/review/appeals?status=open'))).total).toBe(2);
    expect((await json(await as('Sun Li', `/v1/review/appeals?institutionId=${OTHER}`))).items.map((x: { id: number }) => x.id)).toEqual([otherAppeal]);
    expect((await as('own', '/v1/review/appeals?status=pending')).status).toBe(400);
    expect((await as('own', '/v1/review/appeals/abc')).status).toBe(400);
  });

  it('the agreed conclusion decides it; the institution reads the outcome and the basis, not who reviewed', async () => {
    const decided: Record<string, string> = {};
    for (const [outcome, body] of [
      ['dismissed', { outcome: 'dismissed', reason: '定点批复有效：不属违规' }],
      ['confirmed', { outcome: 'confirmed', basis: '批复自11月起生效：非定点属实' }],
    ] as const) {
      const drawn = await json(await as('Li Na', '/v1/review/draw', { method: 'POST' }));
      expect((await as('Li Na', `/v1/review/cases/${drawn.id}/conclusion`, { json: body })).status).toBe(200);
      // concluded, not yet agreed: still open
      expect((await json(await as('settlement', `/v1/review/appeals?claimId=${drawn.claim.claimId}`))).items[0].status).toBe('open');
      expect((await as('Wang Fang', `/v1/review/cases/${drawn.id}/second-review`, { json: { verdict: 'agree' } })).status).toBe(200);
      decided[drawn.claim.claimId] = outcome;
      const trail = (await json(await as('Sun Li', `/v1/review/cases/${drawn.id}`))).trail;
      expect(trail.at(-1)).toMatchObject({ action: 'case.agree', after: { appealsDecided: [expect.any(Number)], appealOutcome: outcome === 'dismissed' ? 'granted' : 'rejected' } });
    }
    for (const [who, id, claim] of [
      ['own', ownAppeal, 'W-1'],
      ['other', otherAppeal, 'W-2'],
    ] as const) {
      const res = await as(who, `/v1/review/appeals/${id}`);
      const text = await res.text();
      const a = JSON.parse(text);
      const granted = decided[claim] === 'dismissed';
      expect(a).toMatchObject({
        id,
        claimId: claim,
        status: 'decided',
        outcome: granted ? 'granted' : 'rejected',
        amount: '237.00',
        decidedAt: expect.any(String),
        decision: granted
          ? { outcome: 'dismissed', amountRefused: '0.00', basis: '定点批复有效：不属违规', lines: [] }
          : { outcome: 'confirmed', amountRefused: '0.00', basis: '批复自11月起生效：非定点属实', lines: [] },
      });
      expect(text).not.toContain('Li Na');
      expect(text).not.toContain('Wang Fang');
    }
  });

  it('a new appeal after the decision is a new appeal; the case opens again, the money still counted once', async () => {
    const again = await json(await appeal('own', OWN, 'W-1', '补充材料：卫健委批复原件'));
    expect(again).toMatchObject({ status: 'open', joined: false });
    expect(again.appealId).not.toBe(ownAppeal);
    const d = await json(await as('Sun Li', `/v1/review/cases/${again.caseId}`));
    expect(d.case.amountAtIssue).toBe('237.00');
    expect(d.appeals.map((a: { id: number; status: string; reasons: unknown[] }) => [a.id, a.status, a.reasons.length])).toEqual([
      [ownAppeal, 'decided', 2],
      [again.appealId, 'open', 1],
    ]);
    const list = await json(await as('own', '/v1/review/appeals'));
    expect(list.items.map((x: { id: number; status: string }) => [x.id, x.status])).toEqual([
      [again.appealId, 'open'],
      [ownAppeal, 'decided'],
    ]);
  });

  it('a supervisor’s reopening of a decided case opens its appeal again', async () => {
    const [w2] = (await json(await as('settlement', '/v1/review/appeals?claimId=W-2'))).items;
    expect(w2.status).toBe('decided');
    const r = await as('Sun Li', `/v1/review/cases/${w2.caseId}/reopen`, { json: { reason: 'the approval letter was forged' } });
    expect(r.status).toBe(200);
    expect(await json(await as('other', `/v1/review/appeals/${w2.id}`))).toMatchObject({ status: 'open', outcome: null, decision: null, decidedAt: null });
    const trail = (await json(await as('Sun Li', `/v1/review/cases/${w2.caseId}`))).trail;
    expect(trail.at(-1)).toMatchObject({ action: 'case.reopen', after: { appealsReopened: [w2.id] } });
  });
});
