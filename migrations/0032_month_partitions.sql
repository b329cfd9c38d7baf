-- Claims and what hangs off them in PostgreSQL's native monthly partitions (issue 20, item 3;
-- docs/scaling.md §5, docs/operations.md "Monthly partitions and retention"). Written by hand.
--
-- The month tables: claims and every table whose foreign key to claims carries service_month
-- (claim_lines, findings, finding_references today), found in the catalogue so the conversion
-- takes the tables as the earlier migrations left them. Each becomes PARTITION BY LIST
-- (service_month), one partition a month ('YYYY-MM', named <table>_YYYY_MM) and a DEFAULT
-- partition that takes a row of a month without its own partition, so no insert ever fails for a
-- month: the service creates the months ahead and gives a month found in the default its own
-- partition (claimscreen_month_partition below). The rows stored before are moved, the primary
-- keys, indexes (partitioned) and triggers are re-created as they were.
--
-- The foreign keys of lines, findings and references to their claim carry service_month, so a
-- month's lines can only reference that month's claims: each is declared between the same month's
-- partitions (claim_lines_2026_10 -> claims_2026_10, the defaults likewise), which is the same
-- constraint. Declared on the partitioned parents instead, PostgreSQL 15 checks each inserted line
-- by a query over every partition of claims: measured 100 µs a line against 15-20 µs between
-- plain tables (docs/scaling.md §3).
--
-- review_cases keeps a case after its claim's month is detached (docs/operations.md): its foreign
-- key to claims would forbid detaching any month that ever had a case, so a trigger checks instead
-- that a case's claim exists when the case is written.
CREATE SCHEMA IF NOT EXISTS "archive";--> statement-breakpoint
-- The month tables, claims first; the others with the columns of their foreign key to claims and
-- the columns of claims it references.
CREATE TABLE "month_partitioned_tables" (
	"table_name" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL UNIQUE,
	"fk_columns" text,
	"ref_columns" text
);--> statement-breakpoint
INSERT INTO "month_partitioned_tables" ("table_name", "position", "fk_columns", "ref_columns")
  SELECT 'claims', 0, NULL, NULL
  UNION ALL
  SELECT t, (row_number() OVER (ORDER BY t))::int, cols, refcols FROM (
    SELECT c.conrelid::regclass::text AS t,
           (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
           (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS refcols
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.confrelid = 'claims'::regclass AND c.conrelid <> 'review_cases'::regclass
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = 'service_month')
  ) x;--> statement-breakpoint
-- The foreign keys of one month's partitions (suffix 'YYYY_MM' or 'default') to that month's claims,
-- in the schema the tables are in.
CREATE FUNCTION claimscreen_month_foreign_keys(p_suffix text, p_schema text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
  claims_part text := (SELECT table_name FROM month_partitioned_tables WHERE position = 0) || '_' || p_suffix;
BEGIN
  FOR r IN SELECT table_name, fk_columns, ref_columns FROM month_partitioned_tables WHERE fk_columns IS NOT NULL ORDER BY position LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = format('%I.%I', p_schema, r.table_name || '_' || p_suffix)::regclass AND conname = r.table_name || '_' || p_suffix || '_claim_fk') THEN
      EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I.%I (%s)', p_schema, r.table_name || '_' || p_suffix,
        r.table_name || '_' || p_suffix || '_claim_fk', r.fk_columns, p_schema, claims_part, r.ref_columns);
    END IF;
  END LOOP;
END $$;--> statement-breakpoint
-- What was done to which month, by whom: created ahead, split out of the default, detached,
-- archived to files (with their SHA-256), attached for an audit, dropped. Append-only.
CREATE TABLE "partition_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"action" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partition_events_action_check" CHECK ("action" IN ('created', 'split', 'detached', 'archived', 'attached', 'dropped'))
);--> statement-breakpoint
CREATE INDEX "partition_events_month_idx" ON "partition_events" USING btree ("month", "id");--> statement-breakpoint
CREATE TRIGGER partition_events_append_only BEFORE UPDATE OR DELETE ON partition_events FOR EACH ROW EXECUTE FUNCTION review_append_only();--> statement-breakpoint
CREATE TRIGGER partition_events_no_truncate BEFORE TRUNCATE ON partition_events FOR EACH STATEMENT EXECUTE FUNCTION review_append_only();--> statement-breakpoint
DO $$
DECLARE
  tables text[] := ARRAY(SELECT table_name FROM month_partitioned_tables ORDER BY position);
  t text;
  r record;
  m text;
  fks text[] := '{}';
  keys text[] := '{}';
  triggers text[] := '{}';
  s text;
BEGIN
  -- foreign keys from and to the month tables; review_cases' is replaced by a trigger below
  FOR r IN
    SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c
    WHERE c.contype = 'f' AND (c.conrelid::regclass::text = ANY (tables) OR c.confrelid::regclass::text = ANY (tables))
    ORDER BY 1, 2
  LOOP
    -- review_cases' is replaced by a trigger, the month tables' ones by foreign keys between partitions
    IF r.tbl <> 'review_cases' AND NOT (r.tbl = ANY (tables) AND r.def ~ 'REFERENCES (public\.)?claims\(') THEN
      fks := fks || format('ALTER TABLE %I ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
    END IF;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.conname);
  END LOOP;
  FOREACH t IN ARRAY tables LOOP
    FOR r IN SELECT pg_get_triggerdef(g.oid) AS def FROM pg_trigger g WHERE g.tgrelid = t::regclass AND NOT g.tgisinternal ORDER BY g.tgname LOOP
      triggers := triggers || r.def;
    END LOOP;
    -- primary keys and unique constraints, then plain indexes: re-created on the partitioned table
    FOR r IN
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def, c.conname, pg_get_constraintdef(c.oid) AS cdef
      FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
      WHERE i.indrelid = t::regclass
      ORDER BY c.conname IS NULL, 1
    LOOP
      IF r.conname IS NOT NULL THEN
        keys := keys || format('ALTER TABLE %I ADD CONSTRAINT %I %s', t, r.conname, r.cdef);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, r.conname);
      ELSE
        keys := keys || r.def;
        EXECUTE format('DROP INDEX %s', r.name);
      END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '__unpartitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (service_month)', t, t || '__unpartitioned');
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
  END LOOP;
  FOREACH s IN ARRAY keys LOOP EXECUTE s; END LOOP;
  -- a partition for every month stored; anything not a month stays in the default
  FOR m IN EXECUTE 'SELECT DISTINCT service_month FROM claims__unpartitioned WHERE service_month ~ ''^[0-9]{4}-(0[1-9]|1[0-2])$'' ORDER BY 1' LOOP
    FOREACH t IN ARRAY tables LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', t || '_' || replace(m, '-', '_'), t, m);
    END LOOP;
  END LOOP;
  -- the rows, before the triggers: moving them opens no case and counts no running total again
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '__unpartitioned');
  END LOOP;
  FOREACH s IN ARRAY triggers LOOP EXECUTE s; END LOOP;
  FOREACH s IN ARRAY fks LOOP EXECUTE s; END LOOP;
  PERFORM claimscreen_month_foreign_keys('default', current_schema());
  FOR m IN EXECUTE 'SELECT DISTINCT service_month FROM claims__unpartitioned WHERE service_month ~ ''^[0-9]{4}-(0[1-9]|1[0-2])$'' ORDER BY 1' LOOP
    PERFORM claimscreen_month_foreign_keys(replace(m, '-', '_'), current_schema());
  END LOOP;
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('DROP TABLE %I', t || '__unpartitioned');
  END LOOP;
END $$;--> statement-breakpoint
CREATE FUNCTION review_cases_claim_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id AND person_hash = NEW.person_hash AND service_month = NEW.service_month) THEN
    RAISE EXCEPTION 'review case for claim %, which is not stored', NEW.claim_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER review_cases_claim_exists BEFORE INSERT OR UPDATE OF claim_id, person_hash, service_month ON review_cases
  FOR EACH ROW EXECUTE FUNCTION review_cases_claim_exists();--> statement-breakpoint
-- Writes to a detached month, or to one attached again for an audit, are refused.
CREATE FUNCTION archive_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.% is an archived month, read-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP USING ERRCODE = 'read_only_sql_transaction';
END $$;--> statement-breakpoint
-- The partitions of one month, on every month table, idempotent and safe with several nodes at once
-- (one advisory lock). 'exists': already there; 'archived': the month is detached (its new rows go
-- to the default partition); 'created'; 'split': rows of the month were in the default partition
-- and are moved into the month's own partitions, in the same transaction, before they are attached.
CREATE FUNCTION claimscreen_month_partition(p_month text, p_actor text DEFAULT 'service') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  tables text[] := ARRAY(SELECT table_name FROM month_partitioned_tables ORDER BY position);
  sfx text := replace(p_month, '-', '_');
  t text;
  i int;
  n bigint;
  moved jsonb := '{}';
BEGIN
  IF p_month IS NULL OR p_month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
    RAISE EXCEPTION 'month must be YYYY-MM, got %', p_month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(7426102);
  IF to_regclass(format('archive.%I', tables[1] || '_' || sfx)) IS NOT NULL THEN RETURN 'archived'; END IF;
  IF EXISTS (SELECT 1 FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'claims'::regclass AND c.relname = tables[1] || '_' || sfx) THEN
    RETURN 'exists';
  END IF;
  EXECUTE format('SELECT count(*) FROM %I WHERE service_month = $1', tables[1] || '_default') INTO n USING p_month;
  IF n = 0 THEN
    FOREACH t IN ARRAY tables LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', t || '_' || sfx, t, p_month);
    END LOOP;
    PERFORM claimscreen_month_foreign_keys(sfx, current_schema());
    INSERT INTO partition_events (month, action, actor) VALUES (p_month, 'created', p_actor);
    RETURN 'created';
  END IF;
  -- The month's rows are in the default partitions: copied into new tables, removed from the
  -- defaults (the lines, findings and references first, so no claim that goes is still referenced),
  -- then the tables attached (claims first, so the others' foreign keys find their claims). Direct
  -- writes to the partitions fire none of the parents' statement triggers: the running totals stay.
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', t || '_default');
  END LOOP;
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', t || '_' || sfx, t);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE service_month = $1', t || '_' || sfx, t || '_default') USING p_month;
    GET DIAGNOSTICS n = ROW_COUNT;
    moved := moved || jsonb_build_object(t, n);
  END LOOP;
  FOR i IN REVERSE array_length(tables, 1)..1 LOOP
    EXECUTE format('DELETE FROM %I WHERE service_month = $1', tables[i] || '_default') USING p_month;
  END LOOP;
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', t, t || '_' || sfx, p_month);
  END LOOP;
  PERFORM claimscreen_month_foreign_keys(sfx, current_schema());
  INSERT INTO partition_events (month, action, detail, actor) VALUES (p_month, 'split', jsonb_build_object('rows', moved), p_actor);
  RETURN 'split';
END $$;--> statement-breakpoint
-- Detaches a month older than the hot window (the current month, China Standard Time, and the
-- p_hot_months before it) from every month table into the archive schema: nothing is deleted, the
-- service's queries no longer read it, writes to it are refused. Refused while a review case of the
-- month is not closed. Also takes back a month attached for an audit.
CREATE FUNCTION claimscreen_detach_month(p_month text, p_hot_months int, p_actor text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  tables text[] := ARRAY(SELECT table_name FROM month_partitioned_tables ORDER BY position);
  sfx text := replace(p_month, '-', '_');
  cutoff text := to_char(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - make_interval(months => p_hot_months), 'YYYY-MM');
  t text;
  part text;
  i int;
  n bigint;
  r record;
  counts jsonb := '{}';
BEGIN
  IF p_month IS NULL OR p_month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
    RAISE EXCEPTION 'month must be YYYY-MM, got %', p_month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_hot_months IS NULL OR p_hot_months < 13 THEN
    RAISE EXCEPTION 'the hot window must be at least 13 months, got %', p_hot_months USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_month >= cutoff THEN
    RAISE EXCEPTION 'month % is within the hot window (the current month and the % before it): months before % can be detached', p_month, p_hot_months, cutoff
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  PERFORM pg_advisory_xact_lock(7426102);
  IF NOT EXISTS (SELECT 1 FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'claims'::regclass AND c.relname = tables[1] || '_' || sfx) THEN
    RAISE EXCEPTION 'month % has no attached partition', p_month USING ERRCODE = 'undefined_table';
  END IF;
  SELECT count(*) INTO n FROM review_cases WHERE service_month = p_month AND status <> 'closed';
  IF n > 0 THEN
    RAISE EXCEPTION 'month % has % review cases not closed: detach refused until they are', p_month, n USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  FOR i IN REVERSE array_length(tables, 1)..1 LOOP
    t := tables[i];
    part := t || '_' || sfx;
    -- the month's foreign keys are between its own partitions: they go along
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', t, part);
    FOR r IN SELECT tgname FROM pg_trigger WHERE tgrelid = part::regclass AND NOT tgisinternal AND tgname NOT LIKE 'archive\_read\_only%' LOOP
      EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, part);
    END LOOP;
    EXECUTE format('ALTER TABLE %I SET SCHEMA archive', part);
    EXECUTE format('SELECT count(*) FROM archive.%I', part) INTO n;
    counts := counts || jsonb_build_object(t, n);
  END LOOP;
  FOREACH t IN ARRAY tables LOOP
    part := t || '_' || sfx;
    -- the month as a CHECK: attaching the table again needs no scan to prove it
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = format('archive.%I', part)::regclass AND conname = part || '_month') THEN
      EXECUTE format('ALTER TABLE archive.%I ADD CONSTRAINT %I CHECK (service_month = %L)', part, part || '_month', p_month);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = format('archive.%I', part)::regclass AND tgname = 'archive_read_only') THEN
      EXECUTE format('CREATE TRIGGER archive_read_only BEFORE INSERT OR UPDATE OR DELETE ON archive.%I FOR EACH ROW EXECUTE FUNCTION archive_read_only()', part);
      EXECUTE format('CREATE TRIGGER archive_read_only_truncate BEFORE TRUNCATE ON archive.%I FOR EACH STATEMENT EXECUTE FUNCTION archive_read_only()', part);
    END IF;
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON archive.%I FROM PUBLIC', part);
  END LOOP;
  INSERT INTO partition_events (month, action, detail, actor) VALUES (p_month, 'detached', jsonb_build_object('rows', counts, 'hotMonths', p_hot_months), p_actor);
  RETURN counts;
END $$;--> statement-breakpoint
-- Attaches a detached month again, read-only, for an audit: the service's pages and reports read it,
-- its read-only triggers refuse every write. Refused while the default partition holds rows of the
-- month (claims received for it while it was detached). claimscreen_detach_month takes it back.
CREATE FUNCTION claimscreen_attach_month(p_month text, p_actor text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  tables text[] := ARRAY(SELECT table_name FROM month_partitioned_tables ORDER BY position);
  sfx text := replace(p_month, '-', '_');
  t text;
  part text;
  n bigint;
  r record;
BEGIN
  IF p_month IS NULL OR p_month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
    RAISE EXCEPTION 'month must be YYYY-MM, got %', p_month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(7426102);
  IF to_regclass(format('archive.%I', tables[1] || '_' || sfx)) IS NULL THEN
    RAISE EXCEPTION 'month % is not detached', p_month USING ERRCODE = 'undefined_table';
  END IF;
  EXECUTE format('SELECT count(*) FROM %I WHERE service_month = $1', tables[1] || '_default') INTO n USING p_month;
  IF n > 0 THEN
    RAISE EXCEPTION 'the default partition holds % claims of month %, received while it was detached: attach refused', n, p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  FOREACH t IN ARRAY tables LOOP
    part := t || '_' || sfx;
    EXECUTE format('ALTER TABLE archive.%I SET SCHEMA %I', part, current_schema());
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', t, part, p_month);
  END LOOP;
  INSERT INTO partition_events (month, action, actor) VALUES (p_month, 'attached', p_actor);
  RETURN jsonb_build_object('month', p_month);
END $$;--> statement-breakpoint
-- Drops a detached month's tables: only a month whose last day is more than 15 years ago, and only
-- once its files were archived (an 'archived' event). The 15 years are here, not in configuration.
CREATE FUNCTION claimscreen_drop_month(p_month text, p_actor text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tables text[] := ARRAY(SELECT table_name FROM month_partitioned_tables ORDER BY position);
  sfx text := replace(p_month, '-', '_');
  youngest text := to_char(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '15 years', 'YYYY-MM');
  i int;
BEGIN
  IF p_month IS NULL OR p_month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
    RAISE EXCEPTION 'month must be YYYY-MM, got %', p_month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_month >= youngest THEN
    RAISE EXCEPTION 'month % is younger than 15 years: nothing is deleted before 15 years (months before % can be dropped)', p_month, youngest
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(7426102);
  IF to_regclass(format('archive.%I', tables[1] || '_' || sfx)) IS NULL THEN
    RAISE EXCEPTION 'month % is not detached', p_month USING ERRCODE = 'undefined_table';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM partition_events WHERE month = p_month AND action = 'archived') THEN
    RAISE EXCEPTION 'month % was never archived to files: drop refused', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  FOR i IN REVERSE array_length(tables, 1)..1 LOOP
    EXECUTE format('DROP TABLE archive.%I', tables[i] || '_' || sfx);
  END LOOP;
  INSERT INTO partition_events (month, action, actor) VALUES (p_month, 'dropped', p_actor);
END $$;
--> statement-breakpoint
-- The three months before this one, this month and the next two, China Standard Time (the
-- service keeps creating them ahead: src/db/partitions.ts).
SELECT claimscreen_month_partition(to_char(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + make_interval(months => k), 'YYYY-MM'), 'migration 0032')
FROM generate_series(-3, 2) k;
