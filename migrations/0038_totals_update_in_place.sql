-- The running totals (institution_item_months, migrations 0013 and 0037; institution_nights,
-- migration 0033) updated in place without locking their rows first (issue 20: the WAL and
-- PostgreSQL CPU of storing a claim). Written by hand.
--
-- INSERT ... ON CONFLICT DO UPDATE locks the row it conflicts with (a WAL record of its own) and
-- then updates it (a second record): ~8 rows of institution_item_months and ~4 nights a claim in
-- the benchmark, each a ~54-byte lock record more than an UPDATE writes. Nearly always every key
-- of a statement is stored already (an institution bills the same items all month), so each
-- function now tries one plain UPDATE of all the statement's keys, which locks and writes each row
-- once. If a key is not stored yet, that UPDATE is rolled back (its subtransaction, so its row
-- locks go too) and the keys not stored are inserted first, then the others updated.
--
-- Why concurrent statements still never deadlock: each step takes its row locks in key order, and
-- none waits while holding a lock taken out of that order.
-- * The UPDATE's rows come in key order: the functions plan with the table reachable through its
--   primary key only (sequential, bitmap and TID scans disabled) and with nested loops only (a
--   hash join spilled to several batches, or a merge on another key order, would change the
--   order); a nested loop keeps the order of its outer side, the deltas sorted by key or a scan of
--   the primary key, which is each table's only index. An UPDATE waits only for rows it can see,
--   that is for another statement's UPDATE, also in key order. When a key is missing, its locks
--   are released before anything else is waited for.
-- * The keys not visible are inserted in key order, ON CONFLICT DO NOTHING: this locks no stored
--   row and holds only the rows it inserts, which no other statement's UPDATE can see or wait for;
--   it waits only for a transaction inserting or updating one of its keys. A key inserted by
--   another transaction since the snapshot is left to the UPDATE after it (DO NOTHING), which
--   takes a new snapshot: no delta is lost and none is added twice.
-- JIT is off in these functions: a plan over a disabled scan is costed past jit_above_cost.

-- The running totals from the lines of the claims a statement stores, changes or removes
-- (transition tables new_claims, old_claims), one delta a key, applied as above. An update that
-- leaves the lines as they were moves no total and writes nothing.
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_item text[]; v_month text[]; v_qty numeric[]; v_amt numeric[]; v_lines bigint[];
  v_new_inst text[]; v_new_item text[]; v_new_month text[]; v_found bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(i), array_agg(c), array_agg(m), array_agg(q), array_agg(a), array_agg(n)
      INTO v_inst, v_item, v_month, v_qty, v_amt, v_lines
    FROM (SELECT c.institution_id AS i, l.item_code AS c, to_char(l.service_date, 'YYYY-MM') AS m, sum(l.quantity) AS q, sum(l.amount) AS a, count(*) AS n
          FROM new_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l GROUP BY 1, 2, 3) d;
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
-- the nights a stay spans (migration 0033), +1 for stored and -1 for removed rows, applied as above
CREATE OR REPLACE FUNCTION institution_nights_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_tidscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE v_inst text[]; v_night date[]; v_stays int[]; v_new_inst text[]; v_new_night date[]; v_found bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
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
--> statement-breakpoint
-- The claim check of a statement's new lines of findings and references (migration 0036), one
-- month at a time. Joined to claims by the whole key, the check pruned the month partitions row by
-- row while running, so each call first opened and locked every month's partition and index
-- (~5 µs each, 16 months on the preloaded year; past 16 relations a session's locks leave its fast
-- path for the shared lock table). With the month a parameter of the statement, the partitions of
-- the other months are pruned before it starts.
CREATE OR REPLACE FUNCTION claim_rows_claim_exists() RETURNS trigger LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE v_claim uuid; v_month text;
BEGIN
  FOR v_month IN SELECT DISTINCT service_month FROM new_rows LOOP
    SELECT n.claim_id INTO v_claim
    FROM (SELECT DISTINCT claim_id, person_hash FROM new_rows WHERE service_month = v_month) n
    WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = n.claim_id AND c.person_hash = n.person_hash AND c.service_month = v_month)
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'insert or update on table "%" violates foreign key to claims: claim % is not stored', TG_TABLE_NAME, v_claim
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
