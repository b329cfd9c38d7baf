import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase, type Database, type Row } from '../../src/db/client.js';
import { freshDatabaseUrl } from '../support/database.js';
import { migrationsUpTo } from '../support/migrations.js';

// Cases as they stood before 0017/0018 (docs/review-money.md): the migrations recount them.
// Claim F (3,177.55, withheld in full at intake) with a suspicion over its lines: at issue 3,177.55
// before (the demo's #112); claim P (withheld 4.20 of 30.00) appealed twice: 8.40 before (case 349).
const CLAIMS = [
  {
    id: '00000000-0000-4000-8000-00000000000f',
    no: 'F',
    total: '3177.55',
    payable: '0.00',
    decision: 'withhold',
    lines: [
      ['L1', '3000.00'],
      ['L2', '177.55'],
    ],
    withheld: [
      ['L1', '3000.00'],
      ['L2', '177.55'],
    ],
  },
  {
    id: '00000000-0000-4000-8000-00000000000b',
    no: 'P',
    total: '30.00',
    payable: '25.80',
    decision: 'withhold',
    lines: [
      ['L1', '25.80'],
      ['L2', '4.20'],
    ],
    withheld: [['L2', '4.20']],
  },
] as const;

async function seedOld(q: (text: string, params?: unknown[]) => Promise<unknown>) {
  for (const c of CLAIMS) {
    const answer = { decision: c.decision, withheldAmount: (Number(c.total) - Number(c.payable)).toFixed(2), withheldLines: c.withheld.map(([lineId, amount]) => ({ lineId, amount })) };
    // the claim as sent, its lines as the rows below (migration 0037 reads them from here)
    const body = {
      lines: c.lines.map(([lineId, amount]) => ({ lineId, itemCode: '120100001', category: 'bed', serviceAt: '2026-10-02T00:00:00Z', quantity: 1, unitPrice: amount, amount })),
    };
    await q(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
         content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       values ($1, 'H32010200001', $2, 'p-' || $2, 'inpatient', '2026-10-01T00:00:00Z', '2026-10-05T00:00:00Z', '2026-10', $3, $4, $5, 'h', $7::jsonb, $6::jsonb, 2, 0, 0)`,
      [c.id, c.no, c.total, c.payable, c.decision, JSON.stringify(answer), JSON.stringify(body)],
    );
    for (const [i, [lineId, amount]] of c.lines.entries())
      await q(
        `insert into claim_lines (claim_id, line_no, line_id, institution_id, person_hash, item_code, category, service_at, service_date, quantity, unit_price, amount, service_month)
         values ($1, $2, $3, 'H32010200001', 'p-' || $4, '120100001', 'bed', '2026-10-02T00:00:00Z', '2026-10-02', 1, $5, $5, '2026-10')`,
        [c.id, i + 1, lineId, c.no, amount],
      );
  }
  const [f, p] = CLAIMS;
  await q(
    `insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
     values ('00000000-0000-4000-8000-0000000000f1', $1, $1, false, 'STAY-OVERLAP', 1, 'overlapping-stay', 'high', 'active', '{"zh":"x","en":"x"}', '["L1","L2"]', '[]', '[]', 3177.55, '2026-10', 'p-F')`,
    [f.id],
  );
  await q(`insert into review_reasons (case_id, kind, severity, amount, detail, created_by) values (review_open_case($1), 'appeal', 'violation', 4.20, '{"reason":"first"}', 'settlement')`, [p.id]);
  await q(
    `insert into review_reasons (case_id, kind, severity, amount, detail, created_by) select id, 'appeal', 'violation', 4.20, '{"reason":"again"}', 'settlement' from review_cases where claim_id = $1`,
    [p.id],
  );
  await q(`select review_refresh_case(id, false) from review_cases`);
}

describe('0017 and 0018 over cases stored before them', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('recount the amount at issue and priority once, and gather earlier appeals one per claim', async () => {
    const upTo = migrationsUpTo('0016_');
    cleanups.push(() => rmSync(upTo, { recursive: true, force: true }));
    const fresh = await freshDatabaseUrl({ empty: true });
    cleanups.push(fresh.drop);
    let database: Database;
    let before: Row[];
    const read = 'select cl.claim_no, c.amount_at_issue::text as amount, c.priority::text as priority from review_cases c join claims cl on cl.id = c.claim_id order by cl.claim_no';
    if (fresh.url) {
      const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: upTo });
      await seedOld((t, p) => client.unsafe(t, p as never[]));
      before = [...(await client.unsafe(read))];
      await client.end();
      database = await openDatabase({ databaseUrl: fresh.url, pgliteDir: 'memory://', poolMax: 2, statementTimeoutMs: 5000 });
    } else {
      const pg = await PGlite.create('memory://');
      await migratePglite(drizzlePglite(pg), { migrationsFolder: upTo });
      await seedOld((t, p) => pg.query(t, p as never[]));
      before = (await pg.query<Row>(read)).rows;
      await migratePglite(drizzlePglite(pg), { migrationsFolder });
      const query = async <T extends Row>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows;
      database = { kind: 'pglite', query, close: () => pg.close() } as Pick<Database, 'kind' | 'query' | 'close'> as Database;
    }
    cleanups.push(() => database.close());
    expect(before.map((r) => [r.claim_no, r.amount, Number(r.priority)])).toEqual([
      ['F', '3177.55', Math.round((3177.55 + 0.05 * 3177.55) * 0.8 * 10000) / 10000],
      ['P', '8.40', Math.round((8.4 + 0.05 * 30) * 1.0 * 10000) / 10000],
    ]);
    const after = await database.query(read);
    expect(after.map((r) => [r.claim_no, r.amount, Number(r.priority)])).toEqual([
      ['F', '0.00', 0], // withheld in full at intake: nothing payable at issue
      ['P', '4.20', Math.round((4.2 + 0.05 * 25.8) * 10000) / 10000], // the disputed 4.20 once; 5% of what is payable
    ]);
    const appeals = await database.query(`select claim_no, amount::text as amount, status, opened_by from review_appeals`);
    expect(appeals).toEqual([{ claim_no: 'P', amount: '4.20', status: 'open', opened_by: 'settlement' }]);
  });
});
