-- The review triggers read a claim, and the review cases, by key, and a new case is written once
-- (issue 20: the PostgreSQL CPU and WAL of storing a claim). Written by hand.
--
-- review_on_findings (migration 0035) opened a batch's cases with a join of its new findings to
-- claims, and review_refresh_case read its case joined to claims. With the claim's month coming
-- from another row, the plan could prune no month: each execution started a scan of every live
-- month partition of claims (and the default one), rows or none. The joins to review_cases were
-- planned as hash joins over the whole table when the plan was made while it was small. And each
-- new case was inserted with its figures at zero and then recounted by review_refresh_case, an
-- UPDATE of its priority (an indexed column: a new version of the row and an entry in each of its
-- six indexes); a claim drawn by the random re-check (review_on_claims) was opened by
-- review_open_case (which finds the claim by its id alone, in every month's partition), recounted,
-- and updated again with its month's due date when the month's sample was closed already.
--
-- Now a claim is read by its whole key, the month a parameter, so PostgreSQL prunes the other
-- months before starting the query; review_cases is probed by its claim_id index one key at a time
-- (lateral subqueries with a limit, which PostgreSQL cannot turn into joins); a new case is
-- inserted with its figures, computed from the findings that are its reasons by the same
-- functions the recount uses, and only cases that were open already are recounted; a drawn claim
-- without a case gets one written once, from its new row, with its figures and due date; a
-- statement whose new findings need no person (violations only) returns at once. What is stored
-- is unchanged: the same cases, opened in the order of their first finding (or of the drawn
-- claims), with the figures the recount gave them, the same reasons in the same order.

-- The columns a review case takes from its claim, by the claim's whole key; no row when the claim
-- is not stored.
CREATE FUNCTION review_claim_of(p_claim uuid, p_person text, p_month text)
  RETURNS TABLE (institution_id text, visit_type text, total_amount numeric, payable_amount numeric, withheld_lines jsonb)
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY SELECT c.institution_id, c.visit_type, c.total_amount, c.payable_amount, c.answer->'withheldLines' FROM claims c
    WHERE c.id = p_claim AND c.person_hash = p_person AND c.service_month = p_month;
END $$;--> statement-breakpoint
-- The money at issue in a case: its reasons' amounts (other than a sample's or an appeal's) in the
-- order they were added, with the lines each names (null: none), out of what the intake let through
-- (p_payable, less p_withheld on each line), as review_refresh_case counted it since migration 0017.
-- A reason naming lines takes at most what is left on those lines; the others at most what is left
-- of the claim.
CREATE FUNCTION review_amount_at_issue(p_claim uuid, p_person text, p_month text, p_payable numeric, p_withheld jsonb,
  p_amounts numeric[], p_lines jsonb[]) RETURNS numeric LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_ids text[]; v_left numeric[]; v_loaded boolean := false; v_pool numeric := coalesce(p_payable, 0); v_amt numeric := 0;
  v_rem numeric; v_take numeric; v_i int; v_line text; v_lines jsonb;
BEGIN
  FOR v_r IN 1 .. coalesce(array_length(p_amounts, 1), 0) LOOP
    v_rem := least(p_amounts[v_r], v_pool);
    CONTINUE WHEN v_rem <= 0;
    v_lines := p_lines[v_r];
    IF v_lines IS NOT NULL AND jsonb_typeof(v_lines) = 'array' AND jsonb_array_length(v_lines) > 0 THEN
      IF NOT v_loaded THEN
        -- what is still payable on each line: its amount less what the intake withheld from it
        SELECT array_agg(l.line_id ORDER BY l.line_no), array_agg(greatest(l.amount - coalesce(w.amt, 0), 0) ORDER BY l.line_no)
          INTO v_ids, v_left
        FROM claims cl CROSS JOIN LATERAL claim_lines_of(cl.body) l
        LEFT JOIN (
          SELECT x->>'lineId' AS line_id, sum((x->>'amount')::numeric) AS amt
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_withheld) = 'array' THEN p_withheld ELSE '[]'::jsonb END) x GROUP BY 1
        ) w ON w.line_id = l.line_id
        WHERE cl.id = p_claim AND cl.person_hash = p_person AND cl.service_month = p_month;
        v_loaded := true;
      END IF;
      FOR v_line IN SELECT jsonb_array_elements_text(v_lines) LOOP
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
  RETURN v_amt;
END $$;--> statement-breakpoint
-- A case's priority from its figures (the money at issue, an appeal's amount, what the claim pays,
-- the highest severity rank, the provider model's risk), as review_refresh_case set it.
CREATE FUNCTION review_priority(p_amount numeric, p_appeal numeric, p_base numeric, p_rank int, p_risk numeric)
  RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT round((p_amount + p_appeal + 0.05 * p_base)
    * (CASE p_rank WHEN 4 THEN 1.0 WHEN 3 THEN 0.8 WHEN 2 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.1 END)
    * (1 + p_risk), 4)
$$;--> statement-breakpoint
-- The provider model's risk a reason brings, by its severity.
CREATE FUNCTION review_reason_risk(p_kind text, p_severity text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_kind = 'provider_model' THEN
    CASE p_severity WHEN 'violation' THEN 1.0 WHEN 'high' THEN 1.0 WHEN 'medium' THEN 0.6 WHEN 'low' THEN 0.3 ELSE 0 END END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION review_refresh_case(p_case bigint, p_reopen boolean)
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
  v_claim uuid; v_person text; v_month text; v_payable numeric; v_withheld jsonb; v_amounts numeric[]; v_lines jsonb[]; v_amt numeric;
BEGIN
  SELECT c.claim_id, c.person_hash, c.service_month INTO v_claim, v_person, v_month FROM review_cases c WHERE c.id = p_case;
  -- the claim by its whole key, the month a parameter: only its month's partition is read
  SELECT cl.payable_amount, cl.answer->'withheldLines' INTO v_payable, v_withheld
  FROM claims cl WHERE cl.id = v_claim AND cl.person_hash = v_person AND cl.service_month = v_month;
  SELECT array_agg(rr.amount ORDER BY rr.id), array_agg(f.violating_lines ORDER BY rr.id) INTO v_amounts, v_lines
  FROM review_reasons rr
  LEFT JOIN findings f ON f.id = rr.finding_id AND f.claim_id = v_claim AND f.person_hash = v_person AND f.service_month = v_month
  WHERE rr.case_id = p_case AND rr.kind NOT IN ('sample', 'appeal');
  v_amt := review_amount_at_issue(v_claim, v_person, v_month, v_payable, v_withheld, v_amounts, v_lines);

  UPDATE review_cases c SET
    reason_kinds = r2.kinds,
    families = r2.fams,
    severity_rank = r2.rank,
    amount_at_issue = v_amt + r2.appeal,
    provider_risk = r2.risk,
    priority = review_priority(v_amt, r2.appeal, coalesce(v_payable, c.claim_total), r2.rank, r2.risk),
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
           coalesce(max(review_reason_risk(kind, severity)), 0) AS risk
    FROM review_reasons WHERE case_id = p_case
  ) r2
  WHERE c.id = p_case;
END $function$;--> statement-breakpoint
-- The findings that need a person (migration 0035), for the statement's new findings: the cases not
-- open yet inserted with their figures, the reasons added in the order of the findings, each case
-- that was open already recounted once.
CREATE OR REPLACE FUNCTION review_on_findings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record; v_new bigint[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_findings f
                 WHERE f.family = 'provider-model' OR f.retrospective OR f.status = 'trial' OR f.severity IN ('high', 'medium', 'low')) THEN
    RETURN NULL;
  END IF;
  -- the cases not open yet, in the order of their first finding (as review_open_case opened them),
  -- with what review_refresh_case would count from their reasons, which are these findings: no
  -- sample and no appeal among them, and the reasons' ids follow the findings' order
  WITH opened AS (
    INSERT INTO review_cases (claim_id, person_hash, institution_id, service_month, visit_type, claim_total,
                              reason_kinds, families, severity_rank, amount_at_issue, provider_risk, priority)
      SELECT n.claim_id, n.person_hash, c.institution_id, n.service_month, c.visit_type, c.total_amount,
             n.kinds, n.fams, n.rank, a.amt, n.risk,
             review_priority(a.amt, 0, coalesce(c.payable_amount, c.total_amount::numeric(14, 2)), n.rank, n.risk)
      FROM (
        SELECT claim_id, person_hash, service_month, min(ord) AS ord,
               array_agg(DISTINCT kind ORDER BY kind) AS kinds,
               coalesce(array_agg(DISTINCT family ORDER BY family) FILTER (WHERE family IS NOT NULL), '{}') AS fams,
               coalesce(max(review_severity_rank(severity)), 0) AS rank,
               coalesce(max(review_reason_risk(kind, severity)), 0) AS risk,
               array_agg(amount ORDER BY ord) AS amounts, array_agg(violating_lines ORDER BY ord) AS lines
        FROM (
          SELECT f.*, row_number() OVER () AS ord,
                 CASE
                   WHEN f.family = 'provider-model' THEN 'provider_model'
                   WHEN f.retrospective THEN 'retrospective'
                   WHEN f.status = 'trial' OR f.severity IN ('high', 'medium', 'low') THEN 'finding'
                 END AS kind
          FROM new_findings f
        ) f
        WHERE kind IS NOT NULL
        GROUP BY 1, 2, 3
      ) n
      LEFT JOIN LATERAL (SELECT e.id FROM review_cases e WHERE e.claim_id = n.claim_id LIMIT 1) e ON true
      CROSS JOIN LATERAL review_claim_of(n.claim_id, n.person_hash, n.service_month) c
      CROSS JOIN LATERAL (SELECT review_amount_at_issue(n.claim_id, n.person_hash, n.service_month, c.payable_amount, c.withheld_lines,
                                                        n.amounts, n.lines) AS amt) a
      WHERE e.id IS NULL
      ORDER BY n.ord
      ON CONFLICT (claim_id) DO NOTHING
      RETURNING id
  )
  SELECT array_agg(id) INTO v_new FROM opened;
  INSERT INTO review_reasons (case_id, kind, finding_id, rule_id, family, severity, amount, detail)
    SELECT c.id, n.kind, n.id, n.rule_id, n.family, n.severity, n.amount,
           jsonb_build_object('status', n.status, 'ruleVersion', n.rule_version, 'sourceClaimId', n.source_claim_id)
    FROM (
      SELECT f.*, row_number() OVER () AS ord,
             CASE
               WHEN f.family = 'provider-model' THEN 'provider_model'
               WHEN f.retrospective THEN 'retrospective'
               WHEN f.status = 'trial' OR f.severity IN ('high', 'medium', 'low') THEN 'finding'
             END AS kind
      FROM new_findings f
    ) n
    CROSS JOIN LATERAL (SELECT c.id FROM review_cases c WHERE c.claim_id = n.claim_id LIMIT 1) c
    WHERE n.kind IS NOT NULL
    ORDER BY n.ord
    ON CONFLICT (finding_id) DO NOTHING;
  -- a case opened above has its figures; one open before (or opened by another statement since) is recounted
  FOR r IN
    SELECT DISTINCT c.id FROM new_findings f
    CROSS JOIN LATERAL (SELECT c.id FROM review_cases c WHERE c.claim_id = f.claim_id LIMIT 1) c
    WHERE (f.family = 'provider-model' OR f.retrospective OR f.status = 'trial' OR f.severity IN ('high', 'medium', 'low'))
      AND c.id <> ALL (coalesce(v_new, '{}'))
    ORDER BY c.id
  LOOP
    PERFORM review_refresh_case(r.id, true);
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The random re-check at intake (migrations 0014 and 0035), each drawn claim in the order the
-- claims were inserted. A drawn claim with no case yet gets its case in one INSERT, from the new
-- row: a sample alone is no money at issue, severity rank 0 and no provider risk, so its priority
-- is a tenth of 5 % of what the claim pays, and its due date is its month's (review_sample_months),
-- as the recount and the due date's UPDATE set them. A claim whose case is open already (its
-- findings opened it, or another statement did) is handled as before.
CREATE OR REPLACE FUNCTION review_on_claims() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_ipad bytea; v_opad bytea; r record; v_case bigint;
BEGIN
  IF coalesce(current_setting('claimscreen.sample_ipad', true), '') = '' OR coalesce(current_setting('claimscreen.sample_opad', true), '') = '' THEN
    RETURN NULL;
  END IF;
  v_ipad := decode(current_setting('claimscreen.sample_ipad', true), 'hex');
  v_opad := decode(current_setting('claimscreen.sample_opad', true), 'hex');
  FOR r IN
    SELECT n.id, n.person_hash, n.institution_id, n.service_month, n.visit_type, n.total_amount, n.payable_amount FROM (
      SELECT id, person_hash, institution_id, claim_no, service_month, visit_type, total_amount, payable_amount,
             nullif(current_setting('claimscreen.sample_ppm_' || visit_type, true), '') AS ppm,
             row_number() OVER () AS ord
      FROM new_claims
    ) n
    WHERE n.ppm IS NOT NULL
      AND ('x' || encode(substring(sha256(v_opad || sha256(v_ipad || convert_to(n.institution_id || '|' || n.claim_no, 'UTF8'))) FROM 1 FOR 6), 'hex'))::bit(48)::bigint::numeric * 1000000
          < n.ppm::numeric * 281474976710656
    ORDER BY n.ord
  LOOP
    v_case := NULL;
    IF NOT EXISTS (SELECT 1 FROM review_cases e WHERE e.claim_id = r.id) THEN
      INSERT INTO review_cases (claim_id, person_hash, institution_id, service_month, visit_type, claim_total,
                                reason_kinds, severity_rank, priority, sample_due_at, sample_ripe_at)
        SELECT r.id, r.person_hash, r.institution_id, r.service_month, r.visit_type, r.total_amount,
               '{sample}', 0, review_priority(0, 0, coalesce(r.payable_amount, r.total_amount), 0, 0),
               m.due_at, CASE WHEN m.due_at IS NOT NULL THEN least(now(), m.due_at) END
        FROM (SELECT) x
        LEFT JOIN review_sample_months m
          ON m.institution_id = r.institution_id AND m.service_month = r.service_month AND m.visit_type = r.visit_type
        ON CONFLICT (claim_id) DO NOTHING
        RETURNING id INTO v_case;
    END IF;
    IF v_case IS NOT NULL THEN
      INSERT INTO review_reasons (case_id, kind, amount) VALUES (v_case, 'sample', 0)
        ON CONFLICT (case_id) WHERE kind = 'sample' DO NOTHING;
      CONTINUE;
    END IF;
    v_case := review_open_case(r.id);
    INSERT INTO review_reasons (case_id, kind, amount) VALUES (v_case, 'sample', 0)
      ON CONFLICT (case_id) WHERE kind = 'sample' DO NOTHING;
    PERFORM review_refresh_case(v_case, false);
    UPDATE review_cases c SET sample_due_at = m.due_at, sample_ripe_at = least(now(), m.due_at)
      FROM review_sample_months m
      WHERE c.id = v_case AND c.sample_due_at IS NULL AND m.due_at IS NOT NULL
        AND m.institution_id = c.institution_id AND m.service_month = c.service_month AND m.visit_type = c.visit_type;
  END LOOP;
  RETURN NULL;
END $$;
