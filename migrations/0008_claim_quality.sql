-- Data quality per claim as plain columns (the monthly report read every claim's body for these).
-- Added nullable, filled from each stored body with the very expressions the report used until
-- now, then made NOT NULL: an existing database's reports keep their figures.
ALTER TABLE "claims" ADD COLUMN "line_count" integer;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "lines_missing_name" integer;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "lines_missing_spec" integer;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
UPDATE "claims" c SET
  ("line_count", "lines_missing_name", "lines_missing_spec") = (
    SELECT count(*)::int,
           count(*) FILTER (WHERE coalesce(btrim(x->>'hospitalItemName'), '') = '')::int,
           count(*) FILTER (WHERE x->>'category' IN ('drug', 'consumable') AND coalesce(btrim(x->>'specification'), '') = '')::int
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.body->'lines') = 'array' THEN c.body->'lines' ELSE '[]'::jsonb END) AS x),
  "settled_at" = CASE
    WHEN c.body->>'settledAt' IS NULL THEN NULL
    WHEN c.body->>'settledAt' ~ '(Z|[+-]\d{2}:?\d{2})$' THEN (c.body->>'settledAt')::timestamptz
    ELSE ((c.body->>'settledAt')::timestamp - interval '8 hours') AT TIME ZONE 'UTC' END;--> statement-breakpoint
ALTER TABLE "claims" ALTER COLUMN "line_count" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ALTER COLUMN "lines_missing_name" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ALTER COLUMN "lines_missing_spec" SET NOT NULL;
