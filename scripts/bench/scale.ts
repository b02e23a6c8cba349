// `npm run bench -- scale`: the cron dispatch of many organisations (lib.ts's scaleSimConfig) against the simulator
// on a real PostgreSQL: one sequential worker on a small subset (its time projected to the full size), then W
// workers on all of them, each its own LwA client; then W workers on the same organisations as logins of ONE LwA
// app (the operator's app, saved with an empty client id and secret). `--quick`: 50 organisations, W = 16, a
// subset of 2, no doc. `--shared-only` / `--no-shared`: only / without the shared run. `--launch-day`: the shared
// set-up twice, an ordinary day and a launch day (every profile's history too); its own section, no doc.
// The figures go out as Markdown (on a full run between the scale markers of docs/benchmarks.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_WORKER, type WorkerOptions } from "../../src/lib/amazon-ads";
import { firstPollDelayMs, nextPollDelayMs } from "../../src/lib/amazon-ads/queue/poll-pacing";
import { env } from "../../src/lib/env";
import { SCALE_SHARED_CLIENT_ID, SCALE_SHARED_CLIENT_SECRET } from "../../tools/amazon-ads-simulator/index";
import { benchEnv, fmt, fmtDuration, machine, REAL_GENERATION_MS, revision, runDate, scaleSimConfig } from "./lib";
import { simulatorEnv, startSim, table, updateDoc, type ScaleOrg, type ScaleSimConfig, type Sim } from "./lib";
import { runScale, type RunOptions, type ScaleRunFigures as Run } from "./scale-run";

const OPERATOR_APP = { clientId: SCALE_SHARED_CLIENT_ID, clientSecret: SCALE_SHARED_CLIENT_SECRET };

export async function scaleBench(argv: string[]): Promise<number> {
  const [flag, value] = [{ type: "boolean" } as const, { type: "string" } as const];
  const flags = { quick: flag, "no-doc": flag, "no-autoanalyze": flag, "shared-only": flag, "no-shared": flag };
  const options = { ...flags, "launch-day": flag, orgs: value, workers: value, "seq-orgs": value, "budget-ms": value };
  const { values } = parseArgs({ args: argv, options });
  const quick = values.quick ?? false;
  const workers = Number(values.workers ?? (quick ? 16 : 32));
  // Report generation and the waits between polls run this many times faster than at Amazon (calls do not);
  // --quick: 60, a 30 s generation tail instead of 90 s, so the smoke run stays short.
  const timeScale = quick ? 60 : 20;
  const launchDay = values["launch-day"] ?? false;
  const sharedOnly = (values["shared-only"] ?? false) || launchDay;
  const withShared = !values["no-shared"];
  if (sharedOnly && !withShared) throw new Error("--shared-only and --no-shared exclude each other");
  const narrowed = values.orgs || values.workers || values["seq-orgs"] || values["no-autoanalyze"] || values["no-doc"];
  const started = performance.now();
  const appRevision = revision(); // at the start: others may commit while it runs
  const log = (line: string) =>
    console.log(`[bench scale ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const organisations = Number(values.orgs ?? (quick ? 50 : 1_000));
  const config = scaleSimConfig(organisations, timeScale, false);
  const sharedConfig = scaleSimConfig(organisations, timeScale, true);
  let sim: Sim = await startSim(sharedOnly ? sharedConfig : config);
  Object.assign(process.env, benchEnv(sim)); // the app reads its env on each call
  const pollDelaysMs = DEFAULT_WORKER.pollDelaysMs.map((ms) => Math.round(ms / timeScale));
  const worker = { budgetMs: Number(values["budget-ms"] ?? 240_000), pollDelaysMs };
  const e = env();
  const start = e.AMAZON_ADS_CLIENT_CONCURRENCY;
  const maxWallMs = (quick ? 10 : 20) * 60_000;
  const run = async (o: RunOptions & { label: string; orgs?: ScaleOrg[]; workers?: number; maxWallMs?: number }) => {
    const orgs = await sim.call<ScaleOrg[]>("accounts");
    const on = o.operatorApp ? `, all on client id ${SCALE_SHARED_CLIENT_ID}` : "";
    const [profiles, { min, max }] = [orgs.flatMap((g) => g.profileIds).length, config.generationMs];
    log(
      `${orgs.length} organisations, ${profiles} profiles${on}; simulator pid ${sim.pid}; generation ${min}–${max} ms`,
    );
    if (o.operatorApp && orgs.some((g) => g.fault === "storm")) throw new Error("one client id must have no storms");
    const common = { sim, orgs, workers, worker, maxWallMs, log, autoAnalyze: !values["no-autoanalyze"] };
    return runScale({ ...common, clientConcurrency: start, ...o });
  };
  // The raw figures first: a report that cannot be rendered must not lose a 40-minute run.
  const writeRaw = (name: string, figures: object) => {
    const raw = path.join(os.tmpdir(), `ads-sync-bench-${name}-${Date.now()}.json`);
    fs.writeFileSync(raw, JSON.stringify({ config, sharedConfig, worker, ...figures }, null, 2));
    log(`raw figures in ${raw}`);
  };
  try {
    if (launchDay) {
      const day = { maxWallMs: 3 * maxWallMs, operatorApp: OPERATOR_APP };
      const ordinary = await run({ ...day, label: `ordinary day W=${workers}` });
      const launch = await run({ ...day, label: `launch day W=${workers}`, historyDays: 95 });
      writeRaw("launch", { ordinary, launch });
      const head = `Command: \`npm run bench -- scale ${argv.join(" ")}\` · ${runDate()} · ${machine()} · app at ${appRevision}.`;
      const markdown = launchDayMarkdown({ head, timeScale, ordinary, launch });
      console.log(`\n${markdown.text}\n`);
      return markdown.goalsMissed ? 2 : 0;
    }
    let [sequential, parallel, shared]: Array<Run | undefined> = [];
    if (!sharedOnly) {
      const subset = (await sim.call<ScaleOrg[]>("accounts")).slice(0, Number(values["seq-orgs"] ?? (quick ? 2 : 10)));
      if (subset.some((o) => o.fault !== null)) throw new Error("the sequential subset must be healthy organisations");
      sequential = await run({ label: "sequential", orgs: subset, workers: 1 });
      parallel = await run({ label: `W=${workers}` });
    }
    if (withShared && !sharedOnly) {
      // The same organisations as logins of one app: a simulator of its own (the same refresh tokens and profiles).
      await sim.close();
      sim = await startSim(sharedConfig);
      Object.assign(process.env, simulatorEnv(sim));
    }
    // Under the one client id's limit a run takes longer: it gets twice the time before it gives up.
    if (withShared)
      shared = await run({ label: `shared W=${workers}`, maxWallMs: 2 * maxWallMs, operatorApp: OPERATOR_APP });
    writeRaw("scale", { sequential, parallel, shared });
    const command = `npm run bench -- scale${argv.length ? ` ${argv.join(" ")}` : ""}`;
    const seconds = Math.round((performance.now() - started) / 1000).toLocaleString("en-GB");
    const head = `Run of ${runDate()}: \`${command}\`, ${seconds} s in all, app at ${appRevision}. Machine: ${machine()}.`;
    const markdown = scaleMarkdown({
      ...{ head, config, timeScale, worker, sequential, parallel, shared },
      sharedConfig: withShared ? sharedConfig : undefined,
      limits: { start, max: e.AMAZON_ADS_CLIENT_CONCURRENCY_MAX, unitsAtOnce: e.AMAZON_ADS_UNITS_AT_ONCE },
    });
    console.log(`\n${markdown.text}\n`);
    if (!quick && !narrowed && !sharedOnly && withShared) {
      updateDoc(markdown.text, ["scale", "scale-previous"], 2);
      log('figures written to the "Scale: the cron dispatch of many organisations" section of docs/benchmarks.md');
    }
    return markdown.mustsMissed ? 2 : 0;
  } catch (error) {
    console.error(`Scale benchmark failed: ${(error as Error).stack ?? error}`);
    return 1;
  } finally {
    await sim.close();
  }
}

/** The worker's waits between polls at Amazon's pace. */
const DELAYS = DEFAULT_WORKER.pollDelaysMs;
const ORGS_10K = 10_000;

const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const h = (seconds: number) => `${fmt(seconds / 3600, 1)} h`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const unitMs = (r: Run) => sum(r.costs.map((c) => c.totalMs));
/** Function-seconds per organisation and day: Σ invocation durations ÷ organisations (the run is one day's work). */
const perOrg = (r: Run) => r.workerMs / 1000 / r.organisations;
/** 429s per 1,000 Ads API calls (the token endpoint is not limited), client ids under a storm left out. */
const per1000 = (r: Run) =>
  r.calls.adsApiCallsOthers ? (r.calls.adsApi429Others * 1000) / r.calls.adsApiCallsOthers : 0;
/** Units a worker of this run works on at once: AMAZON_ADS_UNITS_AT_ONCE within its pool (one connection stays free). */
const unitsOf = (r: Run, unitsAtOnce: number) => Math.max(1, Math.min(unitsAtOnce, r.poolMax - 1));
const twice = (r: Run) => r.calls.duplicateCreates + r.calls.duplicateDownloads + r.loadedTwice + r.leaseLost;

/** A table's rows written as they print, a row a line, its cells separated by " | ". */
const cells = (text: string) => text.split("\n").map((line) => line.split(" | "));

/** The musts a run missed: data in for every healthy organisation, no invocation over budget, nothing processed twice, rows equal to the truth. */
const missedMusts = (r: Run) =>
  [
    r.dataInMs === null &&
      `every healthy organisation's data is in: ${r.completedReports}/${r.expectedReports} reports, ${r.failedReports} failed`,
    r.overBudget > 0 &&
      `no invocation over its budget: longest ${(r.longestMs / 1000).toFixed(1)} s of ${(r.budgetMs / 1000).toFixed(0)} s; ${r.overBudget} over`,
    twice(r) > 0 &&
      `no unit processed twice: creates twice ${r.calls.duplicateCreates}, downloads twice ${r.calls.duplicateDownloads}, loaded twice ${r.loadedTwice}, leases lost ${r.leaseLost}`,
    (r.rows.db !== r.rows.truth || r.rows.orgsEqual !== r.rows.orgsChecked || r.rows.unhealthyRows !== 0) &&
      `rows equal the simulator's truth: ${r.rows.db} vs ${r.rows.truth}; ${r.rows.orgsEqual}/${r.rows.orgsChecked} organisations equal${r.rows.differing.length ? `; e.g. ${JSON.stringify(r.rows.differing)}` : ""}`,
  ].flatMap((missed) => (missed ? [`- MISSED: ${r.label}: ${missed}`] : []));

/** A deterministic uniform [0, 1) stream (mulberry32), so the model is the same on every run. */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Polls per report (the completing one included), the mean over generation times spread evenly over [min, max],
 * if workers poll on time: on the ladder (first poll at once, then each wait plus the poll's own time), or `paced`
 * by the engine's own pacing given 20 earlier generation times of the profile from the same distribution.
 */
function pollsModel(pollMs: number, generation: { min: number; max: number }, paced = false): number {
  const samples = paced ? 4_000 : 2_000;
  const random = uniforms(20);
  const draw = () => generation.min + random() * (generation.max - generation.min);
  const ladder = (polls: number) => DELAYS[Math.min(polls - 1, DELAYS.length - 1)]!;
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const recent = paced ? Array.from({ length: 20 }, draw) : [];
    const g = generation.min + ((i + 0.5) / samples) * (generation.max - generation.min);
    let [t, polls] = [paced ? firstPollDelayMs(recent) : 0, 1];
    for (; t < g; polls++) t += pollMs + (paced ? nextPollDelayMs(recent, t + pollMs, ladder(polls)) : ladder(polls));
    total += polls;
  }
  return total / samples;
}

type Projection = ReturnType<typeof project>;

/**
 * 10,000 organisations from a run: each kind of unit ×factor at its measured mean (with `pollsPerReport`, that
 * many polls a report less one at `pollMs` each); function time = unit time ÷ the units in progress per
 * function-second measured; wall times at the share of W × dispatch time the invocations filled.
 */
function project(r: Run, o: { workerOptions: number[]; pollMs: number; pollsPerReport?: number }) {
  const factor = ORGS_10K / r.organisations;
  const scaled = (n: number, ms: number) => ({ units: Math.round(n * factor), seconds: (ms * factor) / 1000 });
  const perKind = r.costs.map((c) => ({ kind: c.kind, meanMs: c.meanMs, ...scaled(c.units, c.totalMs) }));
  if (o.pollsPerReport !== undefined) {
    const reports = sum(perKind.filter((k) => k.kind === "load" || k.kind === "failed report").map((k) => k.units));
    const units = Math.round(reports * Math.max(0, o.pollsPerReport - 1));
    const poll = { kind: "poll", units, meanMs: o.pollMs, seconds: (units * o.pollMs) / 1000 };
    const at = perKind.findIndex((k) => k.kind === "poll");
    perKind.splice(at >= 0 ? at : perKind.findIndex((k) => k.kind === "load"), at >= 0 ? 1 : 0, poll);
  }
  const leaseSeconds = sum(perKind.map((k) => k.seconds));
  const utilisation = unitMs(r) / r.workerMs;
  const fill = r.workerMs / sum(r.dispatches.map((d) => d.workers * d.wallMs));
  const functionSeconds = leaseSeconds / utilisation;
  const budgetSeconds = r.budgetMs / 1000;
  return {
    ...{ factor, perKind, leaseSeconds, utilisation, fill, functionSeconds },
    minInvocations: Math.ceil(functionSeconds / budgetSeconds),
    options: o.workerOptions.map((workers) => {
      const wallSeconds = functionSeconds / (workers * fill);
      return { workers, wallSeconds, dispatches: Math.ceil(wallSeconds / budgetSeconds) };
    }),
    /** Workers per tick so the day's work fits the 12 ticks of vercel.json (1 request + 11 collects). */
    workersForCronGrid: Math.ceil(functionSeconds / (12 * budgetSeconds * fill)),
  };
}

const CALL_KINDS = ["token", "listing", "create", "poll", "other"] as const;

/**
 * Amazon calls (429s included, storms' client ids left out) ÷ healthy profiles, by kind; the minimum (5 creates and
 * 5 polls per profile, 3 listings and 1 token per login); `atPolls`: with that many polls a report instead.
 */
function callsPerProfile(r: Run) {
  const k = r.calls.byKindOthers;
  const profiles = Math.max(1, r.healthyProfiles);
  const counts = [k.token ?? 0, k.profiles ?? 0, k.create ?? 0, k.poll ?? 0, (k.delete ?? 0) + (k.other ?? 0)];
  const byKind: Record<string, number> = Object.fromEntries(CALL_KINDS.map((kind, i) => [kind, counts[i]! / profiles]));
  const total = sum(CALL_KINDS.map((kind) => byKind[kind]!));
  const reportsPerProfile = r.expectedReports / profiles;
  const atPolls = (pollsPerReport: number) => total - byKind.poll! + reportsPerProfile * pollsPerReport;
  return { byKind, total, atPolls, minimum: 2 * reportsPerProfile + (4 * r.healthyOrgs) / profiles };
}

type SharedProjection = ReturnType<typeof projectShared>;

/**
 * 10,000 organisations on one client id: T = A ÷ r (A: its Ads API calls a day, r: the accepted calls/s it
 * sustained in phase 1), W = the fewest workers whose lanes keep the day's unit time L in progress over T.
 */
function projectShared(r: Run, o: { pollsPerReport: number; pollMs: number; unitsAtOnce: number }) {
  const factor = ORGS_10K / r.organisations;
  const c = r.calls;
  const acceptedPolls = (c.byKind.poll ?? 0) - (c.byKind429.poll ?? 0);
  const limitedCalls =
    (c.adsApiCalls - c.adsApi429 - acceptedPolls) * factor + r.expectedReports * factor * o.pollsPerReport;
  const rate = c.phase1AcceptedPerSecond;
  const busySeconds = rate ? limitedCalls / rate : Infinity;
  const leaseSeconds = project(r, { workerOptions: [], ...o }).leaseSeconds;
  const workers = Math.max(1, Math.ceil(leaseSeconds / busySeconds / o.unitsAtOnce));
  const tailSeconds = REAL_GENERATION_MS.max / 1000;
  return {
    ...{ pollsPerReport: o.pollsPerReport, limitedCalls, rate, busySeconds, tailSeconds, leaseSeconds, workers },
    phase1Seconds: rate ? (c.phase1Accepted * factor) / rate : Infinity,
    fitsInDay: busySeconds + tailSeconds <= 24 * 3600,
    functionHours: (workers * busySeconds) / 3600,
  };
}

/** The runs are optional (--shared-only, --no-shared); `limits`: AMAZON_ADS_CLIENT_CONCURRENCY(_MAX), _UNITS_AT_ONCE. */
interface ScaleReportInput {
  head: string;
  config: ScaleSimConfig;
  sharedConfig?: ScaleSimConfig;
  timeScale: number;
  worker: WorkerOptions;
  limits: { start: number; max: number; unitsAtOnce: number };
  sequential?: Run;
  parallel?: Run;
  shared?: Run;
}

function runRows(r: Run, clientConcurrency: number, seqProjected?: number | null): string[][] {
  const { calls: c, firstPolls: fp, limits: lim } = r;
  const tok = c.tokens;
  const spread = (x: { min: number; median: number; max: number }, sep: string) =>
    [x.min, x.median, x.max].map((v) => fmt(v, 1)).join(sep);
  const limits = r.sharedClient
    ? `${lim.watchedFinal.map((k) => `${k.key.split("@")[1]} ${fmt(k.concurrency, 1)}`).join(", ")} (sampled: ${lim.watched.map((k) => spread(k, "/")).join(", ")} min/median/max)`
    : `${fmt(lim.rows)} keys learnt one: ${spread(lim.final, " / ")} min/median/max`;
  const stopped: Record<string, number> = {};
  for (const d of r.dispatches)
    for (const [why, n] of Object.entries(d.stopped)) stopped[why] = (stopped[why] ?? 0) + n;
  const stoppedBy = Object.entries(stopped)
    .map(([why, n]) => `${why} ${n}`)
    .join(", ");
  const of = (k: Record<string, number>, kinds: string[]) =>
    [...kinds.map((x) => fmt(k[x] ?? 0)), fmt((k.delete ?? 0) + (k.other ?? 0))].join(", ");
  const latency = (k: string) => (c.latency[k] ? `${fmt(c.latency[k].mean)}/${fmt(c.latency[k].p95)} ms` : "–");
  const cpu = (ms: number | null) => (ms === null ? "?" : `${fmt((ms / r.cpu.wallMs) * 100)} %`);
  const busy = r.cpu.machineBusy === null ? "?" : `${fmt(r.cpu.machineBusy * 100)} % of ${r.cpu.cores} cores`;
  return cells(`organisations (healthy) | ${fmt(r.organisations)} (${fmt(r.healthyOrgs)})
profiles (healthy) / reports expected | ${fmt(r.profiles)} (${fmt(r.healthyProfiles)}) / ${fmt(r.expectedReports)}
campaigns of healthy profiles | ${fmt(r.campaigns)}
**time until every healthy organisation's data is in** | ${fmtDuration(r.dataInMs)}${seqProjected === undefined ? "" : ` measured; **${fmtDuration(seqProjected)} projected** to the full run's healthy profiles`}
dispatches (worker invocations) | ${r.dispatches.length} (${r.invocations}): ${r.dispatches.map((d) => `${d.job} ${s(d.wallMs)}`).join(", ")}; workers stopped by ${stoppedBy}
**longest invocation / budget** | ${s(r.longestMs)} / ${s(r.budgetMs)}; ${r.overBudget} over budget (the 3 longest: ${r.slowestMs.map(s).join(", ")})
function time (Σ invocations); per organisation | ${s(r.workerMs)}; **${fmt(perOrg(r), 1)} s**
**units processed twice** | ${twice(r)} (creates accepted twice ${c.duplicateCreates}, downloads twice ${c.duplicateDownloads}, loaded twice ${r.loadedTwice}, leases lost ${r.leaseLost})
**rows in amazon_sp_ads / simulator's truth** | ${fmt(r.rows.db)} / ${fmt(r.rows.truth)} (${r.rows.orgsEqual}/${r.rows.orgsChecked} organisations equal; revoked/storm organisations: ${r.rows.unhealthyRows} rows)
reports loaded / failed | ${fmt(r.completedReports)} / ${r.failedReports}
Amazon calls (token, profiles, create, poll, other; downloads) | ${fmt(c.amazonCalls)} (${of(c.byKind, ["token", "profiles", "create", "poll"])}; ${fmt(c.byKind.download ?? 0)})
…answered 429 (profiles, create, poll, other); **per 1,000 Ads API calls** | ${of(c.byKind429, ["profiles", "create", "poll"])}; **${fmt(per1000(r), 1)}**${c.adsApi429 > c.adsApi429Others ? ` without the storm's client ids (${fmt((c.adsApi429 * 1000) / Math.max(1, c.adsApiCalls), 1)} with them)` : ""}
Amazon's answer time as served, mean / p95 (token, profiles, create, poll; download) | ${["token", "profiles", "create", "poll", "download"].map(latency).join(", ")}
polls per report (simulator's count, completing poll included; 429s not counted) | ${fmt(c.pollsPerReport, 2)}
first poll after the create: median / p95 / max (paced first polls) | ${s(fp.medianMs)} / ${s(fp.p95Ms)} / ${s(fp.maxMs)} (${fmt(fp.paced)} of ${fmt(fp.reports)})
**token exchanges per login**: mean / max; per started hour of activity, max | ${fmt(tok.meanPerLogin, 2)} / ${tok.maxPerLogin}; ${fmt(tok.perActiveHourMax, 2)} (${fmt(tok.logins)} logins active ${fmt(tok.activeMinutesMean, 1)} min on average, ${fmt(tok.activeMinutesMax, 1)} at most; ${tok.refused} refused)
**Amazon calls/s, all client ids: peak (1 s window)** | ${fmt(c.peakPerSecond)}
accepted Ads API calls/s, all client ids: peak (1 s window) / sustained in phase 1 (first Ads API call to last create) | ${fmt(c.peakAcceptedPerSecond)} / ${fmt(c.phase1AcceptedPerSecond, 1)} (${fmt(c.phase1Accepted)} in ${s(c.phase1Seconds * 1000)})
**calls/s per client id**: max / median of each id's peak | ${c.others.maxPerSecond} / ${c.others.medianPerSecond}; most in flight at once: ${c.others.maxInFlight}
…of the client ids under a 429 storm | ${c.storm.clients ? `${c.storm.maxPerSecond} / ${c.storm.medianPerSecond}; in flight: ${c.storm.maxInFlight}` : "none in this run"}
**adaptive limit at the end** (calls at once per client key; start ${clientConcurrency}) | ${limits}
**peak Postgres connections** (running a statement); transactions/s | ${r.connections.peak} (${r.connections.peakActive}) of a pool of ${r.poolMax}; ${fmt(r.transactionsPerSecond)}
**rows/s** (rows ÷ time until the data is in) | ${fmt(r.dataInMs ? (r.rows.db * 1000) / r.dataInMs : 0)}
CPU: workers' process / simulator / whole machine busy | ${cpu(r.cpu.appMs)} / ${cpu(r.cpu.simMs)} of a core; ${busy}`);
}

function columnOf(r: Run): string {
  if (r.sharedClient) return `W ≤ ${r.workers}, all ${fmt(r.organisations)} on one client id (the operator's app)`;
  return r.workers === 1
    ? `1 sequential worker, first ${r.organisations} organisations`
    : `W = ${r.workers} workers, all organisations`;
}

function costLines(r: Run, unitsAtOnce: number): string[] {
  const lanes = unitsOf(r, unitsAtOnce);
  const costs = r.costs.map(
    (c) =>
      `${c.kind} | ${fmt(c.units)} | ${fmt(c.units / r.organisations, 2)} | ${fmt(c.meanMs)} ms | ${fmt(c.p95Ms)} ms | ${fmt(c.maxMs)} ms | ${s(c.totalMs)}`,
  );
  const analyze = r.analyzes
    ? `This server runs without autovacuum: the bench ran ANALYZE once a minute in its place (${r.analyzes}× in this run).`
    : "No ANALYZE by the bench (the server's autovacuum is on, or `--no-autoanalyze`).";
  return [
    `**Cost per unit** (${columnOf(r)}; a unit's time is from the statement that leased it to the one that released it, timestamped by a bench-only trigger)`,
    table("unit | units | per organisation | mean | p95 | max | Σ unit time", costs),
    `Σ unit time was ${fmt(unitMs(r) / r.workerMs, 2)}× the function time: each worker works on up to ${lanes} units at once, which were busy ${fmt((unitMs(r) / (r.workerMs * lanes)) * 100)} % of the time; the rest is claims (one advisory lock for all), waits for due work or for a free slot of the client key, and each invocation's bookkeeping. On average ${fmt(unitMs(r) / r.runMs, 1)} units were in progress at once. Claims per second: ${fmt(r.claimsPerSecond.mean, 1)} on average over the run, ${r.claimsPerSecond.peak} at most in a 1-second window. ${r.unreleased} leases were never released. ${analyze}`,
  ];
}

export function scaleMarkdown(input: ScaleReportInput): { text: string; mustsMissed: boolean } {
  const { config, parallel: p, sequential: q, shared: sh, limits } = input;
  const runs = [p, q, sh].filter((r): r is Run => r !== undefined);
  const missed = runs.flatMap(missedMusts);
  // The sequential worker's time on its subset, scaled by healthy profiles (its work) to the full run.
  const seqMs = q?.dataInMs && q.healthyProfiles && p ? (q.dataInMs * p.healthyProfiles) / q.healthyProfiles : null;
  const rowsOf = runs.map((r) => runRows(r, limits.start, r === q && p ? seqMs : undefined));
  const faulty = Math.round(config.faultyShare * 100);
  const paragraphs = [
    input.head,
    `Set-up: ${fmt(config.organisations)} organisations with 1–5 profiles each (EU, NA, FE), campaigns per profile round(5 · 1000^(u^${config.campaignSkew})) (5 … 5,000, most accounts small); Amazon API and token calls take ${config.apiLatencyMs.min}–${config.apiLatencyMs.max} ms (real time); report generation ${fmt(config.generationMs.min)}–${fmt(config.generationMs.max)} ms, i.e. ${fmtDuration(REAL_GENERATION_MS.min)}–${fmtDuration(REAL_GENERATION_MS.max)} at Amazon scaled down ${input.timeScale}×, and the waits between polls scaled the same (${(input.worker.pollDelaysMs ?? []).join(", ")} ms); ${faulty} % of the organisations with a revoked refresh token. ${p || q ? `Today's runs: each organisation its own LwA client (id, secret, refresh token), and ${faulty} % more under a 429 storm of their client id. ` : ""}${sh && input.sharedConfig ? `The shared run: the same organisations (profiles, campaigns, refresh tokens), each a login of one LwA app, saved with client id and secret empty so the app signs them in with its operator's app (AMAZON_ADS_CLIENT_ID/SECRET, set for that run only); the simulator limits that client id on every Ads API call to ${rateLimitText(input.sharedConfig)}, a stand-in for Amazon's undocumented limit (its token endpoint and S3 are not limited); no storms (one would throttle every organisation). ` : ""}Worker budget ${s(runs[0]!.budgetMs)}, adaptive limit per client key (client id and region) from ${limits.start} up to ${Math.max(limits.start, limits.max)} calls at once, ${runs.map((r) => unitsOf(r, limits.unitsAtOnce)).join(" / ")} units at once per worker (${limits.unitsAtOnce}, within each run's pool of W + 2 connections less one); other worker settings the defaults.`,
    table(
      ` | ${runs.map(columnOf).join(" | ")}`,
      rowsOf[0]!.map((r, i) => [r[0]!, ...rowsOf.map((x) => x[i]![1]!)]),
    ),
    [`**Musts**: ${missed.length ? "NOT all met" : "all met"}.`, ...missed].join("\n"),
    ...[p, sh].flatMap((r) => (r ? costLines(r, limits.unitsAtOnce) : [])),
    ...(p ? projectionLines(input, p, q) : []),
    ...(sh ? sharedLines(input, sh) : []),
  ];
  return { text: paragraphs.join("\n\n"), mustsMissed: missed.length > 0 };
}

const rateLimitText = ({ clientRateLimit: l }: ScaleSimConfig) =>
  `${l?.perSecond} calls/s (a token bucket of ${l?.burst}, 429 with Retry-After ${l?.retryAfterSeconds} s)`;

/** The mean time of a poll unit (a report released still pending), from the run with the most of them. */
const pollMsOf = (runs: Array<Run | undefined>) =>
  runs
    .flatMap((r) => r?.costs ?? [])
    .filter((c) => c.kind === "poll")
    .sort((a, b) => b.units - a.units)[0]?.meanMs ?? 400;

/** The projection to 10,000 organisations: as measured, and with polls at Amazon's generation times. */
function projectionLines(input: ScaleReportInput, p: Run, q: Run | undefined): string[] {
  const cc = input.limits.start;
  const ws = [p.workers, 100, 250, 500].filter((w, i, all) => all.indexOf(w) === i);
  const pollMs = pollMsOf([p, q]);
  const polls = pollsModel(pollMs, REAL_GENERATION_MS);
  const measured = project(p, { workerOptions: ws, pollMs });
  const atAmazon = project(p, { workerOptions: ws, pollMs, pollsPerReport: polls });
  const both = (f: (x: Projection) => string) => `${f(measured)} | ${f(atAmazon)}`;
  const unitText = (k?: Projection["perKind"][number]) =>
    k ? `${fmt(k.units)} × ${fmt(k.meanMs)} ms = ${h(k.seconds)}` : "–";
  const kinds = atAmazon.perKind.map(
    (k) => `${k.kind} | ${unitText(measured.perKind.find((x) => x.kind === k.kind))} | ${unitText(k)}`,
  );
  const options = ws.map(
    (w, i) =>
      `W = ${w}, dispatched back to back | ${both((x) => `${fmtDuration(x.options[i]!.wallSeconds * 1000)} in ${x.options[i]!.dispatches} dispatches`)}`,
  );
  const gen = `${fmtDuration(REAL_GENERATION_MS.min)}–${fmtDuration(REAL_GENERATION_MS.max)}`;
  return [
    `**Projection to ${fmt(ORGS_10K)} organisations, each its own client id** (from the W = ${p.workers} run): ×${fmt(atAmazon.factor)} the units of each kind measured above, at their measured mean; the same mix of accounts and faults. Polls are what the scaled run understates: its reports are ready ${input.timeScale}× sooner. The right-hand column counts ${fmt(polls, 2)} polls per report instead (completing poll included): what the worker's schedule (${DELAYS.map((ms) => ms / 1000).join(", ")} s) takes for generation times spread over ${gen} when workers are there to poll on time, first poll at once, at ${fmt(pollMs)} ms a poll. Function time = unit time ÷ the ${fmt(atAmazon.utilisation, 2)} units in progress per function-second measured; wall times assume the ${fmt(atAmazon.fill * 100)} % of W × dispatch time the invocations filled here. 1 GB per function assumed.`,
    table(
      "per day | polls as measured (scaled generation) | polls at Amazon's generation times",
      `${kinds.join("\n")}
Σ unit time | ${both((x) => h(x.leaseSeconds))}
**function time** | ${both((x) => `**${h(x.functionSeconds)} = ${fmt(x.functionSeconds / 3600, 1)} GB-hours**`)}
invocations of ≤ ${s(p.budgetMs)}, at least | ${both((x) => fmt(x.minInvocations))}
${options.join("\n")}
W so that the 12 cron ticks of vercel.json suffice | ${both((x) => `≥ ${x.workersForCronGrid}`)}
one client id shared by all, at a fixed ${cc} calls at once (the earlier estimate: Σ unit time ÷ ${cc}; the shared run measures it) | ${both((x) => `≥ ${fmt(x.leaseSeconds / cc / 3600, 1)} h of its units in series`)}`,
    ),
  ];
}

/**
 * The figures published before the operator's app and the adaptive limits (run of 2026-11-29 15:29 UTC, app at
 * 0c2f924, in 070a3fe), the shared run's baseline. Per profile: ÷ the 2,956 healthy profiles, as published.
 */
const BEFORE = {
  label: "before: each its own client id (run of 2026-11-29 15:29 UTC, app at 0c2f924, W = 32)",
  engine: "fixed clientConcurrency 2, one unit per worker, creates one after another, a token per invocation",
  callsPerProfile: 45_994 / 2_956,
  byKind: { token: 10_314 / 2_956, listing: 6_120 / 2_956, create: 14_780 / 2_956, poll: 14_780 / 2_956, other: 0 },
  pollsAtAmazon: 9.57,
  tokensPerLogin: 10_314 / 990,
  functionSecondsPerOrg: 17_361.1 / 1_000,
};
const BEFORE_AT_AMAZON = BEFORE.callsPerProfile - BEFORE.byKind.poll + 5 * BEFORE.pollsAtAmazon;

function sharedLines(input: ScaleReportInput, sh: Run): string[] {
  const p = input.parallel;
  const gen = REAL_GENERATION_MS;
  const genText = `${fmtDuration(gen.min)}–${fmtDuration(gen.max)}`;
  // The shared run's own poll units: its projection takes every kind at its mean there.
  const pollMs = sh.costs.find((c) => c.kind === "poll")?.meanMs ?? pollMsOf([p, input.sequential]);
  const [ladder, paced] = [pollsModel(pollMs, gen), pollsModel(pollMs, gen, true)];
  const practical = { min: 2 * 60_000, max: 10 * 60_000 };
  const [ladderPractical, pacedPractical] = [pollsModel(pollMs, practical), pollsModel(pollMs, practical, true)];
  const cs = callsPerProfile(sh);
  const kinds = (c: { byKind: Record<string, number> }) => CALL_KINDS.map((k) => fmt(c.byKind[k] ?? 0, 2)).join(" / ");
  const units = unitsOf(sh, input.limits.unitsAtOnce);
  const asMeasured = projectShared(sh, { pollMs, unitsAtOnce: units, pollsPerReport: sh.calls.pollsPerReport });
  const atPaced = projectShared(sh, { pollMs, unitsAtOnce: units, pollsPerReport: paced });
  const [tok, lim] = [sh.calls.tokens, sh.limits];
  const settled = lim.watchedFinal.map(
    (k, i) =>
      `${k.key.split("@")[1]}: **${fmt(k.concurrency, 1)}** (${fmt(lim.watched[i]!.min, 1)} / ${fmt(lim.watched[i]!.median, 1)} / ${fmt(lim.watched[i]!.max, 1)}; backing off in ${fmt(lim.watched[i]!.backingOff * 100)} % of the samples, ${k.strikes} strike${k.strikes === 1 ? "" : "s"} at the end)`,
  );
  // Today's run with a client id each (a column only when it ran), as in its own projection above.
  const [pr, col] = [p ?? sh, (cell: string) => (p ? ` | ${cell}` : "")];
  const [cp, pollMsP] = [callsPerProfile(pr), pollMsOf([p, input.sequential])];
  const [ladderP, pacedP] = [pollsModel(pollMsP, gen), pollsModel(pollMsP, gen, true)];
  const pp = project(pr, { workerOptions: [], pollMs: pollMsP });
  const ppAmazon = project(pr, { workerOptions: [], pollMs: pollMsP, pollsPerReport: ladderP });
  const rows = `**Amazon calls per profile and day**, measured (scaled generation); minimum | ${fmt(BEFORE.callsPerProfile, 1)} (${kinds(BEFORE)})${col(`${fmt(cp.total, 1)} (${kinds(cp)}); minimum ${fmt(cp.minimum, 1)}`)} | **${fmt(cs.total, 1)}** (${kinds(cs)}); minimum ${fmt(cs.minimum, 1)}
…with polls at Amazon's generation times: fixed ladder / paced first poll | ${fmt(BEFORE_AT_AMAZON, 1)} / –${col(`${fmt(cp.atPolls(ladderP), 1)} / ${fmt(cp.atPolls(pacedP), 1)}`)} | ${fmt(cs.atPolls(ladder), 1)} / **${fmt(cs.atPolls(paced), 1)}**
polls per report: measured (scaled generation) | 1.00${col(fmt(pr.calls.pollsPerReport, 2))} | ${fmt(sh.calls.pollsPerReport, 2)}
…projected at Amazon's ${genText}: fixed ladder / paced first poll (model) | ${fmt(BEFORE.pollsAtAmazon, 2)} / –${col(`${fmt(ladderP, 2)} / ${fmt(pacedP, 2)}`)} | ${fmt(ladder, 2)} / ${fmt(paced, 2)}
**token exchanges per login** and day: mean / max; per started hour of activity, max | ${fmt(BEFORE.tokensPerLogin, 1)} a day (one per invocation)${col(`${fmt(pr.calls.tokens.meanPerLogin, 2)} / ${pr.calls.tokens.maxPerLogin}; ${fmt(pr.calls.tokens.perActiveHourMax, 2)}`)} | ${fmt(tok.meanPerLogin, 2)} / ${tok.maxPerLogin}; **${fmt(tok.perActiveHourMax, 2)}**
**429s per 1,000 Ads API calls** (the storm's client ids left out) | not recorded${col(fmt(per1000(pr), 1))} | **${fmt(per1000(sh), 1)}** (${fmt(sh.calls.adsApi429)} of ${fmt(sh.calls.adsApiCalls)})
**where the adaptive limit settled** (calls at once per client key, at the end; sampled every 5 s: min / median / max) | fixed at 2${col(`${fmt(pr.limits.rows)} keys learnt one; median ${fmt(pr.limits.final.median, 1)}`)} | ${settled.join("; ")}
calls/s of the busiest client id: peak (1 s); accepted Ads API calls/s sustained in phase 1, all client ids | 9 calls/s (median 7), 2 in flight; –${col(`${pr.calls.others.maxPerSecond}; ${fmt(pr.calls.phase1AcceptedPerSecond, 1)}`)} | ${sh.calls.others.maxPerSecond} (${fmt(sh.calls.peakAcceptedPerSecond)} accepted); **${fmt(sh.calls.phase1AcceptedPerSecond, 1)}**
**function-seconds per organisation and day** (Σ invocations ÷ organisations) | ${fmt(BEFORE.functionSecondsPerOrg, 1)}${col(fmt(perOrg(pr), 1))} | **${fmt(perOrg(sh), 1)}**
**time until every healthy organisation's data is in** | 9 min 5 s${col(fmtDuration(pr.dataInMs))} | **${fmtDuration(sh.dataInMs)}**
10,000 organisations: function-hours a day (polls as measured / at Amazon's times) | 48.2 / 175.2 h (each its own client id)${col(`${fmt(pp.functionSeconds / 3600, 1)} / ${fmt(ppAmazon.functionSeconds / 3600, 1)} h`)} | ≥ ${fmt(asMeasured.functionHours, 1)} / ≥ ${fmt(atPaced.functionHours, 1)} h with W = ${asMeasured.workers} / ${atPaced.workers} (paced polls), the fewest that keep the limit busy
10,000 organisations **on one client id**: its busy time a day | ≥ 23.6 / ≥ 85.6 h of units in series (at 2 at once)${col("–")} | **${fmtDuration(asMeasured.busySeconds * 1000)} / ${fmtDuration(atPaced.busySeconds * 1000)}** + ≤ ${fmtDuration(gen.max)} of generation`;
  const perOrgHead = p ? ` | now: each its own client id (W = ${p.workers})` : "";
  const header = ` | ${BEFORE.label}${perOrgHead} | now: one client id for all (W = ${sh.workers})`;
  const factor = fmt(ORGS_10K / sh.organisations);
  const both = (f: (x: SharedProjection) => string) => `${f(asMeasured)} | ${f(atPaced)}`;
  const mark = (met: boolean) => (met ? "**met**" : "**not met**");
  // A lower bound: met when even twice the fewest workers fit, only at the fewest when just they do.
  const hoursMark = (x: SharedProjection) =>
    2 * x.functionHours <= 20
      ? "**met**"
      : x.functionHours <= 20
        ? "**met only at the fewest workers**"
        : "**not met**";
  const [measured, projected] = [cs.total, cs.atPolls(paced)];
  return [
    "### One client id for all: the operator's app",
    `All ${fmt(sh.organisations)} organisations on one LwA client id (each its own refresh token), the simulator limiting that client id to ${rateLimitText(input.sharedConfig ?? input.config)}; next to today's run with a client id per organisation and the figures published before the operator's app and the adaptive limits (quoted from the run of 2026-11-29 15:29 UTC, app at 0c2f924: ${BEFORE.engine}). Calls per profile are Amazon calls (token + Ads API, 429s included; the storm's client ids left out) ÷ healthy profiles, by kind token / listing / create / poll / other; the minimum is 5 creates + 5 completing polls per profile and, per healthy login, 3 listings and 1 token exchange, amortised over its profiles.`,
    table(header, rows),
    `Polls at Amazon's generation times are a model, not a measurement: the fixed ladder as in the projection above (first poll at once), and the paced polls with the engine's own \`firstPollDelayMs\` and \`nextPollDelayMs\` (queue/poll-pacing.ts) given 20 earlier generation times of the profile from the same distribution (the first poll where three in four were ready, later ones where nine in ten, 97 in 100 and all were, then the ladder), at ${fmt(pollMs)} ms a poll (the shared run's mean poll unit). A one-day run on a fresh database cannot pace (the first poll needs 3 known generation times of the profile): here ${fmt(sh.firstPolls.paced)} of ${fmt(sh.firstPolls.reports)} first polls were paced, and the first poll came a median ${s(sh.firstPolls.medianMs)} after the create (p95 ${s(sh.firstPolls.p95Ms)}) because phase 1 goes first. The simulator draws each report's time on its own, so its profiles' history says nothing about the next report: pacing then polls first at about the distribution's 3rd quartile, then near its 90th and 97th percentiles and its maximum: ${fmt(paced, 2)} polls a report for ${genText}. For generation times of ${fmtDuration(practical.min)}–${fmtDuration(practical.max)} (the engine's "in practice") the model gives ${fmt(ladderPractical, 2)} polls a report on the ladder and ${fmt(pacedPractical, 2)} paced (${fmt(cs.atPolls(pacedPractical), 1)} calls per profile in the shared run).`,
    `**Projection to ${fmt(ORGS_10K)} organisations on one client id** (×${factor} the shared run). The limit, not W, is the bottleneck, so: busy time T = A ÷ r, with A = the Ads API calls a day the client id must get through (listings, creates and others as accepted here ×${factor}, plus reports × polls per report) and r = the accepted Ads API calls per second it sustained here in phase 1 (first Ads API call to last create, when work was always due: ${fmt(asMeasured.rate, 1)}/s against the simulator's ${input.sharedConfig?.clientRateLimit?.perSecond ?? "?"}/s). The day fits if T + the longest generation (${fmtDuration(asMeasured.tailSeconds * 1000)}) ≤ 24 h. W = ⌈L ÷ T ÷ ${units}⌉, the fewest workers (${units} units at once each) that keep L, the day's Σ unit time (each kind ×${factor} at its mean here, polls at the column's count), in progress on average; more workers only wait for slots, fewer leave the limit unused. Function-hours = W × T (each worker runs while the client id is busy): a lower bound, since no real dispatch packs its lanes that tightly (the run above had ${fmt(unitMs(sh) / sh.runMs, 1)} units in progress on average with ${fmt((units * sum(sh.dispatches.map((d) => d.workers * d.wallMs))) / sum(sh.dispatches.map((d) => d.wallMs)), 1)} lanes on average: the dispatch starts up to W workers, as many as the client keys' ceilings keep busy). Phase 1 alone takes ${fmtDuration(asMeasured.phase1Seconds * 1000)} at r and hardly any report is polled before it ends (request units are claimed before reports), so most reports are ready at their first poll: the left column is the likely one, the right the bound if every report were polled on its paced schedule.`,
    table(
      "10,000 organisations, one client id | polls as measured | polls paced at Amazon's generation times",
      `polls per report | ${both((x) => fmt(x.pollsPerReport, 2))}
A: Ads API calls a day | ${both((x) => fmt(x.limitedCalls))}
T = A ÷ r | ${both((x) => fmtDuration(x.busySeconds * 1000))}
**fits in a day** (T + longest generation ≤ 24 h) | ${both((x) => `**${x.fitsInDay ? "yes" : "no"}** (${fmtDuration((x.busySeconds + x.tailSeconds) * 1000)})`)}
L: Σ unit time a day | ${both((x) => h(x.leaseSeconds))}
W = ⌈L ÷ T ÷ units at once⌉ | ${both((x) => `**${x.workers}**`)}
**function-hours a day** = W × T, at least | ${both((x) => `**${fmt(x.functionHours, 1)} h**`)}
…with twice those workers | ${both((x) => `${fmt(2 * x.functionHours, 1)} h`)}
invocations of ≤ ${s(sh.budgetMs)} back to back (a cron every 5 min on Vercel Pro), at least | ${both((x) => fmt(Math.ceil(x.busySeconds / (sh.budgetMs / 1000)) * x.workers))}`,
    ),
    "**Issue 20's goals** (one client id for all; before = the published run of 2026-11-29, each its own client id):",
    [
      `- ≤ 15 Amazon API calls per profile and day: ${mark(measured <= 15)} as measured (${fmt(measured, 1)}, minimum ${fmt(cs.minimum, 1)}); with every report polled on its paced schedule at Amazon's generation times ${mark(projected <= 15)} (${fmt(projected, 1)}). Before: ${fmt(BEFORE.callsPerProfile, 1)} as measured, ${fmt(BEFORE_AT_AMAZON, 1)} at Amazon's generation times.`,
      `- ≤ 2 token exchanges per login per hour of activity: ${mark(tok.perActiveHourMax <= 2)} (at most ${fmt(tok.perActiveHourMax, 2)}; ${fmt(tok.meanPerLogin, 2)} a login on average). Before: about ${fmt(BEFORE.tokensPerLogin, 0)} a login in a 9-minute run.`,
      `- 10,000 organisations on one client id inside the day: ${mark(asMeasured.fitsInDay && atPaced.fitsInDay)} (T = ${fmtDuration(asMeasured.busySeconds * 1000)} with polls as measured, ${fmtDuration(atPaced.busySeconds * 1000)} paced). Before: ≥ 23.6–85.6 h of units in series.`,
      `- ≤ 20 function-hours a day for them: ${hoursMark(asMeasured)} with polls as measured (at least ${fmt(asMeasured.functionHours, 1)} h, with the fewest workers that keep the limit busy, W = ${asMeasured.workers}), ${hoursMark(atPaced)} paced (at least ${fmt(atPaced.functionHours, 1)} h, W = ${atPaced.workers}); the dispatch sizes its workers to the client keys' ceilings (up to W = ${sh.workers}); the run itself used ${fmt(perOrg(sh), 1)} function-seconds per organisation (${fmt((perOrg(sh) * 10_000) / 3600, 1)} h at 10,000 organisations). Before: 48.2–175.2 h.`,
    ].join("\n"),
  ];
}

/**
 * `--launch-day`: every organisation new on the operator's app (each profile's history on top of the day), against
 * an ordinary day of the same organisations. Under one client id's limit time grows with the calls.
 */
export function launchDayMarkdown(o: { head: string; timeScale: number; ordinary: Run; launch: Run }) {
  const GOALS = { createsPerProfile: 4, pollsPerReport: 2 };
  const SCHEDULE_H = 12; // the first day's, from the 09:00 request to the last collect at 21:00 (vercel.json)
  const { ordinary, launch } = o;
  const hist = launch.calls.history;
  const min = (ms: number | null) =>
    ms === null ? "not all in" : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  const throttled = (r: Run) => (r.calls.adsApiCalls ? (1000 * r.calls.adsApi429) / r.calls.adsApiCalls : 0);
  // Creates Amazon took; the ones it answered 429 were sent again (shown beside).
  const createsPerProfile = (hist.createCalls - hist.createCalls429) / launch.healthyProfiles;
  const historyAt10k = launch.historyInMs === null ? null : (launch.historyInMs * ORGS_10K) / launch.organisations;
  const [launchHours, ordinaryHours] = [(perOrg(launch) * ORGS_10K) / 3600, (perOrg(ordinary) * ORGS_10K) / 3600];
  const goalsMissed =
    createsPerProfile > GOALS.createsPerProfile ||
    hist.pollsPerReport > GOALS.pollsPerReport ||
    launch.historyInMs === null ||
    launch.historyInMs > SCHEDULE_H * 3_600_000;
  const both = (f: (r: Run) => string) => `${f(ordinary)} | ${f(launch)}`;
  const text = `${o.head}
Both runs: the same organisations on one client id (the operator's app) under the simulator's per-client-id
rate limit, ${launch.workers} workers, report generation and poll waits ${o.timeScale}× faster than Amazon's
(calls are not: their latency and the rate limit are real time).

${table(
  " | ordinary day | launch day",
  `organisations / healthy profiles | ${both((r) => `${r.organisations} / ${r.healthyProfiles}`)}
reports created (history) | ${both((r) => `${r.calls.reportsCreated} (${r.calls.history.reports})`)}
Ads API calls; 429s per 1,000 | ${both((r) => `${r.calls.adsApiCalls}; ${throttled(r).toFixed(1)}`)}
the day's data in after | ${both((r) => min(r.dataInMs))}
the last history in after | – | ${min(launch.historyInMs)}
rows stored / Amazon's truth | ${both((r) => `${r.rows.db} / ${r.rows.truth}`)}
function-seconds per organisation | ${both((r) => perOrg(r).toFixed(1))}
invocations over their budget; leases lost | ${both((r) => `${r.overBudget}; ${r.leaseLost}`)}`,
)}

**History per new profile** (goal: ≤ ${GOALS.createsPerProfile} creates, ≤ ${GOALS.pollsPerReport} polls per history report):
${(hist.reports / launch.healthyProfiles).toFixed(2)} history reports and ${createsPerProfile.toFixed(2)} creates Amazon took per profile
(${(hist.createCalls / launch.healthyProfiles).toFixed(2)} create calls: ${hist.createCalls429} of ${hist.createCalls} answered 429 and sent again); ${hist.pollsPerReport.toFixed(2)} polls per
history report (the most: ${hist.maxPolls}). History reports: ${launch.historyReports.completed} completed,
${launch.historyReports.failed} failed, ${launch.historyReports.pending} not in.

**Projection to 10,000 organisations** (calls under one client id's limit grow with their number, so the
time does; function time grows with the organisations):
- a launch day (all 10,000 new): the last history in after about ${min(historyAt10k)}
  (goal: inside the first day's ${SCHEDULE_H} h schedule), ≈ ${launchHours.toFixed(1)} function-hours;
- a day with 1 % new organisations: ≈ ${(ordinaryHours + 0.01 * (launchHours - ordinaryHours)).toFixed(1)} function-hours
  (an ordinary day: ${ordinaryHours.toFixed(1)}).
${goalsMissed ? "\n**A goal was missed** (see above).\n" : ""}`;
  return { text, goalsMissed };
}
