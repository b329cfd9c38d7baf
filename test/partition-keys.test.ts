import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../rules/decide.js';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { createClaimsRepository } from '../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { migrationsFolder, openDatabase, type Database, type Row } from '../src/db/client.js';
import { inpatientClaim } from './support/claims.js';
import { freshDatabaseUrl } from './support/database.js';
import { migrationsUpTo } from './support/migrations.js';

// docs/scaling.md §3–§5: claims and their findings (their lines are in their body, migration 0037) are to be partitioned by service month
// and, beyond one database, distributed by the insured person's hash (Citus), co-located. Both
// need every primary key and unique index of those tables to contain the partition key and the
// distribution column, and every foreign key between co-located tables to include the
// distribution column. This file holds the migrated schema to that, by the catalogue and by
// actually creating partitioned copies of each table (rolled back).

const CO_LOCATED = ['claims', 'findings'] as const;

let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshDatabaseUrl();
  drop = fresh.drop;
  database = await openDatabase({ databaseUrl: fresh.url, pgliteDir: 'memory://', poolMax: 2, statementTimeoutMs: 10_000 });
});
afterAll(async () => {
  await database?.close();
  await drop?.();
});

type Q = <T extends Row>(text: string, params?: unknown[]) => Promise<T[]>;

/** Every unique index (primary keys included) of `table`: its name and its columns. */
async function uniqueIndexes(table: string, query: Q = (t, p) => database.query(t, p)) {
  const rows = await query<{ name: string; primary: boolean; columns: string[] }>(
    `select i.relname as name, x.indisprimary as primary,
            array(select a.attname::text from unnest(x.indkey) with ordinality k(attnum, n)
                  join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum order by k.n) as columns
     from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = $1::regclass and x.indisunique order by i.relname`,
    [table],
  );
  return rows.map((r) => ({ name: r.name, primary: r.primary, columns: [...r.columns] }));
}

/** Every foreign key referencing `table`: the referencing table and both column lists, in key order. */
async function foreignKeysTo(table: string, query: Q = (t, p) => database.query(t, p)) {
  const rows = await query<{ from_table: string; columns: string[]; referenced: string[] }>(
    `select c.conrelid::regclass::text as from_table,
            array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, n)
                  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.n) as columns,
            array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, n)
                  join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.n) as referenced
     from pg_constraint c where c.contype = 'f' and c.confrelid = $1::regclass and c.conparentid = 0 order by 1`,
    [table],
  );
  return rows.map((r) => ({ from: r.from_table, columns: [...r.columns], referenced: [...r.referenced] }));
}

/**
 * The statement triggers that check a line's, a finding's and a reference's claim (migration 0036,
 * in place of the foreign keys 0032 declared between each month's partitions), and the one on
 * claims that keeps a claim still named by them: table, trigger, function.
 */
async function claimChecks(query: Q = (t, p) => database.query(t, p)) {
  return query<{ table: string; trigger: string; fn: string }>(
    `select g.tgrelid::regclass::text as table, g.tgname as trigger, g.tgfoid::regproc::text as fn from pg_trigger g
     where g.tgfoid in ('claim_rows_claim_exists'::regproc, 'claims_still_referenced'::regproc) and not g.tgisinternal order by 1, 2`,
  );
}
const CLAIM_CHECKS = [
  ['claims', 'claims_referenced_delete', 'claims_still_referenced'],
  ['claims', 'claims_referenced_update', 'claims_still_referenced'],
  ['finding_references', 'finding_references_claim_insert', 'claim_rows_claim_exists'],
  ['finding_references', 'finding_references_claim_update', 'claim_rows_claim_exists'],
  ['findings', 'findings_claim_insert', 'claim_rows_claim_exists'],
  ['findings', 'findings_claim_update', 'claim_rows_claim_exists'],
].map(([table, trigger, fn]) => ({ table, trigger, fn }));

describe('keys compatible with monthly partitions and distribution by person', () => {
  it('claims, findings: every primary key and unique index contains service_month and person_hash', async () => {
    const keys = Object.fromEntries(await Promise.all(CO_LOCATED.map(async (t) => [t, await uniqueIndexes(t)] as const)));
    expect(keys).toEqual({
      claims: [{ name: 'claims_pkey', primary: true, columns: ['id', 'person_hash', 'service_month'] }],
      findings: [{ name: 'findings_pkey', primary: true, columns: ['id', 'person_hash', 'service_month'] }],
    });
    for (const t of CO_LOCATED) {
      for (const k of keys[t]!) expect(k.columns, `${t}.${k.name}`).toEqual(expect.arrayContaining(['person_hash', 'service_month']));
    }
  });

  it('every reference to claims carries the whole key, person_hash included', async () => {
    // Findings and references name their claim by (claim_id, person_hash, service_month):
    // since migration 0036 checked by one statement trigger on each parent (once per statement, not
    // a foreign-key query per row), no foreign key on the parents nor between the months' partitions.
    expect(await foreignKeysTo('claims')).toEqual([]);
    expect(await foreignKeysTo('claims_default')).toEqual([]);
    expect(await claimChecks()).toEqual(CLAIM_CHECKS);
    // the check reads the claim by its whole key, one month of the statement's rows at a time (migration 0038)
    const [fn] = await database.query<{ src: string }>(`select prosrc as src from pg_proc where proname = 'claim_rows_claim_exists'`);
    expect(fn!.src).toContain('FROM (SELECT DISTINCT claim_id, person_hash FROM new_rows WHERE service_month = v_month) n');
    expect(fn!.src).toContain('c.id = n.claim_id AND c.person_hash = n.person_hash AND c.service_month = v_month');
    // review_cases names its claim whole too, checked by a trigger rather than a foreign key, so a
    // month whose cases are closed can be detached (migration 0032, docs/operations.md).
    expect(await database.query(`select tgname from pg_trigger where tgrelid = 'review_cases'::regclass and tgname = 'review_cases_claim_exists'`)).toEqual([{ tgname: 'review_cases_claim_exists' }]);
    // Nothing references the findings by a key of their own.
    expect(await foreignKeysTo('findings')).toEqual([]);
  });

  it('the idempotency key lives in claim_keys, which names the claim whole; rejected submissions are keyed by the month of receipt', async () => {
    expect(await uniqueIndexes('claim_keys')).toEqual([{ name: 'claim_keys_pkey', primary: true, columns: ['institution_id', 'claim_no'] }]);
    const columns = await database.query<{ column_name: string; is_nullable: string }>(
      `select column_name, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = 'claim_keys' order by column_name`,
    );
    expect(columns.map((c) => [c.column_name, c.is_nullable])).toEqual([
      ['claim_id', 'NO'],
      ['claim_no', 'NO'],
      ['content_hash', 'NO'],
      ['institution_id', 'NO'],
      ['person_hash', 'NO'],
      ['service_month', 'NO'],
    ]);
    expect(await uniqueIndexes('rejected_submissions')).toEqual([{ name: 'rejected_submissions_pkey', primary: true, columns: ['id', 'received_at'] }]);
  });

  it('partitioned copies of each table, with all their indexes, can be created: by month, by person hash, and the composite foreign keys between them', async () => {
    const statements: [string, string][] = [];
    for (const t of CO_LOCATED) {
      statements.push([`${t} by service_month`, `create table scratch_${t}_m (like ${t} including all) partition by range (service_month)`]);
      statements.push([`${t} by person_hash`, `create table scratch_${t}_p (like ${t} including all) partition by hash (person_hash)`]);
    }
    statements.push(['claim_keys by institution_id', 'create table scratch_claim_keys_i (like claim_keys including all) partition by hash (institution_id)']);
    statements.push(['rejected_submissions by received_at', 'create table scratch_rejected_m (like rejected_submissions including all) partition by range (received_at)']);
    // The composite foreign keys (between the months' partitions from 0032 to 0036), between the month-partitioned copies (PostgreSQL checks a
    // key referencing a partitioned table against its unique index).
    for (const t of ['findings'] as const) {
      statements.push([`${t} → claims, partitioned`, `alter table scratch_${t}_m add foreign key (claim_id, person_hash, service_month) references scratch_claims_m (id, person_hash, service_month)`]);
    }
    statements.push(["one month's partition of claims", `create table scratch_claims_m_2026_10 partition of scratch_claims_m for values from ('2026-10') to ('2026-11')`]);

    const failures: string[] = [];
    const created: string[] = [];
    const rollback = new Error('rollback');
    await expect(
      database.transaction(async (q) => {
        for (const [what, sql] of statements) {
          await q('savepoint s');
          try {
            await q(sql);
            await q('release savepoint s');
            created.push(what);
          } catch (err) {
            await q('rollback to savepoint s');
            failures.push(`${what}: ${(err as Error).message}`);
          }
        }
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(failures).toEqual([]);
    expect(created).toHaveLength(statements.length);
    // Rolled back: nothing of it is left.
    expect(await database.query(`select relname from pg_class where relname like 'scratch\\_%'`)).toEqual([]);
  });
});

// A database stored before 0011_partition_keys: claims of two people over two months, their lines,
// own and retrospective findings, the review cases their findings opened, a rejected submission.
// 0011 must keep every row as it was, fill the new columns from the claims, build claim_keys, and
// leave the new keys; the intake must then find the old claims by their idempotency key.
describe('migration 0011 on a database stored before it', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  const INST = 'H32010200001';
  const ids = { a1: randomUUID(), a2: randomUUID(), b1: randomUUID(), fA2: randomUUID(), fRetro: randomUUID(), fB1: randomUUID() };
  const CLAIMS: [string, string, string, string, string, string][] = [
    // id, claim no, person, month, started, content hash
    [ids.a1, 'A1', 'person-a', '2026-09', '2026-09-20T02:00:00Z', 'hash-a1'],
    [ids.a2, 'A2', 'person-a', '2026-10', '2026-10-03T02:00:00Z', 'hash-a2'],
    [ids.b1, 'B1', 'person-b', '2026-10', '2026-10-04T02:00:00Z', 'hash-b1'],
  ];
  const LINES: [string, number][] = [
    [ids.a1, 1],
    [ids.a1, 2],
    [ids.a2, 1],
    [ids.b1, 1],
  ];
  // id, on claim, from claim, retrospective, severity, month (the month of the claim it is on)
  const FINDINGS: [string, string, string, boolean, string, string][] = [
    [ids.fA2, ids.a2, ids.a2, false, 'high', '2026-10'],
    [ids.fRetro, ids.a1, ids.a2, true, 'violation', '2026-09'],
    [ids.fB1, ids.b1, ids.b1, false, 'violation', '2026-10'],
  ];
  const DUMP = {
    // 0033 adds the window's stored lines, written at intake only (null for claims stored before it)
    claims: `select to_jsonb(t) - 'window_lines' as r from claims t order by id`,
    // the lines as rows before 0037, from the claims' bodies after it (claim_lines_of)
    claim_lines: `select jsonb_build_object('claim_id', claim_id, 'line_no', line_no, 'line_id', line_id, 'item_code', item_code, 'category', category,
      'service_date', service_date, 'quantity', quantity, 'unit_price', unit_price, 'amount', amount) as r from claim_lines t order by claim_id, line_no`,
    findings: `select to_jsonb(t) - 'person_hash' as r from findings t order by id`,
    // the columns later migrations add or recompute (0014: the re-check's schedule; 0017: the priority
    // over what is still payable) are not what 0011 moved
    review_cases: `select to_jsonb(t) - 'person_hash' - 'sample_due_at' - 'sample_ripe_at' - 'priority' as r from review_cases t order by id`,
    review_reasons: `select to_jsonb(t) as r from review_reasons t order by id`,
    rejected_submissions: `select to_jsonb(t) as r from rejected_submissions t order by id`,
  };

  async function seed(query: Q) {
    for (const [id, no, person, month, started, hash] of CLAIMS) {
      await query(
        `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
           total_amount, payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
         values ($1, $2, $3, $4, 'inpatient', $5, $5, $6, 200, 180, 'review', $7, $8::jsonb, '{"decision":"review"}'::jsonb, 2, 0, 0)`,
        [id, INST, no, person, started, month, hash, JSON.stringify({ lines: LINES.filter(([c]) => c === id).map(([, n]) => bodyLine(n, started)) })],
      );
    }
    for (const [claim, n] of LINES) {
      await query(
        `insert into claim_lines (claim_id, line_no, line_id, institution_id, person_hash, item_code, category, service_at, service_date, quantity, unit_price, amount)
         select id, $2::int, 'L' || $2::int, institution_id, person_hash, '120100001', 'bed', started_at, (started_at at time zone 'Asia/Shanghai')::date, 1, 45, 45
         from claims where id = $1`,
        [claim, n],
      );
    }
    for (const [id, on, from, retro, severity, month] of FINDINGS) {
      await query(
        `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status,
           message, violating_lines, involved_lines, other_claims, amount, service_month)
         values ($1, $2, $3, $4, 'DUP-SAME-LINE', 1, 'duplicate', $5, 'active', '{"zh":"重复","en":"duplicate"}', '["L1"]', '[]', '[]', 45, $6)`,
        [id, on, from, retro, severity, month],
      );
    }
    await query(
      `insert into rejected_submissions (received_at, channel, institution_id, claim_no, error_count, errors)
                 values ('2026-10-05T01:00:00Z', 'single', $1, 'R1', 1, '[{"path":"lines","message":"x"}]')`,
      [INST],
    );
  }

  const LINES_FROM_BODY = `select jsonb_build_object('claim_id', c.id, 'line_no', t.line_no, 'line_id', t.line_id, 'item_code', t.item_code, 'category', t.category,
      'service_date', t.service_date, 'quantity', t.quantity, 'unit_price', t.unit_price, 'amount', t.amount) as r from claims c, claim_lines_of(c.body) t order by c.id, t.line_no`;
  // a line as the intake stored it in the claim's body, the same line as the row below
  const bodyLine = (n: number, serviceAt: string) => ({ lineId: `L${n}`, itemCode: '120100001', category: 'bed', serviceAt, quantity: 1, unitPrice: 45, amount: 45 });

  const dump = async (query: Q, { linesInBody = false } = {}) => {
    const out: Record<string, unknown[]> = {};
    for (const [table, sql] of Object.entries(DUMP)) out[table] = (await query<{ r: unknown }>(linesInBody && table === 'claim_lines' ? LINES_FROM_BODY : sql)).map((x) => x.r);
    return out;
  };

  it('keeps every row, fills the new columns and claim_keys from the claims, and leaves the new keys', async () => {
    const upTo0010 = migrationsUpTo('0010_');
    cleanups.push(() => rmSync(upTo0010, { recursive: true, force: true }));
    const fresh = await freshDatabaseUrl({ empty: true });
    cleanups.push(fresh.drop);

    let before: Record<string, unknown[]>;
    let db: Database;
    if (fresh.url) {
      const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
      const q: Q = async <T extends Row>(text: string, params: unknown[] = []) => [...(await client.unsafe(text, params as never[]))] as unknown as T[];
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: upTo0010 });
      await seed(q);
      before = await dump(q);
      await client.end();
      db = await openDatabase({ databaseUrl: fresh.url, pgliteDir: 'memory://', poolMax: 2, statementTimeoutMs: 10_000 }); // applies 0011
    } else {
      const pg = await PGlite.create('memory://');
      const q: Q = async <T extends Row>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows;
      await migratePglite(drizzlePglite(pg), { migrationsFolder: upTo0010 });
      await seed(q);
      before = await dump(q);
      await migratePglite(drizzlePglite(pg), { migrationsFolder }); // the rest, as openDatabase does
      db = {
        kind: 'pglite',
        query: q,
        transaction: (fn) => pg.transaction((tx) => fn(async <T extends Row>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows)),
        close: () => pg.close(),
      } as Pick<Database, 'kind' | 'query' | 'transaction' | 'close'> as Database;
    }
    cleanups.push(() => db.close());
    const q: Q = (text, params) => db.query(text, params);

    // What was there before is there as it was (without the new columns).
    expect(before.claims).toHaveLength(3);
    expect(before.claim_lines).toHaveLength(4);
    expect(before.findings).toHaveLength(3);
    expect(before.review_cases).toHaveLength(2); // the suspicion on A2 and the retrospective finding on A1
    expect(before.rejected_submissions).toHaveLength(1);
    expect(await dump(q, { linesInBody: true })).toEqual(before);

    // The new columns, from each row's claim.
    const month: Record<string, string> = Object.fromEntries(CLAIMS.map(([id, , , m]) => [id, m]));
    const person = Object.fromEntries(CLAIMS.map(([id, , p]) => [id, p]));
    expect(await q(`select c.id as claim_id, l.line_no, c.service_month from claims c, claim_lines_of(c.body) l order by service_month, claim_id, line_no`)).toEqual(
      LINES.map(([claim, n]) => ({ claim_id: claim, line_no: n, service_month: month[claim]! })).sort(
        (x, y) => x.service_month.localeCompare(y.service_month) || x.claim_id.localeCompare(y.claim_id) || x.line_no - y.line_no,
      ),
    );
    expect(await q(`select id, claim_id, person_hash, service_month from findings order by id`)).toEqual(
      FINDINGS.map(([id, on, , , , m]) => ({ id, claim_id: on, person_hash: person[on], service_month: m })).sort((x, y) => x.id.localeCompare(y.id)),
    );
    expect(await q(`select claim_id, person_hash, service_month from review_cases order by service_month`)).toEqual([
      { claim_id: ids.a1, person_hash: 'person-a', service_month: '2026-09' },
      { claim_id: ids.a2, person_hash: 'person-a', service_month: '2026-10' },
    ]);
    expect(await q(`select institution_id, claim_no, claim_id, person_hash, service_month, content_hash from claim_keys order by claim_no`)).toEqual(
      CLAIMS.map(([id, no, p, m, , hash]) => ({ institution_id: INST, claim_no: no, claim_id: id, person_hash: p, service_month: m, content_hash: hash })),
    );

    // The keys are the new ones.
    expect((await uniqueIndexes('claims', q)).map((k) => k.columns)).toEqual([['id', 'person_hash', 'service_month']]);
    expect((await uniqueIndexes('findings', q)).map((k) => k.columns)).toEqual([['id', 'person_hash', 'service_month']]);
    expect((await uniqueIndexes('rejected_submissions', q)).map((k) => k.columns)).toEqual([['id', 'received_at']]);
    // the claims' checks, since 0036 statement triggers on the parents (0032's foreign keys between
    // the stored months' partitions are gone)
    expect(await foreignKeysTo('claims_2026_10', q)).toEqual([]);
    expect(await claimChecks(q)).toEqual(CLAIM_CHECKS);

    // The intake on the migrated database: an old claim is found by its key (a resubmission is
    // answered from it); a new claim of person A whose retrospective finding names A1 files it on
    // A1's whole key, and the case it opens carries A1's person.
    const repository = createClaimsRepository({ database: db });
    expect(await repository.findByKey(INST, 'A1')).toMatchObject({ id: ids.a1, contentHash: 'hash-a1', answer: { decision: 'review' } });
    expect(await repository.findByKey(INST, 'nope')).toBeUndefined();
    const input = buildClaimSchema({ maxLines: 500 }).parse(inpatientClaim({ institutionId: INST, claimId: 'A3' }));
    const claim = normalizeClaim(input, 'person-a');
    const id = randomUUID();
    const answer = buildAnswer({ id, claim, findings: [], findingIds: [], decision: decide(claim, []), screenedAt: Date.now() });
    const retro = {
      id: randomUUID(),
      inst: INST,
      cno: 'A1',
      rule: 'OVERLAP-STAY',
      ver: 1,
      fam: 'overlapping-stay',
      sev: 'medium',
      st: 'active',
      msg: { zh: '住院重叠', en: 'overlapping stay' },
      vl: [],
      il: ['L1'],
      oc: [{ institutionId: INST, claimId: 'A3' }],
      amt: '45.00',
    };
    const screened = { id, claim, contentHash: 'hash-a3', clientId: null, body: storableBody(input), answer, findings: [], retrospective: [retro] };
    expect(await repository.insertScreened(screened)).toEqual({ inserted: true });
    expect(await repository.insertScreened({ ...screened, id: randomUUID() })).toEqual({ inserted: false, existing: expect.objectContaining({ id, contentHash: 'hash-a3' }) });
    expect(await q(`select claim_id, person_hash, service_month, source_claim_id from findings where id = $1`, [retro.id])).toEqual([
      { claim_id: ids.a1, person_hash: 'person-a', service_month: '2026-09', source_claim_id: id },
    ]);
    expect(
      await q(`select count(*)::int as n from review_reasons r join review_cases c on c.id = r.case_id where r.finding_id = $1 and c.claim_id = $2 and c.person_hash = 'person-a'`, [retro.id, ids.a1]),
    ).toEqual([{ n: 1 }]);
    expect(await q(`select claim_no, service_month from claim_keys where claim_id = $1`, [id])).toEqual([{ claim_no: 'A3', service_month: '2026-10' }]);
    expect(await q(`select count(*)::int as n from claims c, claim_lines_of(c.body) where c.id = $1 and c.person_hash = 'person-a' and c.service_month = '2026-10'`, [id])).toEqual([{ n: 3 }]);
  }, 60_000);
});
