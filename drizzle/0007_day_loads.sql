CREATE TABLE "amazon_ads_day_loads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "amazon_ads_day_loads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" integer NOT NULL,
	"profile_id" text NOT NULL,
	"date" date NOT NULL,
	"report_id" text NOT NULL,
	"kind" text NOT NULL,
	"lookback_days" integer NOT NULL,
	"rows" integer NOT NULL,
	"impressions" numeric,
	"clicks" numeric,
	"cost" numeric,
	"sales_14d" numeric,
	"withdrawn_rows" integer DEFAULT 0 NOT NULL,
	"suspect_empty" boolean DEFAULT false NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "amazon_ads_day_loads_report_date_uq" UNIQUE("org_id","report_id","date")
);
--> statement-breakpoint
ALTER TABLE "amazon_ads_day_loads" ADD CONSTRAINT "amazon_ads_day_loads_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "amazon_ads_day_loads_day_idx" ON "amazon_ads_day_loads" USING btree ("org_id","profile_id","date","loaded_at");