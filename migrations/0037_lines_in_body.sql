-- A claim's lines are stored once, in the claim's body (issue 20: the WAL and PostgreSQL CPU of
-- storing a claim). Written by hand.
--
-- Every claim has always been stored with the claim as sent (less the person's raw id) in
-- claims.body, its lines included, and again as one claim_lines row per line (8-12 a claim, each
-- with a primary-key entry, the statement check of migration 0036 and the running totals of
-- migration 0013): ~3.65 KB of the ~10 KB of WAL a claim (docs/scaling.md). claim_lines goes; what
-- read it reads the lines from the body, through claim_lines_of below, which gives each line's
-- columns as the intake computed them for claim_lines. The running totals of institution_item_months
-- are kept by statement triggers on claims instead, reading the lines of the statement's claims.

-- A decimal of a line as sent: a JSON number, or a string that the intake's parser trims as
-- JavaScript's String.prototype.trim does (src/lib/money.ts) before reading it.
CREATE FUNCTION claimscreen_decimal(p jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(p) = 'number' THEN p::numeric
    ELSE btrim(p #>> '{}', E' \t\n\u000b\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff')::numeric END
$$;--> statement-breakpoint
-- The service date of a line's serviceAt as sent: the calendar date in China Standard Time (UTC+8,
-- no daylight saving) of an instant with an offset, else the date written (local time in China),
-- as src/lib/time.ts parseInstant and cstDate give it.
CREATE FUNCTION claimscreen_service_date(p text) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p ~ '(Z|[+-][0-9]{2}:?[0-9]{2})$' THEN (p::timestamptz AT TIME ZONE INTERVAL '08:00')::date ELSE p::timestamp::date END
$$;--> statement-breakpoint
-- A claim's lines from its body, with the columns claim_lines had: line_no is the line's position
-- (1-based), quantity and unit price at 4 decimals, the amount at 2, as the intake wrote them.
-- A single SELECT in SQL: PostgreSQL inlines it into the query that calls it.
CREATE FUNCTION claim_lines_of(p_body jsonb) RETURNS TABLE (line_no int, line_id text, item_code text, hospital_item_code text,
  hospital_item_name text, category text, service_date date, quantity numeric, unit_price numeric, amount numeric)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT x.k::int, x.l->>'lineId', x.l->>'itemCode', x.l->>'hospitalItemCode', x.l->>'hospitalItemName', x.l->>'category',
    claimscreen_service_date(x.l->>'serviceAt'), claimscreen_decimal(x.l->'quantity')::numeric(16, 4),
    claimscreen_decimal(x.l->'unitPrice')::numeric(16, 4), claimscreen_decimal(x.l->'amount')::numeric(14, 2)
  FROM jsonb_array_elements(p_body->'lines') WITH ORDINALITY AS x(l, k)
$$;--> statement-breakpoint
-- Nothing is lost: every line row of a live month is its claim's body line at the same position,
-- column for column, and every claim has as many lines in its body as rows. Refused otherwise
-- (a row edited by hand): the running totals counted the rows.
DO $$
DECLARE v_claim uuid;
BEGIN
  SELECT coalesce(l.claim_id, b.claim_id) INTO v_claim
  FROM (SELECT claim_id, line_no, line_id, item_code, hospital_item_code, hospital_item_name, category, service_date, quantity, unit_price, amount
        FROM claim_lines) l
  FULL JOIN (SELECT c.id AS claim_id, b.* FROM claims c CROSS JOIN LATERAL claim_lines_of(c.body) b) b
    ON b.claim_id = l.claim_id AND b.line_no = l.line_no
  WHERE l.claim_id IS NULL OR b.claim_id IS NULL
     OR (l.line_id, l.item_code, l.hospital_item_code, l.hospital_item_name, l.category, l.service_date, l.quantity, l.unit_price, l.amount)
        IS DISTINCT FROM (b.line_id, b.item_code, b.hospital_item_code, b.hospital_item_name, b.category, b.service_date, b.quantity, b.unit_price, b.amount)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'claim %: its claim_lines rows differ from the lines of its body; claim_lines is not dropped', v_claim
      USING ERRCODE = 'data_exception';
  END IF;
END $$;--> statement-breakpoint
-- claim_lines, its month partitions, its running-total and claim-check triggers. A month detached
-- before this migration keeps its archive.claim_lines_YYYY_MM table as it was (its claims' bodies
-- hold the same lines); the month functions no longer handle it.
DROP TABLE "claim_lines";--> statement-breakpoint
DELETE FROM "month_partitioned_tables" WHERE "table_name" = 'claim_lines';--> statement-breakpoint
CREATE OR REPLACE FUNCTION claims_referencing_tables(p_id uuid, p_person text, p_month text) RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT 'findings' WHERE EXISTS (SELECT 1 FROM findings f WHERE f.claim_id = p_id AND f.person_hash = p_person AND f.service_month = p_month)
  UNION ALL
  SELECT 'finding_references' WHERE EXISTS (SELECT 1 FROM finding_references r WHERE r.claim_id = p_id AND r.person_hash = p_person AND r.service_month = p_month)
$$;--> statement-breakpoint
-- A case's amount at issue (migration 0035) reads what is still payable on each line from the claim's body.
CREATE OR REPLACE FUNCTION review_refresh_case(p_case bigint, p_reopen boolean)
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
  v_claim uuid; v_person text; v_month text; v_payable numeric; v_withheld jsonb; v_ids text[]; v_left numeric[];
  v_loaded boolean := false; v_pool numeric; v_amt numeric := 0; v_rem numeric; v_take numeric; v_i int;
  r record; v_line text;
BEGIN
  SELECT c.claim_id, c.person_hash, c.service_month, cl.payable_amount, cl.answer->'withheldLines'
    INTO v_claim, v_person, v_month, v_payable, v_withheld
  FROM review_cases c LEFT JOIN claims cl ON cl.id = c.claim_id AND cl.person_hash = c.person_hash AND cl.service_month = c.service_month
  WHERE c.id = p_case;
  v_pool := coalesce(v_payable, 0);

  FOR r IN
    SELECT rr.amount, f.violating_lines FROM review_reasons rr
    LEFT JOIN findings f ON f.id = rr.finding_id AND f.claim_id = v_claim AND f.person_hash = v_person AND f.service_month = v_month
    WHERE rr.case_id = p_case AND rr.kind NOT IN ('sample', 'appeal') ORDER BY rr.id
  LOOP
    v_rem := least(r.amount, v_pool);
    CONTINUE WHEN v_rem <= 0;
    IF r.violating_lines IS NOT NULL AND jsonb_typeof(r.violating_lines) = 'array' AND jsonb_array_length(r.violating_lines) > 0 THEN
      IF NOT v_loaded THEN
        -- what is still payable on each line: its amount less what the intake withheld from it
        SELECT array_agg(l.line_id ORDER BY l.line_no), array_agg(greatest(l.amount - coalesce(w.amt, 0), 0) ORDER BY l.line_no)
          INTO v_ids, v_left
        FROM claims cl CROSS JOIN LATERAL claim_lines_of(cl.body) l
        LEFT JOIN (
          SELECT x->>'lineId' AS line_id, sum((x->>'amount')::numeric) AS amt
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_withheld) = 'array' THEN v_withheld ELSE '[]'::jsonb END) x GROUP BY 1
        ) w ON w.line_id = l.line_id
        WHERE cl.id = v_claim AND cl.person_hash = v_person AND cl.service_month = v_month;
        v_loaded := true;
      END IF;
      FOR v_line IN SELECT jsonb_array_elements_text(r.violating_lines) LOOP
        EXIT WHEN v_rem <= 0;
        v_i := array_position(v_ids, v_line);
        CONTINUE WHEN v_i IS NULL;
        v_take := least(v_left[v_i], v_rem);
        IF v_take > 0 THEN
          v_left[v_i] := v_left[v_i] - v_take;
          v_rem := v_rem - v_take;
          v_amt := v_amt + v_take;
          v_pool := v_pool - v_take;
        END IF;
      END LOOP;
    ELSE
      v_amt := v_amt + v_rem;
      v_pool := v_pool - v_rem;
    END IF;
  END LOOP;

  UPDATE review_cases c SET
    reason_kinds = r2.kinds,
    families = r2.fams,
    severity_rank = r2.rank,
    amount_at_issue = v_amt + r2.appeal,
    provider_risk = r2.risk,
    priority = round((v_amt + r2.appeal + 0.05 * coalesce(v_payable, c.claim_total))
      * (CASE r2.rank WHEN 4 THEN 1.0 WHEN 3 THEN 0.8 WHEN 2 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.1 END)
      * (1 + r2.risk), 4),
    status = CASE WHEN p_reopen AND c.status = 'closed' THEN 'open' ELSE c.status END,
    assignee = CASE WHEN p_reopen AND c.status = 'closed' THEN NULL ELSE c.assignee END,
    final_outcome = CASE WHEN p_reopen AND c.status = 'closed' THEN NULL ELSE c.final_outcome END,
    updated_at = now()
  FROM (
    SELECT coalesce(array_agg(DISTINCT kind ORDER BY kind), '{}') AS kinds,
           coalesce(array_agg(DISTINCT family ORDER BY family) FILTER (WHERE family IS NOT NULL), '{}') AS fams,
           coalesce(max(CASE WHEN kind = 'sample' THEN 0 ELSE review_severity_rank(severity) END), 0) AS rank,
           -- an appeal disputes the withheld money itself: once, however many times the claim is appealed
           coalesce(max(amount) FILTER (WHERE kind = 'appeal'), 0) AS appeal,
           coalesce(max(CASE WHEN kind = 'provider_model' THEN
             CASE severity WHEN 'violation' THEN 1.0 WHEN 'high' THEN 1.0 WHEN 'medium' THEN 0.6 WHEN 'low' THEN 0.3 ELSE 0 END END), 0) AS risk
    FROM review_reasons WHERE case_id = p_case
  ) r2
  WHERE c.id = p_case;
END $function$;--> statement-breakpoint
-- The running totals (migration 0013) from the lines of the claims a statement stores, changes or
-- removes (transition tables new_claims, old_claims): the month of each line's service date, one
-- upsert per statement in key order. An update that leaves the lines as they were moves no total
-- and writes nothing.
CREATE OR REPLACE FUNCTION institution_item_months_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO institution_item_months AS t (institution_id, item_code, month, quantity, amount, lines)
      SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM'), sum(l.quantity), sum(l.amount), count(*)
      FROM new_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (institution_id, item_code, month) DO UPDATE
      SET quantity = t.quantity + excluded.quantity, amount = t.amount + excluded.amount, lines = t.lines + excluded.lines;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO institution_item_months AS t (institution_id, item_code, month, quantity, amount, lines)
      SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM'), -sum(l.quantity), -sum(l.amount), -count(*)
      FROM old_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (institution_id, item_code, month) DO UPDATE
      SET quantity = t.quantity + excluded.quantity, amount = t.amount + excluded.amount, lines = t.lines + excluded.lines;
  ELSE
    INSERT INTO institution_item_months AS t (institution_id, item_code, month, quantity, amount, lines)
      SELECT institution_id, item_code, month, sum(quantity), sum(amount), sum(n)
      FROM (SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM') AS month, l.quantity, l.amount, 1 AS n
            FROM new_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l
            UNION ALL
            SELECT c.institution_id, l.item_code, to_char(l.service_date, 'YYYY-MM'), -l.quantity, -l.amount, -1
            FROM old_claims c CROSS JOIN LATERAL claim_lines_of(c.body) l) d
      GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(quantity) <> 0 OR sum(amount) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (institution_id, item_code, month) DO UPDATE
      SET quantity = t.quantity + excluded.quantity, amount = t.amount + excluded.amount, lines = t.lines + excluded.lines;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER claims_item_months_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_item_months_apply();--> statement-breakpoint
-- (the service never changes or removes a stored claim: these keep the totals true for a hand edit)
CREATE TRIGGER claims_item_months_update AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_item_months_apply();--> statement-breakpoint
CREATE TRIGGER claims_item_months_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_item_months_apply();--> statement-breakpoint
CREATE TRIGGER claims_item_months_truncate AFTER TRUNCATE ON claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_item_months_clear();
