CREATE TABLE "amazon_ads_profile_history" (
	"org_id" integer NOT NULL,
	"profile_id" text NOT NULL,
	"days" integer NOT NULL,
	"from_date" date,
	"to_date" date,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "amazon_ads_profile_history_org_id_profile_id_pk" PRIMARY KEY("org_id","profile_id")
);
--> statement-breakpoint
ALTER TABLE "amazon_ads_day_loads" ADD COLUMN "report_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "amazon_ads_day_loads" ADD COLUMN "superseded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "amazon_ads_profile_history" ADD CONSTRAINT "amazon_ads_profile_history_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;