// The scale run's figures as markdown (printed, and on a full run written between the scale markers of
// docs/benchmarks.md; everything else in the doc is left alone).
import fs from "node:fs";
import type { WorkerOptions } from "../../src/lib/amazon-ads";
import { firstPollDelayMs, nextPollDelayMs } from "../../src/lib/amazon-ads/queue/poll-pacing";

/** The engine's own poll pacing, for the model of polls at Amazon's generation times. */
const PACING = { first: firstPollDelayMs, next: nextPollDelayMs };
import {
  CALL_KINDS,
  callsPerProfile,
  fmt,
  fmtDuration,
  functionSecondsPerOrg,
  musts,
  per1000Throttled,
  pollsAtAmazon,
  pollsAtAmazonPaced,
  project,
  projectShared,
  sequentialProjection,
  type Projection,
  type SharedProjection,
} from "./scale-figures";
import type { ScaleSimConfig } from "./scale-protocol";
import type { ScaleRunFigures } from "./scale-run";

export interface ScaleReportInput {
  command: string;
  date: string;
  machine: string;
  totalSeconds: number;
  revision: string;
  config: ScaleSimConfig;
  /** Report generation and poll waits run this many times faster than at Amazon. */
  timeScale: number;
  realGenerationMs: { min: number; max: number };
  /** The worker's default poll waits (at Amazon's pace). */
  amazonPollDelaysMs: number[];
  worker: WorkerOptions;
  clientConcurrency: number;
  clientConcurrencyMax: number;
  unitsAtOnce: number;
  /** Today's two runs, each organisation its own client id (left out with --shared-only). */
  sequential?: ScaleRunFigures;
  parallel?: ScaleRunFigures;
  /** The run with every organisation on the operator's app (left out with --no-shared). */
  shared?: ScaleRunFigures;
  sharedConfig?: ScaleSimConfig;
}

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;

function runRows(r: ScaleRunFigures, clientConcurrency: number, seqProjected?: number | null): string[][] {
  const c = r.calls;
  const rowsPerSecond = r.dataInMs ? (r.rows.db * 1000) / r.dataInMs : 0;
  const dataIn =
    seqProjected === undefined
      ? fmtDuration(r.dataInMs)
      : `${fmtDuration(r.dataInMs)} measured; **${fmtDuration(seqProjected)} projected** to the full run's healthy profiles`;
  const lim = r.limits;
  const limits = r.sharedClient
    ? lim.watchedFinal.map((k) => `${k.key.split("@")[1]} ${fmt(k.concurrency, 1)}`).join(", ") +
      ` (sampled: ${lim.watched.map((k) => `${fmt(k.min, 1)}/${fmt(k.median, 1)}/${fmt(k.max, 1)}`).join(", ")} min/median/max)`
    : `${fmt(lim.rows)} keys learnt one: ${fmt(lim.final.min, 1)} / ${fmt(lim.final.median, 1)} / ${fmt(lim.final.max, 1)} min/median/max`;
  const fp = r.firstPolls;
  const tok = c.tokens;
  return [
    ["organisations (healthy)", `${fmt(r.organisations)} (${fmt(r.healthyOrgs)})`],
    [
      "profiles (healthy) / reports expected",
      `${fmt(r.profiles)} (${fmt(r.healthyProfiles)}) / ${fmt(r.expectedReports)}`,
    ],
    ["campaigns of healthy profiles", fmt(r.campaigns)],
    ["**time until every healthy organisation's data is in**", dataIn],
    [
      "dispatches (worker invocations)",
      `${r.dispatches.length} (${r.invocations}): ${r.dispatches.map((d) => `${d.job} ${s(d.wallMs)}`).join(", ")}` +
        `; workers stopped by ${stoppedText(r)}`,
    ],
    [
      "**longest invocation / budget**",
      `${s(r.longestMs)} / ${s(r.budgetMs)}; ${r.overBudget} over budget (the 3 longest: ${r.slowestMs.map(s).join(", ")})`,
    ],
    ["function time (Σ invocations); per organisation", `${s(r.workerMs)}; **${fmt(functionSecondsPerOrg(r), 1)} s**`],
    [
      "**units processed twice**",
      `${c.duplicateCreates + c.duplicateDownloads + r.loadedTwice + r.leaseLost} (creates accepted twice ${c.duplicateCreates}, downloads twice ${c.duplicateDownloads}, loaded twice ${r.loadedTwice}, leases lost ${r.leaseLost})`,
    ],
    [
      "**rows in amazon_sp_ads / simulator's truth**",
      `${fmt(r.rows.db)} / ${fmt(r.rows.truth)} (${r.rows.orgsEqual}/${r.rows.orgsChecked} organisations equal; revoked/storm organisations: ${r.rows.unhealthyRows} rows)`,
    ],
    ["reports loaded / failed", `${fmt(r.completedReports)} / ${r.failedReports}`],
    [
      "Amazon calls (token, profiles, create, poll, other; downloads)",
      `${fmt(c.amazonCalls)} (${["token", "profiles", "create", "poll"].map((k) => fmt(c.byKind[k] ?? 0)).join(", ")}, ${fmt((c.byKind.delete ?? 0) + (c.byKind.other ?? 0))}; ${fmt(c.byKind.download ?? 0)})`,
    ],
    [
      "…answered 429 (profiles, create, poll, other); **per 1,000 Ads API calls**",
      `${["profiles", "create", "poll"].map((k) => fmt(c.byKind429[k] ?? 0)).join(", ")}, ${fmt((c.byKind429.delete ?? 0) + (c.byKind429.other ?? 0))}; **${fmt(per1000Throttled(r), 1)}**` +
        (c.adsApi429 > c.adsApi429Others
          ? ` without the storm's client ids (${fmt((c.adsApi429 * 1000) / Math.max(1, c.adsApiCalls), 1)} with them)`
          : ""),
    ],
    [
      "Amazon's answer time as served, mean / p95 (token, profiles, create, poll; download)",
      ["token", "profiles", "create", "poll", "download"]
        .map((k) => (c.latency[k] ? `${fmt(c.latency[k].mean)}/${fmt(c.latency[k].p95)} ms` : "–"))
        .join(", "),
    ],
    ["polls per report (simulator's count, completing poll included; 429s not counted)", fmt(c.pollsPerReport, 2)],
    [
      "first poll after the create: median / p95 / max (paced first polls)",
      `${s(fp.medianMs)} / ${s(fp.p95Ms)} / ${s(fp.maxMs)} (${fmt(fp.paced)} of ${fmt(fp.reports)})`,
    ],
    [
      "**token exchanges per login**: mean / max; per started hour of activity, max",
      `${fmt(tok.meanPerLogin, 2)} / ${tok.maxPerLogin}; ${fmt(tok.perActiveHourMax, 2)} (${fmt(tok.logins)} logins active ${fmt(tok.activeMinutesMean, 1)} min on average, ${fmt(tok.activeMinutesMax, 1)} at most; ${tok.refused} refused)`,
    ],
    ["**Amazon calls/s, all client ids: peak (1 s window)**", fmt(c.peakPerSecond)],
    [
      "accepted Ads API calls/s, all client ids: peak (1 s window) / sustained in phase 1 (first Ads API call to last create)",
      `${fmt(c.peakAcceptedPerSecond)} / ${fmt(c.phase1AcceptedPerSecond, 1)} (${fmt(c.phase1Accepted)} in ${s(c.phase1Seconds * 1000)})`,
    ],
    [
      `**calls/s per client id**: max / median of each id's peak`,
      `${c.others.maxPerSecond} / ${c.others.medianPerSecond}; most in flight at once: ${c.others.maxInFlight}`,
    ],
    [
      "…of the client ids under a 429 storm",
      c.storm.clients
        ? `${c.storm.maxPerSecond} / ${c.storm.medianPerSecond}; in flight: ${c.storm.maxInFlight}`
        : "none in this run",
    ],
    [`**adaptive limit at the end** (calls at once per client key; start ${clientConcurrency})`, limits],
    [
      "**peak Postgres connections** (running a statement); transactions/s",
      `${r.connections.peak} (${r.connections.peakActive}) of a pool of ${r.poolMax}; ${fmt(r.transactionsPerSecond)}`,
    ],
    ["**rows/s** (rows ÷ time until the data is in)", fmt(rowsPerSecond)],
    ["CPU: workers' process / simulator / whole machine busy", cpuText(r)],
  ];
}

/** Why the run's workers stopped, summed over its dispatches: "no_work 90, budget 6". */
function stoppedText(r: ScaleRunFigures): string {
  const total: Record<string, number> = {};
  for (const d of r.dispatches) for (const [why, n] of Object.entries(d.stopped)) total[why] = (total[why] ?? 0) + n;
  return Object.entries(total)
    .map(([why, n]) => `${why} ${n}`)
    .join(", ");
}

/** Units a worker of this run works on at once: AMAZON_ADS_UNITS_AT_ONCE within its pool (one connection stays free). */
export const unitsOf = (r: ScaleRunFigures, unitsAtOnce: number) => Math.max(1, Math.min(unitsAtOnce, r.poolMax - 1));

function cpuText(r: ScaleRunFigures): string {
  const { appMs, simMs, machineBusy, wallMs, cores } = r.cpu;
  const share = (ms: number) => `${fmt((ms / wallMs) * 100)} %`;
  const machine = machineBusy === null ? "?" : `${fmt(machineBusy * 100)} % of ${cores} cores`;
  return `${share(appMs)} / ${simMs === null ? "?" : share(simMs)} of a core; ${machine}`;
}

function columnOf(r: ScaleRunFigures): string {
  if (r.sharedClient) return `W = ${r.workers}, all ${fmt(r.organisations)} on one client id (the operator's app)`;
  if (r.workers === 1) return `1 sequential worker, first ${r.organisations} organisations`;
  return `W = ${r.workers} workers, all organisations`;
}

function costLines(r: ScaleRunFigures, unitsAtOnce: number): string[] {
  const lines = [row(["unit", "units", "per organisation", "mean", "p95", "max", "Σ unit time"])];
  lines.push(row(["---", "---", "---", "---", "---", "---", "---"]));
  for (const c of r.costs)
    lines.push(
      row([
        c.kind,
        fmt(c.units),
        fmt(c.units / r.organisations, 2),
        `${fmt(c.meanMs)} ms`,
        `${fmt(c.p95Ms)} ms`,
        `${fmt(c.maxMs)} ms`,
        s(c.totalMs),
      ]),
    );
  lines.push("");
  const claims = r.claimsPerSecond;
  const unitMs = r.costs.reduce((n, c) => n + c.totalMs, 0);
  const lanes = unitsOf(r, unitsAtOnce);
  lines.push(
    `Σ unit time was ${fmt(unitMs / r.workerMs, 2)}× the function time: each worker works on up to ${lanes} units at once, which were busy ` +
      `${fmt((unitMs / (r.workerMs * lanes)) * 100)} % of the time; the rest is claims (one advisory lock for all), waits for due work or for a free ` +
      `slot of the client key, and each invocation's bookkeeping. On average ${fmt(unitMs / r.runMs, 1)} units were in progress at once. Claims per second: ` +
      `${fmt(claims.mean, 1)} on average over the run, ${claims.peak} at most in a 1-second window. ` +
      `${r.unreleased} leases were never released. ` +
      (r.analyzes
        ? `This server runs without autovacuum: the bench ran ANALYZE once a minute in its place (${r.analyzes}× in this run).`
        : "No ANALYZE by the bench (the server's autovacuum is on, or `--no-autoanalyze`)."),
  );
  return lines;
}

export function scaleMarkdown(input: ScaleReportInput): { text: string; mustsMissed: boolean } {
  const { config, parallel: p, sequential: q, shared: sh, clientConcurrency } = input;
  const runs = [p, q, sh].filter((r): r is ScaleRunFigures => r !== undefined);
  const checks = runs.flatMap(musts);
  const seqProjected = q && p ? sequentialProjection(q, p) : undefined;
  const rowsOf = runs.map((r) => runRows(r, clientConcurrency, r === q ? seqProjected : undefined));
  const lines: string[] = [];
  const first = runs[0]!;
  lines.push(
    `Run of ${input.date}: \`${input.command}\`, ${fmt(input.totalSeconds)} s in all, app at ${input.revision}. Machine: ${input.machine}.`,
  );
  lines.push("");
  lines.push(
    `Set-up: ${fmt(config.organisations)} organisations with 1–5 profiles each (EU, NA, FE), ` +
      `campaigns per profile round(5 · 1000^(u^${config.campaignSkew})) (5 … 5,000, most accounts small); ` +
      `Amazon API and token calls take ${config.apiLatencyMs.min}–${config.apiLatencyMs.max} ms (real time); ` +
      `report generation ${fmt(config.generationMs.min)}–${fmt(config.generationMs.max)} ms, i.e. ` +
      `${fmtDuration(input.realGenerationMs.min)}–${fmtDuration(input.realGenerationMs.max)} at Amazon scaled down ${input.timeScale}×, ` +
      `and the waits between polls scaled the same (${(input.worker.pollDelaysMs ?? []).join(", ")} ms); ` +
      `${Math.round(config.faultyShare * 100)} % of the organisations with a revoked refresh token. ` +
      (p || q
        ? `Today's runs: each organisation its own LwA client (id, secret, refresh token), and ${Math.round(config.faultyShare * 100)} % more under a 429 storm of their client id. `
        : "") +
      (sh && input.sharedConfig
        ? `The shared run: the same organisations (profiles, campaigns, refresh tokens), each a login of one LwA app, saved with client id and secret empty so the app signs them in with its operator's app (AMAZON_ADS_CLIENT_ID/SECRET, set for that run only); ` +
          `the simulator limits that client id on every Ads API call to ${rateLimitText(input.sharedConfig)}, a stand-in for Amazon's undocumented limit (its token endpoint and S3 are not limited); no storms (one would throttle every organisation). `
        : "") +
      `Worker budget ${s(first.budgetMs)}, adaptive limit per client key (client id and region) from ${clientConcurrency} up to ${input.clientConcurrencyMax} calls at once, ` +
      `${runs.map((r) => unitsOf(r, input.unitsAtOnce)).join(" / ")} units at once per worker (${input.unitsAtOnce}, within each run's pool of W + 2 connections less one); other worker settings the defaults.`,
  );
  lines.push("");
  lines.push(row(["", ...runs.map(columnOf)]));
  lines.push(row(["---", ...runs.map(() => "---")]));
  rowsOf[0]!.forEach((r, i) => lines.push(row([r[0]!, ...rowsOf.map((x) => x[i]![1]!)])));
  lines.push("");
  lines.push(`**Musts**: ${checks.every((c) => c.met) ? "all met" : "NOT all met"}.`);
  for (const c of checks.filter((c) => !c.met)) lines.push(`- MISSED: ${c.name}: ${c.detail}`);
  lines.push("");
  for (const r of [p, sh]) {
    if (!r) continue;
    lines.push(
      `**Cost per unit** (${columnOf(r)}; a unit's time is from the statement that leased it to the one that released it, timestamped by a bench-only trigger)`,
    );
    lines.push("");
    lines.push(...costLines(r, input.unitsAtOnce));
    lines.push("");
  }
  if (p) {
    lines.push(...projectionLines(input, p, q));
    lines.push("");
  }
  if (sh) lines.push(...sharedLines(input, sh));
  return { text: lines.join("\n").trimEnd(), mustsMissed: !checks.every((c) => c.met) };
}

function rateLimitText(config: ScaleSimConfig): string {
  const l = config.clientRateLimit;
  if (!l) return "no limit";
  return `${l.perSecond} calls/s (a token bucket of ${l.burst}${l.retryAfterSeconds !== undefined ? `, 429 with Retry-After ${l.retryAfterSeconds} s` : ", 429 without Retry-After"})`;
}

/** The mean time of a poll unit (a report released still pending), from the runs that have some. */
function pollMsOf(runs: Array<ScaleRunFigures | undefined>): number {
  return (
    runs
      .flatMap((r) => r?.costs ?? [])
      .filter((c) => c.kind === "poll")
      .sort((a, b) => b.units - a.units)[0]?.meanMs ?? 400
  );
}

/** The projection to 10,000 organisations: as measured, and with polls at Amazon's generation times. */
function projectionLines(input: ScaleReportInput, p: ScaleRunFigures, q: ScaleRunFigures | undefined): string[] {
  const { clientConcurrency } = input;
  const ws = [p.workers, 100, 250, 500].filter((w, i, all) => all.indexOf(w) === i);
  const pollMs = pollMsOf([p, q]);
  const polls = pollsAtAmazon(input.amazonPollDelaysMs, pollMs, input.realGenerationMs);
  const base = { organisations: 10_000, clientConcurrency, workerOptions: ws, pollMs };
  const measured = project(p, base);
  const atAmazon = project(p, { ...base, pollsPerReport: polls });
  const both = (f: (x: Projection) => string) => [f(measured), f(atAmazon)];
  const unitText = (k: Projection["perKind"][number] | undefined) =>
    k ? `${fmt(k.units)} × ${fmt(k.meanMs)} ms = ${fmt(k.seconds / 3600, 1)} h` : "–";
  const lines = [
    `**Projection to ${fmt(atAmazon.organisations)} organisations, each its own client id** (from the W = ${p.workers} run): ×${fmt(atAmazon.factor)} the units of each kind measured ` +
      `above, at their measured mean; the same mix of accounts and faults. Polls are what the scaled run understates: its ` +
      `reports are ready ${input.timeScale}× sooner. The right-hand column counts ${fmt(polls, 2)} polls per report instead ` +
      `(completing poll included): what the worker's schedule (${input.amazonPollDelaysMs.map((ms) => ms / 1000).join(", ")} s) ` +
      `takes for generation times spread over ${fmtDuration(input.realGenerationMs.min)}–${fmtDuration(input.realGenerationMs.max)} ` +
      `when workers are there to poll on time, first poll at once, at ${fmt(pollMs)} ms a poll. Function time = unit time ÷ the ` +
      `${fmt(atAmazon.utilisation, 2)} units in progress per function-second measured; wall times assume the ${fmt(atAmazon.fill * 100)} % of W × dispatch time ` +
      `the invocations filled here. 1 GB per function assumed.`,
    "",
    row(["per day", "polls as measured (scaled generation)", "polls at Amazon's generation times"]),
    row(["---", "---", "---"]),
  ];
  for (const k of atAmazon.perKind)
    lines.push(row([k.kind, unitText(measured.perKind.find((x) => x.kind === k.kind)), unitText(k)]));
  lines.push(row(["Σ unit time", ...both((x) => `${fmt(x.leaseSeconds / 3600, 1)} h`)]));
  lines.push(
    row([
      "**function time**",
      ...both((x) => `**${fmt(x.functionSeconds / 3600, 1)} h = ${fmt(x.gbHours, 1)} GB-hours**`),
    ]),
  );
  lines.push(row([`invocations of ≤ ${s(p.budgetMs)}, at least`, ...both((x) => fmt(x.minInvocations))]));
  ws.forEach((w, i) => {
    const wall = (x: Projection) =>
      `${fmtDuration(x.options[i]!.wallSeconds * 1000)} in ${x.options[i]!.dispatches} dispatches`;
    lines.push(row([`W = ${w}, dispatched back to back`, ...both(wall)]));
  });
  lines.push(row(["W so that the 12 cron ticks of vercel.json suffice", ...both((x) => `≥ ${x.workersForCronGrid}`)]));
  lines.push(
    row([
      `one client id shared by all, at a fixed ${clientConcurrency} calls at once (the earlier estimate: Σ unit time ÷ ${clientConcurrency}; the shared run measures it)`,
      ...both((x) => `≥ ${fmt(x.sharedClientHours, 1)} h of its units in series`),
    ]),
  );
  return lines;
}

/**
 * The figures published before the operator's app and the adaptive limits (docs/benchmarks.md, run of
 * 2026-11-29 15:29 UTC, app at 0c2f924; committed in 070a3fe): kept as the baseline the shared run is read
 * against. Per profile: Amazon calls ÷ the 2,956 healthy profiles, as published (storm client ids included).
 */
export const BEFORE = {
  label: "before: each its own client id (run of 2026-11-29 15:29 UTC, app at 0c2f924, W = 32)",
  engine: "fixed clientConcurrency 2, one unit per worker, creates one after another, a token per invocation",
  callsPerProfile: 45_994 / 2_956,
  byKind: { token: 10_314 / 2_956, listing: 6_120 / 2_956, create: 14_780 / 2_956, poll: 14_780 / 2_956, other: 0 },
  pollsMeasured: 1.0,
  pollsAtAmazon: 9.57,
  tokensPerLogin: 10_314 / 990,
  dataIn: "9 min 5 s",
  functionSecondsPerOrg: 17_361.1 / 1_000,
  functionHours10k: { measured: 48.2, atAmazon: 175.2 },
  workersForCronGrid10k: { measured: 61, atAmazon: 221 },
  sharedClientHours10k: { measured: 23.6, atAmazon: 85.6 },
  peakPerClientId: "9 calls/s (median 7), 2 in flight",
};

function sharedLines(input: ScaleReportInput, sh: ScaleRunFigures): string[] {
  const p = input.parallel;
  // The shared run's own poll units: its projection takes every kind at its mean there.
  const pollMs = sh.costs.find((c) => c.kind === "poll")?.meanMs ?? pollMsOf([p, input.sequential]);
  const delays = input.amazonPollDelaysMs;
  const gen = input.realGenerationMs;
  const ladder = pollsAtAmazon(delays, pollMs, gen);
  const paced = pollsAtAmazonPaced(delays, pollMs, gen, PACING);
  const practical = { min: 2 * 60_000, max: 10 * 60_000 };
  const pacedPractical = pollsAtAmazonPaced(delays, pollMs, practical, PACING);
  const ladderPractical = pollsAtAmazon(delays, pollMs, practical);
  const cs = callsPerProfile(sh);
  const cp = p ? callsPerProfile(p) : undefined;
  const kinds = (c: { byKind: Record<string, number> }) => CALL_KINDS.map((k) => fmt(c.byKind[k] ?? 0, 2)).join(" / ");
  const tailMs = gen.max;
  const proj = {
    organisations: 10_000,
    pollMs,
    unitsAtOnce: unitsOf(sh, input.unitsAtOnce),
    tailMs,
  };
  const asMeasured = projectShared(sh, { ...proj, pollsPerReport: sh.calls.pollsPerReport });
  const atPaced = projectShared(sh, { ...proj, pollsPerReport: paced });
  // Today's per-organisation figures as in its own projection above (its poll units, its ladder).
  const perOrgPollMs = pollMsOf([p, input.sequential]);
  const ladderPerOrg = pollsAtAmazon(delays, perOrgPollMs, gen);
  const pacedPerOrg = pollsAtAmazonPaced(delays, perOrgPollMs, gen, PACING);
  const perOrgBase = { organisations: 10_000, clientConcurrency: input.clientConcurrency, workerOptions: [] };
  const pp = p ? project(p, { ...perOrgBase, pollMs: perOrgPollMs }) : undefined;
  const ppAmazon = p
    ? project(p, {
        ...perOrgBase,
        pollMs: perOrgPollMs,
        pollsPerReport: ladderPerOrg,
      })
    : undefined;
  const tok = sh.calls.tokens;
  const lim = sh.limits;
  const na = "–";
  const lines: string[] = [];
  lines.push("### One client id for all: the operator's app");
  lines.push("");
  lines.push(
    `All ${fmt(sh.organisations)} organisations on one LwA client id (each its own refresh token), the simulator limiting that client id to ${rateLimitText(input.sharedConfig ?? input.config)}; ` +
      `next to today's run with a client id per organisation and the figures published before the operator's app and the adaptive limits ` +
      `(quoted from the run of 2026-11-29 15:29 UTC, app at 0c2f924: ${BEFORE.engine}). ` +
      `Calls per profile are Amazon calls (token + Ads API, 429s included; the storm's client ids left out) ÷ healthy profiles, ` +
      `by kind token / listing / create / poll / other; the minimum is 5 creates + 5 completing polls per profile and, per healthy login, 3 listings and 1 token exchange, amortised over its profiles.`,
  );
  lines.push("");
  const cols = [
    BEFORE.label,
    p ? `now: each its own client id (W = ${p.workers})` : null,
    `now: one client id for all (W = ${sh.workers})`,
  ];
  const keep = (cells: Array<string | null>) => cells.filter((_, i) => cols[i] !== null) as string[];
  lines.push(row(["", ...keep(cols)]));
  lines.push(row(["---", ...keep(cols).map(() => "---")]));
  const r3 = (name: string, before: string, perOrg: string | null, shared: string) =>
    lines.push(row([name, ...keep([before, perOrg, shared])]));
  r3(
    "**Amazon calls per profile and day**, measured (scaled generation); minimum",
    `${fmt(BEFORE.callsPerProfile, 1)} (${kinds(BEFORE)})`,
    cp ? `${fmt(cp.total, 1)} (${kinds(cp)}); minimum ${fmt(cp.minimum, 1)}` : null,
    `**${fmt(cs.total, 1)}** (${kinds(cs)}); minimum ${fmt(cs.minimum, 1)}`,
  );
  r3(
    "…with polls at Amazon's generation times: fixed ladder / paced first poll",
    `${fmt(BEFORE.callsPerProfile - BEFORE.byKind.poll + 5 * BEFORE.pollsAtAmazon, 1)} / –`,
    cp ? `${fmt(cp.atPolls(ladderPerOrg), 1)} / ${fmt(cp.atPolls(pacedPerOrg), 1)}` : null,
    `${fmt(cs.atPolls(ladder), 1)} / **${fmt(cs.atPolls(paced), 1)}**`,
  );
  r3(
    "polls per report: measured (scaled generation)",
    fmt(BEFORE.pollsMeasured, 2),
    p ? fmt(p.calls.pollsPerReport, 2) : null,
    fmt(sh.calls.pollsPerReport, 2),
  );
  r3(
    `…projected at Amazon's ${fmtDuration(gen.min)}–${fmtDuration(gen.max)}: fixed ladder / paced first poll (model)`,
    `${fmt(BEFORE.pollsAtAmazon, 2)} / –`,
    p ? `${fmt(ladderPerOrg, 2)} / ${fmt(pacedPerOrg, 2)}` : null,
    `${fmt(ladder, 2)} / ${fmt(paced, 2)}`,
  );
  r3(
    "**token exchanges per login** and day: mean / max; per started hour of activity, max",
    `${fmt(BEFORE.tokensPerLogin, 1)} a day (one per invocation)`,
    p
      ? `${fmt(p.calls.tokens.meanPerLogin, 2)} / ${p.calls.tokens.maxPerLogin}; ${fmt(p.calls.tokens.perActiveHourMax, 2)}`
      : null,
    `${fmt(tok.meanPerLogin, 2)} / ${tok.maxPerLogin}; **${fmt(tok.perActiveHourMax, 2)}**`,
  );
  r3(
    "**429s per 1,000 Ads API calls** (the storm's client ids left out)",
    "not recorded",
    p ? fmt(per1000Throttled(p), 1) : null,
    `**${fmt(per1000Throttled(sh), 1)}** (${fmt(sh.calls.adsApi429)} of ${fmt(sh.calls.adsApiCalls)})`,
  );
  r3(
    "**where the adaptive limit settled** (calls at once per client key, at the end; sampled every 5 s: min / median / max)",
    "fixed at 2",
    p ? `${fmt(p.limits.rows)} keys learnt one; median ${fmt(p.limits.final.median, 1)}` : null,
    lim.watchedFinal
      .map((k, i) => {
        const w = lim.watched[i]!;
        return `${k.key.split("@")[1]}: **${fmt(k.concurrency, 1)}** (${fmt(w.min, 1)} / ${fmt(w.median, 1)} / ${fmt(w.max, 1)}; backing off in ${fmt(w.backingOff * 100)} % of the samples, ${k.strikes} strike${k.strikes === 1 ? "" : "s"} at the end)`;
      })
      .join("; "),
  );
  r3(
    "calls/s of the busiest client id: peak (1 s); accepted Ads API calls/s sustained in phase 1, all client ids",
    `${BEFORE.peakPerClientId}; –`,
    p ? `${p.calls.others.maxPerSecond}; ${fmt(p.calls.phase1AcceptedPerSecond, 1)}` : null,
    `${sh.calls.others.maxPerSecond} (${fmt(sh.calls.peakAcceptedPerSecond)} accepted); **${fmt(sh.calls.phase1AcceptedPerSecond, 1)}**`,
  );
  r3(
    "**function-seconds per organisation and day** (Σ invocations ÷ organisations)",
    fmt(BEFORE.functionSecondsPerOrg, 1),
    p ? fmt(functionSecondsPerOrg(p), 1) : null,
    `**${fmt(functionSecondsPerOrg(sh), 1)}**`,
  );
  r3(
    "**time until every healthy organisation's data is in**",
    BEFORE.dataIn,
    p ? fmtDuration(p.dataInMs) : null,
    `**${fmtDuration(sh.dataInMs)}**`,
  );
  r3(
    "10,000 organisations: function-hours a day (polls as measured / at Amazon's times)",
    `${fmt(BEFORE.functionHours10k.measured, 1)} / ${fmt(BEFORE.functionHours10k.atAmazon, 1)} h (each its own client id)`,
    pp && ppAmazon ? `${fmt(pp.functionSeconds / 3600, 1)} / ${fmt(ppAmazon.functionSeconds / 3600, 1)} h` : null,
    `≥ ${fmt(asMeasured.functionHours, 1)} / ≥ ${fmt(atPaced.functionHours, 1)} h with W = ${asMeasured.workers} / ${atPaced.workers} (paced polls), the fewest that keep the limit busy`,
  );
  r3(
    "10,000 organisations **on one client id**: its busy time a day",
    `≥ ${fmt(BEFORE.sharedClientHours10k.measured, 1)} / ≥ ${fmt(BEFORE.sharedClientHours10k.atAmazon, 1)} h of units in series (at 2 at once)`,
    na,
    `**${fmtDuration(asMeasured.busySeconds * 1000)} / ${fmtDuration(atPaced.busySeconds * 1000)}** + ≤ ${fmtDuration(tailMs)} of generation`,
  );
  lines.push("");
  lines.push(
    `Polls at Amazon's generation times are a model, not a measurement: the fixed ladder as in the projection above (first poll at once), and the paced ` +
      `polls with the engine's own \`firstPollDelayMs\` and \`nextPollDelayMs\` (queue/poll-pacing.ts) given 20 earlier generation times of the profile from the same ` +
      `distribution (the first poll where three in four were ready, later ones where nine in ten, 97 in 100 and all were, then the ladder), at ${fmt(pollMs)} ms a poll (the shared run's mean poll unit). A one-day run on a fresh database cannot pace (the first poll needs 3 known ` +
      `generation times of the profile): here ${fmt(sh.firstPolls.paced)} of ${fmt(sh.firstPolls.reports)} first polls were paced, and the ` +
      `first poll came a median ${s(sh.firstPolls.medianMs)} after the create (p95 ${s(sh.firstPolls.p95Ms)}) because phase 1 goes first. ` +
      `The simulator draws each report's time on its own, so its profiles' history says nothing about the next report: pacing then polls ` +
      `first at about the distribution's 3rd quartile, then near its 90th and 97th percentiles and its maximum: ${fmt(paced, 2)} polls a report for ${fmtDuration(gen.min)}–${fmtDuration(gen.max)}. ` +
      `For generation times of ${fmtDuration(practical.min)}–${fmtDuration(practical.max)} (the engine's "in practice") the model gives ${fmt(ladderPractical, 2)} polls a report on the ladder and ${fmt(pacedPractical, 2)} paced ` +
      `(${fmt(cs.atPolls(pacedPractical), 1)} calls per profile in the shared run).`,
  );
  lines.push("");
  lines.push(...sharedProjectionLines(sh, asMeasured, atPaced, input));
  lines.push("");
  lines.push(...goalLines(sh, cs, asMeasured, atPaced, paced));
  return lines;
}

function sharedProjectionLines(
  sh: ScaleRunFigures,
  asMeasured: SharedProjection,
  atPaced: SharedProjection,
  input: ScaleReportInput,
): string[] {
  const factor = asMeasured.organisations / sh.organisations;
  const lines = [
    `**Projection to ${fmt(asMeasured.organisations)} organisations on one client id** (×${fmt(factor)} the shared run). The limit, not W, is the ` +
      `bottleneck, so: busy time T = A ÷ r, with A = the Ads API calls a day the client id must get through (listings, creates and others ` +
      `as accepted here ×${fmt(factor)}, plus reports × polls per report) and r = the accepted Ads API calls per second it sustained here in phase 1 ` +
      `(first Ads API call to last create, when work was always due: ${fmt(asMeasured.rate, 1)}/s against the simulator's ${input.sharedConfig?.clientRateLimit?.perSecond ?? "?"}/s). ` +
      `The day fits if T + the longest generation (${fmtDuration(asMeasured.tailSeconds * 1000)}) ≤ 24 h. W = ⌈L ÷ T ÷ ${unitsOf(sh, input.unitsAtOnce)}⌉, the fewest workers ` +
      `(${unitsOf(sh, input.unitsAtOnce)} units at once each) that keep L, the day's Σ unit time (each kind ×${fmt(factor)} at its mean here, polls at the column's count), in progress on average; ` +
      `more workers only wait for slots, fewer leave the limit unused. Function-hours = W × T (each worker runs while the client id is busy): a lower bound, ` +
      `since no real dispatch packs its lanes that tightly (the run above had ${fmt(sh.costs.reduce((n, c) => n + c.totalMs, 0) / sh.runMs, 1)} units in progress on average with ${sh.workers * unitsOf(sh, input.unitsAtOnce)} lanes). ` +
      `Phase 1 alone takes ${fmtDuration(asMeasured.phase1Seconds * 1000)} at r and hardly any report is polled before it ends (request units are claimed before reports), ` +
      `so most reports are ready at their first poll: the left column is the likely one, the right the bound if every report were polled on its paced schedule.`,
    "",
    row(["10,000 organisations, one client id", "polls as measured", "polls paced at Amazon's generation times"]),
    row(["---", "---", "---"]),
  ];
  const both = (f: (x: SharedProjection) => string) => [f(asMeasured), f(atPaced)];
  lines.push(row(["polls per report", ...both((x) => fmt(x.pollsPerReport, 2))]));
  lines.push(row(["A: Ads API calls a day", ...both((x) => fmt(x.limitedCalls))]));
  lines.push(row(["T = A ÷ r", ...both((x) => fmtDuration(x.busySeconds * 1000))]));
  lines.push(
    row([
      "**fits in a day** (T + longest generation ≤ 24 h)",
      ...both((x) => `**${x.fitsInDay ? "yes" : "no"}** (${fmtDuration((x.busySeconds + x.tailSeconds) * 1000)})`),
    ]),
  );
  lines.push(row(["L: Σ unit time a day", ...both((x) => `${fmt(x.leaseSeconds / 3600, 1)} h`)]));
  lines.push(row(["W = ⌈L ÷ T ÷ units at once⌉", ...both((x) => `**${x.workers}**`)]));
  lines.push(row(["**function-hours a day** = W × T, at least", ...both((x) => `**${fmt(x.functionHours, 1)} h**`)]));
  lines.push(row(["…with twice those workers", ...both((x) => `${fmt(2 * x.functionHours, 1)} h`)]));
  lines.push(
    row([
      `invocations of ≤ ${s(sh.budgetMs)} back to back (a cron every 5 min on Vercel Pro), at least`,
      ...both((x) => fmt(Math.ceil(x.busySeconds / (sh.budgetMs / 1000)) * x.workers)),
    ]),
  );
  return lines;
}

function goalLines(
  sh: ScaleRunFigures,
  cs: ReturnType<typeof callsPerProfile>,
  asMeasured: SharedProjection,
  atPaced: SharedProjection,
  paced: number,
): string[] {
  const mark = (met: boolean) => (met ? "**met**" : "**not met**");
  // A lower bound: met when even twice the fewest workers fit, only at the fewest when just they do.
  const hoursMark = (x: SharedProjection) =>
    2 * x.functionHours <= 20
      ? "**met**"
      : x.functionHours <= 20
        ? "**met only at the fewest workers**"
        : "**not met**";
  const tok = sh.calls.tokens;
  const perProfileMeasured = cs.total;
  const perProfileProjected = cs.atPolls(paced);
  const fits = asMeasured.fitsInDay;
  return [
    "**Issue 20's goals** (one client id for all; before = the published run of 2026-11-29, each its own client id):",
    "",
    `- ≤ 15 Amazon API calls per profile and day: ${mark(perProfileMeasured <= 15)} as measured (${fmt(perProfileMeasured, 1)}, minimum ${fmt(cs.minimum, 1)}); ` +
      `with every report polled on its paced schedule at Amazon's generation times ${mark(perProfileProjected <= 15)} (${fmt(perProfileProjected, 1)}). ` +
      `Before: ${fmt(BEFORE.callsPerProfile, 1)} as measured, ${fmt(BEFORE.callsPerProfile - BEFORE.byKind.poll + 5 * BEFORE.pollsAtAmazon, 1)} at Amazon's generation times.`,
    `- ≤ 2 token exchanges per login per hour of activity: ${mark(tok.perActiveHourMax <= 2)} (at most ${fmt(tok.perActiveHourMax, 2)}; ${fmt(tok.meanPerLogin, 2)} a login on average). Before: about ${fmt(BEFORE.tokensPerLogin, 0)} a login in a 9-minute run.`,
    `- 10,000 organisations on one client id inside the day: ${mark(fits && atPaced.fitsInDay)} (T = ${fmtDuration(asMeasured.busySeconds * 1000)} with polls as measured, ${fmtDuration(atPaced.busySeconds * 1000)} paced). ` +
      `Before: ≥ ${fmt(BEFORE.sharedClientHours10k.measured, 1)}–${fmt(BEFORE.sharedClientHours10k.atAmazon, 1)} h of units in series.`,
    `- ≤ 20 function-hours a day for them: ${hoursMark(asMeasured)} with polls as measured (at least ${fmt(asMeasured.functionHours, 1)} h, with the fewest workers that keep the limit busy, W = ${asMeasured.workers}), ` +
      `${hoursMark(atPaced)} paced (at least ${fmt(atPaced.functionHours, 1)} h, W = ${atPaced.workers}); either way only with W sized to the limit: the W = ${sh.workers} run itself used ${fmt(functionSecondsPerOrg(sh), 1)} function-seconds per organisation ` +
      `(${fmt((functionSecondsPerOrg(sh) * 10_000) / 3600, 1)} h at 10,000 organisations). Before: ${fmt(BEFORE.functionHours10k.measured, 1)}–${fmt(BEFORE.functionHours10k.atAmazon, 1)} h.`,
  ];
}

const MARKERS = ["<!-- bench:scale:start -->", "<!-- bench:scale:end -->"] as const;
const PREVIOUS = ["<!-- bench:scale-previous:start -->", "<!-- bench:scale-previous:end -->"] as const;
const HEADING = "## Scale: the cron dispatch of many organisations";
const PREVIOUS_HEADING = "### Earlier scale runs";
/** Earlier generated blocks kept in the doc (older ones are in git history). */
const KEEP_PREVIOUS = 2;
const RUN_SEPARATOR = "\n\n---\n\n";

/** A block moved to the earlier runs: its headings one level down, under "Earlier scale runs". */
const demoted = (text: string) => text.replace(/^(#{2,5}) /gm, "#$1 ");

/**
 * Replaces the generated block of the scale section; the block it replaces moves to "Earlier scale runs"
 * at the end of the section (the last KEEP_PREVIOUS), so the figures before a change stay next to the
 * ones after it. Adds the section (before "Previous figures") the first time.
 */
export function updateScaleSection(path: string, text: string): void {
  let doc = fs.readFileSync(path, "utf8");
  const block = `${MARKERS[0]}\n${text.trim()}\n${MARKERS[1]}`;
  const i = doc.indexOf(MARKERS[0]);
  const j = doc.indexOf(MARKERS[1]);
  if (i < 0 || j < i) {
    const section = `${HEADING}\n\n${block}\n\n`;
    const at = doc.indexOf("## Previous figures");
    fs.writeFileSync(path, at >= 0 ? doc.slice(0, at) + section + doc.slice(at) : `${doc.trimEnd()}\n\n${section}`);
    return;
  }
  const old = doc.slice(i + MARKERS[0].length, j).trim();
  doc = doc.slice(0, i) + block + doc.slice(j + MARKERS[1].length);
  if (!old) return fs.writeFileSync(path, doc);
  let k = doc.indexOf(PREVIOUS[0]);
  let l = doc.indexOf(PREVIOUS[1]);
  if (k < 0 || l < k) {
    // The end of the scale section: the next "## " heading after the block, or the end of the doc.
    const end = doc.indexOf("\n## ", doc.indexOf(MARKERS[1]));
    const section =
      `${PREVIOUS_HEADING}\n\nThe generated block above as it stood before each of the last ${KEEP_PREVIOUS} runs that replaced it, the newest first (older ones in git history).\n\n` +
      `${PREVIOUS[0]}\n${PREVIOUS[1]}\n`;
    doc = end >= 0 ? `${doc.slice(0, end).trimEnd()}\n\n${section}${doc.slice(end)}` : `${doc.trimEnd()}\n\n${section}`;
    k = doc.indexOf(PREVIOUS[0]);
    l = doc.indexOf(PREVIOUS[1]);
  }
  const inner = doc.slice(k + PREVIOUS[0].length, l).trim();
  const runs = [demoted(old), ...(inner ? inner.split(RUN_SEPARATOR) : [])].slice(0, KEEP_PREVIOUS);
  fs.writeFileSync(path, `${doc.slice(0, k + PREVIOUS[0].length)}\n${runs.join(RUN_SEPARATOR)}\n${doc.slice(l)}`);
}
