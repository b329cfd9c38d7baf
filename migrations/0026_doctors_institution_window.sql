-- Doctors (issue 19): the institution each doctor practises at and the claims of each visit kind
-- the doctor can see in a day (DOCTOR-CAPACITY), with validity dates. Loaded into the screening
-- reference cache (src/screening/reference-cache.ts).
CREATE TABLE "doctors" (
	"doctor_id" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"institution_id" text NOT NULL,
	"outpatient_per_day" integer,
	"admissions_per_day" integer,
	"source" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "doctors_doctor_id_valid_from_pk" PRIMARY KEY("doctor_id","valid_from")
);
--> statement-breakpoint
-- The institution window (src/screening/history.repository.ts) reads an institution's claims
-- around a time (card bursts): by institution and start.
CREATE INDEX "claims_institution_started_idx" ON "claims" USING btree ("institution_id","started_at");
--> statement-breakpoint
-- Stays by admission (the admissions of a week) and by discharge (the midnight census: stays
-- discharged after the night, admitted before it), stays only, so neither reads the outpatients.
CREATE INDEX "claims_institution_stays_idx" ON "claims" USING btree ("institution_id","started_at") WHERE "claims"."visit_type" = 'inpatient';
--> statement-breakpoint
CREATE INDEX "claims_institution_discharged_idx" ON "claims" USING btree ("institution_id","ended_at") WHERE "claims"."visit_type" = 'inpatient';
--> statement-breakpoint
-- ... and a doctor's claims of one day, the doctor being the claim's first line's (DOCTOR-CAPACITY).
CREATE INDEX "claims_institution_doctor_idx" ON "claims" USING btree ("institution_id",(("body"->'lines'->0->>'doctorId')),"started_at");
