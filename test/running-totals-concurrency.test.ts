import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

/**
 * The running totals kept by triggers on claims (institution_item_months, institution_months,
 * institution_nights; migrations 0038 and 0041) under statements that store claims at the same time and share their keys: on
 * PostgreSQL (DATABASE_URL) the statements run on the pool's sessions at once, each touching the
 * same totals in its own shuffled order, and the keys of each round's new month are created by all
 * of them together. None may fail (a deadlock would: each statement is its own transaction, so only
 * an order of row locks that differs between two statements could deadlock), and the totals must
 * equal a recount of the stored claims. On PGlite (one session) the same statements run one after
 * the other and the totals are held to the same recount. The statements run twice: as plain
 * INSERTs (the lines' deltas counted from the bodies) and as the intake's statement runs them, with
 * the deltas in its setting claimscreen.item_deltas (the path the intake's statements take since
 * migration 0040), in months of their own.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const shuffle = <T>(xs: T[], r: () => number) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

const INSTITUTIONS = ['H32010200101', 'H32010200102', 'H32010200103'];
const ITEMS = Array.from({ length: 60 }, (_, i) => `XT${String(i).padStart(2, '0')}`);
const SESSIONS = 8;
const ROUNDS = 10;
const CLAIMS_A_STATEMENT = 20;
const DAY = 86_400_000;
const cst = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

/**
 * One statement's claims: stays at each institution admitted in the round's month, lines of most
 * items on days of that month and the one before, nights spanning up to six weeks. Rounds go in
 * pairs over a month: in the first, the month's keys are new to every session at once (each
 * statement inserts some, or finds them inserted by another since its snapshot); in the second,
 * nearly all are stored and each statement updates them in place.
 */
function statementClaims(session: number, round: number, r: () => number, year: number) {
  const month = Date.parse(`${year}-${String(Math.floor(round / 2) + 2).padStart(2, '0')}-01T00:00:00+08:00`);
  return shuffle(
    Array.from({ length: CLAIMS_A_STATEMENT }, (_, k) => {
      const admitted = month + Math.floor(r() * 20) * DAY + 8 * 3_600_000;
      const lines = shuffle(ITEMS, r)
        .slice(0, 20)
        .map((item, i) => ({
          lineId: `L${i + 1}`,
          itemCode: item,
          serviceAt: cst(admitted - Math.floor(r() * 25) * DAY),
          quantity: 1 + Math.floor(r() * 3),
          unitPrice: '2.50',
          amount: '2.50',
        }));
      return {
        id: randomUUID(),
        inst: INSTITUTIONS[(session + k) % INSTITUTIONS.length]!,
        cno: `CC-${year}-${session}-${round}-${k}`,
        started: new Date(admitted).toISOString(),
        ended: new Date(admitted + (1 + Math.floor(r() * 42)) * DAY).toISOString(),
        lines,
      };
    }),
    r,
  );
}

const INSERT = `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount,
    payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
  select gen_random_uuid(), x.inst, x.cno, 'p-' || x.cno, 'inpatient', x.started, x.ended, to_char(x.started at time zone 'Asia/Shanghai', 'YYYY-MM'),
    0, 0, 'pass', 'x', jsonb_build_object('lines', x.lines), '{}', jsonb_array_length(x.lines), 0, 0
  from jsonb_to_recordset($1::jsonb) as x(inst text, cno text, started timestamptz, ended timestamptz, lines jsonb)
  returning claim_no`;
// as the intake stores them (src/claims/claims.repository.ts): the lines' deltas by claim in the
// setting, set by the statement itself before its first claim is inserted
const INSERT_GIVEN = `with g as (select set_config('claimscreen.item_deltas', $2::text, true))
  insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount,
    payable_amount, decision, content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
  select x.id, x.inst, x.cno, 'p-' || x.cno, 'inpatient', x.started, x.ended, to_char(x.started at time zone 'Asia/Shanghai', 'YYYY-MM'),
    0, 0, 'pass', 'x', jsonb_build_object('lines', x.lines), '{}', jsonb_array_length(x.lines), 0, 0
  from g, jsonb_to_recordset($1::jsonb) as x(id uuid, inst text, cno text, started timestamptz, ended timestamptz, lines jsonb)
  where g.set_config is not null
  returning claim_no`;
const deltasOf = (claims: ReturnType<typeof statementClaims>) =>
  JSON.stringify(Object.fromEntries(claims.map((c) => [c.id, c.lines.map((l) => [l.itemCode, l.serviceAt.slice(0, 7), `${l.quantity}.0000`, l.amount, 1])])));

const ITEM_TOTALS = `select institution_id || '|' || item_code || '|' || month as key, quantity::text as q, amount::text as a, lines::text as n
  from institution_item_months where lines <> 0 order by 1`;
const ITEM_RECOUNT = `select c.institution_id || '|' || l.item_code || '|' || to_char(l.service_date, 'YYYY-MM') as key,
    sum(l.quantity)::text as q, sum(l.amount)::text as a, count(*)::text as n
  from claims c cross join lateral claim_lines_of(c.body) l group by 1 order by 1`;
const MONTHS = `select institution_id || '|' || month as key, amount::text as a, lines::text as n from institution_months where lines <> 0 order by 1`;
const MONTHS_RECOUNT = `select c.institution_id || '|' || to_char(l.service_date, 'YYYY-MM') as key, sum(l.amount)::text as a, count(*)::text as n
  from claims c cross join lateral claim_lines_of(c.body) l group by 1 order by 1`;
const NIGHTS = `select institution_id || '|' || night as key, stays from institution_nights where stays <> 0 order by 1`;
// a stay counts on each night from the one after its admission day to its discharge day (CST), at most 366
const NIGHTS_RECOUNT = `select institution_id || '|' || ((started_at at time zone 'Asia/Shanghai')::date + k) as key, count(*)::int as stays
  from claims, generate_series(1, least((ended_at at time zone 'Asia/Shanghai')::date - (started_at at time zone 'Asia/Shanghai')::date, 366)) k
  where visit_type = 'inpatient' group by 1 order by 1`;

describe('running totals under concurrent statements sharing their keys', () => {
  it.each([
    ['plain INSERTs', 2026, false],
    ["the intake's statements, the deltas given", 2027, true],
  ])('%s: no statement fails, and the totals equal a recount of the stored claims', async (_, year, given) => {
    const q = svc.deps.database.query.bind(svc.deps.database);
    const rs = Array.from({ length: SESSIONS }, (_, s) => rng(100 + s + year));
    const [{ n: before }] = (await q('select count(*)::int as n from claims')) as [{ n: number }];
    let stored = before;
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await Promise.allSettled(
        rs.map((r, s) => {
          const claims = statementClaims(s, round, r, year);
          return given ? q(INSERT_GIVEN, [JSON.stringify(claims), deltasOf(claims)]) : q(INSERT, [JSON.stringify(claims)]);
        }),
      );
      // a rejected statement (a deadlock among them) shows as its error
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.length : String(o.reason)))).toEqual(rs.map(() => CLAIMS_A_STATEMENT));
      stored += SESSIONS * CLAIMS_A_STATEMENT;
    }
    expect(await q('select count(*)::int as n from claims')).toEqual([{ n: stored }]);

    const items = await q(ITEM_TOTALS);
    expect(items).toEqual(await q(ITEM_RECOUNT));
    // keys of every month the rounds used (and the month before the first), at every institution
    expect(new Set(items.filter((x) => String(x.key).split('|')[2]!.startsWith(`${year}-`)).map((x) => String(x.key).split('|')[2])).size).toBe(ROUNDS / 2 + 1);
    const months = await q(MONTHS);
    expect(months).toEqual(await q(MONTHS_RECOUNT));
    expect(months.length).toBe(
      new Set(
        items.map((x) =>
          String(x.key)
            .split('|')
            .filter((_, i) => i !== 1)
            .join('|'),
        ),
      ).size,
    );
    const nights = await q(NIGHTS);
    expect(nights).toEqual(await q(NIGHTS_RECOUNT));
    expect(nights.filter((x) => String(x.key).includes(`|${year}-`)).length).toBeGreaterThan(100);
  });
});
