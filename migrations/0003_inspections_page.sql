CREATE TABLE "inspection_draws" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"quarter" text,
	"window_from" date NOT NULL,
	"window_to" date NOT NULL,
	"seed" text NOT NULL,
	"weighting" jsonb NOT NULL,
	"pool" jsonb NOT NULL,
	"inspector_pool" jsonb NOT NULL,
	"conflicts" jsonb NOT NULL,
	"count" integer NOT NULL,
	"result_hash" text NOT NULL,
	"drawn_by" text NOT NULL,
	"drawn_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"inspection_id" uuid NOT NULL,
	"family" text NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"note" text NOT NULL,
	"corrects" integer,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"draw_id" uuid NOT NULL,
	"rank" integer NOT NULL,
	"institution_id" text NOT NULL,
	"inspectors" jsonb NOT NULL,
	"outcome" text,
	"concluded_by" text,
	"concluded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "page_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "inspection_findings" ADD CONSTRAINT "inspection_findings_inspection_id_inspections_id_fk" FOREIGN KEY ("inspection_id") REFERENCES "public"."inspections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspections" ADD CONSTRAINT "inspections_draw_id_inspection_draws_id_fk" FOREIGN KEY ("draw_id") REFERENCES "public"."inspection_draws"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_sessions" ADD CONSTRAINT "page_sessions_client_id_api_keys_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inspection_findings_inspection_idx" ON "inspection_findings" USING btree ("inspection_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inspections_draw_institution_key" ON "inspections" USING btree ("draw_id","institution_id");--> statement-breakpoint
CREATE INDEX "page_sessions_client_idx" ON "page_sessions" USING btree ("client_id");