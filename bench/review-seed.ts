import type { Database } from '../src/db/client.js';

/** Opens `count` cases straight in the database: one claim each, one finding-kind reason. */
export async function seedCases(database: Database, count: number, month = '2026-10') {
  await database.query(
    `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
       total_amount, payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
     select gen_random_uuid(), 'H' || lpad((g % 40)::text, 11, '0'), 'SEED' || g, 'p' || g, 'inpatient', now(), now(), $2,
       100 + g % 900, 100 + g % 900, 'review', 'h', '{}'::jsonb, '{}'::jsonb, 0, 0, 0
     from generate_series(1, $1::int) g`,
    [count, month],
  );
  await database.query(
    `insert into review_reasons (case_id, kind, rule_id, family, severity, amount)
     select review_open_case(c.id), 'finding', 'SEED-RULE', 'seed', (array['low','medium','high'])[1 + (hashtext(c.claim_no) & 2147483647) % 3], c.total_amount / 3
     from claims c where c.claim_no like 'SEED%' and c.service_month = $1`,
    [month],
  );
  await database.query(`select review_refresh_case(id, false) from review_cases where service_month = $1`, [month]);
}
