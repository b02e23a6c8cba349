-- Phase-1 units for every way phase 1 runs (one engine): the daily request and a backfill of a range,
-- told apart by job; a backfill's range is its plan, and the plan is part of the one-unit-per-day key.
-- Units queued before this are daily requests (the defaults).
ALTER TABLE "amazon_ads_request_units" DROP CONSTRAINT "amazon_ads_request_units_uq";--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD COLUMN "job" text DEFAULT 'request' NOT NULL;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD COLUMN "plan_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD CONSTRAINT "amazon_ads_request_units_uq" UNIQUE("org_id","run_date","job","plan_key","profile_id");