ALTER TABLE "amazon_ads_client_backoff" ADD COLUMN "concurrency" double precision;--> statement-breakpoint
ALTER TABLE "amazon_ads_client_backoff" ADD COLUMN "cut_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "amazon_ads_pending_reports" ADD COLUMN "lease_slots" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD COLUMN "lease_slots" smallint DEFAULT 1 NOT NULL;