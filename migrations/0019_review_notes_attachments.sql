-- Notes and attachments on a review case (issue 15, item 4; docs/review-pages.md). Both are
-- append-only like the trail, and each one written is also a trail entry (case.note, case.attach:
-- the attachment's name, type, size and SHA-256, not its bytes). Attachments are PDF or images up
-- to REVIEW_ATTACHMENT_MAX_BYTES, stored in the database; their type is checked by magic bytes.
-- Written by hand.
CREATE TABLE "review_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"body" text NOT NULL,
	"author" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "review_notes" ADD CONSTRAINT "review_notes_case_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_notes_case_idx" ON "review_notes" USING btree ("case_id","id");--> statement-breakpoint
CREATE TABLE "review_attachments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" bytea NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_attachments_type_check" CHECK ("content_type" IN ('application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'))
);
--> statement-breakpoint
ALTER TABLE "review_attachments" ADD CONSTRAINT "review_attachments_case_fk" FOREIGN KEY ("case_id") REFERENCES "public"."review_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_attachments_case_idx" ON "review_attachments" USING btree ("case_id","id");
