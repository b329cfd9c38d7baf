-- Free space in the running totals' pages, so that their updates stay HOT (issue 20: the WAL a
-- claim). Written by hand.
--
-- Every claim updates rows of institution_nights, institution_item_months and institution_months,
-- a few rows each, many times a second. An update is HOT (a new version on the same page, no index
-- entry) only if the page has room for it; packed full (fillfactor 100), ~9 % of these updates found
-- none and wrote their new version elsewhere with a new index entry (bench/db-only.ts, 4,000 claims:
-- 2,453 of 31,777). A page filled to 70 % keeps room for the versions made between two prunings.
-- New pages only: rows stored before keep their pages until they move.
ALTER TABLE institution_nights SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE institution_item_months SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE institution_months SET (fillfactor = 70);
