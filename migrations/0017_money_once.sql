-- Money counted once (issue 15, items 3 and 7; docs/review-money.md). Written by hand.
--
-- A case's amount at issue and its priority count only money still payable: what the intake
-- withheld from a line (claims.answer -> withheldLines) is not at issue again. The reasons'
-- amounts are laid on the lines they name, in the order the reasons came, each line taking at
-- most what is still payable on it (the line's amount less what the intake withheld from it, less
-- what earlier reasons already put at issue there), as rules/decide.ts lays violations on lines;
-- a reason naming no line (the provider model) takes from what is left of the claim's payable
-- amount. An appeal disputes the withheld money itself: it counts that money once, however many
-- times the claim is appealed. Priority = (amount at issue + 5% of the payable amount) x severity
-- weight x (1 + provider risk).
CREATE OR REPLACE FUNCTION review_refresh_case(p_case bigint, p_reopen boolean) RETURNS void LANGUAGE plpgsql AS $$
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
        FROM claim_lines l
        LEFT JOIN (
          SELECT x->>'lineId' AS line_id, sum((x->>'amount')::numeric) AS amt
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_withheld) = 'array' THEN v_withheld ELSE '[]'::jsonb END) x GROUP BY 1
        ) w ON w.line_id = l.line_id
        WHERE l.claim_id = v_claim AND l.person_hash = v_person AND l.service_month = v_month;
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
END $$;
--> statement-breakpoint
-- A conclusion's refusals line by line (item 7): a whole line, or a line's quantity or unit price
-- reduced, each with a reason code (src/review/refusal-codes.ts) and the money it refuses beyond
-- what the intake withheld. amount_refused stays the conclusion's total.
ALTER TABLE "review_conclusions" ADD COLUMN "lines" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
-- Every case as the new rule counts it (cases last touched before this migration keep their
-- updated_at: the figures changed, nobody acted).
DO $$
DECLARE v record; v_at timestamptz;
BEGIN
  FOR v IN SELECT id, updated_at FROM review_cases LOOP
    PERFORM review_refresh_case(v.id, false);
    UPDATE review_cases SET updated_at = v.updated_at WHERE id = v.id;
  END LOOP;
END $$;
