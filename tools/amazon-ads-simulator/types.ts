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

export interface SimClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  profileIds: string[];
}

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
  emptyDates: string[];
  corruptDates: string[];
  expireUrlOnce: boolean;
  restatementVersion: number;
  extraInvalidColumns: string[];
  createLatencyMs: number;
  revokedRefreshTokens: string[];
  tokenLatencyMs: number;
  apiLatencyMs: number;
}

export interface SimulatorOptions {
  /** 0 (the default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clients?: SimClient[];
  profiles?: SimProfile[];
  now?: () => Date;
  scenario?: Partial<Scenario>;
  /** Default true: no request log on stdout. The CLI passes false. */
  quiet?: boolean;
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
  /** Resize an account (same as POST /__admin/profiles). */
  setProfileCampaigns(profileId: string, campaigns: number): void;
  /**
   * A profile appears at Amazon for this login (same as POST /__admin/profiles/add): a new profile, or an
   * existing one (its details replaced by these) that the client gets access to. Throws on an unknown client
   * or an invalid profile.
   */
  addProfile(clientId: string, profile: SimProfile): void;
  /**
   * The login loses this profile (same as POST /__admin/profiles/remove): `/v2/profiles` stops listing it and
   * reporting calls with its Scope answer 401 "No matching advertiser found for scope". Its reports stay in
   * `reports()`. Throws when the client does not have it.
   */
  removeProfile(clientId: string, profileId: string): void;
  /** The current scenario (a copy). */
  scenario(): Scenario;
  close(): Promise<void>;
}
