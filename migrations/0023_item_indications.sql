-- Item indications (issue 19): per catalogue item, the ICD-10 prefixes of the diagnoses it is paid
-- for (allowed) and of those it is never paid for (excluded), with validity dates. Loaded into the
-- screening reference cache with the catalogue (src/screening/reference-cache.ts).
CREATE TABLE "item_indications" (
	"item_code" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"allowed" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"excluded" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_indications_item_code_valid_from_pk" PRIMARY KEY("item_code","valid_from")
);
