-- The institution window's midnight census (BED-CENSUS) as running counts, and the window's
-- indexes narrowed to the claims each scan reads (issue 20, issue 19's window cost).
--
-- Counting the stays at an institution at midnight read every stay stored after that night (or,
-- as PostgreSQL planned it, every claim of the institution's months): ~850 µs of PostgreSQL CPU a
-- claim in `npm run bench`, growing with the claims stored. A stay now adds one to each night it
-- spans in institution_nights (the night of date D is D 00:00 China Standard Time; a stay admitted
-- on date a and discharged on date e spans the nights a+1 .. e, at most 366 of them: a census
-- counts stays admitted at most 365 days before the admission day, as bench/in-process.ts does),
-- so a census is one row. Kept like institution_item_months (migration 0013): statement triggers
-- with transition tables, one upsert per statement in key order, so concurrent batches wait for
-- each other and never deadlock; rows updated in place (HOT).
CREATE TABLE "institution_nights" (
	"institution_id" text NOT NULL,
	"night" date NOT NULL,
	"stays" integer NOT NULL,
	CONSTRAINT "institution_nights_institution_id_night_pk" PRIMARY KEY("institution_id","night")
);--> statement-breakpoint
ALTER TABLE "institution_nights" SET (fillfactor = 50);--> statement-breakpoint
-- the nights a stay spans, +1 for stored and -1 for removed rows
CREATE FUNCTION institution_nights_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO institution_nights AS t (institution_id, night, stays)
      SELECT s.institution_id, s.a + k, count(*)::int
      FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                   (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
            FROM new_claims WHERE visit_type = 'inpatient') s,
           generate_series(1, least(s.e - s.a, 366)) k
      GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (institution_id, night) DO UPDATE SET stays = t.stays + excluded.stays;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO institution_nights AS t (institution_id, night, stays)
      SELECT s.institution_id, s.a + k, -count(*)::int
      FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                   (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
            FROM old_claims WHERE visit_type = 'inpatient') s,
           generate_series(1, least(s.e - s.a, 366)) k
      GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (institution_id, night) DO UPDATE SET stays = t.stays + excluded.stays;
  ELSE
    INSERT INTO institution_nights AS t (institution_id, night, stays)
      SELECT s.institution_id, s.a + k, sum(s.n)::int
      FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
                   (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e, -1 AS n
            FROM old_claims WHERE visit_type = 'inpatient'
            UNION ALL
            SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date,
                   (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date, 1
            FROM new_claims WHERE visit_type = 'inpatient') s,
           generate_series(1, least(s.e - s.a, 366)) k
      GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (institution_id, night) DO UPDATE SET stays = t.stays + excluded.stays;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
INSERT INTO "institution_nights" (institution_id, night, stays)
  SELECT s.institution_id, s.a + k, count(*)::int
  FROM (SELECT institution_id, (started_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS a,
               (ended_at AT TIME ZONE 'UTC' + interval '8 hours')::date AS e
        FROM claims WHERE visit_type = 'inpatient') s,
       generate_series(1, least(s.e - s.a, 366)) k
  GROUP BY 1, 2;--> statement-breakpoint
CREATE TRIGGER claims_nights_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_nights_apply();--> statement-breakpoint
-- (the service never changes or removes a stored claim: these keep the counts true for a hand edit)
CREATE TRIGGER claims_nights_update AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_nights_apply();--> statement-breakpoint
CREATE TRIGGER claims_nights_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_nights_apply();--> statement-breakpoint
CREATE FUNCTION institution_nights_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE institution_nights;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER claims_nights_truncate AFTER TRUNCATE ON claims
  FOR EACH STATEMENT EXECUTE FUNCTION institution_nights_clear();--> statement-breakpoint
-- The lines an institution window reads of a claim (CARD-BURST's baskets, ADMISSION-CLUSTER's
-- stays), stored with the claim at intake as [[lineId, itemCode], ...] in line order, an operation
-- line as [lineId, itemCode, 'operation']: reading them from claim_lines took an index scan and
-- ~10 line rows for each of up to 100 nearby claims or 200 short stays. Only for the claims a window
-- reads (outpatient and pharmacy claims, stays of at most four days), null for the others and for
-- claims stored before this migration, whose lines the window still reads from claim_lines.
ALTER TABLE "claims" ADD COLUMN "window_lines" jsonb;--> statement-breakpoint
-- The census read by discharge needs no index now. The nearby claims (CARD-BURST) are outpatient
-- and pharmacy claims only, the admissions of a week (ADMISSION-CLUSTER) stays of at most four
-- days: each index holds only the claims its scan reads, so a long stay enters none of them.
DROP INDEX "claims_institution_discharged_idx";--> statement-breakpoint
DROP INDEX "claims_institution_started_idx";--> statement-breakpoint
DROP INDEX "claims_institution_stays_idx";--> statement-breakpoint
CREATE INDEX "claims_institution_nearby_idx" ON "claims" USING btree ("institution_id","started_at") WHERE "claims"."visit_type" <> 'inpatient';--> statement-breakpoint
CREATE INDEX "claims_institution_short_stays_idx" ON "claims" USING btree ("institution_id","started_at") WHERE "claims"."visit_type" = 'inpatient' AND "claims"."ended_at" - "claims"."started_at" <= interval '4 days';
