/**
 * `npm run bench:preload`: fills a PostgreSQL database with months of a simulated province, in
 * SQL, for `npm run bench -- --preloaded <database>` (bench/README.md, "Cost as the work grows").
 *
 * The database is migrated as the service migrates it and seeded with the intake benchmark's
 * reference data (bench/claims.ts: its eight hospitals and catalogue), then each month is written
 * in one transaction by INSERT … SELECT from generate_series: the claims (body, answer, window
 * lines, quality columns as the intake stores them; the fee lines in the body), their idempotency keys,
 * findings on a share of them and review cases for the random sample of inpatient stays; at the
 * end the person versions, and what the intake's statement triggers keep (the running counts
 * institution_item_months, institution_months and institution_nights, the short stays institution_short_stays),
 * recounted in one pass from the stored rows.
 * Triggers are off during the load (session_replication_role = replica: the rows are consistent
 * by construction, the month partitions' foreign keys included); ANALYZE at the end.
 *
 * The shape (defaults): 420,000 claims a month for 12 months (5.04 million), a tenth inpatient
 * stays (8–14 lines), six tenths outpatient visits (1–6 lines), three tenths pharmacy purchases
 * (1–4 lines); 2,000 institutions: the benchmark's eight hospitals (40 % of the stays, 20 % of the
 * outpatient visits), 392 other hospitals, 800 clinics, 800 pharmacies; 1.5 million insured
 * persons, claims drawn skewed to a few (a person's share falls with the square root of their
 * rank: most have one to four claims a year, some dozens). The persons' ids are those the
 * benchmark sends with --preloaded (`preloadPersonId`), hashed with the secret kept in
 * `preload.settings`, so the history read of a benchmark claim finds the person's year.
 *
 * Resumable: `preload.loaded` says which months are in; a month is one transaction, so an
 * interrupted load starts again at the first month not in it. Months are the N before the
 * current one (China Standard Time), or --to YYYY-MM as the last.
 *
 * Flags: --database <name> (required; created if absent) --months <n> (12) --to YYYY-MM
 *        --claims-per-month <n> (420000) --persons <n> (1500000)
 * Env:   DATABASE_URL (the server; default the local PostgreSQL)
 */
import { createHmac, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { shiftMonth } from '../src/db/partitions.js';
import { ITEMS, referenceSeed } from './claims.js';
import { DEFAULT_SERVER } from './harness.js';

/** The insured person `idx` (1-based) of a preloaded database: what the benchmark sends. */
export const preloadPersonId = (idx: number) => `3201pl${String(idx).padStart(12, '0')}`;

const personHash = (secret: string, id: string) => createHmac('sha256', secret).update(id).digest('base64url');

/** The settings a preloaded database was filled with, or undefined for one that is not. */
export async function preloadSettings(sql: postgres.Sql): Promise<{ secret: string; persons: number; months: string[]; claims: number } | undefined> {
  const [exists] = await sql<{ ok: boolean }[]>`select to_regclass('preload.settings') is not null as ok`;
  if (!exists?.ok) return undefined;
  const rows = await sql<{ key: string; value: string }[]>`select key, value from preload.settings`;
  const s = new Map(rows.map((r) => [r.key, r.value]));
  const loaded = await sql<{ month: string; claims: string }[]>`select month, claims::text from preload.loaded order by month`;
  return {
    secret: s.get('secret') as string,
    persons: Number(s.get('persons')),
    months: loaded.map((r) => r.month),
    claims: loaded.reduce((a, r) => a + Number(r.claims), 0),
  };
}

const cstMonth = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 7);

/**
 * Removes from a preloaded database every claim a benchmark run stored in it (claim numbers
 * `BENCH-…`, bench/intake.ts) with what hangs off them: their findings and references, the
 * findings and references they filed on preloaded claims, their review cases, and the reasons those
 * findings gave other cases (a case left without reasons goes too; one with others left is scored
 * again; the review's append-only triggers are off for those deletes). The running totals follow
 * through the claims' delete triggers. So every `--preloaded` run
 * meets the same year: left in place, each run's claims (all at the benchmark's eight hospitals,
 * admitted within the last three months) would fill those hospitals' beds and clusters for the next
 * run, which would then file a bed-census finding on nearly every stay. Answers the claims removed.
 */
export async function removeBenchClaims(sql: postgres.Sql): Promise<number> {
  return sql.begin(async (tx) => {
    // the sets below are hashed (a set larger than work_mem would be scanned once a row)
    await tx`set local work_mem = '512MB'`;
    await tx`create temp table bench_claims on commit drop as
      select claim_id as id, person_hash, service_month from claim_keys where claim_no like 'BENCH-%'`;
    const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`select count(*)::int as n from bench_claims`;
    if (n === 0) return 0;
    await tx`create index on bench_claims (id)`;
    await tx`analyze bench_claims`;
    await tx`create temp table bench_findings on commit drop as
      select f.id from findings f join bench_claims b on b.id = f.claim_id
      union select f.id from findings f join bench_claims b on b.id = f.source_claim_id`;
    await tx`create index on bench_findings (id)`;
    await tx`analyze bench_findings`;
    await tx`create temp table bench_cases on commit drop as select id from review_cases where claim_id in (select id from bench_claims)`;
    await tx`create temp table touched_cases on commit drop as
      select distinct case_id as id from review_reasons where finding_id in (select id from bench_findings) and case_id not in (select id from bench_cases)`;
    // the review's tables refuse deletes (append-only triggers): with the triggers off for them alone
    await tx`set local session_replication_role = replica`;
    await tx`delete from review_reasons where case_id in (select id from bench_cases) or finding_id in (select id from bench_findings)`;
    await tx`insert into bench_cases select t.id from touched_cases t where not exists (select from review_reasons r where r.case_id = t.id)`;
    for (const table of ['review_trail', 'review_notes', 'review_attachments', 'review_conclusions', 'review_second_reviews', 'review_appeals'])
      await tx.unsafe(`delete from ${table} where case_id in (select id from bench_cases)`);
    await tx`delete from review_cases where id in (select id from bench_cases)`;
    await tx`set local session_replication_role = origin`;
    await tx`select review_refresh_case(t.id, false) from touched_cases t where t.id not in (select id from bench_cases)`;
    await tx`delete from finding_references r where exists (select from bench_claims b where b.id in (r.claim_id, r.source_claim_id, r.finding_claim_id))
      or exists (select from bench_findings f where f.id = r.finding_id)`;
    await tx`delete from findings where id in (select id from bench_findings)`;
    await tx`delete from claims c using bench_claims b where c.id = b.id and c.person_hash = b.person_hash and c.service_month = b.service_month`;
    await tx`delete from claim_keys where claim_no like 'BENCH-%'`;
    return n;
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      months: { type: 'string', default: '12' },
      to: { type: 'string' },
      'claims-per-month': { type: 'string', default: '420000' },
      persons: { type: 'string', default: '1500000' },
    },
  });
  const name = values.database;
  if (!name || !/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('--database <name> (lower case letters, digits, _) is required');
  const months = Number(values.months);
  const perMonth = Number(values['claims-per-month']);
  const persons = Number(values.persons);
  const last = values.to ?? shiftMonth(cstMonth(Date.now()), -1);
  const monthList = Array.from({ length: months }, (_, k) => shiftMonth(last, k - months + 1));

  const server = process.env.DATABASE_URL ?? DEFAULT_SERVER;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  const [found] = await admin`select 1 as x from pg_database where datname = ${name}`;
  if (!found) await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;

  // the service's migrations, as it runs them at start
  const migrated = await openDatabase({ databaseUrl: url.toString(), pgliteDir: 'memory://', poolMax: 1, statementTimeoutMs: 0 });
  await migrated.close();

  const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connection: { statement_timeout: 0 } as never });
  const started = performance.now();
  const t = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

  await sql.unsafe(`create schema if not exists preload;
    create table if not exists preload.settings (key text primary key, value text not null);
    create table if not exists preload.loaded (month text primary key, claims bigint not null, lines bigint not null, findings bigint not null, cases bigint not null, seconds numeric not null, at timestamptz not null default now());
    create table if not exists preload.persons (idx int primary key, person_hash text not null);
    create table if not exists preload.institutions (idx int primary key, institution_id text not null, kind text not null);
    create table if not exists preload.items (idx int primary key, code text, hcode text, name text, category text, price numeric, per_day boolean, spec text, outpatient boolean, pharmacy boolean);`);

  let [secretRow] = await sql<{ value: string }[]>`select value from preload.settings where key = 'secret'`;
  if (!secretRow) {
    // reference data: the benchmark's (its hospitals and catalogue), once
    for (const row of referenceSeed()) await sql.unsafe(row.text, row.params as never[]);
    const secret = randomBytes(36).toString('base64url');
    await sql`insert into preload.settings ${sql([
      { key: 'secret', value: secret },
      { key: 'persons', value: String(persons) },
      { key: 'claims_per_month', value: String(perMonth) },
    ])}`;
    secretRow = { value: secret };
  }
  const secret = secretRow.value;
  const [settings] = await sql<{ persons: string }[]>`select value as persons from preload.settings where key = 'persons'`;
  if (Number(settings?.persons) !== persons) throw new Error(`${name} was preloaded with ${settings?.persons} persons, not ${persons}: use the same --persons`);

  // persons: their keyed hashes, as the service computes them from the ids the benchmark sends
  const [{ n: havePersons } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from preload.persons`;
  if (havePersons < persons) {
    for (let from = havePersons + 1; from <= persons; from += 100_000) {
      const idx: number[] = [];
      const hashes: string[] = [];
      for (let i = from; i < Math.min(from + 100_000, persons + 1); i++) {
        idx.push(i);
        hashes.push(personHash(secret, preloadPersonId(i)));
      }
      await sql`insert into preload.persons select * from unnest(${idx}::int[], ${hashes}::text[]) on conflict do nothing`;
    }
    console.log(`${t()}: ${persons} persons`);
  }

  // institutions: the benchmark's eight hospitals (1-8), other hospitals (9-400), clinics (401-1200), pharmacies (1201-2000)
  await sql.unsafe(`
    insert into preload.institutions
      select i, case when i <= 8 then 'H3201020000' || i else 'P3201' || lpad(i::text, 6, '0') end,
             case when i <= 400 then 'hospital' when i <= 1200 then 'clinic' else 'pharmacy' end
      from generate_series(1, 2000) i
    on conflict do nothing;
    insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from)
      select institution_id, '2000-01-01', '机构' || idx, case kind when 'pharmacy' then 'pharmacy' when 'clinic' then 'clinic' else 'hospital' end,
             case kind when 'hospital' then 'secondary' when 'clinic' then 'primary' else 'none' end, 'public', '320102', case when kind = 'hospital' then 300 else 0 end, '2010-01-01'
      from preload.institutions where idx > 8
    on conflict do nothing;`);
  await sql`insert into preload.items ${sql(
    ITEMS.map((it, i) => ({
      idx: i + 1,
      code: it.code,
      hcode: it.hcode,
      name: it.name,
      category: it.category,
      price: (it.priceFen / 100).toFixed(2),
      per_day: it.perDay === true,
      spec: it.spec ?? null,
      outpatient: ['drug', 'lab', 'exam', 'service', 'consumable'].includes(it.category),
      pharmacy: it.category === 'drug' || it.category === 'consumable',
    })),
  )} on conflict do nothing`;
  // what a body line says of its item, as JSON text without braces
  // (altered only when missing: a load running meanwhile holds preload.items until its month commits)
  const [hasFrag] = await sql`select 1 as x from information_schema.columns where table_schema = 'preload' and table_name = 'items' and column_name = 'frag'`;
  if (!hasFrag) await sql`alter table preload.items add column frag text`;
  for (const [i, it] of ITEMS.entries()) {
    const fixed = {
      itemCode: it.code,
      hospitalItemCode: it.hcode,
      hospitalItemName: it.name,
      category: it.category,
      unitPrice: (it.priceFen / 100).toFixed(2),
      ...(it.spec ? { specification: it.spec, daysOfSupply: 1 } : {}),
      departmentCode: 'A03.06',
      departmentName: '呼吸内科',
    };
    await sql`update preload.items set frag = ${JSON.stringify(fixed).slice(1, -1)} where idx = ${i + 1} and frag is distinct from ${JSON.stringify(fixed).slice(1, -1)}`;
  }

  const done = new Set((await sql<{ month: string }[]>`select month from preload.loaded`).map((r) => r.month));
  // newest first: the benchmark's claims fall in the last months, and read a year back from there
  for (const m of [...monthList].reverse()) {
    if (done.has(m)) {
      console.log(`${t()}: ${m} already loaded`);
      continue;
    }
    // two loads at once (one per core) take different months
    const [lock] = await sql<{ ok: boolean }[]>`select pg_try_advisory_lock(74261, ${Number(m.replace('-', ''))}) as ok`;
    if (!lock?.ok) {
      console.log(`${t()}: ${m} is being loaded by another process`);
      continue;
    }
    const [again] = await sql`select 1 as x from preload.loaded where month = ${m}`;
    if (again) continue;
    // A month without partitions is loaded as the service's own split of a month does it
    // (claimscreen_month_partition, migration 0032): plain tables filled without indexes, then
    // attached, which builds their indexes in one sorted pass each, and the month's foreign keys
    // added. A month that has its partitions already (the months the migration created) is
    // inserted through the parents, its triggers off.
    const sfx = m.replace('-', '_');
    const [has] = await sql<{ ok: boolean }[]>`
      select exists (select 1 from pg_inherits h join pg_class c on c.oid = h.inhrelid where h.inhparent = 'claims'::regclass and c.relname = ${`claims_${sfx}`}) as ok`;
    const bulk = !has?.ok;
    if (!bulk) await sql`select claimscreen_month_partition(${m}, 'bench preload')`;
    const tables = (await sql<{ table_name: string }[]>`select table_name from month_partitioned_tables order by position`).map((r) => r.table_name);
    const monthStarted = performance.now();
    const step = (what: string) => process.env.PRELOAD_STEPS && console.log(`  ${what} ${((performance.now() - monthStarted) / 1000).toFixed(1)} s`);
    const counts = await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`set local work_mem = '256MB'`;
      await tx`set local jit = off`;
      await tx.unsafe(MONTH_CLAIMS, [m, perMonth, persons]);
      await tx.unsafe('create index on pc (id); analyze pc');
      step('claims');
      await tx.unsafe(MONTH_LINES);
      await tx.unsafe('analyze pl');
      step('lines');
      // the claim's body lines as JSON text: the item's fixed part (preload.items.frag) and the line's own
      await tx.unsafe(`
        create temp table pl_sum on commit drop as
          select claim_id, sum(amount) as total, count(*)::int as n,
                 count(*) filter (where category in ('drug', 'consumable') and spec is null)::int as missing_spec,
                 ('[' || string_agg('{"lineId":"' || line_id || '","serviceAt":"' || (service_at at time zone 'Asia/Shanghai')::text || '","quantity":' || quantity::int
                   || ',"amount":"' || amount::text || '","doctorId":"' || doctor || '",' || frag || '}', ',' order by line_no) || ']')::jsonb as body_lines,
                 ('[' || string_agg('["' || line_id || '","' || item_code || '"]', ',' order by line_no) || ']')::jsonb as window_lines
          from pl group by claim_id;
        create index on pl_sum (claim_id); analyze pl_sum;`);
      step('sums');
      if (bulk) {
        for (const table of tables) {
          await tx.unsafe(`drop table if exists ${table}_${sfx}`);
          await tx.unsafe(`create table ${table}_${sfx} (like ${table} including defaults including constraints)`);
        }
      }
      const target = (table: string) => (bulk ? `${table}_${sfx}` : table);
      const [c] = await tx.unsafe(MONTH_INSERT.replace('insert into claims (', `insert into ${target('claims')} (`).replace('insert into findings (', `insert into ${target('findings')} (`), [m]);
      if (bulk) {
        step('insert');
        for (const table of tables) await tx.unsafe(`alter table ${table} attach partition ${table}_${sfx} for values in ('${m}')`);
        await tx`select claimscreen_month_foreign_keys(${sfx}, current_schema())`;
        await tx`insert into partition_events (month, action, detail, actor) values (${m}, 'created', '{"by": "bench preload"}', 'bench preload')`;
        step('attach');
      }
      step('done');
      return c as unknown as { claims: string; lines: string; findings: string; cases: string };
    });
    const seconds = (performance.now() - monthStarted) / 1000;
    await sql`insert into preload.loaded (month, claims, lines, findings, cases, seconds) values (${m}, ${counts.claims}, ${counts.lines}, ${counts.findings}, ${counts.cases}, ${seconds})`;
    console.log(`${t()}: ${m}: ${counts.claims} claims, ${counts.lines} lines, ${counts.findings} findings, ${counts.cases} review cases in ${seconds.toFixed(0)} s`);
  }

  const loadedNow = new Set((await sql<{ month: string }[]>`select month from preload.loaded`).map((r) => r.month));
  const missing = monthList.filter((m) => !loadedNow.has(m));
  if (missing.length > 0) {
    console.log(`${t()}: ${missing.join(', ')} still loading in another process: it recounts when it ends`);
    await sql.end();
    return;
  }
  // what the intake's triggers and statements keep, recounted in one pass
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(`
      -- a version counts the person's claims in the current epoch (migration 0045)
      insert into person_versions (person_hash, version)
        select person_hash, (select person_versions_epoch() << 32) + count(*) from claims group by 1
      on conflict (person_hash) do update set version = excluded.version;
      delete from institution_item_months;
      insert into institution_item_months (institution_id, item_code, month, quantity, amount, lines)
        select c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM'), sum(l.quantity), sum(l.amount), count(*)
        from claims c cross join lateral claim_lines_of(c.body) l group by 1, 2, 3;
      delete from institution_months;
      insert into institution_months (institution_id, month, amount, lines)
        select institution_id, month, sum(amount), sum(lines) from institution_item_months group by 1, 2;
      delete from institution_item_months where not stock_item(item_code);
      delete from institution_nights;
      insert into institution_nights (institution_id, night, stays)
        select s.institution_id, s.a + k, count(*)::int
        from (select institution_id, (started_at at time zone 'UTC' + interval '8 hours')::date as a,
                     (ended_at at time zone 'UTC' + interval '8 hours')::date as e
              from claims where visit_type = 'inpatient') s,
             generate_series(1, least(s.e - s.a, 366)) k
        group by 1, 2;
      delete from institution_short_stays;
      insert into institution_short_stays (institution_id, category, started_at, claim_no, ended_at, main_diagnosis, person_hash, claim_id, service_month, window_lines)
        select institution_id, upper(left(main_diagnosis, 3)), started_at, claim_no, ended_at, main_diagnosis, person_hash, id, service_month, window_lines
        from claims
        where visit_type = 'inpatient' and main_diagnosis is not null
          and (ended_at at time zone 'UTC' + interval '8 hours')::date - (started_at at time zone 'UTC' + interval '8 hours')::date <= 3
        order by 1, 2, 3, 4;`);
  });
  console.log(`${t()}: person versions, running counts and short stays recounted`);
  await sql.unsafe('analyze');
  const [size] = await sql<{ claims: string; lines: string; db: string }[]>`
    select (select count(*) from claims)::text as claims, (select sum(line_count) from claims)::text as lines, pg_size_pretty(pg_database_size(current_database())) as db`;
  console.log(`${t()}: analyzed; ${name}: ${size?.claims} claims, ${size?.lines} lines, ${size?.db}`);
  await sql.end();
}

/**
 * One month's claims (temp table pc): $1 the month, $2 claims, $3 persons. Started uniformly in
 * the month (China Standard Time); the person 1 + ⌊persons · r²⌋.
 */
const MONTH_CLAIMS = `
create temp table pc on commit drop as
with base as (
  select i, random() as u, random() as r, random() as w,
         ($1 || '-01 00:00:00+08')::timestamptz as m0
  from generate_series(1, $2::int) i
), typed as (
  select i, m0, r, w, case when u < 0.1 then 'inpatient' when u < 0.7 then 'outpatient' else 'pharmacy' end as visit_type
  from base
), placed as (
  select t.*,
    case
      when visit_type = 'inpatient' then case when w < 0.4 then 1 + floor(random() * 8) else 9 + floor(random() * 392) end
      when visit_type = 'outpatient' then case when w < 0.2 then 1 + floor(random() * 8) when w < 0.6 then 9 + floor(random() * 392) else 401 + floor(random() * 800) end
      else 1201 + floor(random() * 800)
    end::int as inst_idx,
    1 + floor($3::int * r * r)::int as person_idx,
    m0 + (((m0 + interval '1 month') - m0) - interval '1 hour') * random() as started_at,
    case when visit_type = 'inpatient' then 2 + floor(random() * 9)::int else 0 end as days,
    case when visit_type = 'inpatient' then 8 + floor(random() * 7)::int when visit_type = 'outpatient' then 1 + floor(random() * 6)::int else 1 + floor(random() * 4)::int end as nlines
  from typed t
)
select gen_random_uuid() as id, 'P' || replace($1, '-', '') || '-' || p.i as claim_no, p.visit_type, i.institution_id, h.person_hash,
       date_trunc('hour', p.started_at) as started_at,
       case when p.visit_type = 'inpatient' then date_trunc('hour', p.started_at) + p.days * interval '1 day' + interval '2 hours'
            when p.visit_type = 'outpatient' then date_trunc('hour', p.started_at) + interval '30 minutes'
            else date_trunc('hour', p.started_at) end as ended_at,
       p.days, p.nlines,
       (array['J18.900','J44.100','J20.900','I10.x00','E11.900','I25.100','K29.700','M54.500','N39.000','J06.900','I63.900','K80.200','C34.900','Z51.100','S72.000','O80.000','N18.500','J45.900','K35.800','H25.900'])[1 + floor(random() * 20)::int] as diagnosis,
       'D' || (100 + floor(random() * 40)::int) as doctor,
       random() < 0.08 as flagged,
       random() < case when p.visit_type = 'inpatient' then 0.05 else 0.002 end as sampled,
       case when random() < 0.5 then 'male' else 'female' end as sex,
       (date '1940-01-01' + floor(random() * 22000)::int)::text as birth_date
from placed p join preload.institutions i on i.idx = p.inst_idx join preload.persons h on h.idx = p.person_idx`;

/** The month's fee lines (temp table pl): inpatient stays bill per-day items for each day. */
const MONTH_LINES = `
create temp table pl on commit drop as
with picked as (
  select c.id, c.institution_id, c.person_hash, c.visit_type, c.started_at, c.days, c.doctor, k,
         case when c.visit_type = 'inpatient' then 1 + floor(random() * 14)::int
              when c.visit_type = 'outpatient' then (array[1,3,4,5,6,7,8,9,10,11,12,13,14])[1 + floor(random() * 13)::int]
              else (array[10,11,12,13])[1 + floor(random() * 4)::int] end as item_idx
  from pc c cross join lateral generate_series(1, c.nlines) k
), q as (
  select p.*, it.code, it.hcode, it.name, it.category, it.spec, it.price, it.frag,
         case when p.visit_type = 'inpatient' and it.per_day then p.days else 1 + floor(random() * 2)::int end as qty
  from picked p join preload.items it on it.idx = p.item_idx
)
select id as claim_id, k as line_no, 'L' || k as line_id, institution_id, person_hash, code as item_code, hcode, name as hname, category, spec,
       case when visit_type = 'inpatient' then started_at + floor(random() * days) * interval '1 day' + interval '1 hour' else started_at end as service_at,
       qty::numeric as quantity, price as unit_price, price * qty as amount, doctor, frag
from q`;

/** The month's rows, from pc, pl and pl_sum; $1 the month. Returns the counts. */
const MONTH_INSERT = `
with k as (
  insert into claim_keys (institution_id, claim_no, claim_id, person_hash, service_month, content_hash)
  select institution_id, claim_no, id, person_hash, $1, md5(id::text) from pc
  returning 1
), c as (
  insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, main_diagnosis,
                      total_amount, payable_amount, decision, content_hash, received_at, client_id, body, answer,
                      line_count, lines_missing_name, lines_missing_spec, settled_at, window_lines)
  select c.id, c.institution_id, c.claim_no, c.person_hash, c.visit_type, c.started_at, c.ended_at, $1, c.diagnosis,
         s.total, s.total - case when c.flagged then least(s.total, 20) else 0 end, case when c.flagged then 'withhold' else 'pass' end,
         md5(c.id::text), c.ended_at + interval '1 hour', null,
         jsonb_build_object('claimId', c.claim_no, 'insured', jsonb_build_object('sex', c.sex, 'birthDate', c.birth_date), 'medType', case c.visit_type when 'inpatient' then '21' when 'outpatient' then '11' else '41' end,
           'payment', jsonb_build_object('fund', round(s.total * 0.7, 2)::text, 'personalAccount', round(s.total * 0.1, 2)::text, 'medicalAssistance', '0.00', 'cash', (s.total - round(s.total * 0.7, 2) - round(s.total * 0.1, 2))::text),
           'diagnoses', jsonb_build_array(jsonb_build_object('code', c.diagnosis, 'main', true, 'name', '诊断')),
           'settledAt', to_char((c.ended_at + interval '1 hour') at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 'visitType', c.visit_type,
           'admittedAt', to_char(c.started_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'),
           'dischargedAt', to_char(c.ended_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'),
           'totalAmount', s.total::text, 'institutionId', c.institution_id, 'departmentCode', 'A03.06', 'lines', s.body_lines),
         jsonb_build_object('id', c.id, 'claimId', c.claim_no, 'decision', case when c.flagged then 'withhold' else 'pass' end, 'findings', '[]'::jsonb,
           'screenedAt', to_char((c.ended_at + interval '1 hour') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'totalAmount', s.total::text, 'serviceMonth', $1,
           'institutionId', c.institution_id, 'payableAmount', (s.total - case when c.flagged then least(s.total, 20) else 0 end)::text,
           'withheldLines', '[]'::jsonb, 'withheldAmount', case when c.flagged then least(s.total, 20) else 0 end::text),
         s.n, 0, s.missing_spec, c.ended_at + interval '1 hour',
         case when c.visit_type <> 'inpatient' or c.days <= 4 then s.window_lines end
  from pc c join pl_sum s on s.claim_id = c.id
  returning 1
), f as (
  insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message,
                        violating_lines, involved_lines, other_claims, amount, service_month, created_at, person_hash)
  select gen_random_uuid(), c.id, c.id, false, 'PRICE-ABOVE-CEILING', 1, 'price', 'violation', 'active',
         jsonb_build_object('en', 'priced above the ceiling of the institution''s level', 'zh', '超过机构等级限价'), '["L1"]'::jsonb, '[]'::jsonb, '[]'::jsonb,
         least(s.total, 20), $1, c.ended_at + interval '1 hour', c.person_hash
  from pc c join pl_sum s on s.claim_id = c.id where c.flagged
  returning 1
), rc as (
  insert into review_cases (claim_id, person_hash, institution_id, service_month, visit_type, claim_total, reason_kinds, priority, opened_at, updated_at)
  select c.id, c.person_hash, c.institution_id, $1, c.visit_type, s.total, '{sample}', round(0.05 * s.total * 0.1, 4), c.ended_at + interval '1 hour', c.ended_at + interval '1 hour'
  from pc c join pl_sum s on s.claim_id = c.id where c.sampled
  returning id
), rr as (
  insert into review_reasons (case_id, kind, amount) select id, 'sample', 0 from rc
  returning 1
)
select (select count(*) from c)::text as claims, (select count(*) from pl)::text as lines, (select count(*) from f)::text as findings,
       (select count(*) from rr)::text as cases, (select count(*) from k) as keys`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
