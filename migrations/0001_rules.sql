CREATE TABLE "findings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"claim_id" uuid NOT NULL,
	"source_claim_id" uuid NOT NULL,
	"retrospective" boolean NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"family" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"message" jsonb NOT NULL,
	"violating_lines" jsonb NOT NULL,
	"involved_lines" jsonb NOT NULL,
	"other_claims" jsonb NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"service_month" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "national_drug_limits" (
	"source" text NOT NULL,
	"generic_name" text NOT NULL,
	"restrictions" jsonb NOT NULL,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "national_drug_limits_source_generic_name_pk" PRIMARY KEY("source","generic_name")
);
--> statement-breakpoint
CREATE TABLE "national_item_limits" (
	"source" text NOT NULL,
	"item_code" text NOT NULL,
	"name" text NOT NULL,
	"restrictions" jsonb NOT NULL,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "national_item_limits_source_item_code_pk" PRIMARY KEY("source","item_code")
);
--> statement-breakpoint
CREATE TABLE "rule_settings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text,
	"reason" text NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "findings_claim_idx" ON "findings" USING btree ("claim_id");--> statement-breakpoint
CREATE INDEX "findings_rule_month_idx" ON "findings" USING btree ("rule_id","service_month");--> statement-breakpoint
CREATE INDEX "rule_settings_rule_idx" ON "rule_settings" USING btree ("rule_id","id");