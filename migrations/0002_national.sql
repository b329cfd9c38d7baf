CREATE TABLE "national_feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"result_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"disposition" text NOT NULL,
	"reason" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"client_id" uuid
);
--> statement-breakpoint
CREATE TABLE "national_results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"review_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"message" jsonb NOT NULL,
	"violating_lines" jsonb NOT NULL,
	"involved_lines" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "national_reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"infno" text NOT NULL,
	"msgid" text,
	"task_id" text,
	"institution_id" text NOT NULL,
	"visit_id" text NOT NULL,
	"person_hash" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"client_id" uuid,
	"results" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "national_results" ADD CONSTRAINT "national_results_review_id_national_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."national_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "national_feedback_result_idx" ON "national_feedback" USING btree ("result_id");--> statement-breakpoint
CREATE INDEX "national_results_review_idx" ON "national_results" USING btree ("review_id");--> statement-breakpoint
CREATE INDEX "national_reviews_visit_idx" ON "national_reviews" USING btree ("institution_id","visit_id");