import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedHash } from '../src/lib/hash.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, TEST_SECRET, type TestService } from './support/service.js';

/**
 * The insured person's raw id is personal data: after every kind of submission it appears in no
 * table and no log line; only its keyed hash is stored.
 */
const PERSON = '110101199003074518';
const insured = { id: PERSON, sex: 'male', birthDate: '1990-03-07' };

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ LOG_LEVEL: 'trace' });
});
afterAll(async () => {
  await svc?.close();
});

/** Every row of every table outside the system schemas, as text. */
async function dumpDatabase(): Promise<{ tables: string[]; text: string }> {
  const tables = await svc.deps.database.query<{ schema: string; name: string }>(
    `select table_schema as schema, table_name as name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
     order by 1, 2`,
  );
  let text = '';
  for (const t of tables) {
    const rows = await svc.deps.database.query<{ row: string }>(`select r::text as row from "${t.schema}"."${t.name}" r`);
    text += `\n-- ${t.schema}.${t.name}\n${rows.map((r) => r.row).join('\n')}`;
  }
  return { tables: tables.map((t) => `${t.schema}.${t.name}`), text };
}

const ndjson = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

describe("the insured person's raw id", () => {
  it('is stored nowhere and logged nowhere, whatever was submitted', async () => {
    const claim = inpatientClaim({ insured });
    const requestIds: string[] = [];
    const send = async (init: Parameters<TestService['call']>[1], path = '/v1/claims') => {
      const res = await svc.call(path, init);
      requestIds.push(res.headers.get('x-request-id') ?? '');
      return { status: res.status, body: await res.text() };
    };

    // normal, replayed, conflicting
    expect((await send({ json: claim })).status).toBe(200);
    expect((await send({ json: claim })).status).toBe(200);
    expect((await send({ json: { ...claim, payment: { fund: '190.00', personalAccount: '10.00', cash: '37.00' } } })).status).toBe(409);
    // rejected: by the schema, by the date range, as malformed JSON, as too large — each carrying the id
    expect((await send({ json: { ...claim, claimId: 'R1', visitType: 'nope' } })).status).toBe(400);
    expect((await send({ json: { ...claim, claimId: 'R2', insured: { ...insured, unknown: PERSON } } })).status).toBe(400);
    expect((await send({ json: outpatientClaim({ insured, visitAt: '2099-01-01 10:00:00' }) })).status).toBe(400);
    expect((await send({ json: outpatientClaim({ insured: { ...insured, birthDate: '2027-01-01' } }) })).status).toBe(400);
    const truncated = JSON.stringify(claim).slice(0, 200);
    expect(truncated).toContain(PERSON);
    expect((await send({ method: 'POST', body: truncated, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await send({ method: 'POST', body: JSON.stringify({ ...claim, departmentCode: PERSON.repeat(70_000) }), headers: { 'content-type': 'application/json' } })).status).toBe(413);
    // the same through the stream, with a line too long and a line that is not JSON
    const other = outpatientClaim({ insured });
    const streamed = await send(
      {
        method: 'POST',
        body: ndjson([
          other,
          other,
          { ...other, payment: { fund: 5, personalAccount: 0, cash: 5 } },
          { ...other, claimId: 'R3', lines: [] },
          truncated,
          JSON.stringify({ ...other, departmentCode: PERSON.repeat(70_000) }),
          outpatientClaim({ insured, visitAt: '2099-01-01 10:00:00' }),
        ]),
        headers: { 'content-type': 'application/x-ndjson' },
      },
      '/v1/claims/stream',
    );
    expect(
      streamed.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).status),
    ).toEqual([200, 200, 409, 400, 400, 413, 400]);
    // reading back
    const got = await send({ role: 'auditor' }, `/v1/claims/${claim.institutionId}/${claim.claimId}`);
    expect(JSON.parse(got.body).claim.insured).toEqual({ sex: 'male', birthDate: '1990-03-07' });
    expect(got.body).not.toContain(PERSON);

    // The database: every table, every row.
    const { tables, text } = await dumpDatabase();
    expect(tables).toEqual(expect.arrayContaining(['public.claims', 'public.findings', 'public.rejected_submissions', 'public.api_keys']));
    expect(text).toContain(claim.claimId); // the dump is not empty: the claims are there...
    expect(text).toContain(keyedHash(TEST_SECRET, PERSON)); // ...linked to the person by the keyed hash
    const rejected = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from rejected_submissions');
    expect(rejected[0]!.n).toBe(9); // 5 single 400s, 4 stream lines (a single 413 body is never read, so not recorded)
    expect(text).not.toContain(PERSON);
    expect(text).not.toContain(PERSON.slice(0, 12)); // nor a recognisable part of it

    // The logs: every line the service wrote, each request among them.
    const logs = svc.logs.join('');
    for (const id of requestIds) expect(logs).toContain(id);
    expect(logs).not.toContain(PERSON);
    expect(logs).not.toContain(PERSON.slice(0, 12));
  });

  it('stores the hash, not the id, and links the same person across claims', async () => {
    const a = outpatientClaim({ insured });
    const b = inpatientClaim({ insured: { ...insured, id: `${PERSON.slice(0, -1)}X` } });
    const [ra, rb] = [await svc.call('/v1/claims', { json: a }), await svc.call('/v1/claims', { json: b })];
    const rows = await svc.deps.database.query<{ claim_no: string; person_hash: string }>('select claim_no, person_hash from claims where claim_no = any($1) order by claim_no', [
      [a.claimId, b.claimId],
    ]);
    const hashes = Object.fromEntries(rows.map((r) => [r.claim_no, r.person_hash]));
    expect(hashes[a.claimId]).toBe(keyedHash(TEST_SECRET, PERSON));
    expect(hashes[b.claimId]).toBe(keyedHash(TEST_SECRET, `${PERSON.slice(0, -1)}X`));
    expect((await json(ra)).claimId).toBe(a.claimId);
    expect((await json(rb)).claimId).toBe(b.claimId);
  });
});
