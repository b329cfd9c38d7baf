-- Running totals by item only for the items a stock record can be judged on, and one total a month
-- for each institution (issue 20: the WAL and PostgreSQL CPU of storing a claim). Written by hand.
--
-- institution_item_months kept a row for every item an institution billed in a month: ~11 row
-- updates and ~0.95 KB of WAL a claim, the largest write after the claim itself. Only two readers
-- use it: the stock rules (a stock record's item, by key) and the report's drug and consumable
-- shares (summed by institution and month). Purchase and stock records (进销存) are kept for drugs
-- and consumables, so the rows of items of the other catalogue categories (services, beds, nursing,
-- exams, labs, operations) were written and never read by item. Now:
-- * institution_item_months keeps the items stock_item() names: drugs, consumables, and items not
--   in the catalogue (a local item may have a stock record; kept so it is judged right);
-- * institution_months keeps what the report's shares divide by: every line's amount and count,
--   by institution and month of the line's service date. One row an institution a month, so a
--   claim updates one row here whatever its lines.
-- The stock part of the history read reads only stock_item() records: a stock record of a service
-- item is stored and not judged. An item's category is its latest catalogue version's (as the
-- report has always taken it); an item moved between a stock category and another keeps the rows
-- it had, and its month's total counts the lines stored while it was a stock item.
-- (plpgsql, not sql: a SQL function with a subquery is not inlined, and is planned again at each
-- query that calls it; plpgsql keeps its plan for the session)
CREATE FUNCTION stock_item(p_item text) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce((SELECT c.category IN ('drug', 'consumable') FROM catalogue_items c
                   WHERE c.item_code = p_item ORDER BY c.valid_from DESC LIMIT 1), true);
END $$;--> statement-breakpoint
CREATE TABLE "institution_months" (
	"institution_id" text NOT NULL,
	"month" text NOT NULL,
	"amount" numeric NOT NULL,
	"lines" bigint NOT NULL,
	CONSTRAINT "institution_months_pk" PRIMARY KEY("institution_id","month")
);--> statement-breakpoint
-- no claim is stored while the totals move from one shape to the other
LOCK TABLE institution_item_months IN EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO institution_months (institution_id, month, amount, lines)
  SELECT institution_id, month, sum(amount), sum(lines) FROM institution_item_months GROUP BY 1, 2 ORDER BY 1, 2;--> statement-breakpoint
DELETE FROM institution_item_months WHERE NOT stock_item(item_code);--> statement-breakpoint

-- Adds deltas to institution_item_months, or to institution_months (p_item null), in one UPDATE
-- when every key is stored, else inserting the missing keys first (migration 0038 says why this
-- never deadlocks: rows locked in key order, item rows before month rows in every statement).
-- Called by institution_item_months_apply only, under its settings (no sequential, bitmap or TID
-- scans, nested loops only).
CREATE FUNCTION institution_totals_add(p_inst text[], p_item text[], p_month text[], p_qty numeric[], p_amt numeric[], p_lines bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_found bigint; v_new_inst text[]; v_new_item text[]; v_new_month text[];
BEGIN
  IF p_item IS NOT NULL THEN
    BEGIN
      UPDATE institution_item_months t SET quantity = t.quantity + d.q, amount = t.amount + d.a, lines = t.lines + d.n
      FROM (SELECT * FROM unnest(p_inst, p_item, p_month, p_qty, p_amt, p_lines) d(i, c, m, q, a, n) ORDER BY 1, 2, 3) d
      WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m;
      GET DIAGNOSTICS v_found = ROW_COUNT;
      IF v_found < cardinality(p_inst) THEN
        RAISE SQLSTATE 'CS001';
      END IF;
    EXCEPTION WHEN SQLSTATE 'CS001' THEN
      WITH ins AS (
        INSERT INTO institution_item_months (institution_id, item_code, month, quantity, amount, lines)
          SELECT d.i, d.c, d.m, d.q, d.a, d.n FROM unnest(p_inst, p_item, p_month, p_qty, p_amt, p_lines) d(i, c, m, q, a, n)
          WHERE NOT EXISTS (SELECT 1 FROM institution_item_months t WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m)
          ORDER BY 1, 2, 3
        ON CONFLICT (institution_id, item_code, month) DO NOTHING
        RETURNING institution_id, item_code, month
      )
      SELECT array_agg(institution_id), array_agg(item_code), array_agg(month) INTO v_new_inst, v_new_item, v_new_month FROM ins;
      UPDATE institution_item_months t SET quantity = t.quantity + d.q, amount = t.amount + d.a, lines = t.lines + d.n
      FROM (
        SELECT * FROM unnest(p_inst, p_item, p_month, p_qty, p_amt, p_lines) d(i, c, m, q, a, n)
        WHERE NOT EXISTS (SELECT 1 FROM unnest(v_new_inst, v_new_item, v_new_month) x(i, c, m) WHERE x.i = d.i AND x.c = d.c AND x.m = d.m)
        ORDER BY 1, 2, 3
      ) d
      WHERE t.institution_id = d.i AND t.item_code = d.c AND t.month = d.m;
    END;
  ELSE
    BEGIN
      UPDATE institution_months t SET amount = t.amount + d.a, lines = t.lines + d.n
      FROM (SELECT * FROM unnest(p_inst, p_month, p_amt, p_lines) d(i, m, a, n) ORDER BY 1, 2) d
      WHERE t.institution_id = d.i AND t.month = d.m;
      GET DIAGNOSTICS v_found = ROW_COUNT;
      IF v_found < cardinality(p_inst) THEN
        RAISE SQLSTATE 'CS001';
      END IF;
    EXCEPTION WHEN SQLSTATE 'CS001' THEN
      WITH ins AS (
        INSERT INTO institution_months (institution_id, month, amount, lines)
          SELECT d.i, d.m, d.a, d.n FROM unnest(p_inst, p_month, p_amt, p_lines) d(i, m, a, n)
          WHERE NOT EXISTS (SELECT 1 FROM institution_months t WHERE t.institution_id = d.i AND t.month = d.m)
          ORDER BY 1, 2
        ON CONFLICT (institution_id, month) DO NOTHING
        RETURNING institution_id, month
      )
      SELECT array_agg(institution_id), array_agg(month) INTO v_new_inst, v_new_month FROM ins;
      UPDATE institution_months t SET amount = t.amount + d.a, lines = t.lines + d.n
      FROM (
        SELECT * FROM unnest(p_inst, p_month, p_amt, p_lines) d(i, m, a, n)
        WHERE NOT EXISTS (SELECT 1 FROM unnest(v_new_inst, v_new_month) x(i, m) WHERE x.i = d.i AND x.m = d.m)
        ORDER BY 1, 2
      ) d
      WHERE t.institution_id = d.i AND t.month = d.m;
    END;
  END IF;
END $$;--> statement-breakpoint

-- The deltas as in migration 0040 (from the intake's setting when it names every stored claim,
-- else from the bodies), then the stock items' to institution_item_months and every line's to
-- institution_months.
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_item text[]; v_month text[]; v_qty numeric[]; v_amt numeric[]; v_lines bigint[];
  v_given jsonb; v_missing bigint; v_stock text[];
  m_inst text[]; m_month text[]; m_amt numeric[]; m_lines bigint[];
  s_inst text[]; s_item text[]; s_month text[]; s_qty numeric[]; s_amt numeric[]; s_lines bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
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
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION institution_item_months_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE institution_item_months, institution_months;
  RETURN NULL;
END $$;
