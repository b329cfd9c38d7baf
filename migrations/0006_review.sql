CREATE TABLE "review_cases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"claim_id" uuid NOT NULL,
	"institution_id" text NOT NULL,
	"service_month" text NOT NULL,
	"visit_type" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"reason_kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"families" text[] DEFAULT '{}'::text[] NOT NULL,
	"severity_rank" integer DEFAULT 0 NOT NULL,
	"amount_at_issue" numeric(14, 2) DEFAULT '0' NOT NULL,
	"claim_total" numeric(14, 2) NOT NULL,
	"provider_risk" numeric(6, 4) DEFAULT '0' NOT NULL,
	"priority" numeric(18, 4) DEFAULT '0' NOT NULL,
	"assignee" text,
	"assigned_at" timestamp with time zone,
	"final_outcome" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_cases_claim_id_unique" UNIQUE("claim_id")
);
--> statement-breakpoint
CREATE TABLE "review_conclusions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"outcome" text NOT NULL,
	"refused_lines" jsonb NOT NULL,
	"amount_refused" numeric(14, 2) NOT NULL,
	"basis" text NOT NULL,
	"concluded_by" text NOT NULL,
	"concluded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"person" text NOT NULL,
	"institution_id" text NOT NULL,
	"kind" text NOT NULL,
	"note" text NOT NULL,
	"declared_by" text NOT NULL,
	"declared_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by" text
);
--> statement-breakpoint
CREATE TABLE "review_reasons" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"finding_id" uuid,
	"rule_id" text,
	"family" text,
	"severity" text,
	"amount" numeric(14, 2) DEFAULT '0' NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_sample_months" (
	"institution_id" text NOT NULL,
	"service_month" text NOT NULL,
	"visit_type" text NOT NULL,
	"rate_ppm" integer NOT NULL,
	"claim_count" integer NOT NULL,
	"required" integer NOT NULL,
	"sampled" integer NOT NULL,
	"closed_by" text NOT NULL,
	"closed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_sample_months_institution_id_service_month_visit_type_pk" PRIMARY KEY("institution_id","service_month","visit_type")
);
--> statement-breakpoint
CREATE TABLE "review_second_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conclusion_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"verdict" text NOT NULL,
	"reason" text,
	"reviewed_by" text NOT NULL,
	"reviewed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_second_reviews_conclusion_id_unique" UNIQUE("conclusion_id")
);
--> statement-breakpoint
CREATE TABLE "review_trail" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"case_id" bigint,
	"body" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "review_trail_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "review_cases" ADD CONSTRAINT "review_cases_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_conclusions" ADD CONSTRAINT "review_conclusions_case_id_review_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_reasons" ADD CONSTRAINT "review_reasons_case_id_review_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_second_reviews" ADD CONSTRAINT "review_second_reviews_conclusion_id_review_conclusions_id_fk" FOREIGN KEY ("conclusion_id") REFERENCES "public"."review_conclusions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_second_reviews" ADD CONSTRAINT "review_second_reviews_case_id_review_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_cases_queue_idx" ON "review_cases" USING btree ("status","priority" DESC NULLS LAST,"opened_at","id");--> statement-breakpoint
CREATE INDEX "review_cases_assignee_idx" ON "review_cases" USING btree ("assignee","status");--> statement-breakpoint
CREATE INDEX "review_cases_institution_idx" ON "review_cases" USING btree ("institution_id","service_month");--> statement-breakpoint
CREATE INDEX "review_conclusions_case_idx" ON "review_conclusions" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "review_conflicts_person_idx" ON "review_conflicts" USING btree ("person","institution_id");--> statement-breakpoint
CREATE INDEX "review_reasons_case_idx" ON "review_reasons" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_reasons_finding_key" ON "review_reasons" USING btree ("finding_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_reasons_sample_key" ON "review_reasons" USING btree ("case_id") WHERE kind = 'sample';--> statement-breakpoint
CREATE INDEX "review_reasons_kind_idx" ON "review_reasons" USING btree ("kind","rule_id");--> statement-breakpoint
CREATE INDEX "review_second_reviews_case_idx" ON "review_second_reviews" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "review_trail_case_idx" ON "review_trail" USING btree ("case_id","seq");