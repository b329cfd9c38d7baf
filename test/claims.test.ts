import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: 'H32010200001' }] });
});
afterAll(async () => {
  await svc?.close();
});

describe('POST /v1/claims', () => {
  it('answers a valid claim with its decision, amounts and stored id', async () => {
    const claim = inpatientClaim();
    const res = await svc.call('/v1/claims', { json: claim });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer).toMatchObject({
      institutionId: 'H32010200001',
      claimId: claim.claimId,
      decision: 'pass',
      totalAmount: '237.00',
      payableAmount: '237.00',
      withheldAmount: '0.00',
      withheldLines: [],
      findings: [],
      serviceMonth: '2026-10',
    });
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a claim of an institution the fund does not know, withholding it as non-designated', async () => {
    const claim = outpatientClaim({ institutionId: 'H99999999999' });
    const res = await svc.call('/v1/claims', { json: claim });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer).toMatchObject({ decision: 'withhold', payableAmount: '0.00', withheldAmount: '10.00', withheldLines: [{ lineId: '1', amount: '10.00' }] });
    expect(answer.findings).toHaveLength(1);
    expect(answer.findings[0]).toMatchObject({ ruleId: 'NON-DESIGNATED', family: 'non-designated', severity: 'violation', violatingLines: ['1'] });
    expect(answer.findings[0].message.en).toContain('H99999999999 was not designated on 2026-10-03');
  });

  it('gives the stored claim and answer back by institution and claim id', async () => {
    const claim = outpatientClaim();
    const posted = await await json(await svc.call('/v1/claims', { json: claim }));
    const res = await svc.call(`/v1/claims/${claim.institutionId}/${claim.claimId}`, { role: 'auditor' });
    expect(res.status).toBe(200);
    const got = await json(res);
    expect(got.answer).toEqual(posted);
    expect(got.claim.insured).toEqual({ sex: 'female', birthDate: '1990-01-01' });
    expect(got.claim.lines[0].hospitalItemName).toBe('普通门诊诊查费');
  });

  it('answers 404 for a claim never stored', async () => {
    const res = await svc.call('/v1/claims/H32010200001/nope', { role: 'auditor' });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });

  it('replays the same content with the stored answer and the same status', async () => {
    const claim = inpatientClaim();
    const first = await svc.call('/v1/claims', { json: claim });
    // same content, different key order and number spelling
    const reordered = { ...claim, totalAmount: 237, lines: claim.lines.map((l) => ({ ...l })) };
    const second = await svc.call('/v1/claims', { json: reordered });
    expect(second.status).toBe(first.status);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(second)).toEqual(await json(first));
  });

  it('refuses different content under a stored claim id with 409 naming the conflict', async () => {
    const claim = inpatientClaim();
    expect((await svc.call('/v1/claims', { json: claim })).status).toBe(200);
    const changed = { ...claim, payment: { fund: '190.00', personalAccount: '10.00', cash: '37.00' } };
    const res = await svc.call('/v1/claims', { json: changed });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toContain(claim.claimId);
    expect(body.error.details).toMatchObject({ institutionId: claim.institutionId, claimId: claim.claimId });
  });

  it('stores one claim for 100 concurrent identical submissions', async () => {
    const claim = inpatientClaim();
    const results = await Promise.all(Array.from({ length: 100 }, () => svc.call('/v1/claims', { json: claim }).then(async (r) => ({ status: r.status, body: await json(r) }))));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const rows = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from claims where institution_id = $1 and claim_no = $2', [claim.institutionId, claim.claimId]);
    expect(rows[0]?.n).toBe(1);
    const lines = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from claims c, claim_lines_of(c.body) where c.id = $1', [results[0]?.body.id]);
    expect(lines[0]?.n).toBe(3);
  });

  it('stores money as exact decimals', async () => {
    const claim = inpatientClaim();
    const { id } = await await json(await svc.call('/v1/claims', { json: claim }));
    const rows = await svc.deps.database.query<{ unit_price: string; amount: string; total: string }>(
      `select l.unit_price::text, l.amount::text, c.total_amount::text as total
       from claims c, claim_lines_of(c.body) l where c.id = $1 and l.line_id = 'L3'`,
      [id],
    );
    expect(rows[0]).toEqual({ unit_price: '12.3333', amount: '37.00', total: '237.00' });
  });

  it('stores service dates in China Standard Time', async () => {
    const claim = outpatientClaim({
      visitAt: '2026-10-03T17:30:00Z',
      lines: [{ lineId: '1', itemCode: '110100001', category: 'service', serviceAt: '2026-10-03T17:30:00Z', quantity: 1, unitPrice: 10, amount: 10 }],
    });
    const { id } = await await json(await svc.call('/v1/claims', { json: claim }));
    const rows = await svc.deps.database.query<{ d: string }>('select l.service_date::text as d from claims c, claim_lines_of(c.body) l where c.id = $1', [id]);
    expect(rows[0]?.d).toBe('2026-10-04');
  });
});

describe('access', () => {
  it('refuses a request without a key, with an unknown key, and with a role that may not submit', async () => {
    expect((await svc.call('/v1/claims', { json: inpatientClaim(), role: null })).status).toBe(401);
    const unknown = await fetch(`${svc.url}/v1/claims`, { method: 'POST', headers: { authorization: 'Bearer cs_nope' }, body: '{}' });
    expect(unknown.status).toBe(401);
    const auditor = await svc.call('/v1/claims', { json: inpatientClaim(), role: 'auditor' });
    expect(auditor.status).toBe(403);
  });

  it('refuses a revoked key', async () => {
    const { id, key } = await svc.deps.keys.create({ clientName: 'short-lived', role: 'settlement', createdBy: 'test' });
    const ok = await fetch(`${svc.url}/v1/claims`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(inpatientClaim()) });
    expect(ok.status).toBe(200);
    expect(await svc.deps.keys.revoke(id)).toBe(true);
    const after = await fetch(`${svc.url}/v1/claims`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(inpatientClaim()) });
    expect(after.status).toBe(401);
  });

  it('stores keys only as hashes', async () => {
    const rows = await svc.deps.database.query<{ key_hash: string }>('select key_hash from api_keys');
    expect(rows.length).toBeGreaterThan(0);
    for (const key of Object.values(svc.keys)) expect(rows.some((r) => r.key_hash === key)).toBe(false);
  });
});
