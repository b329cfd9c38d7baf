-- A line's, a finding's and a finding reference's claim checked once per statement instead of by a
-- foreign key per row (issue 20: the PostgreSQL CPU and WAL of storing a claim). Written by hand.
--
-- Since migration 0032 the foreign keys (claim_id, person_hash, service_month) -> claims of
-- claim_lines, findings and finding_references were declared between each month's partitions.
-- PostgreSQL checks such a key after every inserted row: one query of its own for each row
-- (~10.5 a claim: its lines, findings and references), which also locks the claim's row FOR KEY
-- SHARE (a WAL record and a dirtied page a claim). The intake stores a batch of claims and all they
-- carry in one statement. Now one statement trigger on each parent checks the statement's new rows
-- in one query: every (claim_id, person_hash, service_month) of them names a stored claim, else the
-- statement fails with foreign_key_violation, as the foreign key failed it. The claims' side of the
-- foreign key (NO ACTION: a claim that still has lines, findings or references cannot be deleted
-- or have its key changed) is one statement trigger on claims. The same constraint, checked at the
-- end of each statement instead of after each row; the row lock went with it, which nothing needs:
-- no statement of the service deletes a claim or changes its key (docs/scaling.md §3).
--
-- As with the review triggers (migration 0035), the checks are on the parents: a write straight
-- into a month partition (claim_lines_2026_10) is not checked; nothing writes so (the service
-- writes through the parents; the split of a month out of the default partition copies rows whose
-- claims it copies in the same transaction). The archived months keep their foreign keys, between
-- their own tables, as they were detached.

-- the months' foreign keys of the live tables go; new months get none
UPDATE "month_partitioned_tables" SET "fk_columns" = NULL, "ref_columns" = NULL WHERE "position" > 0;--> statement-breakpoint
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.conrelid::regclass::text AS tbl, c.conname
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND c.conname LIKE '%\_claim\_fk'
      AND c.confrelid IN (SELECT h.inhrelid FROM pg_inherits h WHERE h.inhparent = 'claims'::regclass)
    ORDER BY 1
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
  END LOOP;
END $$;--> statement-breakpoint
-- The statement's new rows (transition table new_rows) of claim_lines, findings or
-- finding_references: each names a stored claim by its whole key.
CREATE FUNCTION claim_rows_claim_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_claim uuid;
BEGIN
  SELECT n.claim_id INTO v_claim
  FROM (SELECT DISTINCT claim_id, person_hash, service_month FROM new_rows) n
  WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = n.claim_id AND c.person_hash = n.person_hash AND c.service_month = n.service_month)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key to claims: claim % is not stored', TG_TABLE_NAME, v_claim
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- The tables that name a claim's key: claim_lines, findings, finding_references, the first first.
CREATE FUNCTION claims_referencing_tables(p_id uuid, p_person text, p_month text) RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT 'claim_lines' WHERE EXISTS (SELECT 1 FROM claim_lines l WHERE l.claim_id = p_id AND l.person_hash = p_person AND l.service_month = p_month)
  UNION ALL
  SELECT 'findings' WHERE EXISTS (SELECT 1 FROM findings f WHERE f.claim_id = p_id AND f.person_hash = p_person AND f.service_month = p_month)
  UNION ALL
  SELECT 'finding_references' WHERE EXISTS (SELECT 1 FROM finding_references r WHERE r.claim_id = p_id AND r.person_hash = p_person AND r.service_month = p_month)
$$;--> statement-breakpoint
-- The claims deleted or re-keyed by a statement (transition table old_claims, new_claims on an
-- update): none of their old keys is still named by a line, a finding or a reference.
CREATE FUNCTION claims_still_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_claim uuid; v_table text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT o.id, x.t INTO v_claim, v_table
    FROM old_claims o
    CROSS JOIN LATERAL claims_referencing_tables(o.id, o.person_hash, o.service_month) x(t)
    LIMIT 1;
  ELSE
    SELECT o.id, x.t INTO v_claim, v_table
    FROM old_claims o
    CROSS JOIN LATERAL claims_referencing_tables(o.id, o.person_hash, o.service_month) x(t)
    WHERE NOT EXISTS (SELECT 1 FROM new_claims n WHERE n.id = o.id AND n.person_hash = o.person_hash AND n.service_month = o.service_month)
    LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION '% on table "claims" violates foreign key: claim % is still referenced from table "%"', TG_OP, v_claim, v_table
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- generic plans: the month is pruned at run time from the key, not planned again at every call
ALTER FUNCTION claim_rows_claim_exists() SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION claims_still_referenced() SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
CREATE TRIGGER claim_lines_claim_insert AFTER INSERT ON claim_lines REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER claim_lines_claim_update AFTER UPDATE ON claim_lines REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER findings_claim_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER findings_claim_update AFTER UPDATE ON findings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER finding_references_claim_insert AFTER INSERT ON finding_references REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER finding_references_claim_update AFTER UPDATE ON finding_references REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claim_rows_claim_exists();--> statement-breakpoint
CREATE TRIGGER claims_referenced_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_claims
  FOR EACH STATEMENT EXECUTE FUNCTION claims_still_referenced();--> statement-breakpoint
CREATE TRIGGER claims_referenced_update AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION claims_still_referenced();
