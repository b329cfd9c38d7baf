-- Appeals (issue 15, item 6; docs/review-money.md). Written by hand.
--
-- One open appeal per claim: a second appeal while one is open adds its reason to it (a
-- review_reasons row of kind 'appeal' with amount 0) and no money. The appeal is decided when
-- its case's conclusion is agreed at the second level; a supervisor's reopening of the case opens
-- it again. Its status and outcome are read through the API by the settlement system and by the
-- institution's own key (api_keys.institution_id, role 'institution'), which sees only its own.
CREATE TABLE "review_appeals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"claim_id" uuid NOT NULL,
	"institution_id" text NOT NULL,
	"claim_no" text NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"conclusion_id" bigint,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "review_appeals_status_check" CHECK ("status" IN ('open', 'decided')),
	CONSTRAINT "review_appeals_outcome_check" CHECK ("outcome" IS NULL OR "outcome" IN ('granted', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "review_appeals" ADD CONSTRAINT "review_appeals_case_id_review_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "review_appeals_open_key" ON "review_appeals" USING btree ("claim_id") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "review_appeals_institution_idx" ON "review_appeals" USING btree ("institution_id", "opened_at");--> statement-breakpoint
CREATE INDEX "review_appeals_case_idx" ON "review_appeals" USING btree ("case_id");--> statement-breakpoint
-- Appeals lodged before this migration: one per case, its reasons joined (the first one's amount).
INSERT INTO "review_appeals" (case_id, claim_id, institution_id, claim_no, amount, status, outcome, conclusion_id, opened_by, opened_at, decided_at)
SELECT c.id, c.claim_id, c.institution_id, cl.claim_no, a.amount,
       CASE WHEN c.status = 'closed' THEN 'decided' ELSE 'open' END,
       CASE WHEN c.status = 'closed' THEN CASE c.final_outcome WHEN 'dismissed' THEN 'granted' ELSE 'rejected' END END,
       CASE WHEN c.status = 'closed' THEN (SELECT max(k.id) FROM review_conclusions k WHERE k.case_id = c.id) END,
       a.created_by, a.created_at,
       CASE WHEN c.status = 'closed' THEN c.updated_at END
FROM (SELECT DISTINCT ON (case_id) case_id, amount, created_by, created_at FROM review_reasons WHERE kind = 'appeal' ORDER BY case_id, id) a
JOIN review_cases c ON c.id = a.case_id
JOIN claims cl ON cl.id = c.claim_id AND cl.person_hash = c.person_hash AND cl.service_month = c.service_month;
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "institution_id" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_institution_check" CHECK (("role" = 'institution') = ("institution_id" IS NOT NULL));
