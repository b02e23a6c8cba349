CREATE TABLE "amazon_ads_login_profiles" (
	"login_key" text PRIMARY KEY NOT NULL,
	"full" boolean NOT NULL,
	"profiles" jsonb NOT NULL,
	"listed_on" date NOT NULL,
	"listed_at" timestamp with time zone DEFAULT now() NOT NULL
);
