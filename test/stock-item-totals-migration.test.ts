import { afterAll, describe, expect, it } from 'vitest';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { isoInstant } from '../src/lib/time.js';
import { inpatientClaim } from './support/claims.js';
import { databaseAt, type Q } from './support/migrations.js';

/**
 * Migration 0041 on a database whose running totals kept every item (0040): the totals of every
 * line move to institution_months by institution and month, institution_item_months keeps the
 * stock items (the catalogue's drugs and consumables, items not in the catalogue) as they were,
 * and a claim stored afterwards adds to both.
 */
const DRUG = 'XJ01DDA040A001010100001';
const BED = '120100001';
const LOCAL = 'LOCAL-HC-7';
const schema = buildClaimSchema({ maxLines: 500 });

function stay(claimId: string, institutionId: string) {
  return schema.parse(
    inpatientClaim({
      claimId,
      institutionId,
      admittedAt: '2026-10-30 10:00:00',
      dischargedAt: '2026-11-02 10:00:00',
      lines: [
        { lineId: 'L1', itemCode: DRUG, category: 'drug', serviceAt: '2026-10-31 09:00:00', quantity: 2, unitPrice: '12.34', amount: '24.68' },
        { lineId: 'L2', itemCode: DRUG, category: 'drug', serviceAt: '2026-11-01 09:00:00', quantity: '0.5', unitPrice: '12.34', amount: '6.17' },
        { lineId: 'L3', itemCode: BED, category: 'bed', serviceAt: '2026-10-31 09:00:00', quantity: 2, unitPrice: '45.00', amount: '90.00' },
        { lineId: 'L4', itemCode: BED, category: 'bed', serviceAt: '2026-11-01 09:00:00', quantity: 1, unitPrice: '45.00', amount: '45.00' },
        { lineId: 'L5', itemCode: LOCAL, category: 'consumable', serviceAt: '2026-11-01 10:00:00', quantity: 3, unitPrice: '1.10', amount: '3.30' },
      ],
      totalAmount: '169.15',
      payment: { fund: '169.15', personalAccount: '0', cash: '0' },
    }),
  );
}

/** stored as the intake stores a claim's row (no deltas set: the totals' trigger reads the body) */
async function store(q: Q, input: ReturnType<typeof stay>) {
  const c = normalizeClaim(input, `person-${input.claimId}`);
  await q(
    `insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month, total_amount, payable_amount, decision,
       content_hash, body, answer, line_count, lines_missing_name, lines_missing_spec)
     values (gen_random_uuid(), $1, $2, $3, 'inpatient', $4, $5, '2026-10', 169.15, 169.15, 'pass', 'h', $6::jsonb, '{}'::jsonb, 5, 0, 0)`,
    [c.institutionId, input.claimId, c.personHash, isoInstant(c.startedAt), isoInstant(c.endedAt), JSON.stringify(storableBody(input))],
  );
}

const ITEMS = `select institution_id, item_code, month, quantity::text, amount::text, lines::int from institution_item_months order by 1, 2, 3`;
const MONTHS = `select institution_id, month, amount::text, lines::int from institution_months order by 1, 2`;

describe('0041 over running totals of every item', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('moves every line to the institution months and keeps the stock items’ rows as they were', async () => {
    const { q, migrateRest } = await databaseAt('0040_', cleanups);
    for (const [code, category] of [
      [DRUG, 'drug'],
      [BED, 'bed'],
    ])
      await q(`insert into catalogue_items (item_code, valid_from, name, category, unit) values ($1, '2020-01-01', $1, $2, '个')`, [code, category]);
    await store(q, stay('M-1', 'H32010200001'));
    await store(q, stay('M-2', 'H32010200001'));
    await store(q, stay('M-3', 'H32010200002'));
    const before = await q<{ institution_id: string; item_code: string; month: string; quantity: string; amount: string; lines: number }>(ITEMS);
    // every item of both institutions in both months before: the bed included
    expect(before).toHaveLength(2 * (2 + 2 + 1));

    expect(await migrateRest()).toBeUndefined();
    expect(await q(ITEMS)).toEqual(before.filter((r) => r.item_code !== BED));
    expect(await q(MONTHS)).toEqual([
      { institution_id: 'H32010200001', month: '2026-10', amount: '229.36', lines: 4 },
      { institution_id: 'H32010200001', month: '2026-11', amount: '108.94', lines: 6 },
      { institution_id: 'H32010200002', month: '2026-10', amount: '114.68', lines: 2 },
      { institution_id: 'H32010200002', month: '2026-11', amount: '54.47', lines: 3 },
    ]);

    // a claim stored now adds to both: the drug's and the local item's rows, and every line's month
    await store(q, stay('M-4', 'H32010200002'));
    expect(await q(`select item_code, month, quantity::text, lines::int from institution_item_months where institution_id = 'H32010200002' order by 1, 2`)).toEqual([
      { item_code: LOCAL, month: '2026-11', quantity: '6.0000', lines: 2 },
      { item_code: DRUG, month: '2026-10', quantity: '4.0000', lines: 2 },
      { item_code: DRUG, month: '2026-11', quantity: '1.0000', lines: 2 },
    ]);
    expect(await q(`select month, amount::text, lines::int from institution_months where institution_id = 'H32010200002' order by 1`)).toEqual([
      { month: '2026-10', amount: '229.36', lines: 4 },
      { month: '2026-11', amount: '108.94', lines: 6 },
    ]);
  }, 60_000);
});
