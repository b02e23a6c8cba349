// The call figures of a scale run, computed inside the simulator's process from its request log (which
// can hold a few hundred thousand requests; only these figures cross the process boundary).
import type { RecordedRequest, ReportSummary } from "../../tools/amazon-ads-simulator/index";
import type { CallStats, ClientPeaks } from "./scale-protocol";

const REPORT_PATH = /^\/(na|eu|fe)\/reporting\/reports\/[^/]+$/;
const DOWNLOAD_FILE = /\/report-(.+)-\d+\.json\.gz$/;

type Kind = "token" | "profiles" | "create" | "poll" | "delete" | "download" | "other";

function kindOf(r: RecordedRequest): Kind {
  if (r.path === "/auth/o2/token") return "token";
  if (r.path.startsWith("/s3/")) return "download";
  if (r.path.endsWith("/v2/profiles")) return "profiles";
  if (r.method === "POST" && r.path.endsWith("/reporting/reports")) return "create";
  if (REPORT_PATH.test(r.path)) return r.method === "DELETE" ? "delete" : "poll";
  return "other";
}

function clientOf(r: RecordedRequest, kind: Kind): string | null {
  if (kind === "token") return new URLSearchParams(r.body).get("client_id");
  return r.headers["amazon-advertising-api-clientid"] ?? null;
}

/** Most events within any window of `windowMs` (times in ms, sorted ascending). */
export function peakInWindow(sorted: readonly number[], windowMs = 1_000): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Most intervals [start, end) open at once. */
function maxInFlight(calls: ReadonlyArray<{ time: number; endTime?: number }>): number {
  const edges = calls.flatMap((c) => [
    [c.time, 1],
    [c.endTime ?? c.time, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let best = 0;
  for (const [, delta] of edges) {
    open += delta!;
    best = Math.max(best, open);
  }
  return best;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function peaksOf(byClient: Map<string, RecordedRequest[]>, include: (clientId: string) => boolean): ClientPeaks {
  const perSecond: number[] = [];
  let inFlight = 0;
  for (const [clientId, calls] of byClient) {
    if (!include(clientId)) continue;
    perSecond.push(peakInWindow(calls.map((c) => c.time).sort((a, b) => a - b)));
    inFlight = Math.max(inFlight, maxInFlight(calls));
  }
  return {
    clients: perSecond.length,
    maxPerSecond: perSecond.length ? Math.max(...perSecond) : 0,
    medianPerSecond: median(perSecond),
    maxInFlight: inFlight,
  };
}

export function callStats(
  requests: readonly RecordedRequest[],
  reports: readonly ReportSummary[],
  stormClientIds: ReadonlySet<string>,
): CallStats {
  const byKind: Record<string, number> = {};
  const byClient = new Map<string, RecordedRequest[]>();
  const amazonTimes: number[] = [];
  const downloads = new Map<string, number>();
  const durations = new Map<string, number[]>();
  for (const r of requests) {
    const kind = kindOf(r);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    if (r.endTime !== undefined) {
      let list = durations.get(kind);
      if (!list) durations.set(kind, (list = []));
      list.push(r.endTime - r.time);
    }
    if (kind === "download") {
      const reportId = DOWNLOAD_FILE.exec(r.path)?.[1] ?? r.path;
      downloads.set(reportId, (downloads.get(reportId) ?? 0) + 1);
      continue;
    }
    amazonTimes.push(r.time);
    const clientId = clientOf(r, kind);
    if (!clientId) continue;
    let calls = byClient.get(clientId);
    if (!calls) byClient.set(clientId, (calls = []));
    calls.push(r);
  }
  amazonTimes.sort((a, b) => a - b);
  const creates = new Map<string, number>();
  for (const report of reports) {
    const key = `${report.profileId}|${report.startDate}|${report.endDate}`;
    creates.set(key, (creates.get(key) ?? 0) + 1);
  }
  const completed = reports.filter((r) => r.status === "COMPLETED");
  const latency: CallStats["latency"] = {};
  for (const [kind, list] of durations) {
    list.sort((a, b) => a - b);
    latency[kind] = {
      mean: list.reduce((a, b) => a + b, 0) / list.length,
      p95: list[Math.floor(list.length * 0.95)]!,
    };
  }
  return {
    amazonCalls: amazonTimes.length,
    byKind,
    latency,
    peakPerSecond: peakInWindow(amazonTimes),
    others: peaksOf(byClient, (id) => !stormClientIds.has(id)),
    storm: peaksOf(byClient, (id) => stormClientIds.has(id)),
    duplicateCreates: [...creates.values()].filter((n) => n > 1).length,
    duplicateDownloads: [...downloads.values()].filter((n) => n > 1).length,
    reportsCreated: reports.length,
    pollsPerReport: completed.length ? completed.reduce((n, r) => n + r.polls, 0) / completed.length : 0,
  };
}
