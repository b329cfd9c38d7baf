-- The running item totals (institution_item_months) of the claims the intake stores, from deltas
-- the intake computed instead of from the claims' bodies (issue 20: PostgreSQL's CPU a claim).
-- Written by hand.
--
-- Counting a claim's lines from its body (claim_lines_of: each line's decimals and service date
-- converted, then grouped) was the trigger's largest part: 45-72 µs of PostgreSQL a claim, the
-- insert statement 270-430 µs (bench/db-only.ts --pool 1 --statements). The intake has parsed every
-- line already, so its statement sets `claimscreen.item_deltas` (transaction-local) to its claims'
-- deltas, by claim id rows of (item, service month, quantity, amount, lines), and the trigger sums
-- those of the claims actually stored (a claim that lost its key or came back stale is not in
-- new_claims). If the
-- deltas do not name every stored claim, or a statement set none, the lines are counted from the
-- bodies as before, so a missing setting costs time, not totals. Rows are locked and written as in
-- migration 0038.
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_item text[]; v_month text[]; v_qty numeric[]; v_amt numeric[]; v_lines bigint[];
  v_new_inst text[]; v_new_item text[]; v_new_month text[]; v_found bigint;
  v_given jsonb; v_missing bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- the deltas the intake's statement computed from the lines it parsed (rows keyed by claim id),
    -- used when they name every claim stored; a claim stored any other way is counted from its body. Taken once: the setting is emptied for the next statement.
    v_given := nullif(current_setting('claimscreen.item_deltas', true), '')::jsonb;
    IF v_given IS NOT NULL THEN
      PERFORM set_config('claimscreen.item_deltas', '', true);
      SELECT count(*) INTO v_missing FROM new_claims c WHERE NOT v_given ? c.id::text;
    END IF;
    IF v_given IS NOT NULL AND v_missing = 0 THEN
      SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
        INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
      FROM (SELECT c.institution_id AS i, x->>0 AS c, x->>1 AS m, sum((x->>2)::numeric) AS q, sum((x->>3)::numeric) AS a, sum((x->>4)::bigint) AS n
            FROM new_claims c CROSS JOIN LATERAL jsonb_array_elements(v_given -> c.id::text) x GROUP BY 1, 2, 3) d;
    ELSE
      SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
        INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
      FROM (SELECT c.institution_id AS i, l.item_code AS c, to_char(l.service_date, 'YYYY-MM') AS m, sum(l.quantity) AS q, sum(l.amount) AS a, count(*) AS n
            FROM new_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l GROUP BY 1, 2, 3) d;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
      INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
    FROM (SELECT c.institution_id AS i, l.item_code AS c, to_char(l.service_date, 'YYYY-MM') AS m, -sum(l.quantity) AS q, -sum(l.amount) AS a, -count(*) AS n
          FROM old_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l GROUP BY 1, 2, 3) d;
  ELSE
    SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
      INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
    FROM (SELECT institution_id AS i, item_code AS c, month AS m, sum(quantity) AS q, sum(amount) AS a, sum(n)::bigint AS n
          FROM (SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM') AS month, l.quantity, l.amount, 1 AS n
                FROM new_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l
                UNION ALL
                SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM'), -l.quantity, -l.amount, -1
                FROM old_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l) d
          GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(quantity) <> 0 OR sum(amount) <> 0) d;
  END IF;
  IF v_inst IS NULL THEN
    RETURN NULL;
  END IF;
  -- most often every key is stored: one UPDATE, in a subtransaction rolled back if a key is not
  BEGIN
    UPDATE institution_item_months t SET quantity = t.quantity + d.q, amount = t.amount + d.a, lines = t.lines + d.n
    FROM (SELECT * FROM unnest(v_inst, v_item, v_month, v_qty, v_amt, v_lines) d(i, c, m, q, a, n) ORDER BY 1, 2, 3) d
    WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found < cardinality(v_inst) THEN
      RAISE SQLSTATE 'CS001';
    END IF;
  EXCEPTION WHEN SQLSTATE 'CS001' THEN
    -- the keys not stored yet, then the others
    WITH ins AS (
      INSERT INTO institution_item_months (institution_id, item_code, month, quantity, amount, lines)
        SELECT d.i, d.c, d.m, d.q, d.a, d.n FROM unnest(v_inst, v_item, v_month, v_qty, v_amt, v_lines) d(i, c, m, q, a, n)
        WHERE NOT EXISTS (SELECT 1 FROM institution_item_months t WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m)
        ORDER BY 1, 2, 3
      ON CONFLICT (institution_id, item_code, month) DO NOTHING
      RETURNING institution_id, item_code, month
    )
    SELECT array_agg(institution_id), array_agg(item_code), array_agg(month) INTO v_new_inst, v_new_item, v_new_month FROM ins;
    UPDATE institution_item_months t SET quantity = t.quantity + d.q, amount = t.amount + d.a, lines = t.lines + d.n
    FROM (
      SELECT * FROM unnest(v_inst, v_item, v_month, v_qty, v_amt, v_lines) d(i, c, m, q, a, n)
      WHERE NOT EXISTS (SELECT 1 FROM unnest(v_new_inst, v_new_item, v_new_month) x(i, c, m) WHERE x.i = d.i AND x.c = d.c AND x.m = d.m)
      ORDER BY 1, 2, 3
    ) d
    WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m;
  END;
  RETURN NULL;
END $$;--> statement-breakpoint
