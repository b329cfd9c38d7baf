ALTER TABLE "provider_scores" ADD COLUMN "targeting_score" double precision;--> statement-breakpoint
ALTER TABLE "provider_scores" ADD COLUMN "targeting" jsonb;--> statement-breakpoint
ALTER TABLE "provider_models" ADD COLUMN "outcome" jsonb;
