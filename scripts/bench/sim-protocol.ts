// Messages between the benchmark and its simulator process (sim-child.ts).
import type { Scenario } from "../../tools/amazon-ads-simulator/index";

export type SimCommand =
  | { op: "setProfileCampaigns"; campaigns: number }
  | { op: "setScenario"; patch: Partial<Scenario> }
  | { op: "reset" }
  | { op: "clearRequests" }
  | { op: "requests" }
  | { op: "expectedCount"; date: string }
  | { op: "cacheDownloads"; on: boolean }
  | { op: "close" };

export type SimReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface SimUrls {
  baseUrl: string;
  tokenUrl: string;
  apiUrl: Record<"NA" | "EU" | "FE", string>;
}

export interface SimRequest {
  method: string;
  path: string;
  time: number;
  endTime?: number;
}
