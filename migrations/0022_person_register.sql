-- The fund's person register (issue 19): enrolment and death date per insured person, keyed by
-- the same keyed hash of the person's id as claims (never the raw id), with validity dates. Read
-- with the claim's history (src/screening/history.repository.ts), by the primary key's prefix.
CREATE TABLE "person_register" (
	"person_hash" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"enrolled_from" date NOT NULL,
	"enrolled_to" date,
	"death_date" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_register_person_hash_valid_from_pk" PRIMARY KEY("person_hash","valid_from")
);
