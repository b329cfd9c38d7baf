import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Bad input is answered 400 with every failing field's path and message, recorded in
 * rejected_submissions without the body; a body over the limit is 413; never a 500.
 */
const MAX_LINES = 5;
const BODY_LIMIT = 8192;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ MAX_LINES_PER_CLAIM: String(MAX_LINES), BODY_LIMIT_BYTES: String(BODY_LIMIT) });
});
afterAll(async () => {
  await svc?.close();
});

type Issue = { path: string; message: string };

/** Asserts the one error body and returns its details. */
async function refused(res: Response, status = 400): Promise<Issue[]> {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  expect(body.error.code).toBe(status === 400 ? 'invalid_request' : 'payload_too_large');
  expect(typeof body.error.message).toBe('string');
  return body.error.details;
}

async function rejection(requestId: string | null) {
  const rows = await svc.deps.database.query<{ channel: string; institution_id: string | null; claim_no: string | null; error_count: number; errors: unknown }>(
    'select channel, institution_id, claim_no, error_count, errors from rejected_submissions where request_id = $1',
    [requestId],
  );
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  return { ...row, errors: typeof row.errors === 'string' ? JSON.parse(row.errors) : row.errors };
}

const post = (body: unknown) => svc.call('/v1/claims', { json: body });
const withLine = (claim: ReturnType<typeof inpatientClaim>, i: number, change: Record<string, unknown>) => ({
  ...claim,
  lines: claim.lines.map((l, j) => (j === i ? { ...l, ...change } : l)),
});

describe('POST /v1/claims refuses bad input with every failing field', () => {
  it('malformed JSON', async () => {
    const res = await svc.call('/v1/claims', { method: 'POST', body: '{"institutionId": "H1", ', headers: { 'content-type': 'application/json' } });
    expect(await refused(res)).toEqual([{ path: '', message: 'is not valid JSON' }]);
    expect(await rejection(res.headers.get('x-request-id'))).toMatchObject({ channel: 'single', institution_id: null, claim_no: null, error_count: 1 });
  });

  it('a JSON value that is not an object', async () => {
    for (const body of [null, [], 'claim', 42]) {
      expect(await refused(await post(body))).toEqual([{ path: '', message: expect.stringContaining('expected object') }]);
    }
  });

  it('wrong types', async () => {
    const claim = inpatientClaim();
    const res = await post({ ...withLine(claim, 0, { quantity: true }), visitType: 5, insured: 'x', diagnoses: {} });
    expect(await refused(res)).toEqual([
      { path: 'insured', message: 'Invalid input: expected object, received string' },
      { path: 'visitType', message: 'Invalid option: expected one of "outpatient"|"inpatient"|"pharmacy"' },
      { path: 'diagnoses', message: 'Invalid input: expected array, received object' },
      { path: 'lines[0].quantity', message: 'must be a decimal number: a JSON number or a string' },
    ]);
    const row = await rejection(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ institution_id: 'H32010200001', claim_no: claim.claimId, error_count: 4 });
    expect(row.errors.map((e: Issue) => e.path)).toEqual(['insured', 'visitType', 'diagnoses', 'lines[0].quantity']);
  });

  it('missing fields', async () => {
    const { claimId: _claimId, ...claim } = inpatientClaim();
    const res = await post({ ...claim, payment: { fund: '180.00', personalAccount: '20.00' }, lines: [{ lineId: 'L1' }] });
    const details = await refused(res);
    expect(details).toEqual([
      { path: 'claimId', message: 'is required' },
      { path: 'lines[0].itemCode', message: 'is required' },
      { path: 'lines[0].category', message: expect.stringContaining('Invalid option') },
      { path: 'lines[0].serviceAt', message: 'is required' },
      { path: 'lines[0].quantity', message: 'is required' },
      { path: 'lines[0].unitPrice', message: 'is required' },
      { path: 'lines[0].amount', message: 'is required' },
      { path: 'payment.cash', message: 'is required' },
    ]);
    expect(await rejection(res.headers.get('x-request-id'))).toMatchObject({ institution_id: 'H32010200001', claim_no: null, error_count: 8 });
  });

  it('negative quantities and prices', async () => {
    const res = await post(withLine(withLine(inpatientClaim(), 1, { quantity: '-4' }), 0, { unitPrice: -20 }));
    expect(await refused(res)).toEqual([
      { path: 'lines[0].unitPrice', message: 'must not be negative' },
      { path: 'lines[1].quantity', message: 'must be greater than 0' },
      // the sign also breaks the line's arithmetic
      { path: 'lines[0].amount', message: 'must equal unitPrice × quantity (-20.00), got 20.00' },
      { path: 'lines[1].amount', message: 'must equal unitPrice × quantity (-180.00), got 180.00' },
    ]);
  });

  it('numbers that are not decimals: NaN, Infinity, exponents, too many places, huge', async () => {
    const claim = inpatientClaim();
    const res = await post({
      ...claim,
      lines: [
        { ...claim.lines[0], quantity: 'NaN' },
        { ...claim.lines[1], unitPrice: '1e400' },
        { ...claim.lines[2], amount: '37.001', quantity: '99999999999999' },
      ],
      totalAmount: 1e21,
    });
    expect(await refused(res)).toEqual([
      { path: 'lines[0].quantity', message: 'must be a decimal number with at most 4 decimal places' },
      { path: 'lines[1].unitPrice', message: 'must be a decimal number with at most 4 decimal places' },
      { path: 'lines[2].quantity', message: 'must be a decimal number with at most 4 decimal places' },
      { path: 'lines[2].amount', message: 'must be a decimal number with at most 2 decimal places' },
      { path: 'totalAmount', message: 'must be a decimal number with at most 2 decimal places' },
    ]);
  });

  it('an amount that is not unit price × quantity beyond rounding, and totals that do not add up', async () => {
    const claim = inpatientClaim();
    // 12.3333 × 3 = 36.9999: 37.00 is the rounding, 37.01 is within a fen, 37.02 is not
    for (const [amount, ok] of [
      ['37.00', true],
      ['37.01', true],
      ['37.02', false],
      ['36.98', false],
    ] as const) {
      const fen = Math.round(Number(amount) * 100);
      const total = ((20000 + fen) / 100).toFixed(2);
      const res = await post({ ...withLine(inpatientClaim(), 2, { amount }), totalAmount: total, payment: { fund: '180.00', personalAccount: '20.00', cash: (fen / 100).toFixed(2) } });
      if (ok) expect(res.status, amount).toBe(200);
      else expect(await refused(res)).toEqual([{ path: 'lines[2].amount', message: `must equal unitPrice × quantity (37.00), got ${amount}` }]);
    }
    const res = await post({ ...claim, totalAmount: '236.00' });
    expect(await refused(res)).toEqual([
      { path: 'totalAmount', message: 'must equal the sum of line amounts (237.00), got 236.00' },
      { path: 'payment', message: 'parts must add up to totalAmount (236.00), got 237.00' },
    ]);
  });

  it('the API documentation (docs/api.md) states the tolerance the service applies: one fen either way of price × quantity rounded', async () => {
    const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const contract = /Each line's amount must (.+?), the total must/.exec(doc)?.[1];
    expect(contract).toBe('equal unit price × quantity rounded to the fen, give or take 0.01 (one fen either way)');
    // 20.00 × 0.5 = 10.00: 9.99 and 10.01 are within a fen, 9.98 and 10.02 are not
    for (const [unitPrice, quantity, amount, ok] of [
      ['20.00', '0.5', '10.01', true],
      ['20.00', '0.5', '9.99', true],
      ['20.00', '0.5', '10.02', false],
      ['20.00', '0.5', '9.98', false],
    ] as const) {
      const claim = outpatientClaim();
      const res = await post({ ...claim, lines: [{ ...claim.lines[0], unitPrice, quantity, amount }], totalAmount: amount, payment: { fund: amount, personalAccount: 0, cash: 0 } });
      if (ok) expect(res.status, amount).toBe(200);
      else expect(await refused(res)).toEqual([{ path: 'lines[0].amount', message: `must equal unitPrice × quantity (10.00), got ${amount}` }]);
    }
  });

  it('discharge before admission', async () => {
    const res = await post(inpatientClaim({ dischargedAt: '2026-09-30 10:00:00' }));
    expect(await refused(res)).toEqual([
      { path: 'dischargedAt', message: 'must not be before admittedAt' },
      { path: 'lines[2].serviceAt', message: 'must fall within the stay (admittedAt to dischargedAt)' },
    ]);
  });

  it('dates before 2000', async () => {
    const claim = inpatientClaim({ admittedAt: '1999-12-31T23:59:59+08:00' });
    const res = await post(claim);
    expect(await refused(res)).toEqual([{ path: 'admittedAt', message: 'must not be before 2000-01-01' }]);
    expect(await rejection(res.headers.get('x-request-id'))).toMatchObject({ channel: 'single', institution_id: 'H32010200001', claim_no: claim.claimId });
    // the limit is 2000-01-01 00:00 in China Standard Time, where service dates are kept
    expect((await post(inpatientClaim({ admittedAt: '2000-01-01 00:00:00' }))).status).toBe(200);
    expect(await refused(await post(inpatientClaim({ admittedAt: '1999-12-31T15:59:59Z' })))).toEqual([{ path: 'admittedAt', message: 'must not be before 2000-01-01' }]);
  });

  it('dates in the future', async () => {
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const claim = outpatientClaim({ visitAt: future, lines: [{ ...outpatientClaim().lines[0], serviceAt: future }] });
    const res = await post(claim);
    expect(await refused(res)).toEqual([
      { path: 'visitAt', message: 'must not be in the future' },
      { path: 'lines[0].serviceAt', message: 'must not be in the future' },
    ]);
    expect(await rejection(res.headers.get('x-request-id'))).toMatchObject({ institution_id: 'H32010200001', claim_no: claim.claimId, error_count: 2 });
  });

  it('dates that do not exist, impossible zone offsets, and birth dates out of range', async () => {
    const res = await post(inpatientClaim({ admittedAt: '2026-02-30 08:00:00', dischargedAt: '2026-10-05T10:00:00+25:00', insured: { id: 'X', sex: 'male', birthDate: '1958-13-01' } }));
    const message = 'must be a date-time: ISO 8601 with offset, or yyyy-MM-dd HH:mm:ss in China Standard Time';
    expect(await refused(res)).toEqual([
      { path: 'insured.birthDate', message: 'must be a date yyyy-MM-dd' },
      { path: 'admittedAt', message },
      { path: 'dischargedAt', message },
    ]);
    // years 0000–0099 are those years, not 1900–1999
    const ancient = await post(inpatientClaim({ insured: { id: 'X', sex: 'male', birthDate: '0058-03-14' } }));
    expect(await refused(ancient)).toEqual([{ path: 'insured.birthDate', message: 'must be within 130 years of the visit' }]);
    const unborn = await post(inpatientClaim({ insured: { id: 'X', sex: 'male', birthDate: '2026-10-02' } }));
    expect(await refused(unborn)).toEqual([{ path: 'insured.birthDate', message: 'must not be after the visit' }]);
  });

  it(`too many lines (MAX_LINES_PER_CLAIM = ${MAX_LINES})`, async () => {
    const line = (i: number) => ({ lineId: `L${i}`, itemCode: '110200005', category: 'service', serviceAt: '2026-10-01 09:00:00', quantity: 1, unitPrice: 1, amount: 1 });
    const claim = (n: number) => inpatientClaim({ lines: Array.from({ length: n }, (_, i) => line(i)), totalAmount: n, payment: { fund: n, personalAccount: 0, cash: 0 } });
    expect((await post(claim(MAX_LINES))).status).toBe(200);
    expect(await refused(await post(claim(MAX_LINES + 1)))).toEqual([{ path: 'lines', message: `must have at most ${MAX_LINES} fee lines` }]);
    expect(await refused(await post(claim(0)))).toEqual([{ path: 'lines', message: 'must have at least one fee line' }]);
  });

  it('strings past their limits, empty, or with control characters or lone surrogates', async () => {
    const claim = inpatientClaim();
    const res = await post({
      ...withLine(withLine(claim, 0, { hospitalItemName: '药'.repeat(201) }), 1, { lineId: 'L\u0000' }),
      claimId: 'Z'.repeat(65),
      insured: { ...claim.insured, id: '3'.repeat(65) },
      institutionId: 'H1; drop table claims',
      departmentCode: 'a\ud800b',
      medType: '',
    });
    expect(await refused(res)).toEqual([
      { path: 'institutionId', message: 'must contain only letters, digits, ".", "_" and "-"' },
      { path: 'claimId', message: 'must be at most 64 characters' },
      { path: 'insured.id', message: 'must be at most 64 characters' },
      { path: 'medType', message: 'must contain only letters, digits, ".", "_" and "-"' },
      { path: 'medType', message: 'must not be empty' },
      { path: 'departmentCode', message: 'must be valid Unicode (no lone surrogates)' },
      { path: 'lines[0].hospitalItemName', message: 'must be at most 200 characters' },
      { path: 'lines[1].lineId', message: 'must not contain control characters' },
    ]);
    // neither the too-long claim id nor the unreadable institution id is kept
    expect(await rejection(res.headers.get('x-request-id'))).toMatchObject({ institution_id: 'H1; drop table claims', claim_no: null });
  });

  it('a claim id with a tab, line feed or carriage return: refused, as its path parameter would be (free text may hold them)', async () => {
    for (const claimId of ['\t', 'ZY\n1', 'ZY1\r']) {
      const res = await post({ ...outpatientClaim(), claimId, departmentCode: 'a\tb' });
      expect(await refused(res), JSON.stringify(claimId)).toEqual([{ path: 'claimId', message: 'must not contain control characters' }]);
    }
  });

  it('unknown fields, each at its own path, even with NUL or a lone surrogate in the name', async () => {
    const claim = inpatientClaim();
    const res = await post({ ...withLine(claim, 2, { foo: 1 }), extra: true, 'nul\u0000key': 1, 'half\ud83d': 2, insured: { ...claim.insured, name: '张三' } });
    const details = await refused(res);
    expect(details).toEqual([
      { path: 'insured.name', message: 'is not a known field' },
      { path: 'lines[2].foo', message: 'is not a known field' },
      { path: 'extra', message: 'is not a known field' },
      { path: 'nul\u0000key', message: 'is not a known field' },
      { path: 'half\ud83d', message: 'is not a known field' },
    ]);
    const row = await rejection(res.headers.get('x-request-id'));
    expect(row.errors.map((e: Issue) => e.path)).toEqual(['insured.name', 'lines[2].foo', 'extra', 'nul\ufffdkey', 'half\ufffd']);
  });

  it('keeps no part of the body in rejected_submissions', async () => {
    const claim = inpatientClaim({ insured: { id: 'SECRET-PERSON-4711', sex: 'male', birthDate: '1958-03-14' }, departmentCode: 'SECRET-DEPT' });
    const res = await post({ ...claim, visitType: 'nope' });
    expect(res.status).toBe(400);
    const rows = await svc.deps.database.query<{ t: string }>('select t::text as t from rejected_submissions t where request_id = $1', [res.headers.get('x-request-id')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.t).toContain(claim.claimId);
    expect(rows[0]!.t).not.toContain('SECRET');
    expect(rows[0]!.t).not.toContain('1958-03-14');
  });
});

describe('the body limit', () => {
  const big = (bytes: number) => JSON.stringify({ ...inpatientClaim(), departmentCode: 'x'.repeat(bytes) });

  it(`answers 413 for a body over BODY_LIMIT_BYTES (${BODY_LIMIT}), with or without Content-Length`, async () => {
    const sized = await svc.call('/v1/claims', { method: 'POST', body: big(BODY_LIMIT), headers: { 'content-type': 'application/json' } });
    expect(await refused(sized, 413)).toBeUndefined();
    const body = big(BODY_LIMIT);
    const chunked = await svc.call('/v1/claims', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < body.length; i += 1000) controller.enqueue(new TextEncoder().encode(body.slice(i, i + 1000)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(await refused(chunked, 413)).toBeUndefined();
  });

  it('closes the connection after a 413, so the next request does not land on an undrained one', async () => {
    const res = await svc.call('/v1/claims', { method: 'POST', body: big(4 * BODY_LIMIT), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    await res.text();
    // before the fix, requests on the kept-alive connection failed ~500 ms later ("other side closed")
    const until = Date.now() + 1200;
    let answered = 0;
    while (Date.now() < until) {
      const r = await svc.call('/healthz', { role: null });
      expect(r.status).toBe(200);
      await r.text();
      answered++;
    }
    expect(answered).toBeGreaterThan(10);
  });

  it('accepts a body just under the limit', async () => {
    const claim = inpatientClaim();
    const pad = BODY_LIMIT - JSON.stringify({ ...claim, diagnoses: [{ ...claim.diagnoses[0], name: '' }] }).length - 10;
    const body = JSON.stringify({ ...claim, diagnoses: [{ ...claim.diagnoses[0], name: 'n'.repeat(Math.min(pad, 200)) }] });
    expect(body.length).toBeLessThan(BODY_LIMIT);
    expect((await svc.call('/v1/claims', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
  });
});

describe('what is not an error', () => {
  it('answers a claim of an unknown institution 200 and stores it', async () => {
    const claim = outpatientClaim({ institutionId: 'H99999999999' });
    const res = await post(claim);
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer).toMatchObject({ institutionId: 'H99999999999', claimId: claim.claimId, totalAmount: '10.00' });
    const got = await svc.call(`/v1/claims/H99999999999/${claim.claimId}`, { role: 'auditor' });
    expect((await json(got)).answer).toEqual(answer);
  });

  it('answers ids in a GET path that no claim can have 400, not 500', async () => {
    expect(await refused(await svc.call('/v1/claims/H1/%00', { role: 'auditor' }))).toEqual([{ path: 'claimId', message: 'must not contain control characters' }]);
    expect(await refused(await svc.call('/v1/claims/%00/x', { role: 'auditor' }))).toEqual([{ path: 'institutionId', message: 'must contain only letters, digits, ".", "_" and "-"' }]);
    expect((await svc.call(`/v1/claims/H1/${encodeURIComponent("'; drop table claims; --")}`, { role: 'auditor' })).status).toBe(404);
    expect((await svc.call('/v1/claims/H1/%ED%A0%80', { role: 'auditor' })).status).toBe(404);
  });
});
