-- Zero markup (药品零差率, issue 19): the unit price an institution paid for an item in the month
-- (optional, on its stock record), and whether zero markup applies at the institution (public
-- institutions sell drugs at their purchase price). Read with the claim's stock records and the
-- institution's reference record.
ALTER TABLE "stock_records" ADD COLUMN "purchase_price" numeric(16, 4);--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "zero_markup" boolean DEFAULT false NOT NULL;
