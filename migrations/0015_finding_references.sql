-- A finding belongs to the claim whose lines break the rule (issue 15, item 2). Every other claim
-- the finding names gets a reference instead of a copy: shown with the claim and on its case
-- page, it has no trigger, so it opens no case and counts no amount. Written by hand.
CREATE TABLE "finding_references" (
	"id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"person_hash" text NOT NULL,
	"service_month" text NOT NULL,
	"finding_id" uuid NOT NULL,
	"finding_claim_id" uuid NOT NULL,
	"source_claim_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"family" text NOT NULL,
	"severity" text NOT NULL,
	"lines" jsonb NOT NULL,
	"message" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "finding_references_pkey" PRIMARY KEY("id","person_hash","service_month"),
	CONSTRAINT "finding_references_relation_check" CHECK ("relation" IN ('later', 'earlier', 'found-later'))
);
--> statement-breakpoint
ALTER TABLE "finding_references" ADD CONSTRAINT "finding_references_claim_fk" FOREIGN KEY ("claim_id","person_hash","service_month") REFERENCES "public"."claims"("id","person_hash","service_month") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "finding_references_claim_idx" ON "finding_references" USING btree ("claim_id");
