CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"client_name" text NOT NULL,
	"role" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "catalogue_items" (
	"item_code" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"unit" text NOT NULL,
	"price_ceiling_primary" numeric(16, 4),
	"price_ceiling_secondary" numeric(16, 4),
	"price_ceiling_tertiary" numeric(16, 4),
	"restrictions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogue_items_item_code_valid_from_pk" PRIMARY KEY("item_code","valid_from")
);
--> statement-breakpoint
CREATE TABLE "claim_lines" (
	"claim_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"line_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"person_hash" text NOT NULL,
	"item_code" text NOT NULL,
	"hospital_item_code" text,
	"hospital_item_name" text,
	"category" text NOT NULL,
	"service_at" timestamp with time zone NOT NULL,
	"service_date" date NOT NULL,
	"quantity" numeric(16, 4) NOT NULL,
	"unit_price" numeric(16, 4) NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	CONSTRAINT "claim_lines_claim_id_line_no_pk" PRIMARY KEY("claim_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"claim_no" text NOT NULL,
	"person_hash" text NOT NULL,
	"visit_type" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"service_month" text NOT NULL,
	"main_diagnosis" text,
	"total_amount" numeric(14, 2) NOT NULL,
	"payable_amount" numeric(14, 2) NOT NULL,
	"decision" text NOT NULL,
	"content_hash" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"client_id" uuid,
	"body" jsonb NOT NULL,
	"answer" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"institution_id" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"level" text NOT NULL,
	"ownership" text NOT NULL,
	"area" text NOT NULL,
	"beds" integer NOT NULL,
	"designated_from" date NOT NULL,
	"designated_to" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institutions_institution_id_valid_from_pk" PRIMARY KEY("institution_id","valid_from")
);
--> statement-breakpoint
CREATE TABLE "item_relations" (
	"kind" text NOT NULL,
	"main_code" text NOT NULL,
	"sub_code" text NOT NULL,
	"window" text,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"source" text NOT NULL,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_relations_kind_main_code_sub_code_valid_from_pk" PRIMARY KEY("kind","main_code","sub_code","valid_from")
);
--> statement-breakpoint
CREATE TABLE "rejected_submissions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel" text NOT NULL,
	"institution_id" text,
	"claim_no" text,
	"error_count" integer NOT NULL,
	"errors" jsonb NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "stock_records" (
	"institution_id" text NOT NULL,
	"item_code" text NOT NULL,
	"month" text NOT NULL,
	"opening_quantity" numeric(16, 4) NOT NULL,
	"purchased_quantity" numeric(16, 4) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_records_institution_id_item_code_month_pk" PRIMARY KEY("institution_id","item_code","month")
);
--> statement-breakpoint
ALTER TABLE "claim_lines" ADD CONSTRAINT "claim_lines_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "claim_lines_person_date_idx" ON "claim_lines" USING btree ("person_hash","service_date");--> statement-breakpoint
CREATE INDEX "claim_lines_institution_item_date_idx" ON "claim_lines" USING btree ("institution_id","item_code","service_date");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_institution_claim_no_key" ON "claims" USING btree ("institution_id","claim_no");--> statement-breakpoint
CREATE INDEX "claims_person_started_idx" ON "claims" USING btree ("person_hash","started_at");--> statement-breakpoint
CREATE INDEX "claims_institution_month_idx" ON "claims" USING btree ("institution_id","service_month");--> statement-breakpoint
CREATE INDEX "item_relations_sub_idx" ON "item_relations" USING btree ("sub_code");--> statement-breakpoint
CREATE INDEX "rejected_submissions_institution_idx" ON "rejected_submissions" USING btree ("institution_id","received_at");