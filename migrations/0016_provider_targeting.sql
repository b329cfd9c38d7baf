ALTER TABLE "provider_scores" ADD COLUMN "peer_basis" text DEFAULT 'type/level' NOT NULL;--> statement-breakpoint
ALTER TABLE "provider_scores" ADD COLUMN "nominal_peer_group" text;--> statement-breakpoint
ALTER TABLE "provider_scores" ADD COLUMN "month_loss" double precision;--> statement-breakpoint
ALTER TABLE "provider_scores" ADD COLUMN "window_loss" double precision;--> statement-breakpoint
ALTER TABLE "provider_scores" ADD COLUMN "risk" jsonb;--> statement-breakpoint
ALTER TABLE "provider_models" ADD COLUMN "feature_use" jsonb;
