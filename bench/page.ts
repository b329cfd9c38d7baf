/**
 * The auditors' queue page under 10,000 open cases:
 *
 *   npm run bench:page                  # embedded PGlite
 *   DATABASE_URL=postgres://… npm run bench:page
 *
 * Starts the real service on a fresh database, stores 10,000 claims and opens a case on each
 * (plain SQL, so seeding takes seconds), signs an auditor in through the page, then requests in
 * the same run, one at a time, 100 times each:
 *   - GET /v1/review/cases?limit=50        the queue API's first page (the baseline), and again
 *     with the page's default status filter (every case not closed),
 *   - GET /ui/queue                        the queue page's first page (the same query, rendered),
 *   - GET /ui/queue?family=…&minAgeDays=0  the page with filters,
 *   - GET /ui/queue?offset=5000            a deep page,
 *   - GET /ui/queue?claimId=BENCH-5000     the search by claim number,
 *   - GET /ui/queue?institution=鼓楼&sort=oldest  an institution by part of its name, oldest first.
 * Prints p50, p95, p99 and max for each, the page ÷ API ratio (the API with the page's default
 * filter, so the ratio is the page's own cost: session, rendering), and whether p99 < 300 ms.
 * 10 warm-up requests of each kind are not counted. The machine's load average is printed.
 */
import os from 'node:os';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/server.js';
import { freshDatabaseUrl } from '../test/support/database.js';

const CASES = Number(process.env.BENCH_CASES ?? 10_000);
const REQUESTS = 100;
const WARMUP = 10;
const GOAL_MS = 300;

async function seed(query: (text: string, params?: unknown[]) => Promise<unknown[]>) {
  const families = ['duplicate', 'split-charging', 'bed-hanging', 'overlapping-stay', 'substitution', 'price', 'quantity', 'restriction'];
  await query(
    `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, main_diagnosis,
                         total_amount, payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
     select gen_random_uuid(), 'H' || lpad((g % 40)::text, 11, '0'), 'BENCH-' || g, md5(g::text), 'inpatient',
            timestamptz '2026-10-01 08:00+08' + (g % 28) * interval '1 day', timestamptz '2026-10-03 08:00+08' + (g % 28) * interval '1 day',
            '2026-10', 'J18', 100 + g % 900, 100 + g % 900, 'review', md5('c' || g),
            jsonb_build_object('visitType', 'inpatient', 'lines', '[]'::jsonb, 'totalAmount', 100 + g % 900), '{}'::jsonb, 0, 0, 0
     from generate_series(1, $1::int) g`,
    [CASES],
  );
  // the 40 institutions, a quarter of them named in 鼓楼 (the name search finds 2,500 cases)
  await query(
    `insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from)
     select 'H' || lpad(g::text, 11, '0'), '2000-01-01', case when g % 4 = 0 then '南京市鼓楼区第' || g || '医院' else '南京市玄武区第' || g || '医院' end,
            'hospital', 'secondary', 'public', '320102', 200, '2020-01-01'
     from generate_series(0, 39) g`,
  );
  await query(
    `insert into review_cases (claim_id, person_hash, institution_id, service_month, visit_type, status, reason_kinds, families, severity_rank,
                               amount_at_issue, claim_total, provider_risk, priority, opened_at)
     select c.id, c.person_hash, c.institution_id, c.service_month, c.visit_type, 'open', array['finding'],
            array[($1::text[])[1 + (abs(hashtext(c.claim_no)) % 8)]], 1 + abs(hashtext(c.claim_no)) % 4,
            c.total_amount / 2, c.total_amount, 0, (c.total_amount / 2) * (1 + abs(hashtext(c.claim_no)) % 4),
            now() - (abs(hashtext(c.claim_no)) % 60) * interval '1 day'
     from claims c where c.claim_no like 'BENCH-%'
     on conflict (claim_id) do nothing`,
    [families],
  );
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(label: string, url: string, headers: Record<string, string>) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers, redirect: 'manual' });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${label}: ${res.status} ${body.slice(0, 200)}`);
    if (i >= WARMUP) times.push(ms);
    bytes = body.length;
  }
  const s = [...times].sort((a, b) => a - b);
  return { label, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1]!, bytes };
}

async function main() {
  // an empty database: the service migrates it when it starts (the migrated template is the test
  // runner's, which a benchmark run outside vitest does not have)
  const db = await freshDatabaseUrl({ empty: true });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    PERSON_ID_SECRET: 'bench-person-id-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
  });
  const service = await startService(config, createLogger('warn'));
  try {
    console.log(
      `database: ${db.url ? 'PostgreSQL' : 'PGlite'}; load average before: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const t0 = performance.now();
    await seed((text, params) => service.deps.database.query(text, params));
    const [{ n }] = (await service.deps.database.query<{ n: number }>(`select count(*)::int as n from review_cases where status = 'open'`)) as [{ n: number }];
    console.log(`seeded ${n} open cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { key } = await service.deps.keys.create({ clientName: 'Bench Auditor', role: 'auditor', createdBy: 'bench' });
    const login = await fetch(`${service.url}/ui/login`, { method: 'POST', body: new URLSearchParams({ key }), redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!cookie.startsWith('cs_session=')) throw new Error(`sign-in failed: ${login.status}`);
    const results = [
      await measure('API  GET /v1/review/cases?limit=50', `${service.url}/v1/review/cases?limit=50`, { authorization: `Bearer ${key}` }),
      // the page's default filter (every case not closed), through the API: the page's own cost is the difference
      await measure('API  GET /v1/review/cases?limit=50&status=(not closed)', `${service.url}/v1/review/cases?limit=50&status=open,assigned,concluded,returned`, { authorization: `Bearer ${key}` }),
      await measure('page GET /ui/queue', `${service.url}/ui/queue`, { cookie }),
      await measure('page GET /ui/queue?family=bed-hanging&minAgeDays=7', `${service.url}/ui/queue?family=bed-hanging&minAgeDays=7`, { cookie }),
      await measure('page GET /ui/queue?offset=5000', `${service.url}/ui/queue?offset=5000`, { cookie }),
      // the search and sort added by issue 15 (item 5): a claim number, an institution by name, oldest first
      await measure('page GET /ui/queue?claimId=BENCH-5000', `${service.url}/ui/queue?claimId=BENCH-5000`, { cookie }),
      await measure('page GET /ui/queue?institution=…&sort=oldest', `${service.url}/ui/queue?institution=${encodeURIComponent('鼓楼')}&sort=oldest`, { cookie }),
    ];
    console.log(`\n${REQUESTS} sequential requests each after ${WARMUP} warm-up, ${n} open cases`);
    console.log('request'.padEnd(54), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'p99 ms'.padStart(8), 'max ms'.padStart(8), 'bytes'.padStart(8));
    for (const r of results)
      console.log(r.label.padEnd(54), r.p50.toFixed(1).padStart(8), r.p95.toFixed(1).padStart(8), r.p99.toFixed(1).padStart(8), r.max.toFixed(1).padStart(8), String(r.bytes).padStart(8));
    const [, apiSame, pageFirst] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    console.log(`\nqueue page ÷ queue API with the same filter: p50 ${(pageFirst.p50 / apiSame.p50).toFixed(2)}, p99 ${(pageFirst.p99 / apiSame.p99).toFixed(2)}`);
    for (const r of results) console.log(`${r.label}: p99 ${r.p99.toFixed(1)} ms ${r.p99 < GOAL_MS ? '<' : '≥'} ${GOAL_MS} ms: ${r.p99 < GOAL_MS ? 'met' : 'NOT met'}`);
    console.log(
      `load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await service.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
