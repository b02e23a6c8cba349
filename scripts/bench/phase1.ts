// Phase 1 latency with a fixed delay on each create (the five creates must overlap), and the exact
// Amazon calls of a happy run of each phase, counted at the simulator by method + path.
import { collectReports, requestReports, type PhaseSummary } from "../../src/lib/amazon-ads";
import { COLLECT_OPTIONS, ORG } from "./app";
import type { Backend } from "./databases";
import type { SimProcess } from "./sim-process";
import type { SimRequest } from "./sim-protocol";

export interface PhaseCalls {
  run: string;
  ms: number;
  /** "GET /eu/reporting/reports/{id}" → count, in first-seen order. */
  calls: Array<[string, number]>;
  total: number;
  /** What the app itself counted (AdsClient.callCount: token + API, not the S3 download). */
  appCount: number;
  /** The five creates overlap in time (latest start before earliest end). */
  createsOverlap?: boolean;
}

export interface Phase1Figures {
  backend: Backend;
  latencyMs: number;
  runs: PhaseCalls[];
}

/** Ids out of paths, so calls group by kind. */
function callKey(r: SimRequest): string {
  const path = r.path
    .replace(/^\/s3\/.*$/, "/s3/{bucket}/{key} (report file)")
    .replace(/(\/reporting\/reports\/)[^/]+$/, "$1{id}");
  return `${r.method} ${path}`;
}

function group(requests: SimRequest[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(callKey(r), (counts.get(callKey(r)) ?? 0) + 1);
  return [...counts.entries()];
}

async function run(sim: SimProcess, name: string, phase: () => Promise<PhaseSummary>): Promise<PhaseCalls> {
  await sim.clearRequests();
  const started = performance.now();
  const summary = await phase();
  const ms = performance.now() - started;
  if (summary.status !== "success") throw new Error(`${name}: ${summary.message}`);
  const requests = await sim.requests();
  const creates = requests.filter((r) => r.method === "POST" && r.path.endsWith("/reporting/reports"));
  const overlap =
    creates.length > 1
      ? Math.max(...creates.map((c) => c.time)) < Math.min(...creates.map((c) => c.endTime ?? Infinity))
      : undefined;
  return {
    run: name,
    ms,
    calls: group(requests),
    total: requests.length,
    appCount: summary.amazonCalls,
    ...(overlap === undefined ? {} : { createsOverlap: overlap }),
  };
}

/** Must run first on a fresh organisation: the first request run is the one that looks up the profile. */
export async function measurePhase1(sim: SimProcess, backend: Backend, latencyMs: number): Promise<Phase1Figures> {
  await sim.reset();
  await sim.cacheDownloads(false);
  await sim.setScenario({ createLatencyMs: latencyMs, pollsBeforeComplete: 0 });
  const request = () => requestReports(ORG);
  const collect = () => collectReports(ORG, COLLECT_OPTIONS);
  const runs = [
    await run(sim, "request (first run)", request),
    await run(sim, "collect", collect),
    await run(sim, "request (second run)", request),
    await run(sim, "collect", collect),
  ];
  await sim.reset();
  await sim.setScenario({ pollsBeforeComplete: 0 });
  return { backend, latencyMs, runs };
}
