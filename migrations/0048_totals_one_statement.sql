-- The running totals of the claims a statement stores in one statement when every key is stored
-- already (issue 20: the fixed cost of a claim stored alone). Written by hand.
--
-- A province sends a claim every few seconds: nearly every claim is a statement of its own, and
-- its fixed cost is what each claim pays. Stored alone (bench/db-only.ts --batch 1 --pool 1
-- --concurrency 1), a claim cost PostgreSQL ~1,300 µs of CPU, a third of it in the claims'
-- statement triggers, most in the item totals' trigger: eight statements (the deltas gathered into
-- arrays, each distinct item's category by a plpgsql call, the stock items' and the months' arrays,
-- then two functions each with its UPDATE), each started and ended through SPI, with the
-- array_agg aggregates' start-up the largest part of it.
--
-- On INSERT both triggers now first run one statement: the deltas, the stock items among them (the
-- test of stock_item(), migration 0041, written inline: the same latest catalogue version, an item
-- not in the catalogue counted), whether every key is stored, and if so the UPDATEs. Nearly always
-- every key is stored (an institution bills the same items all month, and a stay's nights are
-- mostly counted already): that statement is all. If a key is not stored, it updates nothing and
-- takes no lock, and the trigger goes on as before (migration 0038: the missing keys inserted,
-- under a subtransaction). So the rows are still locked in key order, item rows before month rows
-- (the month UPDATE runs when the statement reads its count, after the item UPDATE's), and no
-- statement waits for an insert while it holds a row lock: migration 0038's reasons why concurrent
-- statements never deadlock hold as they were. The deltas the intake gave (migration 0040) are
-- used for each claim they name; a claim they do not name is counted from its body (before, one
-- claim missing sent every claim of the statement to its body).
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_item text[]; v_month text[]; v_qty numeric[]; v_amt numeric[]; v_lines bigint[];
  v_given jsonb; v_cleared text; v_done boolean; v_items bigint; v_months bigint; v_stock text[];
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
    ), s AS MATERIALIZED (
      -- stock_item(d.c), inline
      SELECT d.* FROM d
      WHERE coalesce((SELECT k.category IN ('drug', 'consumable') FROM catalogue_items k
                      WHERE k.item_code = d.c ORDER BY k.valid_from DESC LIMIT 1), true)
    ), mm AS MATERIALIZED (
      SELECT i, m, sum(a) AS a, sum(n)::bigint AS n FROM d GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(a) <> 0
    ), ok AS MATERIALIZED (
      SELECT NOT EXISTS (SELECT 1 FROM s WHERE NOT EXISTS (
               SELECT 1 FROM institution_item_months t WHERE t.institution_id = s.i AND t.item_code = s.c AND t.month = s.m))
         AND NOT EXISTS (SELECT 1 FROM mm WHERE NOT EXISTS (
               SELECT 1 FROM institution_months t WHERE t.institution_id = mm.i AND t.month = mm.m)) AS ok
    ), ui AS (
      UPDATE institution_item_months t SET quantity = t.quantity + s.q, amount = t.amount + s.a, lines = t.lines + s.n
      FROM (SELECT * FROM s ORDER BY 1, 2, 3) s
      WHERE (SELECT ok FROM ok) AND t.institution_id = s.i AND t.item_code = s.c AND t.month = s.m
      RETURNING 1
    ), um AS (
      UPDATE institution_months t SET amount = t.amount + mm.a, lines = t.lines + mm.n
      FROM (SELECT * FROM mm ORDER BY 1, 2) mm
      WHERE (SELECT ok FROM ok) AND t.institution_id = mm.i AND t.month = mm.m
      RETURNING 1
    )
    -- the counts, item rows first: each UPDATE runs when its count is read
    SELECT ok.ok, (SELECT count(*) FROM ui), (SELECT count(*) FROM um) INTO v_done, v_items, v_months FROM ok;
    IF v_done THEN
      RETURN NULL;
    END IF;
    -- a key not stored yet: the deltas again, applied as before
    SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
      INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
    FROM (SELECT c.institution_id AS i, x.c, x.m, sum(x.q) AS q, sum(x.a) AS a, sum(x.n)::bigint AS n
          FROM new_claims c CROSS JOIN LATERAL (
            SELECT e->>0 AS c, e->>1 AS m, (e->>2)::numeric AS q, (e->>3)::numeric AS a, (e->>4)::bigint AS n
            FROM jsonb_array_elements(v_given -> c.id::text) e
            UNION ALL
            SELECT l.item_code, to_char(l.service_date, 'YYYY-MM'), l.quantity, l.amount, 1
            FROM claim_lines_of(c.body) l WHERE NOT coalesce(v_given ? c.id::text, false)
          ) x
          GROUP BY 1, 2, 3) d;
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

-- The midnight census (migration 0033) the same way: on INSERT one statement updates every night
-- of the statement's stays when each is stored, else nothing, and the trigger goes on as before.
CREATE OR REPLACE FUNCTION institution_nights_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_night date[]; v_stays int[]; v_new_inst text[]; v_new_night date[]; v_found bigint; v_done boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH d AS MATERIALIZED (
      SELECT s.institution_id AS i, s.a + k AS n, count(*)::int AS s
      FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                   (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
            FROM new_claims WHERE visit_type = 'inpatient') s,
           generate_series(1, least(s.e - s.a, 366)) k
      GROUP BY 1, 2
    ), ok AS MATERIALIZED (
      SELECT NOT EXISTS (SELECT 1 FROM d WHERE NOT EXISTS (
               SELECT 1 FROM institution_nights t WHERE t.institution_id = d.i AND t.night = d.n)) AS ok
    ), u AS (
      UPDATE institution_nights t SET stays = t.stays + d.s
      FROM (SELECT * FROM d ORDER BY 1, 2) d
      WHERE (SELECT ok FROM ok) AND t.institution_id = d.i AND t.night = d.n
      RETURNING 1
    )
    SELECT ok.ok, (SELECT count(*) FROM u) INTO v_done, v_found FROM ok;
    IF v_done THEN
      RETURN NULL;
    END IF;
    -- a night not stored yet: the nights again, applied as before
    SELECT array_agg(i), array_agg(n), array_agg(s) INTO v_inst, v_night, v_stays
    FROM (SELECT s.institution_id AS i, s.a + k AS n, count(*)::int AS s
          FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                       (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
                FROM new_claims WHERE visit_type = 'inpatient') s,
               generate_series(1, least(s.e - s.a, 366)) k
          GROUP BY 1, 2) d;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(i), array_agg(n), array_agg(s) INTO v_inst, v_night, v_stays
    FROM (SELECT s.institution_id AS i, s.a + k AS n, -count(*)::int AS s
          FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                       (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
                FROM old_claims WHERE visit_type = 'inpatient') s,
               generate_series(1, least(s.e - s.a, 366)) k
          GROUP BY 1, 2) d;
  ELSE
    SELECT array_agg(i), array_agg(n), array_agg(s) INTO v_inst, v_night, v_stays
    FROM (SELECT s.institution_id AS i, s.a + k AS n, sum(s.n)::int AS s
          FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                       (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e, -1 AS n
                FROM old_claims WHERE visit_type = 'inpatient'
                UNION ALL
                SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date,
                       (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date, 1
                FROM new_claims WHERE visit_type = 'inpatient') s,
               generate_series(1, least(s.e - s.a, 366)) k
          GROUP BY 1, 2) d;
  END IF;
  IF v_inst IS NULL THEN
    RETURN NULL;
  END IF;
  -- most often every night is stored: one UPDATE, in a subtransaction rolled back if one is not
  BEGIN
    UPDATE institution_nights t SET stays = t.stays + d.s
    FROM (SELECT * FROM unnest(v_inst, v_night, v_stays) d(i, n, s) ORDER BY 1, 2) d
    WHERE t.institution_id = d.i AND t.night = d.n;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found < cardinality(v_inst) THEN
      RAISE SQLSTATE 'CS001';
    END IF;
  EXCEPTION WHEN SQLSTATE 'CS001' THEN
    -- the nights not stored yet, then the others
    WITH ins AS (
      INSERT INTO institution_nights (institution_id, night, stays)
        SELECT d.i, d.n, d.s FROM unnest(v_inst, v_night, v_stays) d(i, n, s)
        WHERE NOT EXISTS (SELECT 1 FROM institution_nights t WHERE t.institution_id = d.i AND t.night = d.n)
        ORDER BY 1, 2
      ON CONFLICT (institution_id, night) DO NOTHING
      RETURNING institution_id, night
    )
    SELECT array_agg(institution_id), array_agg(night) INTO v_new_inst, v_new_night FROM ins;
    UPDATE institution_nights t SET stays = t.stays + d.s
    FROM (
      SELECT * FROM unnest(v_inst, v_night, v_stays) d(i, n, s)
      WHERE NOT EXISTS (SELECT 1 FROM unnest(v_new_inst, v_new_night) x(i, n) WHERE x.i = d.i AND x.n = d.n)
      ORDER BY 1, 2
    ) d
    WHERE t.institution_id = d.i AND t.night = d.n;
  END;
  RETURN NULL;
END $$;
