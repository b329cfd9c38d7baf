import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../src/db/client.js';
import { parseInstant } from '../src/lib/time.js';
import { buildReport } from '../src/report/report.build.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { freshDatabaseUrl } from './support/database.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The data-quality columns of `claims` (line count, lines without the institution's own name,
 * drug and consumable lines without a specification, settledAt): filled at intake from the claim,
 * and by migration 0008 from the stored body for claims stored before it. Both must say what the
 * body says, and the report built from them must give what the report gave when it read the bodies.
 */

// What the report computed from each stored body until the columns existed (report.build.ts before
// migration 0008): the oracle the columns are held to.
const FROM_BODY = `
  select c.claim_no, l.lines, l.missing_name, l.missing_spec,
         case when c.body->>'settledAt' is null then null
              when c.body->>'settledAt' ~ '(Z|[+-]\\d{2}:?\\d{2})$' then (c.body->>'settledAt')::timestamptz
              else ((c.body->>'settledAt')::timestamp - interval '8 hours') at time zone 'UTC' end as settled
  from claims c cross join lateral (
    select count(*)::int as lines,
           count(*) filter (where coalesce(btrim(x->>'hospitalItemName'), '') = '')::int as missing_name,
           count(*) filter (where x->>'category' in ('drug', 'consumable') and coalesce(btrim(x->>'specification'), '') = '')::int as missing_spec
    from jsonb_array_elements(c.body->'lines') as x) l`;

const OLD_QUALITY = `
  with per_claim as (
    select c.institution_id,
           extract(epoch from (
             case when c.body->>'settledAt' is null then c.received_at
                  when c.body->>'settledAt' ~ '(Z|[+-]\\d{2}:?\\d{2})$' then (c.body->>'settledAt')::timestamptz
                  else ((c.body->>'settledAt')::timestamp - interval '8 hours') at time zone 'UTC' end
             - c.ended_at)) / 86400.0 as lag,
           l.lines, l.missing_name, l.missing_spec
    from claims c
    cross join lateral (
      select count(*)::int as lines,
             count(*) filter (where coalesce(btrim(x->>'hospitalItemName'), '') = '')::int as missing_name,
             count(*) filter (where x->>'category' in ('drug', 'consumable') and coalesce(btrim(x->>'specification'), '') = '')::int as missing_spec
      from jsonb_array_elements(c.body->'lines') as x) l
    where c.service_month = $1 and c.received_at <= $2)
  select institution_id, count(*)::int as claims, sum(lines)::int as lines, sum(missing_name)::int as missing_name,
         sum(missing_spec)::int as missing_spec,
         percentile_cont(0.5) within group (order by greatest(lag, 0)) as lag_median,
         percentile_cont(0.9) within group (order by greatest(lag, 0)) as lag_p90,
         max(greatest(lag, 0)) as lag_max,
         count(*) filter (where lag > $3)::int as late
  from per_claim group by institution_id order by institution_id`;

const STORED = `select claim_no, line_count, lines_missing_name, lines_missing_spec, settled_at from claims order by claim_no`;

type Line = Record<string, unknown>;
const drug = (lineId: string, extra: Line = {}): Line => ({
  lineId,
  itemCode: 'XJ01DDA040A001010100001',
  hospitalItemName: '头孢曲松钠注射液',
  category: 'drug',
  serviceAt: '2026-10-02 09:00:00',
  quantity: 1,
  unitPrice: '5.00',
  amount: '5.00',
  specification: '1g',
  ...extra,
});
const consumable = (lineId: string, extra: Line = {}): Line => ({
  lineId,
  itemCode: 'C14020000001',
  hospitalItemName: '一次性输液器',
  category: 'consumable',
  serviceAt: '2026-10-02 09:00:00',
  quantity: 1,
  unitPrice: '5.00',
  amount: '5.00',
  specification: '20滴/ml',
  ...extra,
});
const service = (lineId: string, extra: Line = {}): Line => ({
  lineId,
  itemCode: '110100001',
  hospitalItemName: '普通门诊诊查费',
  category: 'service',
  serviceAt: '2026-10-03 10:00:00',
  quantity: 1,
  unitPrice: '5.00',
  amount: '5.00',
  ...extra,
});
const without = (line: Line, key: string): Line => {
  const { [key]: _, ...rest } = line;
  return rest;
};

/** Outpatient claims whose lines and settledAt take the forms the columns must read right. */
function claims(tag: string): Record<string, unknown>[] {
  const person = (i: number) => ({ id: `3201021990010100${(i % 90) + 10}`, sex: 'female', birthDate: '1990-01-01' });
  const shapes: { institutionId: string; settledAt?: string; lines: Line[] }[] = [
    // Names: absent, spaces only (blank), a tab or an ideographic space (not blank to btrim()).
    {
      institutionId: 'H32010200001',
      settledAt: '2026-10-05T08:30:00+08:00',
      lines: [without(service('1'), 'hospitalItemName'), service('2', { hospitalItemName: '   ' }), service('3', { hospitalItemName: '\t' }), service('4', { hospitalItemName: '\u3000' })],
    },
    // Specifications: a drug's and a consumable's absent or spaces only; a service line needs none.
    {
      institutionId: 'H32010200001',
      settledAt: '2026-10-06 09:15:30',
      lines: [without(drug('1'), 'specification'), consumable('2', { specification: '  ' }), without(consumable('3'), 'specification'), drug('4'), service('5')],
    },
    // No settledAt: the report falls back to the time received.
    { institutionId: 'H32010200002', lines: [drug('1'), consumable('2')] },
    // Fractional seconds in UTC, an offset without a colon, a date alone (midnight in China).
    { institutionId: 'H32010200002', settledAt: '2026-10-20T01:02:03.456Z', lines: [service('1')] },
    { institutionId: 'H32010200003', settledAt: '2026-10-14T22:00:00-0500', lines: [drug('1', { specification: ' x ' }), without(drug('2', { hospitalItemName: ' ' }), 'specification')] },
    { institutionId: 'H32010200003', settledAt: '2026-10-30', lines: [service('1'), service('2')] },
  ];
  return shapes.map((s, i) => {
    const total = s.lines.length * 5;
    return outpatientClaim({
      institutionId: s.institutionId,
      claimId: `Q-${tag}-${i}`,
      insured: person(i),
      ...(s.settledAt ? { settledAt: s.settledAt } : {}),
      lines: s.lines,
      totalAmount: total,
      payment: { fund: total, personalAccount: 0, cash: 0 },
    });
  });
}

/** What a claim's body says, computed here: blank is absent or spaces only (PostgreSQL's btrim). */
function expected(claim: Record<string, unknown>) {
  const lines = claim.lines as Line[];
  const blank = (v: unknown) => v === undefined || String(v).replace(/^ +| +$/g, '') === '';
  return {
    line_count: lines.length,
    lines_missing_name: lines.filter((l) => blank(l.hospitalItemName)).length,
    lines_missing_spec: lines.filter((l) => (l.category === 'drug' || l.category === 'consumable') && blank(l.specification)).length,
    settled_at: claim.settledAt === undefined ? null : (parseInstant(String(claim.settledAt)) as number),
  };
}

const instantOf = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).getTime());
const asStored = (r: Record<string, unknown>) => ({
  line_count: Number(r.line_count),
  lines_missing_name: Number(r.lines_missing_name),
  lines_missing_spec: Number(r.lines_missing_spec),
  settled_at: instantOf(r.settled_at),
});

describe('data quality stored with each claim', () => {
  let svc: TestService;
  let sent: Record<string, unknown>[] = [];

  beforeAll(async () => {
    svc = await startTestService();
    // One at a time (one claim per statement), then all at once (several claims per statement).
    const one = claims('one');
    for (const c of one) expect((await svc.call('/v1/claims', { json: c })).status).toBe(200);
    const many = claims('many');
    const statuses = await Promise.all(many.map(async (c) => (await svc.call('/v1/claims', { json: c })).status));
    expect(statuses).toEqual(many.map(() => 200));
    // A stay whose line count and settlement come from the usual builder.
    const stay = inpatientClaim({ institutionId: 'H32010200004', claimId: 'Q-stay', settledAt: '2026-10-15T10:00:00+08:00' });
    expect((await svc.call('/v1/claims', { json: stay })).status).toBe(200);
    sent = [...one, ...many, stay];
  }, 60_000);

  afterAll(async () => {
    await svc?.close();
  });

  it("are what each claim's body says, by the report's former reading of the body and by this test's own", async () => {
    const stored = await svc.deps.database.query(STORED);
    const fromBody = new Map((await svc.deps.database.query(FROM_BODY)).map((r) => [String(r.claim_no), r]));
    expect(stored.map((r) => r.claim_no)).toEqual(sent.map((c) => c.claimId).sort());
    for (const row of stored) {
      const claim = sent.find((c) => c.claimId === row.claim_no) as Record<string, unknown>;
      const body = fromBody.get(String(row.claim_no)) as Record<string, unknown>;
      expect(asStored(row), String(row.claim_no)).toEqual(expected(claim));
      expect(asStored(row), String(row.claim_no)).toEqual(asStored({ line_count: body.lines, lines_missing_name: body.missing_name, lines_missing_spec: body.missing_spec, settled_at: body.settled }));
    }
    // The shapes above do produce each case.
    const sum = (k: string) => stored.reduce((s, r) => s + Number(r[k]), 0);
    expect(sum('lines_missing_name')).toBe(2 * (2 + 1));
    expect(sum('lines_missing_spec')).toBe(2 * (3 + 1));
    expect(stored.filter((r) => r.settled_at === null)).toHaveLength(2);
  });

  it('give the report the figures it gave when it read every body', async () => {
    const cutoff = Date.now() + 1000;
    const report = await buildReport(svc.deps.database, { month: '2026-10', cutoff, lateDays: 7 });
    const old = await svc.deps.database.query(OLD_QUALITY, ['2026-10', new Date(cutoff).toISOString(), 7]);
    expect(old.length).toBe(4); // three institutions of these shapes and the stay's
    const round = (v: unknown) => (v === null ? null : Math.round(Number(v) * 10) / 10);
    for (const o of old) {
      const row = report.dataQuality.find((r) => r.institutionId === o.institution_id);
      expect(row, String(o.institution_id)).toMatchObject({
        claims: o.claims,
        lines: o.lines,
        linesMissingName: o.missing_name,
        linesMissingSpec: o.missing_spec,
        lagMedianDays: round(o.lag_median),
        lagP90Days: round(o.lag_p90),
        lagMaxDays: round(o.lag_max),
        lateSubmissions: o.late,
      });
    }
    expect(report.dataQuality.reduce((s, r) => s + r.lateSubmissions, 0)).toBeGreaterThan(0);
  });
});

describe('migration 0008 on claims stored before it', () => {
  // The migrations up to 0007 alone, in a folder of their own.
  let before: string;
  beforeAll(() => {
    before = mkdtempSync(path.join(os.tmpdir(), 'cs-migrations-'));
    cpSync(migrationsFolder, before, { recursive: true });
    const journalPath = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.startsWith('0008_'));
    expect(at).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    writeFileSync(journalPath, JSON.stringify(journal));
  });
  afterAll(() => rmSync(before, { recursive: true, force: true }));

  it('fills the columns from each stored body', async () => {
    const db = await freshDatabaseUrl({ empty: true });
    let query: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
    let migrateTo: (folder: string) => Promise<void>;
    let close: () => Promise<void>;
    if (db.url) {
      const client = postgres(db.url, { max: 1, onnotice: () => {} });
      query = async (text, params = []) => [...(await client.unsafe(text, params as never[]))];
      migrateTo = (folder) => migratePostgres(drizzlePostgres(client), { migrationsFolder: folder });
      close = async () => {
        await client.end();
        await db.drop();
      };
    } else {
      const pg = await PGlite.create('memory://');
      query = async (text, params = []) => (await pg.query<Record<string, unknown>>(text, params)).rows;
      migrateTo = (folder) => migratePglite(drizzlePglite(pg), { migrationsFolder: folder });
      close = () => pg.close();
    }
    try {
      await migrateTo(before);
      const columns = await query(`select column_name from information_schema.columns where table_name = 'claims' and column_name = 'line_count'`);
      expect(columns).toHaveLength(0);
      // Claims as the service stored them then: the body is what the caller sent, without the person's id.
      const list = [...claims('old'), inpatientClaim({ claimId: 'Q-old-stay' })];
      for (const c of list) {
        const { insured, ...rest } = c as { insured: { sex: string; birthDate: string } };
        await query(
          `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
             total_amount, payable_amount, decision, content_hash, body, answer)
           values (gen_random_uuid(), $1, $2, 'p', $3, '2026-10-03T02:00:00Z', '2026-10-03T02:00:00Z', '2026-10', 0, 0, 'pass', 'h', $4::jsonb, '{}'::jsonb)`,
          [c.institutionId, c.claimId, c.visitType, JSON.stringify({ ...rest, insured: { sex: insured.sex, birthDate: insured.birthDate } })],
        );
      }
      // ... and each line again as a claim_lines row, as the intake wrote them until migration 0037
      // (which refuses to drop rows that differ from the bodies): these lines' times are local
      // times in China, their amounts plain decimals.
      await query(
        `insert into claim_lines (claim_id, line_no, line_id, institution_id, person_hash, item_code, hospital_item_code,
           hospital_item_name, category, service_at, service_date, quantity, unit_price, amount)
         select c.id, x.k, x.l->>'lineId', c.institution_id, c.person_hash, x.l->>'itemCode', x.l->>'hospitalItemCode',
           x.l->>'hospitalItemName', x.l->>'category', (x.l->>'serviceAt')::timestamp at time zone interval '08:00',
           (x.l->>'serviceAt')::timestamp::date, (x.l->>'quantity')::numeric, (x.l->>'unitPrice')::numeric, (x.l->>'amount')::numeric
         from claims c, jsonb_array_elements(c.body->'lines') with ordinality x(l, k)`,
      );
      await migrateTo(migrationsFolder);
      const stored = await query(STORED);
      expect(stored).toHaveLength(list.length);
      for (const row of stored) {
        const claim = list.find((c) => c.claimId === row.claim_no) as Record<string, unknown>;
        expect(asStored(row), String(row.claim_no)).toEqual(expected(claim));
      }
      // And the columns are required from now on.
      const nullable = await query(`select column_name from information_schema.columns where table_name = 'claims' and column_name like 'line%' and is_nullable = 'YES'`);
      expect(nullable).toHaveLength(0);
    } finally {
      await close();
    }
  }, 60_000);
});
