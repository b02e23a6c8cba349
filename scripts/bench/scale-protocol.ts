// Messages between `npm run bench -- scale` and its simulator process (scale-sim-child.ts), and what
// the two agree on: the generated organisations and the call figures the simulator computes from its log.
import type { MsRange } from "../../tools/amazon-ads-simulator/index";

export interface ScaleSimConfig {
  organisations: number;
  seed: number;
  /** campaigns = round(5 · 1000^(u^skew)), u uniform in [0, 1) per profile: 5 … 5,000, skewed to small accounts. */
  campaignSkew: number;
  apiLatencyMs: MsRange;
  tokenLatencyMs: MsRange;
  /** Report generation time on the simulator's (real) clock: already scaled down. */
  generationMs: MsRange;
  /** Share of organisations with a revoked refresh token, and the same share again under a 429 storm. */
  faultyShare: number;
}

export type Fault = "revoked" | "storm" | null;

/** One organisation: its own LwA client (id, secret, refresh token) and its profiles at the simulator. */
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

export interface CallStats {
  /** Token + Ads API calls (the S3 download is not an Amazon API call). */
  amazonCalls: number;
  byKind: Record<string, number>;
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
}

export type ScaleSimCommand =
  | { op: "accounts" }
  | { op: "reset" }
  | { op: "truth"; pairs: Array<[profileId: string, date: string]> }
  | { op: "calls"; stormClientIds: string[] }
  | { op: "close" };
