-- The item totals of the claims a statement stores in three statements instead of eight (issue 20:
-- the fixed cost of a claim stored alone). Written by hand.
--
-- A province sends a claim every few seconds: nearly every claim is a statement of its own, and
-- its fixed cost is what each claim pays. Stored alone (bench/db-only.ts --batch 1 --pool 1
-- --concurrency 1), a claim cost PostgreSQL ~1,300 µs of CPU, a third of it in the claims'
-- statement triggers, most in the item totals' trigger: eight statements (the deltas gathered into
-- arrays; each distinct item's category by a call of plpgsql stock_item(); the stock items' and the
-- months' arrays; then institution_totals_add twice, each its UPDATE), each started and ended
-- through SPI, the array_agg aggregates' start-up the largest part of it.
--
-- On INSERT the trigger now gathers the stock items' and the months' arrays in one statement (the
-- test of stock_item(), migration 0041, written inline, once a distinct item: the same latest
-- catalogue version, an item not in the catalogue counted) and runs each UPDATE itself, in the
-- subtransaction institution_totals_add used; only when a key is not stored (rolled back) does it
-- call institution_totals_add, which inserts the missing keys first (migration 0038). So rows are
-- locked as before: in key order, item rows before month rows, never while waiting for an insert.
-- The UPDATEs stay statements of their own over arrays: written as parts of the gathering statement
-- (tried), a row another batch had updated meanwhile made PostgreSQL re-check it with a fresh copy
-- of every part of that statement, and batches of 16 four at once cost ~30 µs of PostgreSQL a claim
-- more. The deltas the intake gave (migration 0040) are used for each claim they name; a claim they
-- do not name is counted from its body (before, one claim missing sent every claim of the statement
-- to its body). The midnight census's trigger is left as it was: made the same way, it cost as much
-- alone, and in batches a stay's new night sent a quarter of the statements to both paths.
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_item text[]; v_month text[]; v_qty numeric[]; v_amt numeric[]; v_lines bigint[];
  v_given jsonb; v_cleared text; v_found bigint; v_stock text[];
  m_inst text[]; m_month text[]; m_amt numeric[]; m_lines bigint[];
  s_inst text[]; s_item text[]; s_month text[]; s_qty numeric[]; s_amt numeric[]; s_lines bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- the deltas the intake's statement computed from the lines it parsed, by claim id; taken once:
    -- the setting is emptied for the next statement (assignments, not PERFORM: no statement each)
    v_given := nullif(current_setting('claimscreen.item_deltas', true), '')::jsonb;
    IF v_given IS NOT NULL THEN
      v_cleared := set_config('claimscreen.item_deltas', '', true);
    END IF;
    WITH d AS MATERIALIZED (
      SELECT c.institution_id AS i, x.c, x.m, sum(x.q) AS q, sum(x.a) AS a, sum(x.n)::bigint AS n
      FROM new_claims c CROSS JOIN LATERAL (
        SELECT e->>0 AS c, e->>1 AS m, (e->>2)::numeric AS q, (e->>3)::numeric AS a, (e->>4)::bigint AS n
        FROM jsonb_array_elements(v_given -> c.id::text) e
        UNION ALL
        SELECT l.item_code, to_char(l.service_date, 'YYYY-MM'), l.quantity, l.amount, 1
        FROM claim_lines_of(c.body) l WHERE NOT coalesce(v_given ? c.id::text, false)
      ) x
      GROUP BY 1, 2, 3
    ), st AS MATERIALIZED (
      -- stock_item(), inline, once an item: a statement's keys are mostly the same few items at
      -- several institutions
      SELECT x.c FROM (SELECT DISTINCT c FROM d) x
      WHERE coalesce((SELECT k.category IN ('drug', 'consumable') FROM catalogue_items k
                      WHERE k.item_code = x.c ORDER BY k.valid_from DESC LIMIT 1), true)
    )
    SELECT s.i, s.c, s.m, s.q, s.a, s.n, mm.i, mm.m, mm.a, mm.n
      INTO s_inst, s_item, s_month, s_qty, s_amt, s_lines, m_inst, m_month, m_amt, m_lines
    FROM (SELECT array_agg(d.i) AS i, array_agg(d.c) AS c, array_agg(d.m) AS m, array_agg(d.q) AS q, array_agg(d.a) AS a, array_agg(d.n) AS n
          FROM d JOIN st ON st.c = d.c) s,
         (SELECT array_agg(i) AS i, array_agg(m) AS m, array_agg(a) AS a, array_agg(n) AS n
          FROM (SELECT i, m, sum(a) AS a, sum(n)::bigint AS n FROM d GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(a) <> 0) g) mm;
    -- most often every key is stored: one UPDATE each, in a subtransaction rolled back if a key is
    -- not, and then applied as before (institution_totals_add: the missing keys inserted first)
    IF s_inst IS NOT NULL THEN
      BEGIN
        UPDATE institution_item_months t SET quantity = t.quantity + d.q, amount = t.amount + d.a, lines = t.lines + d.n
        FROM (SELECT * FROM unnest(s_inst, s_item, s_month, s_qty, s_amt, s_lines) d(i, c, m, q, a, n) ORDER BY 1, 2, 3) d
        WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m;
        GET DIAGNOSTICS v_found = ROW_COUNT;
        IF v_found < cardinality(s_inst) THEN
          RAISE SQLSTATE 'CS001';
        END IF;
      EXCEPTION WHEN SQLSTATE 'CS001' THEN
        PERFORM institution_totals_add(s_inst, s_item, s_month, s_qty, s_amt, s_lines);
      END;
    END IF;
    IF m_inst IS NOT NULL THEN
      BEGIN
        UPDATE institution_months t SET amount = t.amount + d.a, lines = t.lines + d.n
        FROM (SELECT * FROM unnest(m_inst, m_month, m_amt, m_lines) d(i, m, a, n) ORDER BY 1, 2) d
        WHERE t.institution_id = d.i AND t.month = d.m;
        GET DIAGNOSTICS v_found = ROW_COUNT;
        IF v_found < cardinality(m_inst) THEN
          RAISE SQLSTATE 'CS001';
        END IF;
      EXCEPTION WHEN SQLSTATE 'CS001' THEN
        PERFORM institution_totals_add(m_inst, NULL, m_month, NULL, m_amt, m_lines);
      END;
    END IF;
    RETURN NULL;
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
  -- stock_item() once an item, not once a key: a statement's keys are mostly the same few items at
  -- several institutions (OFFSET 0 keeps the condition from being pushed below the DISTINCT)
  v_stock := ARRAY(SELECT x.c FROM (SELECT DISTINCT c FROM unnest(v_item) u(c) OFFSET 0) x WHERE stock_item(x.c));
  SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
    INTO s_inst, s_item, s_month, s_qty, s_amt, s_lines
  FROM unnest(v_inst, v_item, v_month, v_qty, v_amt, v_lines) d(i, c, m, q, a, n) WHERE d.c = ANY(v_stock);
  SELECT array_agg(i), array_agg(m), array_agg(a), array_agg(n)
    INTO m_inst, m_month, m_amt, m_lines
  FROM (SELECT i, m, sum(a) AS a, sum(n)::bigint AS n FROM unnest(v_inst, v_month, v_amt, v_lines) d(i, m, a, n)
        GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(a) <> 0) d;
  IF s_inst IS NOT NULL THEN
    PERFORM institution_totals_add(s_inst, s_item, s_month, s_qty, s_amt, s_lines);
  END IF;
  IF m_inst IS NOT NULL THEN
    PERFORM institution_totals_add(m_inst, NULL, m_month, NULL, m_amt, m_lines);
  END IF;
  RETURN NULL;
END $$;
