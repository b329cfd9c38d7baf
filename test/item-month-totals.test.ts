import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { onPostgres } from './support/database.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The running totals of what each institution billed of each stock item in each month
 * (institution_item_months) and of all its lines in each month (institution_months), kept by
 * triggers on claims, against a full recount of the claims' lines and against the totals computed
 * here from the claims sent, after claims arrive out of order, one by one and in batches, are
 * replayed, refused, changed, withdrawn and truncated. Stock items are the catalogue's drugs and
 * consumables and items not in the catalogue; the bed is none.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  for (const item of ITEMS.filter((i) => i.inCatalogue))
    await svc.deps.database.query(`insert into catalogue_items (item_code, valid_from, name, category, unit) values ($1, '2020-01-01', $2, $3, '个')`, [item.code, item.name, item.category]);
});
afterAll(async () => {
  await svc?.close();
});

const ITEMS = [
  { code: 'XG01TOT001A001010100001', name: '甲药', category: 'drug', price: 1234, inCatalogue: true },
  { code: 'XG02TOT002A001010100001', name: '乙药', category: 'drug', price: 350, inCatalogue: true },
  { code: 'C14010100100001', name: '一次性输液器', category: 'consumable', price: 280, inCatalogue: true },
  { code: '120100001', name: '床位费', category: 'bed', price: 4500, inCatalogue: true },
  { code: 'LOCAL-TOT-001', name: '自制敷料', category: 'consumable', price: 990, inCatalogue: false },
];
const STOCK_ITEMS = new Set(ITEMS.filter((i) => i.category !== 'bed').map((i) => i.code));
const INSTITUTIONS = ['H32010200001', 'P32010200001'];
const money = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const r = rng(21);
const int = (n: number) => Math.floor(r() * n);

/**
 * Claims from late September to early November, lines on several days, some across a month end
 * (a stay admitted on 30 September and billed on 1 October counts in both months), quantities with
 * decimals.
 */
function makeClaim(k: number) {
  const institutionId = INSTITUTIONS[k % 2]!;
  const start = Date.parse('2026-09-28T08:00:00+08:00') + int(36) * 86_400_000;
  const lines = Array.from({ length: 1 + int(4) }, (_, i) => {
    const item = ITEMS[int(ITEMS.length)]!;
    const at = start + int(3) * 86_400_000;
    const quantity = [1, 2, 3, 0.5, 1.25][int(5)]!;
    const amountFen = Math.round(item.price * quantity);
    return {
      lineId: `L${i + 1}`,
      itemCode: item.code,
      hospitalItemName: item.name,
      category: item.category,
      serviceAt: new Date(at + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '),
      quantity,
      unitPrice: money(item.price),
      amount: money(amountFen),
    };
  });
  const totalFen = lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
  const cst = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    institutionId,
    claimId: `TOT-${k}`,
    insured: { id: `32010219700101${String(k).padStart(4, '0')}`, sex: 'female', birthDate: '1970-01-01' },
    visitType: 'inpatient',
    admittedAt: cst(start - 3_600_000),
    dischargedAt: cst(start + 3 * 86_400_000),
    diagnoses: [{ code: 'J18.900', main: true }],
    lines,
    totalAmount: money(totalFen),
    payment: { fund: money(totalFen), personalAccount: '0.00', cash: '0.00' },
  };
}

type Totals = Map<string, { quantity: number; amountFen: number; lines: number }>;

/**
 * What the sent claims add up to, by institution, stock item and the line's CST month; or, with
 * `months`, of every line by institution and month (the quantity summed over items, unread).
 */
function expectedTotals(claims: ReturnType<typeof makeClaim>[], months = false): Totals {
  const totals: Totals = new Map();
  for (const c of claims)
    for (const l of c.lines) {
      if (!months && !STOCK_ITEMS.has(l.itemCode)) continue;
      const key = months ? `${c.institutionId}|${l.serviceAt.slice(0, 7)}` : `${c.institutionId}|${l.itemCode}|${l.serviceAt.slice(0, 7)}`;
      const t = totals.get(key) ?? { quantity: 0, amountFen: 0, lines: 0 };
      t.quantity += Math.round(l.quantity * 10_000);
      t.amountFen += Math.round(Number(l.amount) * 100);
      t.lines += 1;
      totals.set(key, t);
    }
  return totals;
}

const TOTALS = `select institution_id || '|' || item_code || '|' || month as key, (quantity * 10000)::bigint::text as q,
  (amount * 100)::bigint::text as a, lines::text as n from institution_item_months where lines <> 0 order by 1`;
const RECOUNT = `select institution_id || '|' || item_code || '|' || to_char(service_date, 'YYYY-MM') as key,
  (sum(quantity) * 10000)::bigint::text as q, (sum(amount) * 100)::bigint::text as a, count(*)::text as n
  from claims c cross join lateral claim_lines_of(c.body) where stock_item(item_code) group by 1 order by 1`;
const MONTHS = `select institution_id || '|' || month as key, (amount * 100)::bigint::text as a, lines::text as n
  from institution_months where lines <> 0 order by 1`;
const MONTHS_RECOUNT = `select institution_id || '|' || to_char(service_date, 'YYYY-MM') as key,
  (sum(amount) * 100)::bigint::text as a, count(*)::text as n
  from claims c cross join lateral claim_lines_of(c.body) group by 1 order by 1`;

async function stored(sql: string): Promise<Totals> {
  const rows = await svc.deps.database.query<{ key: string; q: string; a: string; n: string }>(sql);
  return new Map(rows.map((x) => [x.key, { quantity: Number(x.q), amountFen: Number(x.a), lines: Number(x.n) }]));
}

/** amounts and lines only: institution_months keeps no quantity */
const withoutQuantity = (t: Totals) => new Map([...t].map(([k, v]) => [k, { amountFen: v.amountFen, lines: v.lines }]));
async function storedMonths(sql: string) {
  const rows = await svc.deps.database.query<{ key: string; a: string; n: string }>(sql);
  return new Map(rows.map((x) => [x.key, { amountFen: Number(x.a), lines: Number(x.n) }]));
}

describe('running totals of what an institution billed of an item in a month', () => {
  const claims = Array.from({ length: 120 }, (_, k) => makeClaim(k));

  it('equal the claims sent, and a recount of the lines, after claims arrive out of order, one by one and streamed', async () => {
    // out of order: a shuffle of the months' claims
    const order = [...claims];
    for (let i = order.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    // the first half one by one, eight at a time (the intake batches what arrives together), the
    // second half through the NDJSON stream
    const half = order.slice(0, 60);
    for (let i = 0; i < half.length; i += 8) {
      const answers = await Promise.all(half.slice(i, i + 8).map((c) => svc.call('/v1/claims', { json: c })));
      const bodies = await Promise.all(answers.map(async (a) => (a.status === 200 ? 200 : await a.text())));
      expect(bodies).toEqual(answers.map(() => 200));
    }
    const statuses: number[] = [];
    await streamClaims(
      order.slice(60).map((claim) => ({ claim })),
      { url: svc.url, key: svc.keys.settlement, onAnswer: (a) => statuses.push(a.status) },
    );
    expect(statuses).toEqual(order.slice(60).map(() => 200));

    const expected = expectedTotals(claims);
    // both months of a stay across a month end, and three months in all
    expect(new Set([...expected.keys()].map((k) => k.split('|')[2]))).toEqual(new Set(['2026-09', '2026-10', '2026-11']));
    // the stock items only: the item not in the catalogue among them, the bed not
    expect(new Set([...expected.keys()].map((k) => k.split('|')[1]))).toEqual(STOCK_ITEMS);
    expect(await stored(TOTALS)).toEqual(expected);
    expect(await stored(RECOUNT)).toEqual(expected);
    // every line, the bed's included, by institution and month
    expect(claims.flatMap((c) => c.lines).filter((l) => l.itemCode === '120100001').length).toBeGreaterThan(0);
    const months = withoutQuantity(expectedTotals(claims, true));
    expect(await storedMonths(MONTHS)).toEqual(months);
    expect(await storedMonths(MONTHS_RECOUNT)).toEqual(months);
  });

  it('do not move when claims are replayed or refused as a conflicting resubmission', async () => {
    const before = await stored(TOTALS);
    const replays = await Promise.all(claims.slice(0, 10).map((c) => svc.call('/v1/claims', { json: c })));
    expect(replays.map((a) => [a.status, a.headers.get('idempotent-replayed')])).toEqual(replays.map(() => [200, 'true']));
    const changed = { ...claims[0]!, lines: claims[0]!.lines.map((l) => ({ ...l, hospitalItemName: `${l.hospitalItemName}(改)` })) };
    expect((await svc.call('/v1/claims', { json: changed })).status).toBe(409);
    expect(await stored(TOTALS)).toEqual(before);
  });

  it("take the deltas the intake's statement sets for each claim they name, and count the others from their bodies", async () => {
    const template = claims[10]!;
    const own = expectedTotals([template]);
    // copies of the template's row under other ids and numbers, in one statement
    const copy = (...rows: [id: string, no: string][]) =>
      `insert into claims select (jsonb_populate_record(null::claims, to_jsonb(c) || x.o)).*
       from claims c, (values ${rows.map(([id, no]) => `('${JSON.stringify({ id, claim_no: no })}'::jsonb)`).join(', ')}) x(o)
       where c.id = (select claim_id from claim_keys where claim_no = '${template.claimId}')`;
    const given = (id: string) => `select set_config('claimscreen.item_deltas', '${JSON.stringify({ [id]: [['DELTA-ONLY', '2026-10', '1.5000', '2.00', 1]] })}', true)`;
    const diff = (after: Totals, before: Totals) =>
      new Map(
        [...after]
          .filter(([k, t]) => JSON.stringify(before.get(k)) !== JSON.stringify(t))
          .map(([k, t]) => {
            const b = before.get(k) ?? { quantity: 0, amountFen: 0, lines: 0 };
            return [k, { quantity: t.quantity - b.quantity, amountFen: t.amountFen - b.amountFen, lines: t.lines - b.lines }];
          }),
      );
    const ids = [
      '0190f000-0000-7000-8000-00000000d001',
      '0190f000-0000-7000-8000-00000000d002',
      '0190f000-0000-7000-8000-00000000d003',
      '0190f000-0000-7000-8000-00000000d004',
      '0190f000-0000-7000-8000-00000000d005',
    ];
    const seen: Totals[] = [];
    const rollback = new Error('rolled back on purpose');
    const totals = async (q: (text: string) => Promise<{ key: string; q: string; a: string; n: string }[]>) =>
      new Map((await q(TOTALS)).map((x) => [x.key, { quantity: Number(x.q), amountFen: Number(x.a), lines: Number(x.n) }]));
    await expect(
      svc.deps.database.transaction(async (q) => {
        seen.push(await totals(q));
        // deltas naming the claim stored: taken instead of its lines
        await q(given(ids[0]!));
        await q(copy([ids[0]!, 'TOT-D1']));
        seen.push(await totals(q));
        // a statement that sets none: counted from the body
        await q(copy([ids[1]!, 'TOT-D2']));
        seen.push(await totals(q));
        // deltas naming another claim only: counted from its body
        await q(given(ids[0]!));
        await q(copy([ids[2]!, 'TOT-D3']));
        seen.push(await totals(q));
        // two claims, the deltas naming one: that one by its deltas, the other from its body
        await q(given(ids[3]!));
        await q(copy([ids[3]!, 'TOT-D4'], [ids[4]!, 'TOT-D5']));
        seen.push(await totals(q));
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    const deltaOnly: [string, { quantity: number; amountFen: number; lines: number }] = [`${template.institutionId}|DELTA-ONLY|2026-10`, { quantity: 15_000, amountFen: 200, lines: 1 }];
    expect(diff(seen[1]!, seen[0]!)).toEqual(new Map([deltaOnly]));
    expect(diff(seen[2]!, seen[1]!)).toEqual(own);
    expect(diff(seen[3]!, seen[2]!)).toEqual(own);
    expect(diff(seen[4]!, seen[3]!)).toEqual(new Map([...own, deltaOnly]));
  });

  it('follow lines that are replaced, changed and withdrawn, and a truncation', async () => {
    const q = svc.deps.database.query.bind(svc.deps.database);
    // a claim's lines replaced by others (item, quantity and month changed), in one statement each way
    const claimOf = (no: string) => `(select claim_id from claim_keys where claim_no = '${no}')`;
    await q(`update claims set body = jsonb_set(body, '{lines}', (
               select jsonb_agg(l || jsonb_build_object('quantity', claimscreen_decimal(l->'quantity') * 3,
                 'amount', (claimscreen_decimal(l->'amount') * 3)::text) order by k)
               from jsonb_array_elements(body->'lines') with ordinality x(l, k)))
             where id = ${claimOf('TOT-3')}`);
    await q(
      `update claims set body = jsonb_set(body, '{lines}', (
         select jsonb_agg(l || jsonb_build_object('itemCode', $1::text,
           'serviceAt', to_char((l->>'serviceAt')::timestamp + interval '40 days', 'YYYY-MM-DD HH24:MI:SS')) order by k)
         from jsonb_array_elements(body->'lines') with ordinality x(l, k)))
       where id = ${claimOf('TOT-4')}`,
      [ITEMS[0]!.code],
    );
    // withdrawn: two claims' lines gone, in one statement
    await q(`update claims set body = jsonb_set(body, '{lines}', '[]') where id in (${claimOf('TOT-5')}, ${claimOf('TOT-6')})`);
    // removed: two claims, in one statement (what names them first: their findings and references)
    const gone = `(select claim_id from claim_keys where claim_no in ('TOT-7', 'TOT-8'))`;
    await q(`delete from finding_references where claim_id in ${gone} or finding_claim_id in ${gone} or source_claim_id in ${gone}`);
    await q(`delete from findings where claim_id in ${gone} or source_claim_id in ${gone}`);
    const removed = (await q<{ claim_no: string }>(`delete from claims where id in ${gone} returning claim_no`)).map((r) => r.claim_no);
    expect(removed).toHaveLength(2);

    const edited = claims
      .filter((c) => c.claimId !== 'TOT-5' && c.claimId !== 'TOT-6' && !removed.includes(c.claimId))
      .map((c) => {
        if (c.claimId === 'TOT-3') return { ...c, lines: c.lines.map((l) => ({ ...l, quantity: l.quantity * 3, amount: money(Math.round(Number(l.amount) * 100) * 3) })) };
        if (c.claimId === 'TOT-4')
          return {
            ...c,
            lines: c.lines.map((l) => {
              const at = Date.parse(`${l.serviceAt.replace(' ', 'T')}+08:00`) + 40 * 86_400_000;
              return { ...l, itemCode: ITEMS[0]!.code, serviceAt: new Date(at + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') };
            }),
          };
        return c;
      });
    const expected = expectedTotals(edited);
    expect(await stored(TOTALS)).toEqual(expected);
    expect(await stored(RECOUNT)).toEqual(expected);
    const months = withoutQuantity(expectedTotals(edited, true));
    expect(await storedMonths(MONTHS)).toEqual(months);
    expect(await storedMonths(MONTHS_RECOUNT)).toEqual(months);

    await q('truncate claims');
    expect((await q('select (select count(*) from institution_item_months)::int as items, (select count(*) from institution_months)::int as months'))[0]).toEqual({
      items: 0,
      months: 0,
    });
  });

  it('are read in sessions set up for short statements: on PostgreSQL no JIT, no transaction idle for long, generic plans', async () => {
    const rows = await svc.deps.database.query(`select current_setting('jit') as jit, current_setting('idle_in_transaction_session_timeout') as idle, current_setting('plan_cache_mode') as plans`);
    // PGlite has no JIT compiler and one session, and is left as it comes
    expect(rows).toEqual([onPostgres() ? { jit: 'off', idle: '30s', plans: 'force_generic_plan' } : { jit: 'on', idle: '0', plans: 'auto' }]);
  });
});
