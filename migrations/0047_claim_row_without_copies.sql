-- A claim's row without what other rows of the same statement hold: its answer's findings (the
-- findings' rows) and its content hash (claim_keys). Issue 20: the WAL a claim. Written by hand.
--
-- The answer lists the claim's own findings whole, and each is also a row of `findings` holding
-- every field the answer gives (the intake writes both from the same finding, in one statement,
-- and never updates a finding). A finding was ~600 of a stored answer's bytes, its message ~340:
-- on the intake benchmark a claim with findings stored an ~810-byte answer, which took every such
-- row past the 2,032 bytes from which PostgreSQL moves the body to the TOAST table. The intake
-- now stores `findings` as the array of their ids, in the answer's order; claim_answer(c) gives each
-- back whole from its row (by its primary key: the claim's person and month are the finding's). A
-- row stored before keeps its findings whole (objects, not strings), which it gives as they are.
-- The findings are read by a plpgsql function, called only for a row stored with their ids, so
-- claim_answer stays an expression PostgreSQL inlines in the query that calls it (a SQL function
-- with a subquery is not inlined, and its body was planned again in every query: ~0.6 ms a read
-- more, a claim without findings too). Its plan is kept generic (the month's partition found when
-- it runs): custom plans, which PostgreSQL prefers over a partitioned table, are made at each call,
-- ~1 ms. STABLE now that they read a table.
CREATE FUNCTION claim_answer_findings(c claims) RETURNS jsonb LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN (SELECT jsonb_agg(jsonb_build_object('id', f.id, 'ruleId', f.rule_id, 'ruleVersion', f.rule_version, 'family', f.family,
      'severity', f.severity, 'status', f.status, 'message', f.message, 'violatingLines', f.violating_lines,
      'involvedLines', f.involved_lines, 'otherClaims', f.other_claims, 'amount', f.amount::text) ORDER BY e.n)
    FROM jsonb_array_elements_text(c.answer -> 'findings') WITH ORDINALITY AS e(id, n)
    JOIN findings f ON f.id = e.id::uuid AND f.person_hash = c.person_hash AND f.service_month = c.service_month);
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION claim_answer(c claims) RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.answer || jsonb_build_object('id', c.id, 'institutionId', c.institution_id, 'claimId', c.claim_no,
    'decision', c.decision, 'totalAmount', c.total_amount::text, 'payableAmount', c.payable_amount::text,
    'serviceMonth', c.service_month)
  || CASE WHEN jsonb_typeof(c.answer #> '{findings,0}') = 'string' THEN jsonb_build_object('findings', claim_answer_findings(c))
    ELSE '{}'::jsonb END
$$;--> statement-breakpoint

-- The claim's content hash is read from claim_keys alone (the replay: SELECT_BY_KEY in
-- src/claims/claims.repository.ts), which holds it for every claim, archived months' too; stored
-- on the claim as well, it was 65 bytes of every row. A row stored before keeps it.
ALTER TABLE claims ALTER COLUMN content_hash DROP NOT NULL;
