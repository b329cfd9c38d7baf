-- The random re-check is done on time (issue 15, item 1; docs/review-recheck.md). A closed month's
-- sample has a due date (the month's cut-off + REVIEW_SAMPLE_DUE_DAYS), kept on the month's rows and
-- on each sample case; each sample case still open gets the instant from which a draw must take it
-- ahead of targeted work (its "ripe" time), spread evenly over the time left before the due date.
ALTER TABLE "review_sample_months" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "review_cases" ADD COLUMN "sample_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "review_cases" ADD COLUMN "sample_ripe_at" timestamp with time zone;--> statement-breakpoint
-- The draw's first look: the open sample cases that are ripe, earliest due first (a few hundred
-- rows at most, against the targeted queue's thousands).
CREATE INDEX "review_cases_sample_ripe_idx" ON "review_cases" USING btree ("sample_due_at","sample_ripe_at","id") WHERE status = 'open' AND sample_ripe_at IS NOT NULL;--> statement-breakpoint
-- The intake draw (0007_review_triggers), now also scheduling a claim that arrives for a month
-- already closed: it is due with its month and ripe at once.
CREATE OR REPLACE FUNCTION review_on_claim() RETURNS trigger LANGUAGE plpgsql AS $$
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
    UPDATE review_cases c SET sample_due_at = m.due_at, sample_ripe_at = least(now(), m.due_at)
      FROM review_sample_months m
      WHERE c.id = v_case AND c.sample_due_at IS NULL AND m.due_at IS NOT NULL
        AND m.institution_id = c.institution_id AND m.service_month = c.service_month AND m.visit_type = c.visit_type;
  END IF;
  RETURN NULL;
END $$;
