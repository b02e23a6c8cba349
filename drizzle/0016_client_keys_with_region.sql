-- Client keys became "<client id>@<region>" (src/lib/amazon-ads/queue/client-key.ts). Work queued before
-- that keeps its limits with the new keys: a pending report and a profile unit know their region. A
-- pending discovery unit lists every region; it keeps its old key (its own bucket) until it is done.
UPDATE "amazon_ads_pending_reports" SET "client_key" = "client_key" || '@' || "region"
  WHERE "client_key" IS NOT NULL AND "client_key" NOT LIKE '%@%';
--> statement-breakpoint
UPDATE "amazon_ads_request_units" SET "client_key" = "client_key" || '@' || ("profile" ->> 'region')
  WHERE "kind" = 'profile' AND "client_key" IS NOT NULL AND "client_key" NOT LIKE '%@%' AND "profile" ->> 'region' IS NOT NULL;
--> statement-breakpoint
-- The old keys' backoff rows would never be read again.
DELETE FROM "amazon_ads_client_backoff" WHERE "client_key" NOT LIKE '%@%';
