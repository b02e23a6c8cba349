// Messages between `npm run bench -- scale` and its simulator process (scale-sim-child.ts), and what
// the two agree on: the generated organisations and the call figures the simulator computes from its log.
import type { ClientRateLimit, MsRange } from "../../tools/amazon-ads-simulator/index";

export interface ScaleSimConfig {
  organisations: number;
  seed: number;
  /** campaigns = round(5 · 1000^(u^skew)), u uniform in [0, 1) per profile: 5 … 5,000, skewed to small accounts. */
  campaignSkew: number;
  apiLatencyMs: MsRange;
  tokenLatencyMs: MsRange;
  /** Report generation time on the simulator's (real) clock: already scaled down. */
  generationMs: MsRange;
  /**
   * Share of organisations with a revoked refresh token, and (without `sharedClient`) the same share again
   * under a 429 storm. With one client id for all a storm would throttle every organisation: none then.
   */
  faultyShare: number;
  /**
   * Every organisation a login of one LwA app (SCALE_SHARED_CLIENT_ID, the operator's app), each its own
   * refresh token and profiles; the bench saves them with client_id "" and sets AMAZON_ADS_CLIENT_ID/SECRET.
   */
  sharedClient: boolean;
  /** The simulator's token bucket per client id on every Ads API call (null: none). */
  clientRateLimit: ClientRateLimit | null;
}

export type Fault = "revoked" | "storm" | null;

/**
 * One organisation: its LwA client (id, secret: its own, or the one shared app's), its own refresh token,
 * and its profiles at the simulator.
 */
export interface ScaleOrg {
  /** 0-based position in the generated list. */
  index: number;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  profileIds: string[];
  campaigns: number[];
  fault: Fault;
}

export interface ClientPeaks {
  clients: number;
  /** Most calls (token + Ads API) any one client id made within any 1-second window. */
  maxPerSecond: number;
  /** The median over client ids of each one's own peak. */
  medianPerSecond: number;
  /** Most calls of one client id in flight at once. */
  maxInFlight: number;
}

/** The logins' token exchanges (by refresh token), and how long each login was active. */
export interface TokenFigures {
  /** Logins with at least one exchange Amazon accepted. */
  logins: number;
  /** Exchanges Amazon accepted (200). */
  exchanges: number;
  /** Exchanges Amazon refused (revoked refresh tokens). */
  refused: number;
  meanPerLogin: number;
  maxPerLogin: number;
  /** Per login: accepted exchanges ÷ started hours of its activity (first to last call of the login); mean, max. */
  perActiveHourMean: number;
  perActiveHourMax: number;
  /** A login's activity, from its first token exchange to its last call scoped to one of its profiles, minutes. */
  activeMinutesMean: number;
  activeMinutesMax: number;
}

export interface CallStats {
  /** Token + Ads API calls (the S3 download is not an Amazon API call). */
  amazonCalls: number;
  byKind: Record<string, number>;
  /** Of byKind, the calls answered 429. */
  byKind429: Record<string, number>;
  /** byKind without the calls of client ids under a 429 storm (their organisations load nothing). */
  byKindOthers: Record<string, number>;
  /** Ads API calls (profiles, create, poll, delete, other): the ones a per-client-id limit counts. */
  adsApiCalls: number;
  /** Of them, answered 429. */
  adsApi429: number;
  /** Ads API calls of the client ids not under a storm, and their 429s (a storm's 429s are its own). */
  adsApiCallsOthers: number;
  adsApi429Others: number;
  tokens: TokenFigures;
  /**
   * Ads API calls Amazon accepted (not 429) per second, from the first Ads API call to the last create:
   * phase 1, when work was always due, so the rate is what the limits let through.
   */
  phase1AcceptedPerSecond: number;
  /** Ads API calls Amazon accepted in that span, and the span, s. */
  phase1Accepted: number;
  phase1Seconds: number;
  /** Most accepted Ads API calls within any 1-second window. */
  peakAcceptedPerSecond: number;
  /** How long the simulator took to answer, per kind of call (receipt to response end), ms. */
  latency: Record<string, { mean: number; p95: number }>;
  /** Most Amazon calls (all clients) within any 1-second window. */
  peakPerSecond: number;
  /** Client ids not in a 429 storm (the revoked ones included: one token call each). */
  others: ClientPeaks;
  storm: ClientPeaks;
  /** (profile, startDate, endDate) for which Amazon accepted more than one create. */
  duplicateCreates: number;
  /** Report files downloaded more than once. */
  duplicateDownloads: number;
  reportsCreated: number;
  /** Polls (GETs) per report, as the simulator counted them, over reports it completed. */
  pollsPerReport: number;
  /** The history's share (reports that are not one of the day's lookbacks: a range, or a day older than 31). */
  history: HistoryCalls;
}

export interface HistoryCalls {
  /** History reports Amazon created. */
  reports: number;
  /** Create calls for them, 429s and retention refusals included. */
  createCalls: number;
  createCalls429: number;
  /** Polls per history report over those Amazon completed; the most any one took. */
  pollsPerReport: number;
  maxPolls: number;
}

export type ScaleSimCommand =
  | { op: "accounts" }
  | { op: "reset" }
  | { op: "truth"; pairs: Array<[profileId: string, date: string]> }
  | { op: "calls"; stormClientIds: string[] }
  | { op: "close" };
