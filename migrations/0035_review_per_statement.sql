-- The review queue's intake triggers once per statement instead of once per row, and one index
-- fewer on the lines (issue 20: the PostgreSQL CPU and WAL of storing a claim). Written by hand.
--
-- The intake stores a batch of claims and their findings in one statement. review_on_claim (the
-- random re-check, migration 0014) ran a PL/pgSQL call and two SHA-256 for every claim, and
-- review_on_finding (migration 0007) opened the case, added the reason and recomputed the whole
-- case (review_refresh_case: every reason of the case again, and the claim's lines for a reason
-- naming lines) for every finding: a claim with three findings recomputed its case three times.
-- Now each is a statement trigger over the statement's new rows: the draw is one query over the
-- new claims, the cases of the findings are opened in one INSERT, their reasons added in one
-- INSERT, and each case touched is recomputed once, after all its reasons are in. What is stored
-- is what the row triggers stored: cases are opened, and reasons numbered, in the order of the
-- rows (the order the row triggers fired in), and review_refresh_case recomputes a case from all
-- its reasons, so once at the end gives what the last of the per-row calls gave. A write straight
-- into an attached month partition, which fired the row triggers cloned onto the partitions, fires
-- neither now; nothing writes so: the service writes through the parents, and the split of a month
-- out of the default partition copies into tables not yet attached, which fired none before either.

-- The random re-check at intake, for the statement's new claims: as review_on_claim (migration
-- 0014), each drawn claim in the order the claims were inserted.
CREATE FUNCTION review_on_claims() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_ipad bytea; v_opad bytea; r record; v_case bigint;
BEGIN
  IF coalesce(current_setting('claimscreen.sample_ipad', true), '') = '' OR coalesce(current_setting('claimscreen.sample_opad', true), '') = '' THEN
    RETURN NULL;
  END IF;
  v_ipad := decode(current_setting('claimscreen.sample_ipad', true), 'hex');
  v_opad := decode(current_setting('claimscreen.sample_opad', true), 'hex');
  FOR r IN
    SELECT n.id FROM (
      SELECT id, institution_id, claim_no, nullif(current_setting('claimscreen.sample_ppm_' || visit_type, true), '') AS ppm,
             row_number() OVER () AS ord
      FROM new_claims
    ) n
    WHERE n.ppm IS NOT NULL
      AND ('x' || encode(substring(sha256(v_opad || sha256(v_ipad || convert_to(n.institution_id || '|' || n.claim_no, 'UTF8'))) FROM 1 FOR 6), 'hex'))::bit(48)::bigint::numeric * 1000000
          < n.ppm::numeric * 281474976710656
    ORDER BY n.ord
  LOOP
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
END $$;--> statement-breakpoint
-- The findings that need a person (a suspicion, a rule on trial, a retrospective finding, a
-- provider-model finding; review_on_finding of migration 0007), for the statement's new findings:
-- the cases opened, the reasons added in the order of the findings, each case recomputed once.
CREATE FUNCTION review_on_findings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  -- the cases not open yet, in the order of their first finding (as review_open_case opened them)
  INSERT INTO review_cases (claim_id, person_hash, institution_id, service_month, visit_type, claim_total)
    SELECT c.id, c.person_hash, c.institution_id, c.service_month, c.visit_type, c.total_amount
    FROM (
      SELECT claim_id, person_hash, service_month, min(ord) AS ord
      FROM (SELECT f.*, row_number() OVER () AS ord FROM new_findings f) f
      WHERE f.family = 'provider-model' OR f.retrospective OR f.status = 'trial' OR f.severity IN ('high', 'medium', 'low')
      GROUP BY 1, 2, 3
    ) n
    JOIN claims c ON c.id = n.claim_id AND c.person_hash = n.person_hash AND c.service_month = n.service_month
    WHERE NOT EXISTS (SELECT 1 FROM review_cases e WHERE e.claim_id = n.claim_id)
    ORDER BY n.ord
    ON CONFLICT (claim_id) DO NOTHING;
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
    JOIN review_cases c ON c.claim_id = n.claim_id
    WHERE n.kind IS NOT NULL
    ORDER BY n.ord
    ON CONFLICT (finding_id) DO NOTHING;
  FOR r IN
    SELECT DISTINCT c.id FROM new_findings f JOIN review_cases c ON c.claim_id = f.claim_id
    WHERE f.family = 'provider-model' OR f.retrospective OR f.status = 'trial' OR f.severity IN ('high', 'medium', 'low')
    ORDER BY c.id
  LOOP
    PERFORM review_refresh_case(r.id, true);
  END LOOP;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER review_on_claim ON claims;--> statement-breakpoint
DROP TRIGGER review_on_finding ON findings;--> statement-breakpoint
DROP FUNCTION review_on_claim();--> statement-breakpoint
DROP FUNCTION review_on_finding();--> statement-breakpoint
CREATE TRIGGER review_on_claims AFTER INSERT ON claims REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION review_on_claims();--> statement-breakpoint
CREATE TRIGGER review_on_findings AFTER INSERT ON findings REFERENCING NEW TABLE AS new_findings
  FOR EACH STATEMENT EXECUTE FUNCTION review_on_findings();
--> statement-breakpoint
-- A case's recomputation and a new case's claim check read the claims, findings and lines by
-- their whole key, month included. With PostgreSQL's default plan_cache_mode the function's plan
-- for such a query over the month partitions costed higher as a generic plan (every partition)
-- than as a custom plan (the one month), so each call planned it again: ~0.8 ms of a ~1.3 ms
-- review_refresh_case. The generic plan prunes the months at run time from the same key.
ALTER FUNCTION review_refresh_case(bigint, boolean) SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION review_cases_claim_exists() SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
-- The lines' index by (person, service date) was written for each line (~10 a claim) and read by
-- nothing: every query reads a claim's lines by the claim's key (the primary key), and a person's
-- lines through the person's claims. Dropping it saves ~10 index entries and their WAL a claim.
DROP INDEX "claim_lines_person_date_idx";
