// The call figures of a scale run, computed inside the simulator's process from its request log (which
// can hold a few hundred thousand requests; only these figures cross the process boundary).
import type { RecordedRequest, ReportSummary } from "../../tools/amazon-ads-simulator/index";
import type { CallStats, ClientPeaks, HistoryCalls, TokenFigures } from "./scale-protocol";

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

/** A login as the simulator knows it: its refresh token and its profiles. */
export interface LoginOfOrg {
  refreshToken: string;
  profileIds: readonly string[];
}

const HOUR_MS = 3_600_000;

/**
 * Token exchanges per login (the form's refresh_token), and each login's activity: from its first
 * exchange to its last call scoped to one of its profiles (the listings carry no scope; they follow
 * the exchange of the discovery that makes them).
 */
function tokenFigures(requests: readonly RecordedRequest[], logins: readonly LoginOfOrg[]): TokenFigures {
  const loginOfProfile = new Map<string, string>();
  for (const login of logins) for (const id of login.profileIds) loginOfProfile.set(id, login.refreshToken);
  const accepted = new Map<string, number>();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  let refused = 0;
  const seen = (login: string, time: number) => {
    first.set(login, Math.min(first.get(login) ?? time, time));
    last.set(login, Math.max(last.get(login) ?? time, time));
  };
  for (const r of requests) {
    if (r.path === "/auth/o2/token") {
      const login = new URLSearchParams(r.body).get("refresh_token");
      if (!login) continue;
      if (r.status === 200) {
        accepted.set(login, (accepted.get(login) ?? 0) + 1);
        seen(login, r.time);
      } else refused++;
      continue;
    }
    const scope = r.headers["amazon-advertising-api-scope"];
    const login = scope === undefined ? undefined : loginOfProfile.get(scope);
    if (login !== undefined && accepted.has(login)) seen(login, r.endTime ?? r.time);
  }
  const counts = [...accepted.values()];
  const minutes: number[] = [];
  const perHour: number[] = [];
  for (const [login, n] of accepted) {
    const span = last.get(login)! - first.get(login)!;
    minutes.push(span / 60_000);
    perHour.push(n / Math.max(1, Math.ceil(span / HOUR_MS)));
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
  return {
    logins: accepted.size,
    exchanges: counts.reduce((a, b) => a + b, 0),
    refused,
    meanPerLogin: mean(counts),
    maxPerLogin: max(counts),
    perActiveHourMean: mean(perHour),
    perActiveHourMax: max(perHour),
    activeMinutesMean: mean(minutes),
    activeMinutesMax: max(minutes),
  };
}

/** A create or report of the history: a range, or one day older than the lookbacks reach (31 days: 30 and a zone's day). */
function isHistory(startDate: string, endDate: string, now: number): boolean {
  return startDate !== endDate || now - Date.parse(`${startDate}T00:00:00Z`) > 31 * 86_400_000;
}

function historyCalls(requests: readonly RecordedRequest[], reports: readonly ReportSummary[]): HistoryCalls {
  const now = Date.now();
  const ofHistory = reports.filter((r) => isHistory(r.startDate, r.endDate, now));
  const completed = ofHistory.filter((r) => r.status === "COMPLETED");
  let createCalls = 0;
  let createCalls429 = 0;
  for (const r of requests) {
    if (kindOf(r) !== "create") continue;
    let body: { startDate?: unknown; endDate?: unknown };
    try {
      body = JSON.parse(r.body) as typeof body;
    } catch {
      continue;
    }
    if (typeof body.startDate !== "string" || typeof body.endDate !== "string") continue;
    if (!isHistory(body.startDate, body.endDate, now)) continue;
    createCalls++;
    if (r.status === 429) createCalls429++;
  }
  return {
    reports: ofHistory.length,
    createCalls,
    createCalls429,
    pollsPerReport: completed.length ? completed.reduce((n, r) => n + r.polls, 0) / completed.length : 0,
    maxPolls: completed.reduce((n, r) => Math.max(n, r.polls), 0),
  };
}

export function callStats(
  requests: readonly RecordedRequest[],
  reports: readonly ReportSummary[],
  stormClientIds: ReadonlySet<string>,
  logins: readonly LoginOfOrg[] = [],
): CallStats {
  const byKind: Record<string, number> = {};
  const byKind429: Record<string, number> = {};
  const byKindOthers: Record<string, number> = {};
  let adsApiCalls = 0;
  let adsApi429 = 0;
  let adsApiCallsOthers = 0;
  let adsApi429Others = 0;
  const acceptedTimes: number[] = [];
  let firstAdsCall = Infinity;
  let lastCreate = -Infinity;
  const byClient = new Map<string, RecordedRequest[]>();
  const amazonTimes: number[] = [];
  const downloads = new Map<string, number>();
  const durations = new Map<string, number[]>();
  for (const r of requests) {
    const kind = kindOf(r);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const throttled = r.status === 429;
    if (throttled) byKind429[kind] = (byKind429[kind] ?? 0) + 1;
    if (kind !== "download" && !stormClientIds.has(clientOf(r, kind) ?? ""))
      byKindOthers[kind] = (byKindOthers[kind] ?? 0) + 1;
    if (kind !== "token" && kind !== "download") {
      adsApiCalls++;
      if (throttled) adsApi429++;
      else acceptedTimes.push(r.time);
      if (!stormClientIds.has(clientOf(r, kind) ?? "")) {
        adsApiCallsOthers++;
        if (throttled) adsApi429Others++;
      }
      firstAdsCall = Math.min(firstAdsCall, r.time);
      if (kind === "create") lastCreate = Math.max(lastCreate, r.time);
    }
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
  acceptedTimes.sort((a, b) => a - b);
  const phase1Seconds = Number.isFinite(lastCreate) ? Math.max(0.001, (lastCreate - firstAdsCall) / 1000) : 0;
  const phase1Accepted = acceptedTimes.filter((t) => t <= lastCreate).length;
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
    byKind429,
    byKindOthers,
    adsApiCalls,
    adsApi429,
    adsApiCallsOthers,
    adsApi429Others,
    tokens: tokenFigures(requests, logins),
    phase1AcceptedPerSecond: phase1Seconds ? phase1Accepted / phase1Seconds : 0,
    phase1Accepted,
    phase1Seconds,
    peakAcceptedPerSecond: peakInWindow(acceptedTimes),
    latency,
    peakPerSecond: peakInWindow(amazonTimes),
    others: peaksOf(byClient, (id) => !stormClientIds.has(id)),
    storm: peaksOf(byClient, (id) => stormClientIds.has(id)),
    duplicateCreates: [...creates.values()].filter((n) => n > 1).length,
    duplicateDownloads: [...downloads.values()].filter((n) => n > 1).length,
    reportsCreated: reports.length,
    pollsPerReport: completed.length ? completed.reduce((n, r) => n + r.polls, 0) / completed.length : 0,
    history: historyCalls(requests, reports),
  };
}
