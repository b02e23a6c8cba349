CREATE TABLE "amazon_ads_client_backoff" (
	"client_key" text PRIMARY KEY NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"strikes" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "amazon_ads_request_units" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"run_date" date NOT NULL,
	"profile_id" text DEFAULT '' NOT NULL,
	"profile" jsonb,
	"client_key" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"lease_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "amazon_ads_request_units_uq" UNIQUE("org_id","run_date","profile_id")
);
--> statement-breakpoint
ALTER TABLE "amazon_ads_pending_reports" ADD COLUMN "client_key" text;--> statement-breakpoint
ALTER TABLE "amazon_ads_pending_reports" ADD COLUMN "next_poll_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "amazon_ads_pending_reports" ADD COLUMN "lease_id" text;--> statement-breakpoint
ALTER TABLE "amazon_ads_request_units" ADD CONSTRAINT "amazon_ads_request_units_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "amazon_ads_request_units_due_idx" ON "amazon_ads_request_units" USING btree ("available_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "amazon_ads_request_units_leased_idx" ON "amazon_ads_request_units" USING btree ("client_key","locked_until") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "amazon_ads_pending_reports_due_idx" ON "amazon_ads_pending_reports" USING btree ("next_poll_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "amazon_ads_pending_reports_leased_idx" ON "amazon_ads_pending_reports" USING btree ("client_key","locked_until") WHERE status = 'pending';