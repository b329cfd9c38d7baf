import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Property-based: thousands of mutated and random claims, to POST /v1/claims and to the NDJSON
 * stream. Whatever arrives: never a 5xx; every 2xx claim reads back as answered; SQL-injection
 * strings are stored verbatim or refused, never executed. Seeds vary from run to run; a failure
 * prints its seed and the shrunk counterexample.
 */
const BODY_LIMIT = 64 * 1024;
// Each property sends its runs one after another; its time limit is a guard against a hang, sized
// for a machine shared with other work (a CI run beside three other jobs took over 60 s for 500).
const RUNS = { mutated: 3000, injection: 500, randomJson: 600, randomBytes: 400, stream: 250 } as const;

let svc: TestService;
let counter = 0;
/** every claim answered 2xx, by institution and claim id, with its answer */
const accepted = new Map<string, unknown>();

beforeAll(async () => {
  svc = await startTestService({ BODY_LIMIT_BYTES: String(BODY_LIMIT), MAX_LINES_PER_CLAIM: '50', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await svc?.close();
});

// ---- what goes in ------------------------------------------------------------------------------

const SQL = [
  "'; drop table claims; --",
  "Robert'); DROP TABLE claim_lines;--",
  "1' or '1'='1",
  "' || (select key_hash from api_keys limit 1) || '",
  '"; truncate rejected_submissions; --',
  '$$; delete from api_keys; $$',
  "\\'; select pg_sleep(5); --",
  '$1',
  "E'\\\\x00'",
  "'); insert into api_keys values ('x'); --",
];
const sqlInjection = fc.tuple(fc.constantFrom(...SQL), fc.string({ maxLength: 5 })).map(([s, tail]) => s + tail);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 3 }), loneSurrogate, control, fc.constant('\u0000')), { maxLength: 12 }).map((a) => a.join('')),
  fc.nat({ max: 120_000 }).map((n) => 'x'.repeat(n)), // past every limit, up to past the body limit
  fc.nat({ max: 70 }).map((n) => '药'.repeat(n)),
  sqlInjection,
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e308',
    '-1e308',
    '1e-400',
    '0x10',
    '99999999999999999999',
    '-0',
    '+1',
    '1_000',
    '١٢٣',
    ' 12 ',
    '.5',
    '5.',
    '12.34567',
    '-12.5',
    '2026-02-30',
    '2026-10-01T25:00:00Z',
    '9999-12-31 23:59:59',
    '0000-01-01',
    '1999-12-31T23:59:59Z',
    '2026-10-01T09:00:00+14:01',
  ),
);
const deep = fc.integer({ min: 1, max: 3000 }).chain((depth) =>
  fc.constantFrom('array', 'object').map((kind) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
    return v;
  }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 5e-324, 0.1 + 0.2, -0),
  fc.double(),
  fc.integer(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  deep,
);

type Path = (string | number)[];
/** Every path into a claim, not descending past depth 4 (a mutation may have nested 3,000 deep). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || prefix.length >= 4) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

/** A copy of `value` with the container at `path` replaced by `change(copy of it)`; nothing else is copied. */
function updateIn(value: unknown, path: Path, change: (container: any) => void): unknown {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const copy = Array.isArray(value) ? [...value] : { ...(value as object) };
  if (path.length === 0) change(copy);
  else (copy as any)[path[0]!] = updateIn((copy as any)[path[0]!], path.slice(1), change); // eslint-disable-line @typescript-eslint/no-explicit-any
  return copy;
}

type Mutation = { op: 'delete' | 'set' | 'addKey' | 'repeatLines'; pick: number; value: unknown; key: string; times: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'set', 'set', 'set', 'addKey', 'repeatLines'),
  pick: fc.nat(),
  value: nastyValue,
  key: nastyString,
  times: fc.integer({ min: 2, max: 60 }),
});

function applyMutation(claim: Record<string, unknown>, m: Mutation): unknown {
  if (m.op === 'repeatLines') {
    const lines = Array.isArray(claim.lines) && claim.lines.length > 0 ? claim.lines : [{}];
    return { ...claim, lines: Array.from({ length: m.times }, (_, i) => ({ ...(lines[i % lines.length] as object), lineId: `R${i}` })) };
  }
  const paths = pathsOf(claim);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) return m.op === 'set' ? m.value : claim; // the whole body
  const last = path[path.length - 1]!;
  return updateIn(claim, path.slice(0, -1), (parent) => {
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'set') parent[last] = m.value;
    else if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[m.key] = m.value;
  });
}

const baseClaim = fc.constantFrom('inpatient', 'outpatient').map((kind) => {
  const claim = kind === 'inpatient' ? inpatientClaim() : outpatientClaim();
  const n = ++counter;
  // a person of their own: a fuzz run is not one person's history of thousands of claims
  return { ...claim, claimId: `FZ-${process.pid}-${n}`, insured: { ...claim.insured, id: `P${process.pid}-${n}` } } as Record<string, unknown>;
});
const mutatedClaim = fc
  .tuple(baseClaim, fc.array(mutation, { minLength: 0, maxLength: 3 }))
  .map(([claim, ms]) => ms.reduce<unknown>((c, m) => (c && typeof c === 'object' && !Array.isArray(c) ? applyMutation(c as Record<string, unknown>, m) : c), claim));

/** Text fields a claim stores as given, where an injection string may land: how to set and read each. */
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const TEXT_FIELDS: { set: (c: Any, v: string) => void; get: (stored: Any) => unknown }[] = [
  { set: (c, v) => (c.claimId = v), get: (s) => s.claimId },
  { set: (c, v) => (c.departmentCode = v), get: (s) => s.departmentCode },
  { set: (c, v) => (c.lines[0].lineId = v), get: (s) => s.lines[0].lineId },
  { set: (c, v) => (c.lines[0].hospitalItemName = v), get: (s) => s.lines[0].hospitalItemName },
  { set: (c, v) => (c.lines[0].hospitalItemCode = v), get: (s) => s.lines[0].hospitalItemCode },
  { set: (c, v) => (c.lines[0].doctorId = v), get: (s) => s.lines[0].doctorId },
  { set: (c, v) => (c.diagnoses[0].name = v), get: (s) => s.diagnoses[0].name },
  // stored only as its keyed hash: the claim must still be accepted and read back
  { set: (c, v) => (c.insured.id = v), get: (s) => (s.insured.id === undefined ? undefined : 'raw id stored') },
];

// ---- what must hold ----------------------------------------------------------------------------

const statuses = new Map<number, number>();
const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

/** Posts a body; asserts no 5xx; on 2xx reads the claim back and compares. Returns the answer. */
async function post(body: string | Uint8Array, contentType = 'application/json') {
  const res = await svc.call('/v1/claims', { method: 'POST', body, headers: { 'content-type': contentType } });
  const text = await res.text();
  count(res.status);
  expect(res.status, text.slice(0, 500)).toBeLessThan(500);
  expect([200, 400, 409, 413, 415]).toContain(res.status);
  expect(res.headers.get('x-request-id')).toBeTruthy();
  const parsed = JSON.parse(text);
  if (res.status !== 200) {
    expect(parsed.error.requestId).toBe(res.headers.get('x-request-id'));
    return undefined;
  }
  await readBack(parsed);
  return parsed as { institutionId: string; claimId: string; id: string };
}

async function readBack(answer: { institutionId: string; claimId: string }) {
  const res = await svc.call(`/v1/claims/${encodeURIComponent(answer.institutionId)}/${encodeURIComponent(answer.claimId)}`, { role: 'auditor' });
  expect(res.status, `${answer.institutionId}/${answer.claimId}`).toBe(200);
  const stored = (await res.json()) as Any;
  expect(stored.answer).toEqual(answer);
  accepted.set(`${answer.institutionId}\u0001${answer.claimId}`, answer);
  return stored as { claim: Record<string, any>; answer: unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('fuzzing the intake', () => {
  it(`POST /v1/claims: ${RUNS.mutated} mutated claims, never a 5xx, every 2xx readable`, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedClaim, async (claim) => {
        await post(JSON.stringify(claim));
      }),
      { numRuns: RUNS.mutated },
    );
    // the mutations reach both sides
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS.mutated / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS.mutated / 4);
    expect(statuses.get(413) ?? 0).toBeGreaterThan(0);
    // 3,000 requests one after another: ~20 s alone, over a minute with the 2 cores shared
  }, 240_000);

  it(`POST /v1/claims: ${RUNS.injection} SQL-injection strings are stored verbatim or refused, never executed`, async () => {
    let verbatim = 0;
    await fc.assert(
      fc.asyncProperty(baseClaim, fc.nat(), sqlInjection, async (claim, field, injection) => {
        const c = structuredClone(claim) as Any;
        const target = TEXT_FIELDS[field % TEXT_FIELDS.length]!;
        target.set(c, injection);
        const answer = await post(JSON.stringify(c));
        if (!answer) return; // refused: fine (too long, say)
        const { claim: stored } = await readBack(answer);
        if (target.get(c) === injection) {
          expect(target.get(stored)).toBe(injection);
          verbatim++;
        } else expect(target.get(stored)).toBeUndefined();
        expect(stored.claimId).toBe(c.claimId);
        expect(stored.lines.map((l: Any) => l.hospitalItemName)).toEqual(c.lines.map((l: Any) => l.hospitalItemName));
      }),
      { numRuns: RUNS.injection },
    );
    expect(verbatim).toBeGreaterThan(RUNS.injection / 2);
  }, 120_000);

  it(`POST /v1/claims: ${RUNS.randomJson} random JSON documents and ${RUNS.randomBytes} random byte bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.json({ maxDepth: 4 }), async (text) => {
        await post(text);
      }),
      { numRuns: RUNS.randomJson },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream'), async (bytes, type) => {
        await post(bytes, type);
      }),
      { numRuns: RUNS.randomBytes },
    );
  }, 120_000);

  it(`POST /v1/claims/stream: ${RUNS.stream} streams of mutated, valid, random and oversized lines`, async () => {
    const line = fc.oneof(
      { weight: 4, arbitrary: mutatedClaim.map((c) => JSON.stringify(c)) },
      { weight: 2, arbitrary: baseClaim.map((c) => JSON.stringify(c)) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
      // random bytes, never a newline, never blank
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('x'), Buffer.from(b.filter((x) => x !== 0x0a))])) },
      { weight: 1, arbitrary: fc.nat({ max: 3 * BODY_LIMIT }).map((n) => `{"claimId": "${'y'.repeat(n)}"}`) },
    );
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (input) => {
        const body = Buffer.concat(input.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')]));
        const res = await svc.call('/v1/claims/stream', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
        expect(res.status).toBe(200);
        const answers = (await res.text())
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l));
        expect(answers.map((a) => a.line)).toEqual(input.map((_, i) => i + 1));
        for (const a of answers) {
          count(a.status);
          expect([200, 400, 409, 413], JSON.stringify(a).slice(0, 500)).toContain(a.status);
          if (a.status === 200) await readBack(a.answer);
        }
        lines += input.length;
      }),
      { numRuns: RUNS.stream },
    );
    expect(lines).toBeGreaterThan(RUNS.stream);
  }, 120_000);

  it('left the database whole: every table there, exactly the accepted claims stored, nothing logged as failed', async () => {
    const q = (sql: string) => svc.deps.database.query<{ n: number }>(sql).then((r) => r[0]!.n);
    expect(await q('select count(*)::int as n from api_keys')).toBe(4);
    expect(await q('select count(*)::int as n from claims')).toBe(accepted.size);
    expect(await q('select count(*)::int as n from claims c where not exists (select 1 from claim_lines_of(c.body))')).toBe(0);
    expect(await q('select count(*)::int as n from rejected_submissions')).toBeGreaterThan(500);
    expect(accepted.size).toBeGreaterThan(300);
    const failures = svc.logs.filter((l) => /"level":(50|60)/.test(l));
    expect(failures).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    console.info('fuzz statuses', Object.fromEntries(statuses), 'claims stored', accepted.size);
  });
});
