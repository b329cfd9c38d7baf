ALTER TABLE "review_trail" DROP CONSTRAINT "review_trail_hash_unique";--> statement-breakpoint
ALTER TABLE "review_trail" DROP COLUMN "prev_hash";--> statement-breakpoint
ALTER TABLE "review_trail" DROP COLUMN "hash";