import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/** POST /v1/claims/stream: NDJSON in, NDJSON out, one answer per line, in order, errors per line. */
const LINE_LIMIT = 4096;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ BODY_LIMIT_BYTES: String(LINE_LIMIT), STREAM_CONCURRENCY: '8' });
});
afterAll(async () => {
  await svc?.close();
});

type Answer = {
  line: number;
  status: number;
  answer?: { claimId: string; id: string; decision: string };
  replayed?: boolean;
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
};

async function stream(body: NonNullable<RequestInit['body']>): Promise<{ res: Response; answers: Answer[] }> {
  const res = await svc.call('/v1/claims/stream', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-ndjson' },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  const answers = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Answer);
  return { res, answers };
}

const ndjson = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

describe('POST /v1/claims/stream', () => {
  it('answers every line in input order, a bad line with its own error, and goes on', async () => {
    const a = inpatientClaim();
    const b = outpatientClaim();
    const changedA = { ...a, payment: { fund: '190.00', personalAccount: '10.00', cash: '37.00' } };
    const input = [
      a,
      '{"institutionId": "H1", ',
      { ...b, visitType: 'nope' },
      JSON.stringify({ ...b, departmentCode: 'x'.repeat(LINE_LIMIT) }),
      b,
      changedA,
      a,
      outpatientClaim({ visitAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
      outpatientClaim(),
    ];
    const { res, answers } = await stream(ndjson(input));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(answers.map((x) => [x.line, x.status])).toEqual([
      [1, 200],
      [2, 400],
      [3, 400],
      [4, 413],
      [5, 200],
      [6, 409],
      [7, 200],
      [8, 400],
      [9, 200],
    ]);
    expect(answers[0]!.answer!.claimId).toBe(a.claimId);
    expect(answers[1]!.error).toEqual({ code: 'invalid_request', message: '(line) is not valid JSON', details: [{ path: '', message: 'is not valid JSON' }] });
    expect(answers[2]!.error!.details).toEqual([{ path: 'visitType', message: 'Invalid option: expected one of "outpatient"|"inpatient"|"pharmacy"' }]);
    expect(answers[3]!.error).toMatchObject({ code: 'payload_too_large', details: [{ path: '', message: `is longer than ${LINE_LIMIT} bytes` }] });
    expect(answers[4]!.answer!.claimId).toBe(b.claimId);
    expect(answers[5]!.error).toMatchObject({ code: 'conflict', details: { institutionId: a.institutionId, claimId: a.claimId, storedId: answers[0]!.answer!.id } });
    // the same content again is a replay of the stored answer
    expect(answers[6]).toMatchObject({ replayed: true, answer: answers[0]!.answer });
    expect(answers[7]!.error!.details).toEqual([{ path: 'visitAt', message: 'must not be in the future' }]);
    expect(answers[8]!.status).toBe(200);
  });

  it('records every refused line with the stream request id, without the body', async () => {
    const bad = { ...outpatientClaim(), extra: 1 };
    const future = outpatientClaim({ visitAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    const { res, answers } = await stream(ndjson([bad, 'nonsense', future, JSON.stringify({ x: 'y'.repeat(LINE_LIMIT + 1) })]));
    expect(answers.map((x) => x.status)).toEqual([400, 400, 400, 413]);
    const rows = await svc.deps.database.query<{ channel: string; institution_id: string | null; claim_no: string | null; errors: unknown }>(
      'select channel, institution_id, claim_no, errors::text as errors from rejected_submissions where request_id = $1 order by id',
      [res.headers.get('x-request-id')],
    );
    expect(rows.map((r) => [r.channel, r.institution_id, r.claim_no])).toEqual(
      expect.arrayContaining([
        ['stream', 'H32010200001', bad.claimId],
        ['stream', null, null],
        ['stream', 'H32010200001', future.claimId],
        ['stream', null, null],
      ]),
    );
    expect(rows).toHaveLength(4);
  });

  it('answers with X-Request-Id', async () => {
    const { res } = await stream(ndjson([outpatientClaim()]));
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await svc.call('/v1/claims/stream', { method: 'POST', body: ndjson([outpatientClaim()]), headers: { 'x-request-id': 'batch-2026-11-22-a' } });
    expect(given.headers.get('x-request-id')).toBe('batch-2026-11-22-a');
    await given.text();
  });

  it('keeps the input line numbers across blank lines, CRLF and a last line without newline', async () => {
    const [a, b, c] = [outpatientClaim(), outpatientClaim(), outpatientClaim()];
    const body = `${JSON.stringify(a)}\r\n\r\n   \n${JSON.stringify(b)}\n\n${JSON.stringify(c)}`;
    const { answers } = await stream(body);
    expect(answers.map((x) => [x.line, x.status, x.answer?.claimId])).toEqual([
      [1, 200, a.claimId],
      [4, 200, b.claimId],
      [6, 200, c.claimId],
    ]);
  });

  it('finds lines and their limit across arbitrary chunk boundaries, multi-byte characters included', async () => {
    const claims = Array.from({ length: 30 }, (_, i) => outpatientClaim({ departmentCode: `科室${i}` }));
    const oversized = JSON.stringify({ ...outpatientClaim(), departmentCode: '科'.repeat(Math.ceil(LINE_LIMIT / 3)) });
    expect(oversized.length).toBeLessThan(LINE_LIMIT); // over the limit only in bytes
    const body = new TextEncoder().encode(ndjson([...claims.slice(0, 10), oversized, ...claims.slice(10)]));
    let at = 0;
    let size = 1;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= body.length) return controller.close();
        controller.enqueue(body.slice(at, at + size)); // splits UTF-8 sequences too
        at += size;
        size = ((size * 7) % 509) + 1;
      },
    });
    const { answers } = await stream(chunked);
    expect(answers.map((x) => x.line)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(answers[10]!.status).toBe(413);
    const ok = answers.filter((x) => x.status === 200).map((x) => x.answer!.claimId);
    expect(ok).toEqual(claims.map((c) => c.claimId));
  });

  it('answers many lines in order while screening several at once', async () => {
    // each claim of a person of its own, so they are screened side by side (one person's claims wait
    // for each other, and each is screened against all the earlier ones)
    const person = (i: number, sex: string, birthDate: string) => ({ insured: { id: `3201021990${String(i).padStart(8, '0')}`, sex, birthDate } });
    const claims = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? inpatientClaim(person(i, 'male', '1958-03-14')) : outpatientClaim(person(i, 'female', '1990-01-01'))));
    const { answers } = await stream(ndjson(claims));
    expect(answers.map((x) => x.line)).toEqual(claims.map((_, i) => i + 1));
    expect(answers.map((x) => x.answer?.claimId)).toEqual(claims.map((c) => c.claimId));
    const rows = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from claims where claim_no = any($1)', [claims.map((c) => c.claimId)]);
    expect(rows[0]!.n).toBe(300);
  }, 240_000);

  it('stores the claims of the stream like POST /v1/claims does', async () => {
    const claim = inpatientClaim();
    const { answers } = await stream(ndjson([claim]));
    const got = await json(await svc.call(`/v1/claims/${claim.institutionId}/${claim.claimId}`, { role: 'auditor' }));
    expect(got.answer).toEqual(answers[0]!.answer);
    // and POST /v1/claims replays it
    const again = await svc.call('/v1/claims', { json: claim });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(answers[0]!.answer);
  });

  it('answers an empty stream without lines, and requires a role that may submit', async () => {
    const { res, answers } = await stream('');
    expect(res.status).toBeLessThan(500);
    expect(answers.filter((a) => a.status === 200)).toEqual([]);
    const auditor = await svc.call('/v1/claims/stream', { method: 'POST', body: ndjson([outpatientClaim()]), role: 'auditor' });
    expect(auditor.status).toBe(403);
    const anonymous = await svc.call('/v1/claims/stream', { method: 'POST', body: ndjson([outpatientClaim()]), role: null });
    expect(anonymous.status).toBe(401);
  });
});
