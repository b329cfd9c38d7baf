CREATE TABLE "review_trail_seals" (
	"position" bigint PRIMARY KEY NOT NULL,
	"entry_seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"horizon" bigint NOT NULL,
	"sealed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_trail_seals_entry_seq_unique" UNIQUE("entry_seq"),
	CONSTRAINT "review_trail_seals_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "review_trail" ADD COLUMN "txid" bigint DEFAULT (pg_current_xact_id()::text)::bigint NOT NULL;--> statement-breakpoint
ALTER TABLE "review_trail_seals" ADD CONSTRAINT "review_trail_seals_entry_seq_review_trail_seq_fk" FOREIGN KEY ("entry_seq") REFERENCES "public"."review_trail"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_trail_txid_idx" ON "review_trail" USING btree ("txid");--> statement-breakpoint
-- Entries chained before the trail had seals (each entry's own prev_hash and hash, in seq order,
-- which was then the chain's order: appends took an advisory lock before drawing their seq) are
-- sealed as they stand, so their chain verifies unchanged.
INSERT INTO "review_trail_seals" ("position", "entry_seq", "prev_hash", "hash", "horizon", "sealed_at")
SELECT row_number() OVER (ORDER BY "seq"), "seq", "prev_hash", "hash", 0, "at" FROM "review_trail" ORDER BY "seq";
--> statement-breakpoint
CREATE TRIGGER review_trail_seals_append_only BEFORE UPDATE OR DELETE ON review_trail_seals FOR EACH ROW EXECUTE FUNCTION review_append_only();
--> statement-breakpoint
CREATE TRIGGER review_trail_seals_no_truncate BEFORE TRUNCATE ON review_trail_seals FOR EACH STATEMENT EXECUTE FUNCTION review_append_only();
