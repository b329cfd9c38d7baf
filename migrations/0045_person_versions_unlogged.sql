-- The persons' versions kept without WAL, with an epoch that says when they were lost (issue 20: a
-- claim's WAL, and most of the full-page writes of a year's database). Written by hand.
--
-- person_versions orders one person's claims across nodes (src/claims/claims.repository.ts): a
-- claim is written only if the person's version is still the one its history read, and moves it
-- on. Each claim updates its person's row, a random one of ~1.5 million, so on a database holding a
-- year each claim wrote that row's page whole after every checkpoint: 1.6 full pages and 13.3 KB of
-- a claim's 47 KB of WAL on the preloaded year (`pg_walinspect`, npm run bench -- --preloaded), 0.3 KB
-- of 4 KB on an empty database. The versions matter only while claims are in flight: the claims
-- themselves are in the WAL. So the table is UNLOGGED: nothing of it is written to the WAL, and a
-- crash (or a standby promoted) empties it.
--
-- An emptied table must not let a claim through that was read before and is written after: its
-- person's row is gone, so the version it read could be inserted anew though another claim of the
-- person was stored in between. Hence an epoch: the row of the empty person hash ('') holds it,
-- taken from a logged sequence whenever that row is missing (person_versions_epoch(), called by the
-- history read). A version is the epoch × 2^32 plus the count of the person's claims written in it,
-- and the history read of a person without a row of the current epoch gives the epoch × 2^32; the
-- intake writes a claim only if the epoch of the version it read is the current one (and overwrites
-- a row of an earlier epoch, left if the sentinel alone was removed). After a crash the first
-- history read starts a new epoch, and every claim read before it comes back stale and is screened
-- again. The versions written before this migration are of epoch 0, the sentinel's.
CREATE SEQUENCE person_versions_epoch START 1;--> statement-breakpoint
ALTER TABLE person_versions SET UNLOGGED;--> statement-breakpoint
INSERT INTO person_versions (person_hash, version) VALUES ('', 0) ON CONFLICT (person_hash) DO NOTHING;--> statement-breakpoint
CREATE FUNCTION person_versions_epoch() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_epoch bigint;
BEGIN
  SELECT version INTO v_epoch FROM person_versions WHERE person_hash = '';
  IF v_epoch IS NULL THEN
    -- emptied by a crash: a new epoch; of two sessions doing this at once, one row is kept
    INSERT INTO person_versions (person_hash, version) VALUES ('', nextval('person_versions_epoch')) ON CONFLICT (person_hash) DO NOTHING;
    SELECT version INTO v_epoch FROM person_versions WHERE person_hash = '';
  END IF;
  RETURN v_epoch;
END $$;
