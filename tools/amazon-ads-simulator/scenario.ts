import type { Scenario } from "./types";

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

const SCENARIO_KEYS = new Set<string>(Object.keys(defaultScenario()));

export function cloneScenario(scenario: Scenario): Scenario {
  return structuredClone(scenario);
}

/** Top-level merge: a patch's `create429` replaces the whole counter object. */
export function mergeScenario(base: Scenario, patch: Partial<Scenario>): Scenario {
  const unknownKeys = Object.keys(patch).filter((key) => !SCENARIO_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new Error(`Unknown scenario keys: ${unknownKeys.join(", ")}`);
  }
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
