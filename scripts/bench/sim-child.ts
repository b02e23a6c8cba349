// The Amazon simulator in a process of its own (lib.ts's startSim), so its work does not share the measured event
// loop: the ingest bench's default account behind an S3 front, or (with a ScaleSimConfig) the scale run's
// organisations, whose call figures it computes from its request log (only those cross to the parent).
import crypto from "node:crypto";
import http from "node:http";
import { SIM_DEFAULTS, simScaleAccounts, startSimulator } from "../../tools/amazon-ads-simulator/index";
import type { RecordedRequest, ReportSummary, Scenario } from "../../tools/amazon-ads-simulator/index";
import { peakInWindow, upperMedian, type ScaleOrg, type ScaleSimConfig } from "./lib";

const config = process.argv[2] ? (JSON.parse(process.argv[2]) as ScaleSimConfig) : null;
const { sim, urls, orgs = [], front } = config ? await scaleSim(config) : await ingestSim();
const close = () => Promise.all([front?.close(), sim.close()]).then(() => process.exit(0));
const ops: Record<string, (...args: never[]) => unknown> = {
  reset: () => sim.reset(),
  close: () => void close(),
  /** Rows a single-day report of each (profile, date) holds: the simulator's truth. */
  truth: (pairs: Array<[string, string]>) => pairs.map(([profile, date]) => sim.expectedRowCount(profile, date, date)),
  setProfileCampaigns: (campaigns: number) => sim.setProfileCampaigns(SIM_DEFAULTS.profileId, campaigns),
  setScenario: (patch: Partial<Scenario>) => sim.setScenario(patch),
  clearRequests: () => void sim.requests.splice(0),
  requests: () => sim.requests.map(({ method, path, time, endTime }) => ({ method, path, time, endTime })),
  cacheDownloads: (on: boolean) => front?.cache(on),
  accounts: () => orgs,
  calls: (stormClientIds: string[]) => callStats(sim.requests, sim.reports(), new Set(stormClientIds), orgs),
};
process.on("message", ({ id, op, args }: { id: number; op: string; args: never[] }) => {
  try {
    process.send?.({ id, ok: true, result: ops[op]!(...args) ?? null });
  } catch (error) {
    process.send?.({ id, ok: false, error: (error as Error).message });
  }
});
process.on("disconnect", () => void close()); // the parent went away (Ctrl+C, crash)
process.send?.({ id: 0, ok: true, result: urls });

/**
 * The default account behind a front that plays S3 as S3 is, stored bytes (the simulator regenerates a file over
 * 2 MiB per download, ~4 s of CPU at 200k rows): report URLs point at the front, and while caching is on a file
 * fetched once is served from memory after the simulator has checked the presigned URL (a HEAD).
 */
async function ingestSim() {
  const sim = await startSimulator({ quiet: true });
  const files = new Map<string, Buffer>();
  let [caching, base] = [false, ""];
  const forward = (req: http.IncomingMessage, method = req.method) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const headers = { ...req.headers, host: new URL(sim.baseUrl).host };
      const upstream = http.request(`${sim.baseUrl}${req.url}`, { method, headers }, resolve).on("error", reject);
      if (method === req.method) req.pipe(upstream);
      else upstream.end();
    });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const [s3, key] = [(req.url ?? "/").startsWith("/s3/"), (req.url ?? "/").split("?")[0]!];
    const cached = s3 && caching && req.method === "GET" ? files.get(key) : undefined;
    const check = cached && (await forward(req, "HEAD"));
    if (check && check.resume().statusCode === 200) return void res.writeHead(200, check.headers).end(cached);
    const answer = await forward(req);
    const json = String(answer.headers["content-type"] ?? "").includes("json");
    if (s3 ? !caching || answer.statusCode !== 200 || req.method !== "GET" : !json)
      return void answer.pipe(res.writeHead(answer.statusCode ?? 502, answer.headers));
    const body = Buffer.concat(await answer.toArray());
    if (s3 && files.set(key, body).size > 4) files.delete(files.keys().next().value!);
    if (s3) return void res.writeHead(200, answer.headers).end(body);
    const text = body.toString("utf8").replaceAll(`${sim.baseUrl}/s3/`, `${base}/s3/`);
    res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "content-length": Buffer.byteLength(text) }).end(text);
  }
  const server = http.createServer((req, res) =>
    handle(req, res).catch((e: Error) => (res.headersSent ? res : res.writeHead(502)).end(`s3 front: ${e.message}`)),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const front = {
    cache: (on: boolean) => (caching = on) || files.clear(),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const apiUrl = { NA: `${base}/na`, EU: `${base}/eu`, FE: `${base}/fe` };
  return { sim, urls: { baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, apiUrl }, front, orgs: undefined };
}

/** The scale run's organisations (simScaleAccounts), their campaigns and faults. */
async function scaleSim(c: ScaleSimConfig) {
  const { clients, profiles } = simScaleAccounts(c.organisations, { seed: c.seed, sharedClient: c.sharedClient });
  const campaignsOf = new Map<string, number>();
  for (const profile of profiles) {
    // Uniform in [0, 1) from the profile id: the same account size on every run and in both processes.
    const u = crypto.createHash("sha256").update(`${c.seed}:${profile.profileId}`).digest().readUInt32BE(0) / 2 ** 32;
    campaignsOf.set(profile.profileId, (profile.campaigns = Math.round(5 * 1000 ** (u ** c.campaignSkew))));
  }
  // Revoked tokens in the middle of each block of 1/share organisations, storms right after (none on one client id).
  const faults = new Map<number, ScaleOrg["fault"]>();
  const count = Math.max(1, Math.round(c.organisations * c.faultyShare));
  for (let k = count - 1; k >= 0; k--) {
    const at = Math.floor(((k + 0.5) * c.organisations) / count);
    if (!c.sharedClient) faults.set((at + 1) % c.organisations, "storm");
    faults.set(at, "revoked");
  }
  const orgs: ScaleOrg[] = clients.map(({ clientId, clientSecret, refreshToken, profileIds }, index) => ({
    ...{ index, clientId, clientSecret, refreshToken, profileIds, fault: faults.get(index) ?? null },
    campaigns: profileIds.map((id) => campaignsOf.get(id) ?? 0),
  }));
  for (const org of orgs) if (org.fault === "storm") clients[org.index]!.storm429 = {};
  const revokedRefreshTokens = orgs.filter((o) => o.fault === "revoked").map((o) => o.refreshToken);
  const { apiLatencyMs, tokenLatencyMs, generationMs, clientRateLimit } = c;
  const scenario = { apiLatencyMs, tokenLatencyMs, generationMs, revokedRefreshTokens };
  const sim = await startSimulator({
    ...{ clients, profiles, quiet: true },
    scenario: { ...scenario, ...(clientRateLimit ? { clientRateLimit } : {}) },
  });
  return { sim, urls: { baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl }, orgs, front: undefined };
}

const FILE = /\/report-(.+)-\d+\.json\.gz$/;
type Kind = "token" | "profiles" | "create" | "poll" | "delete" | "download" | "other";
type Call = RecordedRequest & { kind: Kind; client: string; throttled: boolean; storm: boolean };
export type CallStats = ReturnType<typeof callStats>;

function kindOf(r: RecordedRequest): Kind {
  if (r.path === "/auth/o2/token") return "token";
  if (r.path.startsWith("/s3/")) return "download";
  if (r.path.endsWith("/v2/profiles")) return "profiles";
  if (r.method === "POST" && r.path.endsWith("/reporting/reports")) return "create";
  if (/^\/(na|eu|fe)\/reporting\/reports\/[^/]+$/.test(r.path)) return r.method === "DELETE" ? "delete" : "poll";
  return "other";
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
/** Groups by `key`; a falsy key leaves the item out. */
function groupBy<T>(xs: readonly T[], key: (x: T) => string | false | null | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (k) (groups.get(k) ?? groups.set(k, []).get(k)!).push(x);
  }
  return groups;
}
const byKind = (xs: Call[]) =>
  Object.fromEntries([...groupBy(xs, (c) => c.kind)].map(([k, v]) => [k, v.length])) as Record<string, number>;
const bodyOf = (c: Call): { startDate?: unknown; endDate?: unknown } => {
  try {
    return JSON.parse(c.body) as object;
  } catch {
    return {};
  }
};
/** A create or report of the history: a range, or one day older than the lookbacks reach (31 days). */
const isHistory = (start: string, end: string) =>
  start !== end || Date.now() - Date.parse(`${start}T00:00:00Z`) > 31 * 86_400_000;
/** The simulator's count of GETs of each completed report. */
const polls = (reports: readonly ReportSummary[]) =>
  reports.filter((r) => r.status === "COMPLETED").map((r) => r.polls);

/** Per client id: its most calls in any 1-second window (the max, the median over ids) and its most in flight at once. */
function peaksOf(byClient: Array<[string, Call[]]>) {
  const perSecond = byClient.map(([, calls]) => peakInWindow(sorted(calls.map((c) => c.time))));
  const inFlight = byClient.map(([, calls]) => {
    const edges = calls.flatMap((c) => [[c.time, 1] as const, [c.endTime ?? c.time, -1] as const]);
    let [open, best] = [0, 0];
    for (const [, delta] of edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])) best = Math.max(best, (open += delta));
    return best;
  });
  const maxPerSecond = max(perSecond);
  return {
    clients: perSecond.length,
    maxPerSecond,
    medianPerSecond: upperMedian(perSecond),
    maxInFlight: max(inFlight),
  };
}

/**
 * The call figures of a run: Amazon calls are token + Ads API calls (not S3), a client id's by the form's
 * client_id or the header; `…Others` leave out the client ids under a 429 storm.
 */
function callStats(requests: RecordedRequest[], reports: ReportSummary[], stormIds: Set<string>, logins: ScaleOrg[]) {
  const calls: Call[] = requests.map((r) => {
    const kind = kindOf(r);
    const id =
      kind === "token" ? new URLSearchParams(r.body).get("client_id") : r.headers["amazon-advertising-api-clientid"];
    return { ...r, kind, client: id ?? "", throttled: r.status === 429, storm: stormIds.has(id ?? "") };
  });
  const amazon = calls.filter((c) => c.kind !== "download");
  const ads = amazon.filter((c) => c.kind !== "token");
  const others = ads.filter((c) => !c.storm);
  const accepted = sorted(ads.filter((c) => !c.throttled).map((c) => c.time));
  // Phase 1, from the first Ads API call to the last create: work was always due, so the limits set the rate.
  const creates = ads.filter((c) => c.kind === "create");
  const lastCreate = creates.reduce((t, c) => Math.max(t, c.time), -Infinity);
  const firstAdsCall = ads.reduce((t, c) => Math.min(t, c.time), Infinity);
  const phase1Seconds = creates.length ? Math.max(0.001, (lastCreate - firstAdsCall) / 1000) : 0;
  const phase1Accepted = accepted.filter((t) => t <= lastCreate).length;
  const latency: Record<string, { mean: number; p95: number }> = {};
  const answered = calls.filter((c) => c.endTime !== undefined);
  for (const [kind, list] of groupBy(answered, (c) => c.kind)) {
    const ms = sorted(list.map((c) => c.endTime! - c.time));
    latency[kind] = { mean: mean(ms), p95: ms[Math.floor(ms.length * 0.95)]! };
  }
  const historyCreates = creates.filter((c) => {
    const { startDate, endDate } = bodyOf(c);
    return typeof startDate === "string" && typeof endDate === "string" && isHistory(startDate, endDate);
  });
  const history = reports.filter((r) => isHistory(r.startDate, r.endDate));
  const twice = (groups: Map<string, unknown[]>) => [...groups.values()].filter((g) => g.length > 1).length;
  const byClient = [...groupBy(amazon, (c) => c.client)];
  return {
    amazonCalls: amazon.length,
    ...{ byKind: byKind(calls), byKind429: byKind(calls.filter((c) => c.throttled)) },
    byKindOthers: byKind(amazon.filter((c) => !c.storm)),
    ...{ adsApiCalls: ads.length, adsApi429: ads.filter((c) => c.throttled).length },
    ...{ adsApiCallsOthers: others.length, adsApi429Others: others.filter((c) => c.throttled).length },
    tokens: tokenFigures(calls, logins),
    phase1AcceptedPerSecond: phase1Seconds ? phase1Accepted / phase1Seconds : 0,
    ...{ phase1Accepted, phase1Seconds, peakAcceptedPerSecond: peakInWindow(accepted), latency },
    peakPerSecond: peakInWindow(sorted(amazon.map((c) => c.time))),
    others: peaksOf(byClient.filter(([id]) => !stormIds.has(id))),
    storm: peaksOf(byClient.filter(([id]) => stormIds.has(id))),
    /** (profile, startDate, endDate) for which Amazon accepted more than one create; files downloaded more than once. */
    duplicateCreates: twice(groupBy(reports, (r) => `${r.profileId}|${r.startDate}|${r.endDate}`)),
    duplicateDownloads: twice(groupBy(calls, (c) => c.kind === "download" && (FILE.exec(c.path)?.[1] ?? c.path))),
    ...{ reportsCreated: reports.length, pollsPerReport: mean(polls(reports)) },
    history: {
      ...{ reports: history.length, pollsPerReport: mean(polls(history)), maxPolls: max(polls(history)) },
      ...{ createCalls: historyCreates.length, createCalls429: historyCreates.filter((c) => c.throttled).length },
    },
  };
}

/** Token exchanges Amazon accepted per login (refresh_token), and its activity: first exchange to last scoped call. */
function tokenFigures(calls: Call[], logins: ScaleOrg[]) {
  const loginOf = new Map(logins.flatMap((l) => l.profileIds.map((id) => [id, l.refreshToken] as const)));
  const refreshToken = (c: Call) => new URLSearchParams(c.body).get("refresh_token");
  const tokens = calls.filter((c) => c.kind === "token" && refreshToken(c));
  const accepted = groupBy(tokens, (c) => c.status === 200 && refreshToken(c));
  const lastCall = new Map<string, number>();
  for (const c of calls) {
    const login = c.kind === "token" ? undefined : loginOf.get(c.headers["amazon-advertising-api-scope"] ?? "");
    if (login && accepted.has(login)) lastCall.set(login, Math.max(lastCall.get(login) ?? 0, c.endTime ?? c.time));
  }
  const counts = [...accepted.values()].map((x) => x.length);
  const minutes = [...accepted].map(([login, x]) => {
    const times = x.map((c) => c.time);
    return (Math.max(lastCall.get(login) ?? 0, ...times) - Math.min(...times)) / 60_000;
  });
  const perHour = counts.map((n, i) => n / Math.max(1, Math.ceil(minutes[i]! / 60)));
  return {
    ...{ logins: accepted.size, refused: tokens.length - counts.reduce((a, b) => a + b, 0) },
    ...{ meanPerLogin: mean(counts), maxPerLogin: max(counts), perActiveHourMax: max(perHour) },
    ...{ activeMinutesMean: mean(minutes), activeMinutesMax: max(minutes) },
  };
}
