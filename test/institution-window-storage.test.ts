import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryRanges, inRanges } from '../rules/diagnosis/icd.js';
import { OUTPATIENT_TREATABLE } from '../rules/stays/low-standard-admission.js';
import { buildClaimSchema, type ClaimInput } from '../src/claims/claim.schema.js';
import { normalizeClaim } from '../src/claims/normalize.js';
import { migrationsFolder, openDatabase, type Database, type Row } from '../src/db/client.js';
import { categoryBounds, createHistoryRepository } from '../src/screening/history.repository.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { freshDatabaseUrl } from './support/database.js';
import { migrationsUpTo } from './support/migrations.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * What migrations 0033 and 0034 store for the institution window (src/screening/history.repository.ts),
 * on PGlite or PostgreSQL (DATABASE_URL): the midnight census as running counts per institution and
 * night (institution_nights, kept by triggers on claims), the lines a window reads of a claim
 * (claims.window_lines) and the short stays ADMISSION-CLUSTER reads (institution_short_stays, kept
 * by triggers on claims). Each is held to what it replaces: the counts to a count of the stored
 * stays at each midnight, the stored lines to the claim's lines (its body), the window read with them to
 * the same read from the body, the short stays to the claims they are taken from and the read of
 * them to the stays the rule counts.
 */
let svc: TestService;
const HOSPITAL = 'H32010200031';
const PHARMACY = 'P32010200032';
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: HOSPITAL }, { id: PHARMACY, type: 'pharmacy', level: 'none' }],
    items: [
      { code: 'XA01', name: '药一', category: 'drug' },
      { code: 'XA02', name: '药二', category: 'drug' },
      { code: '120100001', name: '床位费', category: 'bed' },
      { code: '330100001', name: '手术', category: 'operation' },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

const q = <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => svc.deps.database.query<T>(text, params);
let n = 0;
const person = () => ({ id: `3201021975${String(++n).padStart(8, '0')}`, sex: 'male', birthDate: '1975-01-01' });
const send = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  expect(res.status).toBe(200);
};
const stay = (claimId: string, admitted: string, discharged: string, main = 'J18.900', operation = false) =>
  inpatientClaim({
    institutionId: HOSPITAL,
    claimId,
    insured: person(),
    admittedAt: admitted,
    dischargedAt: discharged,
    diagnoses: [{ code: main, main: true }],
    lines: [
      { lineId: 'B', itemCode: '120100001', category: 'bed', serviceAt: admitted, quantity: 1, unitPrice: 45, amount: 45 },
      ...(operation ? [{ lineId: 'OP', itemCode: '330100001', category: 'operation', serviceAt: admitted, quantity: 1, unitPrice: 100, amount: 100 }] : []),
    ],
    totalAmount: operation ? 145 : 45,
    payment: { fund: 40, personalAccount: 0, cash: operation ? 105 : 5 },
  });
const purchase = (claimId: string, at: string) =>
  outpatientClaim({
    institutionId: PHARMACY,
    claimId,
    insured: person(),
    visitType: 'pharmacy',
    visitAt: at,
    lines: ['XA01', 'XA02'].map((itemCode, i) => ({ lineId: `R${i + 1}`, itemCode, category: 'drug', serviceAt: at, quantity: 1, unitPrice: 10, amount: 10 })),
    totalAmount: 20,
    payment: { fund: 10, personalAccount: 0, cash: 10 },
  });
const schema = buildClaimSchema({ maxLines: 1000 });
const asClaim = (input: object) => normalizeClaim(schema.parse(input) as ClaimInput, 'probe-person');

// The stays at midnight of each night (00:00 China Standard Time) counted from the claims: admitted
// before it, at most 366 days before, discharged at or after it.
const recount = () =>
  q<{ night: string; stays: number }>(
    `select d.night::text as night, count(*)::int as stays
     from (select distinct institution_id, (started_at at time zone 'Asia/Shanghai')::date + k as night
           from claims, generate_series(1, 400) k where institution_id = $1 and visit_type = 'inpatient') d
     join claims c on c.institution_id = d.institution_id and c.visit_type = 'inpatient'
       and c.started_at < (d.night::timestamp at time zone 'Asia/Shanghai')
       and c.ended_at >= (d.night::timestamp at time zone 'Asia/Shanghai')
       and (c.started_at at time zone 'Asia/Shanghai')::date >= d.night - 366
     group by 1 order by 1`,
    [HOSPITAL],
  );
const counts = () => q<{ night: string; stays: number }>(`select night::text as night, stays from institution_nights where institution_id = $1 and stays <> 0 order by 1`, [HOSPITAL]);

/** a stay written straight into claims (as an operator's hand edit would), without lines */
const insertStay = (claimNo: string, started: string, ended: string) =>
  q(
    `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount,
       decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
     values (gen_random_uuid(), $1, $2, 'hand', 'inpatient', $3, $4, to_char($3::timestamptz at time zone 'Asia/Shanghai', 'YYYY-MM'), 0, 0, 'pass', 'x', '{}', '{}', 0, 0, 0)`,
    [HOSPITAL, claimNo, started, ended],
  );

describe('the midnight census as running counts (institution_nights)', () => {
  it('equal a count of the stored stays at each midnight as stays arrive, are changed and removed; a stay counts at most 366 nights', async () => {
    await send(stay('N1', '2026-10-10 08:00:00', '2026-10-14 09:00:00'));
    await send(stay('N2', '2026-10-10 23:30:00', '2026-10-11 00:00:00'));
    await send(stay('N3', '2026-10-12 10:00:00', '2026-10-12 18:00:00'));
    await send(stay('N4', '2026-10-13 10:00:00', '2026-10-20 10:00:00'));
    expect((await counts()).length).toBeGreaterThan(5);
    expect(await counts()).toEqual(await recount());
    // N2 spans exactly one midnight (discharged at it), N3 none
    expect((await counts()).find((r) => r.night === '2026-10-11')?.stays).toBe(2);
    expect((await counts()).find((r) => r.night === '2026-10-12')?.stays).toBe(1);

    // a stay of more than a year counts on the 366 nights after its admission day only
    await insertStay('LONG', '2025-09-01T10:00:00+08:00', '2026-10-30T10:00:00+08:00');
    expect(
      await q(`select min(night)::text as first, max(night)::text as last, count(*)::int as nights from institution_nights where institution_id = $1 and night < '2026-10-01'`, [HOSPITAL]),
    ).toEqual([{ first: '2025-09-02', last: '2026-09-02', nights: 366 }]);
    expect(await counts()).toEqual(await recount());

    await q(`update claims set ended_at = '2026-10-18T09:00:00+08:00' where institution_id = $1 and claim_no = 'N1'`, [HOSPITAL]);
    await insertStay('GONE', '2026-10-11T10:00:00+08:00', '2026-10-16T10:00:00+08:00');
    await q(`delete from claims where institution_id = $1 and claim_no = 'GONE'`, [HOSPITAL]);
    expect(await counts()).toEqual(await recount());
  });

  it('a census read counts the stays at midnight after the admission day, the claim itself left out when it is stored', async () => {
    const night = async (claim: object) => (await svc.deps.history.forClaim(asClaim(claim))).history.institution?.census;
    const at = async (day: string) => (await counts()).find((r) => r.night === day)?.stays ?? 0;
    // a stay not stored: every stay there at midnight after 2026-10-13
    expect(await night(stay('PROBE', '2026-10-13 09:00:00', '2026-10-15 09:00:00'))).toBe(await at('2026-10-14'));
    expect(await at('2026-10-14')).toBe(2);
    // N4 itself, stored, is there that night: it counts the others only
    expect(await night(stay('N4', '2026-10-13 10:00:00', '2026-10-20 10:00:00'))).toBe(1);
    // a night no stay spans
    expect(await night(stay('PROBE-2', '2026-11-20 09:00:00', '2026-11-22 09:00:00'))).toBe(0);
  });
});

describe('the census of stays in flight (src/screening/stays-in-flight.ts)', () => {
  /** a stay stored by hand under a given id, with its key (as the service's write stores it) */
  const storeStay = async (claimNo: string, id: string) => {
    await q(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount,
         decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       values ($1, $2, $3, 'hand', 'inpatient', '2026-11-02T10:00:00+08:00', '2026-11-06T10:00:00+08:00', '2026-11', 0, 0, 'pass', 'x', '{}', '{}', 0, 0, 0)`,
      [id, HOSPITAL, claimNo],
    );
    await q(`insert into claim_keys (institution_id, claim_no, claim_id, person_hash, service_month, content_hash) values ($1, $2, $3, 'hand', '2026-11', 'x')`, [HOSPITAL, claimNo, id]);
  };
  const uuid = (k: number) => `00000000-0000-7000-8000-${String(k).padStart(12, '0')}`;
  const F = (claimNo: string) => asClaim(stay(claimNo, '2026-11-02 09:00:00', '2026-11-06 09:00:00'));
  const census = async (claim: ReturnType<typeof F>, ticket?: Parameters<typeof svc.deps.history.forClaim>[1]) => (await svc.deps.history.forClaim(claim, ticket)).history.institution?.census;

  it('a stay counts those accepted before it, stored or not, once; none accepted after it; a stay that stored nothing leaves the book', async () => {
    const h = svc.deps.history;
    const [A, B, C, R] = ['IF-A', 'IF-B', 'IF-C', 'IF-R'].map(F) as [ReturnType<typeof F>, ReturnType<typeof F>, ReturnType<typeof F>, ReturnType<typeof F>];
    // R was stored before any of them (it comes again below, a replay)
    await storeStay('IF-R', uuid(9));
    expect(await census(A)).toBe(1);
    const a = h.acceptStay(A);
    const b = h.acceptStay(B);
    const c = h.acceptStay(C);
    if (!a || !b || !c) throw new Error('a stay is accepted');
    expect(h.acceptStay(asClaim(purchase('IF-P', '2026-11-02 10:00:00')))).toBeUndefined();
    // R, and those accepted before each, not stored yet
    expect([await census(A, a), await census(B, b), await census(C, c)]).toEqual([1, 2, 3]);
    // A's write commits: it is in the running counts now, and counted once
    a.writing(uuid(1));
    await storeStay('IF-A', uuid(1));
    expect([await census(A, a), await census(B, b), await census(C, c)]).toEqual([1, 2, 3]);
    // C, accepted after B, is written before B is read (B waited for its person's lock): B does not count it
    c.writing(uuid(3));
    await storeStay('IF-C', uuid(3));
    expect([await census(A, a), await census(B, b), await census(C, c)]).toEqual([1, 2, 3]);
    // R again after C: its write stores nothing (the stored copy keeps its id), so it is not taken off
    // A's count, and it counts once for a stay accepted after it
    const r = h.acceptStay(R);
    r?.writing(uuid(10));
    const D = F('IF-D');
    const d = h.acceptStay(D);
    expect([await census(A, a), await census(B, b), await census(D, d)]).toEqual([1, 2, 4]);
    // B fails before its write: a stay accepted after it no longer counts it
    b.end();
    r?.end();
    expect(await census(D, d)).toBe(3);
    // a claim assessed without a place (not for storing) counts every stay in flight not stored
    expect(await census(F('IF-E'))).toBe(4);
    d?.end();
    // C stored and ended while A, accepted before it, is still screened: C stays in the book for A,
    // and so does R, whose write was sent (only a stay of which no write was sent leaves at once)
    c.end();
    expect(h.staysInFlight()).toBe(3);
    expect(await census(A, a)).toBe(1);
    a.end();
    expect(h.staysInFlight()).toBe(0);
    // and a stay now counts what is stored: R, A and C
    expect(await census(F('IF-F'))).toBe(3);
  });
});

describe('the lines a window reads, stored with the claim (claims.window_lines)', () => {
  it('are the claim’s lines for pharmacy claims and short stays, none for a long stay; the window reads the same with them as from the body', async () => {
    for (let i = 1; i <= 3; i++) await send(purchase(`W-P${i}`, `2026-10-21 10:0${i}:00`));
    await send(stay('W-S1', '2026-10-21 10:00:00', '2026-10-23 09:00:00', 'J06.900', true));
    await send(stay('W-S2', '2026-10-22 10:00:00', '2026-10-23 09:00:00', 'J06.900'));
    await send(stay('W-L', '2026-10-21 10:00:00', '2026-10-27 09:00:00', 'J06.900'));
    const stored = await q<{ claim_no: string; window_lines: unknown; from_lines: unknown }>(
      `select c.claim_no, c.window_lines,
         (select jsonb_agg(case when l.category = 'operation' then jsonb_build_array(l.line_id, l.item_code, 'operation') else jsonb_build_array(l.line_id, l.item_code) end order by l.line_no)
          from claim_lines_of(c.body) l) as from_lines
       from claims c where c.claim_no like 'W-%' order by c.claim_no`,
    );
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    expect(stored.map((r) => [r.claim_no, parse(r.window_lines)])).toEqual([
      ['W-L', null],
      [
        'W-P1',
        [
          ['R1', 'XA01'],
          ['R2', 'XA02'],
        ],
      ],
      [
        'W-P2',
        [
          ['R1', 'XA01'],
          ['R2', 'XA02'],
        ],
      ],
      [
        'W-P3',
        [
          ['R1', 'XA01'],
          ['R2', 'XA02'],
        ],
      ],
      [
        'W-S1',
        [
          ['B', '120100001'],
          ['OP', '330100001', 'operation'],
        ],
      ],
      ['W-S2', [['B', '120100001']]],
    ]);
    for (const r of stored.filter((x) => x.claim_no !== 'W-L')) expect(parse(r.window_lines)).toEqual(parse(r.from_lines));

    const window = async () => {
      const pharmacy = (await svc.deps.history.forClaim(asClaim(purchase('W-PROBE', '2026-10-21 10:10:00')))).history.institution;
      const hospital = (await svc.deps.history.forClaim(asClaim(stay('W-PROBE', '2026-10-22 12:00:00', '2026-10-23 12:00:00', 'J06.900')))).history.institution;
      return { nearby: pharmacy?.nearby, admissions: hospital?.admissions };
    };
    const withStored = await window();
    expect(withStored.nearby?.map((w) => [w.claimNo, w.lines]).sort()).toEqual(
      ['W-P1', 'W-P2', 'W-P3'].map((c) => [
        c,
        [
          ['R1', 'XA01'],
          ['R2', 'XA02'],
        ],
      ]),
    );
    expect(withStored.admissions?.map((w) => [w.claimNo, w.operation, w.lines])).toEqual([
      [
        'W-S1',
        true,
        [
          ['B', '120100001'],
          ['OP', '330100001'],
        ],
      ],
      ['W-S2', false, [['B', '120100001']]],
    ]);
    // claims stored before migration 0033 have none: their lines are read from the body, the same
    await q(`update claims set window_lines = null where claim_no like 'W-%'`);
    expect(await window()).toEqual(withStored);
    // read in one statement with claims of later months (the statement's literal month bounds are the
    // batch's earliest and latest), the same
    const [early, , later] = await Promise.all([
      svc.deps.history.forClaim(asClaim(purchase('W-PROBE', '2026-10-21 10:10:00'))),
      svc.deps.history.forClaim(asClaim(purchase('W-PROBE-2', '2027-01-21 10:10:00'))),
      svc.deps.history.forClaim(asClaim(stay('W-PROBE', '2026-10-22 12:00:00', '2026-10-23 12:00:00', 'J06.900'))),
    ]);
    expect({ nearby: early.history.institution?.nearby, admissions: later.history.institution?.admissions }).toEqual(withStored);
  });
});

// The stays of at most three calendar days (China Standard Time) with a main diagnosis, from the claims.
const SHORT_FROM_CLAIMS = `
  select institution_id, upper(substr(main_diagnosis, 1, 3)) as category, started_at::text, claim_no, ended_at::text, main_diagnosis,
         person_hash, id::text as claim_id, service_month, window_lines::text
  from claims
  where visit_type = 'inpatient' and main_diagnosis is not null
    and (ended_at at time zone 'Asia/Shanghai')::date - (started_at at time zone 'Asia/Shanghai')::date <= 3
  order by institution_id, upper(substr(main_diagnosis, 1, 3)) collate "C", started_at, claim_no`;
const SHORT_STORED = `
  select institution_id, category, started_at::text, claim_no, ended_at::text, main_diagnosis, person_hash, claim_id::text, service_month, window_lines::text
  from institution_short_stays order by institution_id, category, started_at, claim_no`;

describe('the short stays ADMISSION-CLUSTER reads (institution_short_stays)', () => {
  it('are the stored stays of at most three calendar days with a main diagnosis, as stays arrive, are changed and removed', async () => {
    await send(stay('S-1', '2026-08-10 10:00:00', '2026-08-12 09:00:00', 'J06.900'));
    await send(stay('S-2', '2026-08-10 23:00:00', '2026-08-13 23:30:00', 'K29.700')); // three calendar days
    await send(stay('S-3', '2026-08-11 10:00:00', '2026-08-15 09:00:00', 'J06.900')); // four calendar days: not one
    await send(stay('S-4', '2026-08-11 10:00:00', '2026-08-12 09:00:00', 'I10.x00', true)); // an operation: kept, the rule judges it
    const rows = await q<Record<string, unknown>>(SHORT_STORED);
    expect(rows.filter((r) => String(r.claim_no).startsWith('S-')).map((r) => [r.claim_no, r.category])).toEqual([
      ['S-4', 'I10'],
      ['S-1', 'J06'],
      ['S-2', 'K29'],
    ]);
    expect(rows).toEqual(await q(SHORT_FROM_CLAIMS));
    expect(rows.find((r) => r.claim_no === 'S-4')?.window_lines).toBe('[["B", "120100001"], ["OP", "330100001", "operation"]]');

    // hand edits: a stay made longer, another shortened and its diagnosis in lower case, one removed, one without a main diagnosis
    await q(`update claims set ended_at = '2026-08-16T09:00:00+08:00' where institution_id = $1 and claim_no = 'S-1'`, [HOSPITAL]);
    await q(`update claims set ended_at = '2026-08-13T09:00:00+08:00', main_diagnosis = 'k52.900' where institution_id = $1 and claim_no = 'S-3'`, [HOSPITAL]);
    await insertStay('S-5', '2026-08-12T10:00:00+08:00', '2026-08-13T10:00:00+08:00');
    await insertStay('S-6', '2026-08-12T10:00:00+08:00', '2026-08-13T10:00:00+08:00');
    await q(`update claims set main_diagnosis = 'J20.900' where institution_id = $1 and claim_no = 'S-6'`, [HOSPITAL]);
    expect((await q<{ n: number }>(`select count(*)::int as n from institution_short_stays where claim_no = 'S-6'`))[0]?.n).toBe(1);
    await q(`delete from claims where institution_id = $1 and claim_no in ('S-6')`, [HOSPITAL]);
    const after = await q<Record<string, unknown>>(SHORT_STORED);
    expect(after.filter((r) => String(r.claim_no).startsWith('S-')).map((r) => [r.claim_no, r.category])).toEqual([
      ['S-4', 'I10'],
      ['S-2', 'K29'],
      ['S-3', 'K52'],
    ]);
    expect(after).toEqual(await q(SHORT_FROM_CLAIMS));
  });

  it('are read for a short stay by the categories of the rule’s list only, each once; every category without a list', async () => {
    const mains = ['J06.900', 'J20.900', 'J18.900', 'K29.700', 'I10.x00', 'M54.500', 'J45.900', 'Z00.000'];
    for (const [i, main] of mains.entries()) await send(stay(`C-${i}`, `2026-07-${String(10 + i).padStart(2, '0')} 10:00:00`, `2026-07-${String(11 + i).padStart(2, '0')} 09:00:00`, main));
    await send(stay('C-FAR', '2026-07-25 10:00:00', '2026-07-26 09:00:00', 'J06.900')); // beyond the 7 days either side
    await send(stay('C-LONG', '2026-07-12 10:00:00', '2026-07-17 09:00:00', 'J06.900'));
    const probe = stay('C-1', '2026-07-14 10:00:00', '2026-07-15 09:00:00', 'J20.900'); // itself stored: left out
    const read = async (repo: { forClaim: typeof svc.deps.history.forClaim }) => (await repo.forClaim(asClaim(probe))).history.institution?.admissions.map((w) => [w.claimNo, w.mainDiagnosis]);
    const treatable = categoryRanges(OUTPATIENT_TREATABLE);
    // the service's window (ADMISSION-CLUSTER's list): the stays the rule could count
    const expected = mains.map((m, i) => [`C-${i}`, m]).filter(([no, m]) => no !== 'C-1' && inRanges(m as string, treatable));
    expect(expected.map(([no]) => no)).toEqual(['C-0', 'C-3', 'C-5', 'C-7']);
    expect(await read(svc.deps.history)).toEqual(expected);
    // a list of overlapping ranges reads each stay once
    const overlapping = createHistoryRepository({
      database: svc.deps.database,
      windowDays: 30,
      windowNeeds: () => ({ nearby: false, admissions: true, admissionCategories: ['J00-J30', 'J06', 'J18-J20', 'K29'], doctor: false, census: 0 }),
    });
    expect(await read(overlapping)).toEqual([
      ['C-0', 'J06.900'],
      ['C-2', 'J18.900'],
      ['C-3', 'K29.700'],
    ]);
    // without a list (tests, benches): every short stay of the week
    const all = createHistoryRepository({ database: svc.deps.database, windowDays: 30 });
    expect(await read(all)).toEqual(mains.map((m, i) => [`C-${i}`, m]).filter(([no]) => no !== 'C-1'));
  });

  it('bounds: ranges sorted and merged, every category when there is no list', () => {
    expect(categoryBounds(['K29', 'J00-J06', 'j05-J21', 'J30'])).toEqual({ clo: ['J00', 'J30', 'K29'], chi: ['J21', 'J30', 'K29'] });
    expect(categoryBounds(['E78', 'E78'])).toEqual({ clo: ['E78'], chi: ['E78'] });
    const every = categoryBounds(undefined);
    expect(every.clo).toEqual(['']);
    // above every three characters, compared as UTF-8 bytes
    for (const cat of ['Z99', 'ZZZ', '\u00ff\u00ff\u00ff', '\u{10FFFF}\u{10FFFE}']) expect(Buffer.compare(Buffer.from(cat), Buffer.from(every.chi[0] as string))).toBe(-1);
  });
});

describe('migration 0034 on a database stored before it', () => {
  it('fills institution_short_stays from the stored claims, stays stored before 0033 included', async () => {
    const upTo0033 = migrationsUpTo('0033_');
    const fresh = await freshDatabaseUrl({ empty: true });
    const rows: [string, string, string, string | null, string | null][] = [
      // claim no, admitted, discharged, main diagnosis, window lines
      ['M-1', '2026-10-10T10:00:00+08:00', '2026-10-12T09:00:00+08:00', 'J06.900', '[["L1", "120100001"]]'],
      ['M-2', '2026-10-10T10:00:00+08:00', '2026-10-13T09:00:00+08:00', 'K29.700', null], // stored before 0033
      ['M-3', '2026-10-10T10:00:00+08:00', '2026-10-14T09:00:00+08:00', 'J06.900', '[["L1", "120100001"]]'], // four days
      ['M-4', '2026-10-10T10:00:00+08:00', '2026-10-11T09:00:00+08:00', null, null], // no main diagnosis
    ];
    const seed = async (query: (text: string, params?: unknown[]) => Promise<unknown>) => {
      for (const [no, started, ended, main, lines] of rows)
        await query(
          `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, main_diagnosis, total_amount, payable_amount,
             decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec, window_lines)
           values (gen_random_uuid(), 'H1', $1, 'p-' || $1, 'inpatient', $2, $3, '2026-10', $4, 0, 0, 'pass', 'x', '{}', '{}', 1, 0, 0, $5::jsonb)`,
          [no, started, ended, main, lines],
        );
    };
    let db: Pick<Database, 'query' | 'close'> | undefined;
    try {
      if (fresh.url) {
        const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
        await migratePostgres(drizzlePostgres(client), { migrationsFolder: upTo0033 });
        await seed((text, params = []) => client.unsafe(text, params as never[]));
        await client.end();
        db = await openDatabase({ databaseUrl: fresh.url, pgliteDir: 'memory://', poolMax: 1, statementTimeoutMs: 10_000 }); // applies 0034
      } else {
        const pg = await PGlite.create('memory://');
        await migratePglite(drizzlePglite(pg), { migrationsFolder: upTo0033 });
        await seed((text, params = []) => pg.query(text, params));
        await migratePglite(drizzlePglite(pg), { migrationsFolder });
        db = { query: async <T extends Row>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows, close: () => pg.close() };
      }
      const stored = await db.query<Record<string, unknown>>(SHORT_STORED);
      expect(stored.map((r) => [r.claim_no, r.category, r.window_lines])).toEqual([
        ['M-1', 'J06', '[["L1", "120100001"]]'],
        ['M-2', 'K29', null],
      ]);
      expect(stored).toEqual(await db.query(SHORT_FROM_CLAIMS));
    } finally {
      await db?.close();
      await fresh.drop();
      rmSync(upTo0033, { recursive: true, force: true });
    }
  });
});
