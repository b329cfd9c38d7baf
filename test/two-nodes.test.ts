import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../rules/decide.js';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema, type ClaimInput } from '../src/claims/claim.schema.js';
import type { ScreenedClaim } from '../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { screenClaim, screeningContext, type ScreenContext } from '../src/claims/screen-claim.js';
import { buildDeps } from '../src/compose.js';
import type { AppDeps } from '../src/deps.js';
import { AppError } from '../src/errors.js';
import { httpStatusOf } from '../src/http/error-status.js';
import { canonicalJson, keyedHash } from '../src/lib/hash.js';
import { outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { onPostgres } from './support/database.js';
import { startTestService, TEST_SECRET, type TestService } from './support/service.js';

// Two nodes on one database: node B is a second set of dependencies (its own person lock, its own
// batchers, its own caches) over node A's database, as a second process would be. Within a process
// the person lock orders one person's claims; across nodes the person's version does. A version is
// the epoch × 2^32 plus the person's claims written in it (migration 0045): the versions below are
// counted from the epoch's start.

let svc: TestService;
let nodeB: AppDeps;
const schema = buildClaimSchema({ maxLines: 500 });
const INST = 'H32010200001';

beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, { institutions: [{ id: INST }] });
  nodeB = buildDeps(svc.deps.config, svc.deps.database, svc.deps.logger, TEST_SECRET);
  await nodeB.referenceCache.refresh(true);
});
afterAll(async () => {
  await svc?.close();
});

const context = (deps: AppDeps, over: Partial<ScreenContext> = {}): ScreenContext => ({
  ...screeningContext(deps, { clientId: null, requestId: undefined }),
  ...over,
});

let people = 0;
/** an outpatient visit of its own person, billing the consultation once on 3 October */
const visit = (claimId: string, person: string) =>
  schema.parse(
    outpatientClaim({
      claimId,
      insured: { id: person, sex: 'male', birthDate: '1958-03-14' },
      lines: [{ lineId: 'A', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 }],
    }),
  ) as ClaimInput;
const newPerson = () => `3201021960010${String(++people).padStart(5, '0')}`;

/** the current epoch's start: its first version */
const epochStart = async () => Number((await svc.deps.database.query<{ v: unknown }>(`select person_versions_epoch() << 32 as v`))[0]!.v);
const versionOf = async (person: string) => {
  const rows = await svc.deps.database.query<{ version: unknown }>('select version from person_versions where person_hash = $1', [keyedHash(TEST_SECRET, person)]);
  return rows[0] ? Number(rows[0].version) - (await epochStart()) : undefined;
};
const storedCount = async (claimNos: string[]) => Number((await svc.deps.database.query<{ n: unknown }>('select count(*) as n from claims where claim_no = any($1::text[])', [claimNos]))[0]?.n);

/** Screens a claim as POST /v1/claims does, without storing it, with the version its history read. */
async function screened(input: ClaimInput, deps: AppDeps): Promise<ScreenedClaim> {
  const claim = normalizeClaim(input, keyedHash(TEST_SECRET, input.insured.id));
  const { history } = deps;
  const { personVersion } = await history.forClaim(claim);
  const id = randomUUID();
  const answer = buildAnswer({ id, claim, findings: [], findingIds: [], decision: decide(claim, []), screenedAt: Date.now() });
  return { id, claim, contentHash: keyedHash(TEST_SECRET, canonicalJson(claim)), clientId: null, body: storableBody(input), answer, findings: [], retrospective: [], personVersion };
}

describe('one person, two nodes', () => {
  it('two claims of one person at two nodes at once: whichever is stored second sees the first, so the copy carries the finding and the original a reference', async () => {
    const person = newPerson();
    const [a, b] = await Promise.all([screenClaim({ ctx: context(svc.deps), input: visit('TWO-A', person) }), screenClaim({ ctx: context(nodeB), input: visit('TWO-B', person) })]);
    const dup = (fs: { ruleId: string }[]) => fs.filter((f) => f.ruleId === 'DUP-SAME-LINE');
    // TWO-B is the copy (submitted second: the later claim number, neither has a settlement time),
    // whichever of the two was stored second: it carries the finding, in its answer when it was
    // screened with TWO-A in its history, else filed on it later, when TWO-A was.
    const stored = async (claimId: string) => json(await svc.call(`/v1/claims/${INST}/${claimId}`, { role: 'auditor' }));
    const [original, copy] = [await stored('TWO-A'), await stored('TWO-B')];
    expect(dup([...a.answer.findings, ...original.laterFindings])).toEqual([]);
    const onCopy = [...dup(b.answer.findings), ...dup(copy.laterFindings)];
    expect(onCopy).toHaveLength(1);
    expect(onCopy[0]).toMatchObject({ violatingLines: ['A'] });
    expect(b.answer.decision === 'withhold' || dup(copy.laterFindings).length === 1).toBe(true);
    expect(original.references.filter((r: { ruleId: string }) => r.ruleId === 'DUP-SAME-LINE')).toMatchObject([{ findingClaim: { institutionId: INST, claimId: 'TWO-B' } }]);
    expect(await storedCount(['TWO-A', 'TWO-B'])).toBe(2);
    expect(await versionOf(person)).toBe(2);
  });

  it('a claim whose person moved on since its history was read is not written; with the version read, it is', async () => {
    const person = newPerson();
    const early = await screened(visit('VER-1', person), svc.deps);
    expect(early.personVersion).toBe(await epochStart());
    const other = await screened(visit('VER-2', person), nodeB);
    expect(await svc.deps.claims.insertScreened(other)).toEqual({ inserted: true });
    expect(await versionOf(person)).toBe(1);

    // read at version 0, the person is at 1 now: refused, nothing of it stored
    expect(await svc.deps.claims.insertScreened(early)).toEqual({ inserted: false, stale: true });
    expect(await storedCount(['VER-1'])).toBe(0);
    expect(await versionOf(person)).toBe(1);

    const again = await screened(visit('VER-1', person), svc.deps);
    expect(again.personVersion).toBe((await epochStart()) + 1);
    expect(await svc.deps.claims.insertScreened(again)).toEqual({ inserted: true });
    expect(await versionOf(person)).toBe(2);
  });

  it('in one batch, a stale claim is refused and the claims beside it are written', async () => {
    const [p1, p2] = [newPerson(), newPerson()];
    const staleOne = await screened(visit('BATCH-S', p1), svc.deps);
    await svc.deps.claims.insertScreened(await screened(visit('BATCH-X', p1), nodeB));
    const fine = await screened(visit('BATCH-F', p2), svc.deps);
    // handed in in one turn of the event loop: one statement
    const outcomes = await Promise.all([svc.deps.claims.insertScreened(staleOne), svc.deps.claims.insertScreened(fine)]);
    expect(outcomes).toEqual([{ inserted: false, stale: true }, { inserted: true }]);
    expect(await storedCount(['BATCH-S', 'BATCH-F', 'BATCH-X'])).toBe(2);
    expect(await versionOf(p1)).toBe(1);
    expect(await versionOf(p2)).toBe(1);
  });

  it('a claim that keeps finding its person moved on is answered 503 after 5 screenings, and nothing is stored', async () => {
    const person = newPerson();
    await screenClaim({ ctx: context(nodeB), input: visit('BUSY-0', person) });
    // a history that always reports the version before the other node's claim
    const start = await epochStart();
    const history = { forClaim: async (c: Parameters<AppDeps['history']['forClaim']>[0]) => ({ ...(await svc.deps.history.forClaim(c)), personVersion: start }) };
    let reads = 0;
    const counting = { forClaim: (c: Parameters<AppDeps['history']['forClaim']>[0]) => (reads++, history.forClaim(c)) };
    const err = await screenClaim({ ctx: context(svc.deps, { history: counting }), input: visit('BUSY-1', person) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'person_busy' });
    expect(httpStatusOf(err as AppError)).toBe(503);
    expect(reads).toBe(5);
    expect(await storedCount(['BUSY-1'])).toBe(0);
  });

  it('the versions are kept without WAL; emptied as by a crash, a new epoch begins and a claim read before is screened again', async () => {
    if (onPostgres()) expect(await svc.deps.database.query(`select relpersistence from pg_class where relname = 'person_versions'`)).toEqual([{ relpersistence: 'u' }]);
    const person = newPerson();
    await svc.deps.claims.insertScreened(await screened(visit('EPOCH-0', person), svc.deps));
    const before = await epochStart();
    const early = await screened(visit('EPOCH-1', person), svc.deps);
    expect(early.personVersion).toBe(before + 1);
    // what crash recovery does to an unlogged table
    await svc.deps.database.query('delete from person_versions');
    // read before the crash: refused, though its person's row is gone and another at its version could be inserted
    expect(await svc.deps.claims.insertScreened(early)).toEqual({ inserted: false, stale: true });
    // so is a claim of a person without a row then (read at the old epoch's start)
    const fresh = await screened(visit('EPOCH-2', newPerson()), svc.deps);
    await svc.deps.database.query('delete from person_versions');
    expect(await svc.deps.claims.insertScreened(fresh)).toEqual({ inserted: false, stale: true });
    expect(await storedCount(['EPOCH-1', 'EPOCH-2'])).toBe(0);
    // the next read begins a new epoch, later than any before; read again, the claim goes in
    const again = await screened(visit('EPOCH-1', person), svc.deps);
    const after = await epochStart();
    expect(after).toBeGreaterThan(before);
    expect(again.personVersion).toBe(after);
    expect(await svc.deps.claims.insertScreened(again)).toEqual({ inserted: true });
    expect(await versionOf(person)).toBe(1);

    // the epoch's row alone removed (by hand): the persons' rows of the old epoch are ignored and
    // overwritten, so their claims go in after one more read, not never
    await svc.deps.database.query(`delete from person_versions where person_hash = ''`);
    const old = await screened(visit('EPOCH-3', person), svc.deps);
    const next = await epochStart();
    expect(next).toBeGreaterThan(after);
    expect(old.personVersion).toBe(next);
    expect(await svc.deps.claims.insertScreened(old)).toEqual({ inserted: true });
    expect(await versionOf(person)).toBe(1);
  });
});
