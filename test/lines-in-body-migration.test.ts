import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { formatFen, formatTenThousandths } from '../src/lib/money.js';
import { isoInstant } from '../src/lib/time.js';
import { inpatientClaim } from './support/claims.js';
import { databaseAt, type Q } from './support/migrations.js';

/**
 * Migration 0037 on a database stored before it: the lines as rows (claim_lines, written as the
 * intake wrote them up to 0036) and in each claim's body. The lines read from the body
 * (claim_lines_of) are the rows, column for column; the running totals stay as the rows made
 * them; a row that differs from its claim's body stops the migration with claim_lines kept.
 */

// Lines in the forms the schema accepts: offsets written several ways and none (China Standard
// Time), an instant whose CST date is the next day, microseconds, numbers and strings with
// spaces (a no-break space too, which JavaScript's trim removes).
const input = buildClaimSchema({ maxLines: 500 }).parse(
  inpatientClaim({
    claimId: 'MIG-1',
    admittedAt: '2026-10-30 10:00:00',
    dischargedAt: '2026-11-02 10:00:00',
    lines: [
      { lineId: 'L1', itemCode: 'XA01', hospitalItemName: '甲', category: 'drug', serviceAt: '2026-10-31T23:30:00+08:00', quantity: 1, unitPrice: 12.3333, amount: '12.33' },
      { lineId: 'L2', itemCode: 'XA02', category: 'drug', serviceAt: '2026-10-31T16:30:00Z', quantity: '2.5', unitPrice: '10', amount: 25 },
      { lineId: 'L3', itemCode: 'XA01', hospitalItemCode: 'H3', category: 'drug', serviceAt: '2026-10-31 23:59:59', quantity: ' 0.125 ', unitPrice: 8, amount: '\u00a01.00 ' },
      { lineId: 'L4', itemCode: '120100001', category: 'bed', serviceAt: '2026-11-01T00:00:00.123456+0800', quantity: 1.25, unitPrice: '4.0000', amount: 5 },
      { lineId: 'L5', itemCode: '330100001', category: 'operation', serviceAt: '2026-10-31T20:00:00-05:00', quantity: 3, unitPrice: 0, amount: '0' },
    ],
    totalAmount: '43.33',
    payment: { fund: '43.33', personalAccount: '0', cash: '0' },
  }),
);
const claim = normalizeClaim(input, 'person-mig');
const ID = randomUUID();

async function seed(q: Q) {
  await q(
    `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
       content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
     values ($1, $2, 'MIG-1', 'person-mig', 'inpatient', $3, $4, '2026-10', 43.33, 43.33, 'pass', 'h', $5::jsonb, '{}'::jsonb, 5, 0, 0)`,
    [ID, claim.institutionId, isoInstant(claim.startedAt), isoInstant(claim.endedAt), JSON.stringify(storableBody(input))],
  );
  // each row as the intake's statement wrote it (src/claims/claims.repository.ts before 0037)
  for (const l of claim.lines)
    await q(
      `insert into claim_lines (claim_id, line_no, line_id, institution_id, person_hash, item_code, hospital_item_code, hospital_item_name, category,
         service_at, service_date, quantity, unit_price, amount, service_month)
       values ($1, $2, $3, $4, 'person-mig', $5, $6, $7, $8, $9, $10, $11, $12, $13, '2026-10')`,
      [
        ID,
        l.lineNo,
        l.lineId,
        claim.institutionId,
        l.itemCode,
        l.hospitalItemCode ?? null,
        l.hospitalItemName ?? null,
        l.category,
        isoInstant(l.serviceAt),
        l.serviceDate,
        formatTenThousandths(l.quantity),
        formatTenThousandths(l.unitPrice),
        formatFen(l.amountFen),
      ],
    );
}

const COLUMNS = `line_no, line_id, item_code, hospital_item_code, hospital_item_name, category, service_date::text, quantity::text, unit_price::text, amount::text`;
const ROWS = `select ${COLUMNS} from claim_lines order by line_no`;
const FROM_BODY = `select ${COLUMNS} from claims c, claim_lines_of(c.body) order by line_no`;
const TOTALS = `select institution_id, item_code, month, quantity::text, amount::text, lines::int from institution_item_months order by 1, 2, 3`;

/** A database migrated to 0036 and seeded (`edit` run after the seed), then migrated to the end: what `read` gives before and after. */
async function migrateOver(edit: string | undefined, read: Record<string, string>, cleanups: (() => Promise<void> | void)[]) {
  const { q, migrateRest } = await databaseAt('0036_', cleanups);
  const readAll = async () => Object.fromEntries(await Promise.all(Object.entries(read).map(async ([k, sql]) => [k, await q(sql)] as const)));
  await seed(q);
  if (edit) await q(edit);
  const before = await readAll();
  const migrated = await migrateRest();
  return { before, migrated, q };
}

describe('0037 over claims stored with their lines as rows', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('drops claim_lines; the lines from the body are the rows, column for column, and the running totals stay', async () => {
    const { before, migrated, q } = await migrateOver(undefined, { rows: ROWS, totals: TOTALS }, cleanups);
    expect(migrated).toBeUndefined();
    // the rows as the intake wrote them: a line whose CST date is the next day, the scales of the columns
    expect(before.rows!.map((r) => [r.line_id, r.service_date, r.quantity, r.unit_price, r.amount])).toEqual([
      ['L1', '2026-10-31', '1.0000', '12.3333', '12.33'],
      ['L2', '2026-11-01', '2.5000', '10.0000', '25.00'],
      ['L3', '2026-10-31', '0.1250', '8.0000', '1.00'],
      ['L4', '2026-11-01', '1.2500', '4.0000', '5.00'],
      ['L5', '2026-11-01', '3.0000', '0.0000', '0.00'],
    ]);
    expect(await q(FROM_BODY)).toEqual(before.rows);
    expect(before.totals).toHaveLength(4); // L1 and L3: one item, one month
    expect(await q(TOTALS)).toEqual(before.totals);
    expect(await q(`select to_regclass('claim_lines')::text as t`)).toEqual([{ t: null }]);
    expect((await q<{ table_name: string }>(`select table_name from month_partitioned_tables order by position`)).map((r) => r.table_name)).toEqual(['claims', 'finding_references', 'findings']);
    // the month functions still make a month's partitions, without claim_lines
    expect(await q(`select claimscreen_month_partition('2031-01', 'test') as r`)).toEqual([{ r: 'created' }]);
    // and the totals follow a claim stored now through claims' triggers: the same lines again
    await q(
      `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
         content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
       select gen_random_uuid(), institution_id, 'MIG-2', person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
         content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec from claims where id = $1`,
      [ID],
    );
    const twice = (before.totals as { quantity: string; amount: string; lines: number }[]).map((t) => ({
      ...t,
      quantity: formatTenThousandths(2 * Number(t.quantity.replace('.', ''))),
      amount: formatFen(2 * Number(t.amount.replace('.', ''))),
      lines: 2 * t.lines,
    }));
    expect(await q(TOTALS)).toEqual(twice);
  }, 60_000);

  it('is refused, claim_lines kept, when a row differs from its claim’s body', async () => {
    const { migrated, q } = await migrateOver(`update claim_lines set amount = amount + 1 where line_no = 3`, { rows: ROWS }, cleanups);
    // (the migrator wraps the database's error as its cause)
    expect(`${migrated?.message} ${String(migrated?.cause)}`).toMatch(/claim [0-9a-f-]+: its claim_lines rows differ from the lines of its body/);
    expect(await q(`select count(*)::int as n from claim_lines`)).toEqual([{ n: 5 }]);
  }, 60_000);
});
