import type { ClientRateLimit, LatencyMs, MsRange, Scenario } from "./types";

export function defaultScenario(): Scenario {
  return {
    pollsBeforeComplete: 1,
    create429: { count: 0 },
    poll429: { count: 0 },
    create5xx: { count: 0 },
    poll5xx: { count: 0 },
    token5xx: { count: 0 },
    download5xx: { count: 0 },
    downloadReset: { count: 0 },
    downloadTruncate: { count: 0 },
    duplicateOfOtherConfig: { count: 0 },
    stuckDates: [],
    failDates: [],
    emptyDates: [],
    withdrawnCampaignIds: [],
    nullColumns: { dates: [], columns: [] },
    corruptDates: [],
    expireUrlOnce: false,
    restatementVersion: 0,
    extraInvalidColumns: [],
    createLatencyMs: 0,
    revokedRefreshTokens: [],
    tokenLatencyMs: 0,
    apiLatencyMs: 0,
  };
}

/** Optional keys (absent from the default scenario) are allowed too. */
const SCENARIO_KEYS = new Set<string>([...Object.keys(defaultScenario()), "generationMs", "clientRateLimit"]);

function isMsRange(value: unknown): value is MsRange {
  if (value === null || typeof value !== "object") return false;
  const { min, max } = value as Record<string, unknown>;
  return typeof min === "number" && typeof max === "number" && min >= 0 && min <= max && Number.isFinite(max);
}

function isClientRateLimit(value: unknown): value is ClientRateLimit {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const { perSecond, burst, retryAfterSeconds } = value as Record<string, unknown>;
  return (
    typeof perSecond === "number" &&
    perSecond > 0 &&
    Number.isFinite(perSecond) &&
    typeof burst === "number" &&
    burst >= 1 &&
    Number.isFinite(burst) &&
    (retryAfterSeconds === undefined ||
      (typeof retryAfterSeconds === "number" && retryAfterSeconds >= 0 && Number.isFinite(retryAfterSeconds)))
  );
}

function isLatency(value: unknown): value is LatencyMs {
  return (typeof value === "number" && value >= 0 && Number.isFinite(value)) || isMsRange(value);
}

/** Throws on a range-valued field that could not be served (a typo'd JSON from the CLI or the admin route). */
function checkRanges(patch: Partial<Scenario>): void {
  for (const key of ["apiLatencyMs", "tokenLatencyMs"] as const) {
    if (patch[key] !== undefined && !isLatency(patch[key])) {
      throw new Error(`${key} must be a number of ms or {"min":…,"max":…} with 0 <= min <= max`);
    }
  }
  if (patch.generationMs !== undefined && patch.generationMs !== null && !isMsRange(patch.generationMs)) {
    throw new Error(`generationMs must be null or {"min":…,"max":…} with 0 <= min <= max`);
  }
  if (
    patch.clientRateLimit !== undefined &&
    patch.clientRateLimit !== null &&
    !isClientRateLimit(patch.clientRateLimit)
  ) {
    throw new Error(
      `clientRateLimit must be null or {"perSecond":…,"burst":…,"retryAfterSeconds"?:…} ` +
        `with perSecond > 0, burst >= 1, retryAfterSeconds >= 0`,
    );
  }
}

/** This request's delay: the fixed number, or a uniform draw from the range. */
export function latencyMs(latency: LatencyMs): number {
  return typeof latency === "number" ? latency : latency.min + Math.random() * (latency.max - latency.min);
}

export function cloneScenario(scenario: Scenario): Scenario {
  return structuredClone(scenario);
}

/** Top-level merge: a patch's `create429` replaces the whole counter object. */
export function mergeScenario(base: Scenario, patch: Partial<Scenario>): Scenario {
  const unknownKeys = Object.keys(patch).filter((key) => !SCENARIO_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new Error(`Unknown scenario keys: ${unknownKeys.join(", ")}`);
  }
  checkRanges(patch);
  const merged = cloneScenario(base);
  const definedEntries = Object.entries(structuredClone(patch)).filter(([, value]) => value !== undefined);
  return { ...merged, ...(Object.fromEntries(definedEntries) as Partial<Scenario>) };
}

type CounterKey =
  | "create429"
  | "poll429"
  | "create5xx"
  | "poll5xx"
  | "token5xx"
  | "download5xx"
  | "downloadReset"
  | "downloadTruncate"
  | "duplicateOfOtherConfig";

/** Uses up one unit of a fault counter; returns the counter's settings when the fault applies to this call. */
export function consumeFault<K extends CounterKey>(scenario: Scenario, key: K): Scenario[K] | null {
  const counter = scenario[key];
  if (counter.count <= 0) return null;
  counter.count -= 1;
  return { ...counter };
}
