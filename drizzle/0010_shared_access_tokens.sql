CREATE TABLE "amazon_ads_access_tokens" (
	"login_key" text PRIMARY KEY NOT NULL,
	"access_token" text,
	"token_hash" text,
	"expires_at" timestamp with time zone,
	"refreshing_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
