-- Issue 19: the exam mutual-recognition list (检查检验结果互认: per catalogue item, the days within
-- which another institution's result stands, items of one group counting as the same exam) and
-- institutions' service scope (the line categories, care settings and departments an institution
-- may bill), each with validity dates. Both are loaded into the screening reference cache.
CREATE TABLE "exam_recognition" (
	"item_code" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"exam_group" text,
	"window_days" integer NOT NULL,
	"source" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_recognition_item_code_valid_from_pk" PRIMARY KEY("item_code","valid_from")
);
--> statement-breakpoint
CREATE TABLE "service_scopes" (
	"institution_id" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"categories" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visit_types" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"departments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_scopes_institution_id_valid_from_pk" PRIMARY KEY("institution_id","valid_from")
);
