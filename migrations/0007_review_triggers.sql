-- Review cases are opened by the database, in the statement that stores their cause, so no
-- case is lost whatever way the intake batches its inserts (src/review/README in README.md).

-- The case of a claim, created on first need; returns its id.
CREATE FUNCTION review_open_case(p_claim uuid) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_id bigint;
BEGIN
  SELECT id INTO v_id FROM review_cases WHERE claim_id = p_claim;
  IF v_id IS NOT NULL THEN RETURN v_id; END IF;
  INSERT INTO review_cases (claim_id, institution_id, service_month, visit_type, claim_total)
    SELECT c.id, c.institution_id, c.service_month, c.visit_type, c.total_amount FROM claims c WHERE c.id = p_claim
    ON CONFLICT (claim_id) DO NOTHING
    RETURNING id INTO v_id;
  IF v_id IS NULL THEN SELECT id INTO v_id FROM review_cases WHERE claim_id = p_claim; END IF;
  RETURN v_id;
END $$;
--> statement-breakpoint
-- Severity as a rank: violation 4, high 3, medium 2, low 1, none (the random sample) 0.
CREATE FUNCTION review_severity_rank(p text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p WHEN 'violation' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END
$$;
--> statement-breakpoint
-- Recomputes a case's summary from its reasons. Priority = (amount at issue + 5% of the claim)
-- x severity weight x (1 + provider risk); a new finding reopens a closed case.
CREATE FUNCTION review_refresh_case(p_case bigint, p_reopen boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE review_cases c SET
    reason_kinds = r.kinds,
    families = r.fams,
    severity_rank = r.rank,
    amount_at_issue = r.amt,
    provider_risk = r.risk,
    priority = round((r.amt + 0.05 * c.claim_total)
      * (CASE r.rank WHEN 4 THEN 1.0 WHEN 3 THEN 0.8 WHEN 2 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.1 END)
      * (1 + r.risk), 4),
    status = CASE WHEN p_reopen AND c.status = 'closed' THEN 'open' ELSE c.status END,
    assignee = CASE WHEN p_reopen AND c.status = 'closed' THEN NULL ELSE c.assignee END,
    final_outcome = CASE WHEN p_reopen AND c.status = 'closed' THEN NULL ELSE c.final_outcome END,
    updated_at = now()
  FROM (
    SELECT coalesce(array_agg(DISTINCT kind ORDER BY kind), '{}') AS kinds,
           coalesce(array_agg(DISTINCT family ORDER BY family) FILTER (WHERE family IS NOT NULL), '{}') AS fams,
           coalesce(max(CASE WHEN kind = 'sample' THEN 0 ELSE review_severity_rank(severity) END), 0) AS rank,
           least((SELECT claim_total FROM review_cases WHERE id = p_case), coalesce(sum(amount) FILTER (WHERE kind <> 'sample'), 0)) AS amt,
           coalesce(max(CASE WHEN kind = 'provider_model' THEN
             CASE severity WHEN 'violation' THEN 1.0 WHEN 'high' THEN 1.0 WHEN 'medium' THEN 0.6 WHEN 'low' THEN 0.3 ELSE 0 END END), 0) AS risk
    FROM review_reasons WHERE case_id = p_case
  ) r
  WHERE c.id = p_case;
END $$;
--> statement-breakpoint
-- A finding that needs a person: a suspicion (high/medium/low), any hit of a rule on trial, any
-- retrospective finding (the claim was already paid), any provider-model finding.
CREATE FUNCTION review_on_finding() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_kind text; v_case bigint;
BEGIN
  v_kind := CASE
    WHEN NEW.family = 'provider-model' THEN 'provider_model'
    WHEN NEW.retrospective THEN 'retrospective'
    WHEN NEW.status = 'trial' OR NEW.severity IN ('high', 'medium', 'low') THEN 'finding'
  END;
  IF v_kind IS NULL THEN RETURN NULL; END IF;
  v_case := review_open_case(NEW.claim_id);
  INSERT INTO review_reasons (case_id, kind, finding_id, rule_id, family, severity, amount, detail)
  VALUES (v_case, v_kind, NEW.id, NEW.rule_id, NEW.family, NEW.severity, NEW.amount,
          jsonb_build_object('status', NEW.status, 'ruleVersion', NEW.rule_version, 'sourceClaimId', NEW.source_claim_id))
  ON CONFLICT (finding_id) DO NOTHING;
  PERFORM review_refresh_case(v_case, true);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER review_on_finding AFTER INSERT ON findings FOR EACH ROW EXECUTE FUNCTION review_on_finding();
--> statement-breakpoint
-- The random re-check at intake: HMAC-SHA-256(key, institution|claim no), its first 48 bits as a
-- fraction of 2^48, under the visit type's rate (parts per million). The key and rates are the
-- session's settings (src/review/sampling.ts); without them nothing is drawn here and the
-- month close draws instead. The HMAC is built from sha256() so it needs no extension.
CREATE FUNCTION review_on_claim() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_ipad text; v_opad text; v_ppm text; v_h bytea; v_case bigint;
BEGIN
  v_ipad := current_setting('claimscreen.sample_ipad', true);
  v_opad := current_setting('claimscreen.sample_opad', true);
  v_ppm := current_setting('claimscreen.sample_ppm_' || NEW.visit_type, true);
  IF coalesce(v_ipad, '') = '' OR coalesce(v_opad, '') = '' OR coalesce(v_ppm, '') = '' THEN RETURN NULL; END IF;
  v_h := sha256(decode(v_opad, 'hex') || sha256(decode(v_ipad, 'hex') || convert_to(NEW.institution_id || '|' || NEW.claim_no, 'UTF8')));
  IF ('x' || encode(substring(v_h FROM 1 FOR 6), 'hex'))::bit(48)::bigint::numeric * 1000000
     < v_ppm::numeric * 281474976710656 THEN
    v_case := review_open_case(NEW.id);
    INSERT INTO review_reasons (case_id, kind, amount) VALUES (v_case, 'sample', 0)
      ON CONFLICT (case_id) WHERE kind = 'sample' DO NOTHING;
    PERFORM review_refresh_case(v_case, false);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER review_on_claim AFTER INSERT ON claims FOR EACH ROW EXECUTE FUNCTION review_on_claim();
--> statement-breakpoint
-- Append-only tables: corrections are new rows, never edits.
CREATE FUNCTION review_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER review_trail_append_only BEFORE UPDATE OR DELETE ON review_trail FOR EACH ROW EXECUTE FUNCTION review_append_only();
--> statement-breakpoint
CREATE TRIGGER review_trail_no_truncate BEFORE TRUNCATE ON review_trail FOR EACH STATEMENT EXECUTE FUNCTION review_append_only();
--> statement-breakpoint
CREATE TRIGGER review_reasons_append_only BEFORE UPDATE OR DELETE ON review_reasons FOR EACH ROW EXECUTE FUNCTION review_append_only();
--> statement-breakpoint
CREATE TRIGGER review_conclusions_append_only BEFORE UPDATE OR DELETE ON review_conclusions FOR EACH ROW EXECUTE FUNCTION review_append_only();
--> statement-breakpoint
CREATE TRIGGER review_second_reviews_append_only BEFORE UPDATE OR DELETE ON review_second_reviews FOR EACH ROW EXECUTE FUNCTION review_append_only();
