-- A phase-1 unit says what it is: discover (an organisation's profiles) or profile (one profile's
-- requests). Units queued before this had only profile_id, '' for a discovery.
ALTER TABLE "amazon_ads_request_units" ADD COLUMN "kind" text;--> statement-breakpoint
UPDATE "amazon_ads_request_units" SET "kind" = CASE WHEN "profile_id" = '' THEN 'discover' ELSE 'profile' END;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ALTER COLUMN "kind" SET NOT NULL;
