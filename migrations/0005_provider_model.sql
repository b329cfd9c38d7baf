CREATE TABLE "provider_models" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"window_from" text NOT NULL,
	"window_to" text NOT NULL,
	"params" jsonb NOT NULL,
	"seed" bigint NOT NULL,
	"feature_names" jsonb NOT NULL,
	"input_hash" text NOT NULL,
	"training_rows" integer NOT NULL,
	"model" jsonb NOT NULL,
	"train_ms" integer NOT NULL,
	"trained_by" text NOT NULL,
	"trained_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_scores" (
	"model_id" bigint NOT NULL,
	"institution_id" text NOT NULL,
	"month" text NOT NULL,
	"peer_group" text NOT NULL,
	"peer_size" integer NOT NULL,
	"score" double precision NOT NULL,
	"percentile" double precision NOT NULL,
	"rank" integer NOT NULL,
	"features" jsonb NOT NULL,
	"comparable" jsonb NOT NULL,
	"peer_medians" jsonb NOT NULL,
	"explanations" jsonb NOT NULL,
	CONSTRAINT "provider_scores_model_id_institution_id_pk" PRIMARY KEY("model_id","institution_id")
);
--> statement-breakpoint
ALTER TABLE "provider_scores" ADD CONSTRAINT "provider_scores_model_id_provider_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."provider_models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provider_models_month_idx" ON "provider_models" USING btree ("month","id");--> statement-breakpoint
CREATE INDEX "provider_scores_month_idx" ON "provider_scores" USING btree ("month","model_id");--> statement-breakpoint
CREATE INDEX "provider_scores_institution_idx" ON "provider_scores" USING btree ("institution_id","month");