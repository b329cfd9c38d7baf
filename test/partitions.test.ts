import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveMonth, attachMonth, detachMonth, dropMonth, ensureMonths, listMonths, sha256Of, shiftMonth } from '../src/db/partitions.js';
import { cstMonth } from '../src/lib/time.js';
import { outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

// Monthly partitions and retention (migration 0032, docs/operations.md "Monthly partitions and
// retention"), on the database the suite runs on (PGlite, or PostgreSQL with DATABASE_URL): claims
// through the real HTTP intake across months, a month without partitions taken by the default
// partition and then split out, a month detached, archived to files, attached again read-only,
// writes refused, and drop refused under 15 years.

const INST = 'H32010200001';
const CUR = cstMonth(Date.now());
const OLD = shiftMonth(CUR, -30); // older than the default hot window (24 months)
const OLDER = shiftMonth(CUR, -31);
const FAR = '2001-05'; // far in the past: no partition until the keeper splits it out

let svc: TestService;
let archiveDir: string;
const sent: Record<string, string[]> = {};
const q = <T extends Record<string, unknown>>(text: string, params?: unknown[]) => svc.deps.database.query<T>(text, params);

const claimIn = (month: string, n: number, person: string) =>
  outpatientClaim({
    claimId: `P-${month}-${n}`,
    insured: { id: person, sex: 'female', birthDate: '1980-01-01' },
    visitAt: `${month}-01 0${n}:00:00`,
    lines: [{ lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: `${month}-01 0${n}:00:00`, quantity: 1, unitPrice: 10, amount: 10 }],
  });

const partitionsOf = async (table: string) =>
  (
    await q<{ name: string; bound: string }>(
      `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits h join pg_class c on c.oid = h.inhrelid where h.inhparent = $1::regclass order by 1`,
      [table],
    )
  ).map((r) => r.name);

beforeAll(async () => {
  archiveDir = mkdtempSync(path.join(tmpdir(), 'claimscreen-archive-'));
  svc = await startTestService({ PARTITION_MAINTENANCE_MS: '0' });
  for (const [i, month] of [OLDER, OLD, CUR, FAR].entries()) {
    sent[month] = [];
    for (const n of [1, 2]) {
      const claim = claimIn(month, n, `32010219800101${String(i * 10 + n).padStart(4, '0')}`);
      const res = await svc.call('/v1/claims', { json: claim });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
      sent[month].push(claim.claimId as string);
    }
  }
}, 120_000);

afterAll(async () => {
  await svc?.close();
  rmSync(archiveDir, { recursive: true, force: true });
});

describe('monthly partitions', () => {
  it('claims, findings and finding references are partitioned by list of service month, with a default partition', async () => {
    const tables = await q<{ t: string; strategy: string; key: string }>(
      `select c.relname as t, p.partstrat as strategy, pg_get_partkeydef(c.oid) as key from pg_partitioned_table p join pg_class c on c.oid = p.partrelid order by 1`,
    );
    expect(tables).toEqual(['claims', 'finding_references', 'findings'].map((t) => ({ t, strategy: 'l', key: 'LIST (service_month)' })));
    expect(await q(`select table_name from month_partitioned_tables order by position`)).toEqual(['claims', 'finding_references', 'findings'].map((table_name) => ({ table_name })));
    // this month and the two ahead exist (the migration or the keeper at start made them)
    const parts = await partitionsOf('claims');
    for (const m of [CUR, shiftMonth(CUR, 1), shiftMonth(CUR, 2)]) expect(parts).toContain(`claims_${m.replace('-', '_')}`);
    expect(parts).toContain('claims_default');
    // every index of the parent is a partitioned index, on every partition
    const [idx] = await q<{ n: number }>(`select count(*)::int as n from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = 'claims'::regclass and c.relkind = 'I'`);
    expect(idx!.n).toBeGreaterThanOrEqual(3);
    // a finding's claim must be stored (the statement's check on findings, migration 0036), nothing written;
    // a stored claim's id under another person or month names no stored claim either: the whole key is checked
    const [stored] = await q<{ id: string; person_hash: string; service_month: string }>(`select id, person_hash, service_month from claims order by id limit 1`);
    const findingsBefore = await q<{ n: number }>(`select count(*)::int as n from findings`);
    const findingOf = (person: string, month: string) =>
      q(
        `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
         values (gen_random_uuid(), $1, $1, false, 'R', 1, 'f', 'low', 'active', '{}', '[]', '[]', '[]', 0, $3, $2) returning id`,
        [stored!.id, person, month],
      );
    await expect(findingOf('nobody', stored!.service_month)).rejects.toThrow(/violates foreign key to claims: claim [0-9a-f-]+ is not stored/);
    await expect(findingOf(stored!.person_hash, stored!.service_month === CUR ? shiftMonth(CUR, 1) : CUR)).rejects.toThrow(/foreign key/);
    // one statement over two months (checked one month at a time, migration 0038): the stored claim's
    // finding does not let through a finding of the other month whose claim is not stored
    const otherMonth = stored!.service_month === CUR ? shiftMonth(CUR, 1) : CUR;
    const twoMonths = `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
       select gen_random_uuid(), x.claim_id, x.claim_id, false, 'R', 1, 'f', 'low', 'active', '{}', '[]', '[]', '[]', 0, x.month, x.person
       from (values ($1::uuid, $2, $3, 1), ($4::uuid, 'nobody', $5, 2)) x(claim_id, person, month, k) order by x.k * $6`;
    const missing = '00000000-0000-7000-8000-000000000001';
    for (const order of [1, -1])
      await expect(q(twoMonths, [stored!.id, stored!.person_hash, stored!.service_month, missing, otherMonth, order])).rejects.toThrow(
        new RegExp(`violates foreign key to claims: claim ${missing} is not stored`),
      );
    expect(await q(`select count(*)::int as n from findings`)).toEqual(findingsBefore);
    // a finding and a reference likewise
    await expect(
      q(
        `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
         values (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), false, 'R', 1, 'f', 'low', 'active', '{}', '[]', '[]', '[]', 0, $1, 'nobody')`,
        [CUR],
      ),
    ).rejects.toThrow(/violates foreign key to claims/);
    await expect(
      q(
        `insert into finding_references (id, claim_id, person_hash, service_month, finding_id, finding_claim_id, source_claim_id, relation, rule_id, rule_version, family, severity, lines, message)
         values (gen_random_uuid(), gen_random_uuid(), 'nobody', $1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'later', 'R', 1, 'f', 'low', '[]', '{}')`,
        [CUR],
      ),
    ).rejects.toThrow(/violates foreign key to claims/);
    // the claims' side: a claim with a finding is neither deleted nor moved to another key
    const [finding] = await findingOf(stored!.person_hash, stored!.service_month);
    await expect(q(`delete from claims where id = $1`, [stored!.id])).rejects.toThrow(/claim [0-9a-f-]+ is still referenced from table "findings"/);
    await expect(q(`update claims set person_hash = 'someone else' where id = $1`, [stored!.id])).rejects.toThrow(/still referenced from table "findings"/);
    await q(`delete from findings where id = $1`, [finding!.id]);
    // an update that keeps the key is not refused
    await q(`update claims set settled_at = settled_at where id = $1`, [stored!.id]);
    expect(await q(`select count(*)::int as n from claims where id = $1`, [stored!.id])).toEqual([{ n: 1 }]);
  });

  it('a claim of a month without partitions went to the default partition; the keeper gives it its own, idempotently', async () => {
    const inDefault = await q<{ m: string; n: number }>(`select service_month as m, count(*)::int as n from claims_default group by 1 order by 1`);
    expect(inDefault).toEqual([FAR, OLDER, OLD].sort().map((m) => ({ m, n: 2 })));
    const totalsBefore = await q(`select * from institution_item_months order by month, item_code`);
    const linesBefore = await q<{ n: number }>(`select count(*)::int as n from claims c, claim_lines_of(c.body)`);

    // the service leaves a month with more claims in the default than it moves by itself, and says so
    const tooLarge: [string, number][] = [];
    expect(await ensureMonths(svc.deps.database, Date.now(), 2, 'service', { splitMax: 1, onTooLarge: (m, n) => tooLarge.push([m, n]) })).toEqual({});
    expect(tooLarge).toEqual([FAR, OLDER, OLD].sort().map((m) => [m, 2]));
    expect(await ensureMonths(svc.deps.database, Date.now(), 2)).toEqual({ [FAR]: 'split', [OLDER]: 'split', [OLD]: 'split' });
    expect(await ensureMonths(svc.deps.database, Date.now(), 2)).toEqual({}); // a second run: nothing to do
    expect(await q(`select count(*)::int as n from claims_default`)).toEqual([{ n: 0 }]);
    expect(await q(`select count(*)::int as n from ${'claims_' + OLD.replace('-', '_')}`)).toEqual([{ n: 2 }]);
    expect(await q(`select count(*)::int as n from ${'claims_' + OLD.replace('-', '_')} c, claim_lines_of(c.body)`)).toEqual([{ n: 2 }]);
    // moving rows between partitions is not a new line: the running totals did not change
    expect(await q(`select * from institution_item_months order by month, item_code`)).toEqual(totalsBefore);
    expect(await q<{ n: number }>(`select count(*)::int as n from claims c, claim_lines_of(c.body)`)).toEqual(linesBefore);
    const events = await q<{ month: string; action: string }>(`select month, action from partition_events where action = 'split' order by month`);
    expect(events).toEqual([FAR, OLDER, OLD].sort().map((month) => ({ month, action: 'split' })));
    // and the claim is still found by its key, through the intake's resubmission path
    const again = await svc.call('/v1/claims', { json: claimIn(OLD, 1, '32010219800101' + '0011') });
    expect(again.status).toBe(200);
    expect(await q(`select count(*)::int as n from claims where service_month = $1`, [OLD])).toEqual([{ n: 2 }]);
  });

  it('detach: refused within the hot window and while a review case of the month is not closed; then the month leaves the live tables, nothing deleted', async () => {
    const db = svc.deps.database;
    await expect(detachMonth(db, shiftMonth(CUR, -24), 24, 'test')).rejects.toThrow(/within the hot window/);
    await expect(detachMonth(db, OLD, 12, 'test')).rejects.toThrow(/at least 13 months/);
    // a case on one of the month's claims, opened as the intake's triggers open them
    const [claim] = await q<{ id: string }>(`select id from claims where service_month = $1 order by id limit 1`, [OLD]);
    await q(`select review_open_case($1)`, [claim!.id]);
    await expect(detachMonth(db, OLD, 24, 'test')).rejects.toThrow(/review cases not closed/);
    // the case is closed (as the review's second reviewer would close it)
    await q(`update review_cases set status = 'closed' where service_month = $1`, [OLD]);

    const before = await q<{ n: number }>(`select count(*)::int as n from claims where service_month = $1`, [OLD]);
    const rows = await detachMonth(db, OLD, 24, 'Sun Li');
    expect(rows).toEqual({ claims: 2, findings: expect.any(Number), finding_references: expect.any(Number) });
    expect(before).toEqual([{ n: 2 }]);
    expect(await q(`select count(*)::int as n from claims where service_month = $1`, [OLD])).toEqual([{ n: 0 }]);
    expect(await q(`select count(*)::int as n from archive.${'claims_' + OLD.replace('-', '_')}`)).toEqual([{ n: 2 }]);
    // the month's lines went with their claims, in their bodies
    expect(await q(`select count(*)::int as n from archive.${'claims_' + OLD.replace('-', '_')} c, claim_lines_of(c.body)`)).toEqual([{ n: 2 }]);
    // the closed case stays
    expect(await q(`select count(*)::int as n from review_cases where service_month = $1`, [OLD])).toEqual([{ n: 1 }]);

    // the queue, the other months' claims and report still work
    expect((await svc.call(`/v1/claims/${INST}/${sent[OLD]![0]}`)).status).toBe(404);
    const cur = await svc.call(`/v1/claims/${INST}/${sent[CUR]![0]}`);
    expect(cur.status).toBe(200);
    expect((await json(cur)).answer.claimId).toBe(sent[CUR]![0]);
    const older = await svc.call(`/v1/claims/${INST}/${sent[OLDER]![1]}`);
    expect(older.status).toBe(200);
    const report = await svc.call(`/v1/reports/${CUR}`, { role: 'supervisor' });
    expect(report.status).toBe(200);
    expect((await json(report)).fund.claims).toBe(2);
    const queue = await svc.call('/v1/review/cases?limit=100', { role: 'supervisor' });
    expect(queue.status).toBe(200);
    // a resubmission of a claim of the detached month: its key is known, the claim archived
    const resubmitted = await svc.call('/v1/claims', { json: claimIn(OLD, 1, '320102198001010011') });
    expect(resubmitted.status).toBe(409);
    expect(await json(resubmitted)).toMatchObject({ error: { code: 'claim_archived' } });
    // a new claim in the current month is written as before
    const fresh = await svc.call('/v1/claims', { json: claimIn(CUR, 3, '320102198001019999') });
    expect(fresh.status).toBe(200);

    const listed = await listMonths(db);
    expect(listed.months.find((m) => m.month === OLD)).toEqual({ month: OLD, state: 'detached', claims: 2, archived: null });
    expect(listed.months.find((m) => m.month === CUR)).toMatchObject({ state: 'live', claims: 3 });
  });

  it('the detached month is read-only: writes are refused', async () => {
    const t = `archive.claims_${OLD.replace('-', '_')}`;
    await expect(q(`update ${t} set decision = 'pass'`)).rejects.toThrow(/read-only: UPDATE refused/);
    await expect(q(`delete from ${t}`)).rejects.toThrow(/read-only: DELETE refused/);
    await expect(q(`truncate ${t} cascade`)).rejects.toThrow(/read-only/);
    await expect(q(`insert into ${t} select * from claims limit 1`)).rejects.toThrow(/read-only: INSERT refused/);
    expect(await q(`select count(*)::int as n from ${t}`)).toEqual([{ n: 2 }]);
  });

  it('archive: the month written to files with their SHA-256; the tables stay', async () => {
    const manifest = await archiveMonth(svc.deps.database, OLD, archiveDir, 'Sun Li');
    expect(manifest.tables.claims).toMatchObject({ file: 'claims.ndjson', rows: 2 });
    expect(Object.keys(manifest.tables).sort()).toEqual(['claims', 'finding_references', 'findings']);
    for (const entry of Object.values(manifest.tables)) {
      const file = path.join(archiveDir, OLD, entry.file);
      expect(await sha256Of(file)).toBe(entry.sha256);
    }
    const claims = readFileSync(path.join(archiveDir, OLD, 'claims.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(claims.map((c) => c.claim_no).sort()).toEqual([...sent[OLD]!].sort());
    expect(JSON.parse(readFileSync(path.join(archiveDir, OLD, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(await q(`select count(*)::int as n from archive.claims_${OLD.replace('-', '_')}`)).toEqual([{ n: 2 }]);
    expect((await listMonths(svc.deps.database)).months.find((m) => m.month === OLD)?.archived?.dir).toBe(path.join(archiveDir, OLD));
  });

  it('drop: refused for a month younger than 15 years, whatever the configuration', async () => {
    await expect(dropMonth(svc.deps.database, OLD, 'Sun Li')).rejects.toThrow(/younger than 15 years/);
    await expect(dropMonth(svc.deps.database, shiftMonth(CUR, -179), 'Sun Li')).rejects.toThrow(/younger than 15 years/);
    expect(await q(`select count(*)::int as n from archive.claims_${OLD.replace('-', '_')}`)).toEqual([{ n: 2 }]);
    // FAR (2001-05) is older than 15 years, but attached: only a detached, archived month can go
    await expect(dropMonth(svc.deps.database, FAR, 'Sun Li')).rejects.toThrow(/is not detached/);
  });

  it('attach for an audit: the service reads the month again, every write to it is refused, and detach takes it back', async () => {
    const db = svc.deps.database;
    await attachMonth(db, OLD, 'Wang Fang');
    expect((await listMonths(db)).months.find((m) => m.month === OLD)).toMatchObject({ state: 'audit', claims: 2 });
    const back = await svc.call(`/v1/claims/${INST}/${sent[OLD]![0]}`);
    expect(back.status).toBe(200);
    expect((await json(back)).answer.claimId).toBe(sent[OLD]![0]);
    expect(await q(`select count(*)::int as n from claims where service_month = $1`, [OLD])).toEqual([{ n: 2 }]);
    // through the parent tables too
    await expect(q(`update claims set decision = 'pass' where service_month = $1`, [OLD])).rejects.toThrow(/read-only: UPDATE refused/);
    await expect(
      q(
        `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
         select gen_random_uuid(), id, id, false, 'R', 1, 'f', 'low', 'active', '{}', '[]', '[]', '[]', 0, service_month, person_hash from claims where service_month = $1 limit 1`,
        [OLD],
      ),
    ).rejects.toThrow(/read-only: INSERT refused/);
    // a new claim of the month is answered 503, not stored
    const refused = await svc.call('/v1/claims', { json: claimIn(OLD, 3, '320102198001018888') });
    expect(refused.status).toBe(503);
    expect(await json(refused)).toMatchObject({ error: { code: 'month_read_only' } });
    expect(await q(`select count(*)::int as n from claims where service_month = $1`, [OLD])).toEqual([{ n: 2 }]);

    await detachMonth(db, OLD, 24, 'Wang Fang');
    expect((await listMonths(db)).months.find((m) => m.month === OLD)).toMatchObject({ state: 'detached', claims: 2 });
    expect(await q(`select action from partition_events where month = $1 order by id`, [OLD])).toEqual(['split', 'detached', 'archived', 'attached', 'detached'].map((action) => ({ action })));
  });
});
