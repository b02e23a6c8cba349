import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  numeric,
  type AnyPgColumn,
  type PgColumnBuilderBase,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { column, COLUMNS, KEY_COLUMNS, type SqlType } from "../catalogue/sp-campaigns";

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });
const createdAt = () => timestamptz("created_at").notNull().defaultNow();
const orgIdRef = () =>
  integer("org_id")
    .notNull()
    .references(() => organisations.id, { onDelete: "cascade" });
const userIdRef = () =>
  text("user_id")
    .notNull()
    .references(() => user.id, { onDelete: "cascade" });
/** An index over the queue's open rows only: the done ones are most of the table and never claimed. */
const pendingIndex = (name: string, ...columns: Parameters<ReturnType<typeof index>["on"]>) =>
  index(name)
    .on(...columns)
    .where(sql`status = 'pending'`);
/** The claim of a queue row (queue/claim.ts): only the lease holder may finish it (a lost lease finishes nothing). */
const leaseColumns = () => ({
  lockedUntil: timestamptz("locked_until"),
  leaseId: text("lease_id"),
  /** Of its client id's limit, how many calls at once the lease holds (a profile's creates in parallel take several). */
  leaseSlots: smallint("lease_slots").notNull().default(1),
});
/** Units per client id at once are bounded; `lease_end` ranges over the few leases in force (a claim's blocked keys). */
const leaseIndexes = (table: string, t: { clientKey: AnyPgColumn; lockedUntil: AnyPgColumn }) => [
  pendingIndex(`${table}_leased_idx`, t.clientKey, t.lockedUntil),
  pendingIndex(`${table}_lease_end_idx`, t.lockedUntil),
];

// ---- better-auth core tables (names and fields as better-auth's drizzle adapter expects) ----

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: createdAt(),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamptz("expires_at").notNull(),
    token: text("token").notNull().unique(),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: userIdRef(),
  },
  (t) => [index("session_user_id_idx").on(t.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: userIdRef(),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamptz("access_token_expires_at"),
    refreshTokenExpiresAt: timestamptz("refresh_token_expires_at"),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("account_user_id_idx").on(t.userId)],
);

export const verification = pgTable("verification", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: timestamptz("expires_at").notNull(),
  createdAt: createdAt(),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
});

// ---- organisations (integer ids: the crons address them as ?orgId=1) ----

export const organisations = pgTable("organisations", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});
export type Organisation = typeof organisations.$inferSelect;

export const memberships = pgTable(
  "memberships",
  {
    orgId: orgIdRef(),
    userId: userIdRef(),
    role: text("role", { enum: ["admin", "member"] })
      .notNull()
      .default("member"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "memberships_pk", columns: [t.orgId, t.userId] }),
    index("memberships_user_idx").on(t.userId),
  ],
);

// ---- encrypted settings: one row per (org, key); the value is AES-256-GCM ciphertext ----

export const settings = pgTable(
  "settings",
  {
    id: serial("id").primaryKey(),
    orgId: orgIdRef(),
    key: text("key").notNull(),
    valueEncrypted: text("value_encrypted").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [unique("settings_org_key_unique").on(t.orgId, t.key)],
);

// ---- "Connect with Amazon": one row per consent page opened, deleted when its callback arrives ----

export const amazonAdsConnectStates = pgTable(
  "amazon_ads_connect_states",
  {
    // SHA-256 of the `state` value: a read of this table cannot complete someone's callback.
    stateHash: text("state_hash").primaryKey(),
    orgId: orgIdRef(),
    userId: userIdRef(),
    // The LwA app the consent page was opened for: Amazon binds the code to it, so the exchange must use it too.
    region: text("region", { enum: ["NA", "EU", "FE"] }).notNull(),
    clientId: text("client_id").notNull(),
    // Null: the operator's app (env), whose secret is read again at the callback rather than copied here.
    clientSecretEncrypted: text("client_secret_encrypted"),
    redirectUri: text("redirect_uri").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("amazon_ads_connect_states_expires_idx").on(t.expiresAt)],
);

// ---- sync_logs: one row per job run per org ----

export const syncLogs = pgTable(
  "sync_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: orgIdRef(),
    source: text("source").notNull(),
    job: text("job").notNull(),
    status: text("status", { enum: ["running", "success", "partial", "error", "interrupted"] }).notNull(),
    message: text("message"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    startedAt: timestamptz("started_at").notNull().defaultNow(),
    finishedAt: timestamptz("finished_at"),
  },
  (t) => [index("sync_logs_org_started_idx").on(t.orgId, sql`${t.startedAt} desc`)],
);
export type SyncLog = typeof syncLogs.$inferSelect;

/** Why a report was asked for: the daily lookbacks, a failed range again, a backfill by hand, a new profile's history. */
export const REPORT_KINDS = ["daily", "retry", "backfill", "history"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

// ---- Amazon Ads: spCampaigns rows, one per (org, profile, date, campaign) ----

// bigint: 64-bit, never through a JS number; numeric: money and rates exactly as Amazon sent them, as strings.
const catalogueColumn: Record<SqlType, (name: string) => PgColumnBuilderBase> = {
  date: (name) => date(name, { mode: "string" }),
  bigint: (name) => bigint(name, { mode: "bigint" }),
  numeric: (name) => numeric(name),
  text: (name) => text(name),
};

// The key columns are declared here (typed, NOT NULL); every other column comes from the catalogue.
const catalogueColumns = Object.fromEntries(
  COLUMNS.filter((c) => !KEY_COLUMNS.includes(c)).map((c) => [c.db, catalogueColumn[c.type](c.db)]),
) as Record<string, PgColumnBuilderBase>;

export const amazonSpAds = pgTable(
  "amazon_sp_ads",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: orgIdRef(),
    date: date(column("date").db, { mode: "string" }).notNull(),
    campaignId: bigint(column("campaignId").db, { mode: "bigint" }).notNull(),
    ...catalogueColumns,
    // Which report last wrote the row; a date whose max_lookback_days reached 30 has Amazon's final restatement.
    profileId: text("profile_id").notNull(),
    sourceReportId: text("source_report_id").notNull(),
    sourceKind: text("source_kind", { enum: REPORT_KINDS }).notNull(),
    sourceLookbackDays: integer("source_lookback_days").notNull(),
    maxLookbackDays: integer("max_lookback_days").notNull(),
    createdAt: createdAt(),
    /** Every upsert that touched the row moves it, also when no value changed (the row was confirmed). */
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    /** Only when Amazon's numbers for the row changed: a restatement, not a re-run with the same data. */
    dataChangedAt: timestamptz("data_changed_at").notNull().defaultNow(),
  },
  // Campaign ids are unique only within a profile (a marketplace), so the spec's key gains profile_id.
  (t) => [uniqueIndex("amazon_sp_ads_org_profile_date_campaign_uq").on(t.orgId, t.profileId, t.date, t.campaignId)],
);

// ---- Amazon Ads: one row per (report, date) loaded: the history `npm run ads -- verify` reads ----

export const amazonAdsDayLoads = pgTable(
  "amazon_ads_day_loads",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: orgIdRef(),
    profileId: text("profile_id").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    reportId: text("report_id").notNull(),
    kind: text("kind", { enum: REPORT_KINDS }).notNull(),
    /** How old the date was when the report was requested (1, 3, 7, 14, 30 for the daily plan). */
    lookbackDays: integer("lookback_days").notNull(),
    /** The report's rows of this date, and their sums as loaded (sums over bigint are numeric). */
    rows: integer("rows").notNull(),
    impressions: numeric("impressions"),
    clicks: numeric("clicks"),
    cost: numeric("cost"),
    sales14d: numeric("sales_14d"),
    /** Stored rows of this date the report no longer held: deleted in the load's transaction. */
    withdrawnRows: integer("withdrawn_rows").notNull().default(0),
    /** The report had no row of this date while rows were stored: they were kept, the day is suspect. */
    suspectEmpty: boolean("suspect_empty").notNull().default(false),
    /** How long Amazon took to generate the report (its generatedAt − createdAt): paces the profile's first polls. */
    generationMs: integer("generation_ms"),
    /** When Amazon created the report (our request's time when it did not say): a day takes only a newer report's data. */
    reportCreatedAt: timestamptz("report_created_at"),
    /** A report older than the one already loaded for this day: recorded, its rows of the day not stored. */
    superseded: boolean("superseded").notNull().default(false),
    loadedAt: timestamptz("loaded_at").notNull().defaultNow(),
  },
  (t) => [
    unique("amazon_ads_day_loads_report_date_uq").on(t.orgId, t.reportId, t.date),
    index("amazon_ads_day_loads_day_idx").on(t.orgId, t.profileId, t.date, t.loadedAt),
  ],
);

// ---- Amazon Ads: report requests between phase 1 (request) and phase 2 (collect) ----

export const amazonAdsPendingReports = pgTable(
  "amazon_ads_pending_reports",
  {
    id: serial("id").primaryKey(),
    orgId: orgIdRef(),
    reportId: text("report_id").notNull(),
    /** First day of the report (the lookback date for the daily run). */
    reportDate: date("report_date", { mode: "string" }).notNull(),
    /** Last day; equals report_date except for backfill ranges (≤ 31 days). */
    reportEndDate: date("report_end_date", { mode: "string" }).notNull(),
    kind: text("kind", { enum: REPORT_KINDS }).notNull(),
    /** For daily/retry: 1, 3, 7, 14 or 30; for backfill: the age of report_end_date when requested. */
    lookbackDays: integer("lookback_days").notNull(),
    profileId: text("profile_id").notNull(),
    region: text("region", { enum: ["NA", "EU", "FE"] }).notNull(),
    status: text("status", { enum: ["pending", "completed", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastPolledAt: timestamptz("last_polled_at"),
    amazonStatus: text("amazon_status"),
    error: text("error"),
    rowsLoaded: integer("rows_loaded"),
    ...leaseColumns(),
    /** Set when phase 1 has re-requested this failed date; the newer request carries the date on. */
    retriedAt: timestamptz("retried_at"),
    /** 0 for a first request; n for the n-th retry of its dates (bounds retries, spaces them out). */
    retryAttempt: integer("retry_attempt").notNull().default(0),
    /** The LwA client id (and region) the report was requested with (queue/client-key.ts). */
    clientKey: text("client_key"),
    /** Workers poll it no earlier than this (backoff while Amazon generates it). */
    nextPollAt: timestamptz("next_poll_at").notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    finishedAt: timestamptz("finished_at"),
  },
  (t) => [
    unique("amazon_ads_pending_reports_org_report_uq").on(t.orgId, t.reportId),
    index("amazon_ads_pending_reports_status_idx").on(t.orgId, t.status, t.createdAt),
    // One open request per org, profile and date range: a repeated phase 1 cannot request it twice.
    uniqueIndex("amazon_ads_pending_reports_open_range_uq")
      .on(t.orgId, t.profileId, t.reportDate, t.reportEndDate)
      .where(sql`status = 'pending'`),
    pendingIndex("amazon_ads_pending_reports_due_idx", t.nextPollAt),
    ...leaseIndexes("amazon_ads_pending_reports", t),
  ],
);
export type PendingReport = typeof amazonAdsPendingReports.$inferSelect;

// ---- Amazon Ads: phase-1 work units, claimed by workers (src/lib/amazon-ads/work/) ----

export const amazonAdsRequestUnits = pgTable(
  "amazon_ads_request_units",
  {
    id: serial("id").primaryKey(),
    orgId: orgIdRef(),
    /** The UTC day of the daily run that queued it: one unit per organisation (and profile) per day. */
    runDate: date("run_date", { mode: "string" }).notNull(),
    /** discover: find the organisation's profiles and queue one unit per profile; profile: that profile's requests. */
    kind: text("kind", { enum: ["discover", "profile"] }).notNull(),
    /** The profile of a `profile` unit; '' for `discover` (part of the one-unit-per-day key). */
    profileId: text("profile_id").notNull().default(""),
    /** The profile as discovered (region, time zone, …), so its unit needs no second discovery. */
    profile: jsonb("profile").$type<Record<string, unknown>>(),
    /** request: the daily lookbacks and due retries; backfill, history: the range in `plan`. Its sync_logs job. */
    job: text("job", { enum: ["request", "backfill", "history"] })
      .notNull()
      .default("request"),
    /** A backfill's range and profiles ({ from, to, profileIds? }); null for the daily request. */
    plan: jsonb("plan").$type<Record<string, unknown>>(),
    /** The plan in the one-unit-per-day key ('' for the daily request, "from..to[:profiles]" for a backfill). */
    planKey: text("plan_key").notNull().default(""),
    clientKey: text("client_key"),
    status: text("status", { enum: ["pending", "done", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    availableAt: timestamptz("available_at").notNull().defaultNow(),
    ...leaseColumns(),
    error: text("error"),
    createdAt: createdAt(),
    finishedAt: timestamptz("finished_at"),
  },
  (t) => [
    unique("amazon_ads_request_units_uq").on(t.orgId, t.runDate, t.job, t.planKey, t.profileId),
    pendingIndex("amazon_ads_request_units_due_idx", t.availableAt),
    ...leaseIndexes("amazon_ads_request_units", t),
  ],
);
export type RequestUnit = typeof amazonAdsRequestUnits.$inferSelect;

/** A client id's adaptive limit of calls at once (null: the configured start) and 429 backoff (queue/client-limits.ts). */
export const amazonAdsClientBackoff = pgTable("amazon_ads_client_backoff", {
  clientKey: text("client_key").primaryKey(),
  until: timestamptz("until").notNull(),
  strikes: integer("strikes").notNull().default(0),
  concurrency: doublePrecision("concurrency"),
  /** The last cut: one 429 burst (many calls answered at once) halves the limit once, not per call. */
  cutAt: timestamptz("cut_at"),
});

/** A login's LwA access token, shared by every invocation for its hour; `refreshing_until` marks the one refreshing. */
export const amazonAdsAccessTokens = pgTable("amazon_ads_access_tokens", {
  /** sha256 of the client id and refresh token: the login, without storing either again. */
  loginKey: text("login_key").primaryKey(),
  /** The access token, encrypted like the settings (AES-256-GCM, the login key as associated data). */
  accessToken: text("access_token"),
  /** sha256 of the access token: a 401 drops exactly the token that failed, never a newer one. */
  tokenHash: text("token_hash"),
  expiresAt: timestamptz("expires_at"),
  refreshingUntil: timestamptz("refreshing_until"),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
});

/** A login's profiles as last listed: a discovery lists them at most once a UTC day (api/discovery-cache.ts). */
export const amazonAdsLoginProfiles = pgTable("amazon_ads_login_profiles", {
  loginKey: text("login_key").primaryKey(),
  /** Both listings (every profile, not only the readable ones): it answers any later need. */
  full: boolean("full").notNull(),
  /** The discovered profiles (api/profiles.ts DiscoveredProfile[]), not secret. */
  profiles: jsonb("profiles").notNull(),
  listedOn: date("listed_on", { mode: "string" }).notNull(),
  listedAt: timestamptz("listed_at").notNull().defaultNow(),
});

/** A new profile's history, queued once the first time the daily discovery sees it; its span set when requested. */
export const amazonAdsProfileHistory = pgTable(
  "amazon_ads_profile_history",
  {
    orgId: orgIdRef(),
    profileId: text("profile_id").notNull(),
    /** The days back from the profile's today it asks for (AMAZON_ADS_HISTORY_DAYS when queued). */
    days: integer("days").notNull(),
    fromDate: date("from_date", { mode: "string" }),
    toDate: date("to_date", { mode: "string" }),
    queuedAt: timestamptz("queued_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.profileId] })],
);

/** Fixed-window counters of the request limits (rate-limit.ts), in Postgres so every instance counts alike. */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    windowStart: timestamptz("window_start").notNull().defaultNow(),
    hits: integer("hits").notNull().default(0),
  },
  (t) => [index("rate_limits_window_idx").on(t.windowStart)],
);

/** An invitation to join an organisation (orgs/invitations.ts); only a hash of its token is kept. */
export const invitations = pgTable(
  "invitations",
  {
    tokenHash: text("token_hash").primaryKey(),
    orgId: orgIdRef(),
    email: text("email").notNull(),
    role: text("role", { enum: ["admin", "member"] }).notNull(),
    invitedBy: text("invited_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [uniqueIndex("invitations_org_email_uq").on(t.orgId, t.email)],
);
