import type { Database } from '../src/db/client.js';

/** statements of at most this many cases each: one statement for 10,000 passed the query deadline */
const CHUNK = 1000;

/** Opens `count` cases straight in the database: one claim each, one finding-kind reason. */
export async function seedCases(database: Database, count: number, month = '2026-10') {
  for (let from = 1; from <= count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK - 1);
    await database.query(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
         total_amount, payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       select gen_random_uuid(), 'H' || lpad((g % 40)::text, 11, '0'), 'SEED' || g, 'p' || g, 'inpatient', now(), now(), $3,
         100 + g % 900, 100 + g % 900, 'review', 'h', '{}'::jsonb, '{}'::jsonb, 0, 0, 0
       from generate_series($1::int, $2::int) g`,
      [from, to, month],
    );
    const opened = await database.query<{ case_id: string }>(
      `insert into review_reasons (case_id, kind, rule_id, family, severity, amount)
       select review_open_case(c.id), 'finding', 'SEED-RULE', 'seed', (array['low','medium','high'])[1 + (hashtext(c.claim_no) & 2147483647) % 3], c.total_amount / 3
       from claims c where c.service_month = $3 and c.claim_no in (select 'SEED' || g from generate_series($1::int, $2::int) g)
       returning case_id`,
      [from, to, month],
    );
    // the ids as an array literal: the same text on PGlite, the pool and the chaos run's bare driver
    await database.query(`select review_refresh_case(id, false) from unnest($1::bigint[]) id`, [`{${opened.map((r) => r.case_id).join(',')}}`]);
  }
}
