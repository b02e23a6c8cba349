ALTER TABLE "amazon_sp_ads" ADD COLUMN "data_changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- Until now updated_at moved only when the data changed: that is what data_changed_at means from here on.
UPDATE "amazon_sp_ads" SET "data_changed_at" = "updated_at";
