-- The short stays ADMISSION-CLUSTER reads, kept apart from the claims and keyed by the diagnosis
-- category (issue 20: the cost of a claim as the stored work grows).
--
-- A stay of at most three days with an outpatient-treatable main diagnosis read every short stay
-- of its institution admitted within 7 days either side, up to 200, from the claims' month
-- partitions: one claim heap page each (a claim row is ~1.8 KB with its body), ~4.6 ms of a 5.6 ms
-- history read on a database holding a province's year, where each of the benchmark's hospitals
-- admits ~15 short stays a day, all read whatever their diagnosis. The rule counts only stays
-- whose main diagnosis is on its list, so the read now takes each category range of that list
-- from this table's key (institution, category, admission), and reads only those stays, from rows
-- of ~0.4 KB in a table of short stays alone (a few per cent of the claims), not the claims.
--
-- A row for each inpatient claim with a main diagnosis and at most three calendar days (China
-- Standard Time) from admission to discharge: WINDOW.admissionMaxStay, the longest stay the rule's
-- maxDays may ask for (rules/institution/window.ts). The category is the first three characters of
-- the main diagnosis in upper case (rules/diagnosis/icd.ts categoryOf), compared byte by byte
-- (COLLATE "C") as the rule compares its ranges. The window lines are the claim's
-- (claims.window_lines, null for claims stored before migration 0033: the read takes them from
-- claim_lines by the claim's key). Kept by statement triggers on claims with transition tables,
-- as institution_nights (migration 0033); never written by the service itself. A month detached
-- from claims keeps its rows here, as it keeps its nights in institution_nights.
CREATE TABLE "institution_short_stays" (
	"institution_id" text NOT NULL,
	"category" text COLLATE "C" NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"claim_no" text NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"main_diagnosis" text NOT NULL,
	"person_hash" text NOT NULL,
	"claim_id" uuid NOT NULL,
	"service_month" text NOT NULL,
	"window_lines" jsonb,
	CONSTRAINT "institution_short_stays_pk" PRIMARY KEY("institution_id","category","started_at","claim_no")
);--> statement-breakpoint
CREATE FUNCTION institution_short_stays_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
    DELETE FROM institution_short_stays s USING old_claims o
      WHERE s.institution_id = o.institution_id AND s.category = upper(left(o.main_diagnosis, 3))
        AND s.started_at = o.started_at AND s.claim_no = o.claim_no;
  END IF;
  IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
    INSERT INTO institution_short_stays (institution_id, category, started_at, claim_no, ended_at, main_diagnosis, person_hash, claim_id, service_month, window_lines)
      SELECT institution_id, upper(left(main_diagnosis, 3)), started_at, claim_no, ended_at, main_diagnosis, person_hash, id, service_month, window_lines
      FROM new_claims
      WHERE visit_type = 'inpatient' AND main_diagnosis IS NOT NULL
        AND (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date - (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date <= 3
      ORDER BY 1, 2, 3, 4
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- the claims stored already; a stay of at most three calendar days lasts less than four days, so
-- these are in the short-stay index of migration 0033, dropped below
INSERT INTO "institution_short_stays" (institution_id, category, started_at, claim_no, ended_at, main_diagnosis, person_hash, claim_id, service_month, window_lines)
  SELECT institution_id, upper(left(main_diagnosis, 3)), started_at, claim_no, ended_at, main_diagnosis, person_hash, id, service_month, window_lines
  FROM claims
  WHERE visit_type = 'inpatient' AND ended_at - started_at <= interval '4 days' AND main_diagnosis IS NOT NULL
    AND (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date - (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date <= 3
ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE TRIGGER claims_short_stays_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_short_stays_apply();--> statement-breakpoint
-- (the service never changes or removes a stored claim: these keep the table true for a hand edit)
CREATE TRIGGER claims_short_stays_update AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_short_stays_apply();--> statement-breakpoint
CREATE TRIGGER claims_short_stays_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_short_stays_apply();--> statement-breakpoint
CREATE FUNCTION institution_short_stays_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE institution_short_stays;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER claims_short_stays_truncate AFTER TRUNCATE ON claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_short_stays_clear();--> statement-breakpoint
-- the window no longer reads the claims' short stays
DROP INDEX "claims_institution_short_stays_idx";
