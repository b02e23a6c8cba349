export type Region = "NA" | "EU" | "FE";

export interface SimProfile {
  /** Digits only; emitted as a bare JSON number. */
  profileId: string;
  region: Region;
  countryCode: string;
  currencyCode: string;
  timezone: string;
  accountInfo: {
    marketplaceStringId: string;
    id: string;
    type: "seller" | "vendor" | "agency";
    name: string;
  };
  /** Number of SP campaigns in the account; default 12, up to 200_000. */
  campaigns?: number;
  /**
   * Default true. false models a profile the login may see and edit but whose reports it may not read (e.g. a
   * vendor account shared without reporting rights): listed by a plain `GET /v2/profiles`, left out of
   * `?apiProgram=report`, and reporting calls with its Scope answer 401 "Not authorized to access scope".
   */
  reportAccess?: boolean;
  /**
   * Another profile's id: this profile's campaigns get the same ids as that profile's (index for index), with
   * their own names, statuses and metrics. Amazon only promises campaign ids unique within a profile, so a
   * client keyed on campaignId alone mixes two marketplaces up. The other profile must exist when this one is added.
   */
  campaignIdsFrom?: string;
}

/**
 * One login: an Amazon user's grant (`refreshToken`) to an LwA app (`clientId` + `clientSecret`), and the profiles
 * that user gave access to. Several entries may share a `clientId` (one app authorised by many Amazon users):
 * they must then have the same `clientSecret`, and every `refreshToken` must be unique across all entries (the
 * simulator throws at start otherwise). An access token gives access to the profiles of the login whose refresh
 * token it was issued for, not to those of the app's other logins.
 */
export interface SimClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  profileIds: string[];
  /**
   * While set, every Ads API call (profiles, create, poll, delete) whose Amazon-Advertising-API-ClientId is this
   * client answers 429 as the scenario's create429/poll429 do: `{"code":"429","detail":"Too Many Requests"}`,
   * with `Retry-After` only when `retryAfterSeconds` is given. It comes after the header checks (a call that
   * fails them still gets its 401) and before the scenario's counters, which it leaves alone; a throttled GET is
   * not a poll. The token endpoint and the S3 download are not affected. Change it at runtime with
   * `sim.setClientFaults`. A storm is per app: set on any login of a client id (the first one given wins), it
   * throttles every login of that client id.
   */
  storm429?: { retryAfterSeconds?: number };
}

/** A client's fault settings, as `sim.setClientFaults` replaces them: a field left out (or null) is off. */
export interface SimClientFaults {
  storm429?: { retryAfterSeconds?: number } | null;
}

/** Milliseconds, inclusive at both ends. */
export interface MsRange {
  min: number;
  max: number;
}

/** A fixed delay in milliseconds, or a range each request draws its own delay from (uniformly). */
export type LatencyMs = number | MsRange;

export interface Scenario {
  /** GETs answered PENDING/PROCESSING before COMPLETED; 0 = the first GET is already COMPLETED. */
  pollsBeforeComplete: number;
  create429: { count: number; retryAfterSeconds?: number };
  poll429: { count: number; retryAfterSeconds?: number };
  create5xx: { count: number; status?: number };
  poll5xx: { count: number; status?: number };
  token5xx: { count: number };
  /** The next `count` downloads answer S3's XML error: default 503 SlowDown. */
  download5xx: { count: number; status?: number };
  /** The next `count` downloads send the 200 headers, then the connection is reset before any of the body. */
  downloadReset: { count: number };
  /** The next `count` downloads send the headers with the full Content-Length, half the body, then close. */
  downloadTruncate: { count: number };
  /**
   * The next `count` creates answer 425 "duplicate of" a report with the same profile and dates but another
   * configuration (timeUnit flipped), which is created for the purpose and stays in flight like any report.
   */
  duplicateOfOtherConfig: { count: number };
  stuckDates: string[];
  failDates: string[];
  /** Reports of these dates are generated empty (`[]`), whatever the account had: Amazon has served such files. */
  emptyDates: string[];
  /**
   * Campaign ids left out of every report generated while listed: Amazon's restatement withdrew their rows
   * (e.g. traffic judged invalid), so a later report of a day no longer holds them.
   */
  withdrawnCampaignIds: string[];
  /** These columns are null in every row of these dates (Amazon's 2024 EU gap in the 1d attribution columns). */
  nullColumns: { dates: string[]; columns: string[] };
  corruptDates: string[];
  expireUrlOnce: boolean;
  restatementVersion: number;
  extraInvalidColumns: string[];
  createLatencyMs: number;
  /** Refresh tokens whose token calls answer 400 invalid_grant (the user revoked the grant). */
  revokedRefreshTokens: string[];
  /** Delay of each token call: a number, or `{min, max}` drawn per request. */
  tokenLatencyMs: LatencyMs;
  /** Delay of each Ads API call (profiles, create, poll, delete): a number, or `{min, max}` drawn per request. */
  apiLatencyMs: LatencyMs;
  /**
   * Unset (default) or null: reports advance by polls (`pollsBeforeComplete`). Set: by time on the `now()` clock
   * instead. Each report gets a generation time drawn uniformly from [min, max] by its report id (the same id
   * always draws the same time); a poll answers PENDING until 20 % of it has passed since the create, PROCESSING
   * until all of it has, then COMPLETED (FAILED for a failDates report). stuckDates reports stay PENDING.
   */
  generationMs?: MsRange | null;
  /**
   * Unset (default) or null: off. Set: a token bucket per client id (shared by all logins of that app) of
   * capacity `burst`, refilled at `perSecond` tokens a second on the real clock (`performance.now()`, not
   * `now()`), starting full. Every Ads API call (profiles, create, poll, delete) takes one token after the header
   * checks (a call failing them still gets its 401) and after the client's storm429; with none left it answers
   * 429 `{"code":"429","detail":"Too Many Requests"}` (`Retry-After` only with `retryAfterSeconds`), before the
   * scenario's counters, and is neither a poll nor a create. The token endpoint and S3 downloads are not
   * limited. Setting the key (any value) refills every bucket; `reset()` does too.
   */
  clientRateLimit?: ClientRateLimit | null;
}

/** Scenario `clientRateLimit`: perSecond > 0, burst >= 1, retryAfterSeconds >= 0. */
export interface ClientRateLimit {
  perSecond: number;
  burst: number;
  retryAfterSeconds?: number;
}

export interface SimulatorOptions {
  /** 0 (the default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The logins (default: SIM_DEFAULT_CLIENTS). Entries sharing a clientId are one app's logins, in this order:
   * the first is the one an authorization-code grant and the admin calls without a refreshToken act on.
   */
  clients?: SimClient[];
  profiles?: SimProfile[];
  now?: () => Date;
  scenario?: Partial<Scenario>;
  /** Default true: no request log on stdout. The CLI passes false. */
  quiet?: boolean;
  /**
   * Total bytes of generated report files (gzipped) kept in memory; default unlimited. Each file up to 2 MiB is
   * kept until `reset()`; once this budget is used up, further files are regenerated on every download instead
   * (the same bytes, more CPU). For runs with thousands of reports (~140 bytes a row: a 5,000-campaign day is
   * ~0.6 MB).
   */
  reportCacheBytes?: number;
}

export interface RecordedRequest {
  method: string;
  /** The path as received (with the /na, /eu, /fe prefix), without the query string. */
  path: string;
  query: Record<string, string>;
  region: Region | null;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** Date.now() at receipt. */
  time: number;
  /** Date.now() when the response finished. */
  endTime?: number;
  /** The HTTP status answered, set with `endTime` (e.g. to count 429s). */
  status?: number;
}

export type ReportStatus = "PENDING" | "PROCESSING" | "COMPLETED" | "FAILED" | "CANCELLED";

export interface ReportSummary {
  reportId: string;
  status: string;
  startDate: string;
  endDate: string;
  profileId: string;
  polls: number;
  deleted: boolean;
}

export type TimeUnit = "DAILY" | "SUMMARY";

export interface ReportFilter {
  field: string;
  values: string[];
}

/** Shape of the rows beyond the basic (profile, dates, columns): defaults are DAILY, groupBy ["campaign"], no filters. */
export interface ExpectedRowsOptions {
  timeUnit?: TimeUnit;
  groupBy?: string[];
  filters?: ReportFilter[];
}

/** Each value is its exact JSON text for numbers, the unquoted value for strings, or null. */
export type ExpectedRow = Record<string, string | null>;

export interface Simulator {
  baseUrl: string;
  tokenUrl: string;
  apiUrl: Record<Region, string>;
  /** The regional Login with Amazon consent pages (`/na/ap/oa`, …), for AMAZON_ADS_AUTH_URL_<REGION>. */
  authorizeUrl: Record<Region, string>;
  requests: RecordedRequest[];
  setScenario(patch: Partial<Scenario>): void;
  reset(): void;
  reports(): ReportSummary[];
  expectedRows(
    profileId: string,
    startDate: string,
    endDate: string,
    columns: string[],
    options?: ExpectedRowsOptions,
  ): ExpectedRow[];
  /**
   * The number of rows `expectedRows(profileId, startDate, endDate, columns)` returns (DAILY, groupBy campaign,
   * no filters) and a report file for them contains when generated now, counted without building the rows.
   */
  expectedRowCount(profileId: string, startDate: string, endDate: string): number;
  /**
   * Replaces a client's fault settings (`storm429`; a field left out or null is off); same as
   * POST /__admin/clients/faults. Applies to every login of the client id (a storm is per app). Throws on an
   * unknown client. `reset()` restores the starting ones.
   */
  setClientFaults(clientId: string, faults: SimClientFaults): void;
  /** Resize an account (same as POST /__admin/profiles). */
  setProfileCampaigns(profileId: string, campaigns: number): void;
  /**
   * A profile appears at Amazon for this login (same as POST /__admin/profiles/add): a new profile, or an
   * existing one (its details replaced by these) that the login gets access to. The login is the one of
   * `refreshToken` (which must belong to `clientId`), else the client id's first login. Throws on an unknown
   * client or login, or an invalid profile.
   */
  addProfile(clientId: string, profile: SimProfile, refreshToken?: string): void;
  /**
   * The login loses this profile (same as POST /__admin/profiles/remove): `/v2/profiles` stops listing it and
   * reporting calls with its Scope answer 401 "No matching advertiser found for scope". Its reports stay in
   * `reports()`. The login is chosen as in `addProfile`. Throws when the login does not have it.
   */
  removeProfile(clientId: string, profileId: string, refreshToken?: string): void;
  /** The current scenario (a copy). */
  scenario(): Scenario;
  close(): Promise<void>;
}
