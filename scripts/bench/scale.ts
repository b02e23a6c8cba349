// `npm run bench -- scale`: the cron dispatch of many organisations against the simulator on a real
// PostgreSQL. 1,000 organisations, each its own LwA client with 1–5 profiles; Amazon answers
// in 200–500 ms (real time), report generation is scaled down in time (timeScale), 1 % of the
// organisations have a revoked refresh token and 1 % are under a 429 storm. First a single sequential
// worker on a small subset (its time is projected to the full size), then W workers on all of them;
// then W workers on the same organisations as logins of ONE LwA app (the operator's app, saved with an
// empty client id and secret), the simulator limiting that client id (SHARED_RATE_LIMIT), no storms.
// `--quick`: 50 organisations, W = 16, a subset of 2, generation scaled 60×: a smoke run of about 3–5
// minutes (the storm organisation's retries keep its one dispatch going); the doc is left alone.
// `--shared-only`: only the shared run; `--no-shared`: without it (neither writes the doc).
// `--launch-day`: the shared set-up twice on the same organisations, an ordinary day and a launch day
// (every profile's history too; scale-launch.ts); it prints its own section and writes no doc.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { WorkerOptions } from "../../src/lib/amazon-ads";
import { SCALE_SHARED_CLIENT_ID, SCALE_SHARED_CLIENT_SECRET } from "../../tools/amazon-ads-simulator/index";
import type { ScaleSimConfig } from "./scale-protocol";
import type { ScaleRunFigures } from "./scale-run";
import { startScaleSim, type ScaleSim } from "./scale-sim";

/**
 * Report generation and the waits between polls run this many times faster than at Amazon; calls do not.
 * --quick uses 60 (a 30 s generation tail instead of 90 s), so the smoke run stays short.
 */
export const TIME_SCALE = 20;
const QUICK_TIME_SCALE = 60;
/** At Amazon: "from seconds to tens of minutes". */
export const REAL_GENERATION_MS = { min: 10_000, max: 30 * 60_000 };
export const LATENCY_MS = { min: 200, max: 500 };
/**
 * Amazon's limit per client id is not documented (and dynamic): this stand-in is the simulator's token
 * bucket on every Ads API call of the one shared client id, 429 with Retry-After above it.
 */
export const SHARED_RATE_LIMIT = { perSecond: 50, burst: 25, retryAfterSeconds: 1 };

export async function scaleBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      orgs: { type: "string" },
      workers: { type: "string" },
      "seq-orgs": { type: "string" },
      "budget-ms": { type: "string" },
      "no-doc": { type: "boolean", default: false },
      "no-autoanalyze": { type: "boolean", default: false },
      "shared-only": { type: "boolean", default: false },
      "no-shared": { type: "boolean", default: false },
      "launch-day": { type: "boolean", default: false },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const organisations = Number(values.orgs ?? (quick ? 50 : 1_000));
  const workers = Number(values.workers ?? (quick ? 16 : 32));
  const timeScale = quick ? QUICK_TIME_SCALE : TIME_SCALE;
  const seqOrgs = Number(values["seq-orgs"] ?? (quick ? 2 : 10));
  const budgetMs = Number(values["budget-ms"] ?? 240_000);
  const launchDay = values["launch-day"] ?? false;
  const sharedOnly = (values["shared-only"] ?? false) || launchDay;
  const withShared = !(values["no-shared"] ?? false);
  if (sharedOnly && !withShared) throw new Error("--shared-only and --no-shared exclude each other");
  const writeDoc =
    !quick &&
    !values["no-doc"] &&
    !values.orgs &&
    !values.workers &&
    !values["seq-orgs"] &&
    !values["no-autoanalyze"] &&
    !sharedOnly &&
    withShared;

  const started = performance.now();
  const appRevision = revision(); // at the start: others may commit while it runs
  const log = (line: string) =>
    console.log(`[bench scale ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  const config: ScaleSimConfig = {
    organisations,
    seed: 1,
    campaignSkew: 4,
    apiLatencyMs: LATENCY_MS,
    tokenLatencyMs: LATENCY_MS,
    generationMs: {
      min: Math.round(REAL_GENERATION_MS.min / timeScale),
      max: Math.round(REAL_GENERATION_MS.max / timeScale),
    },
    faultyShare: 0.01,
    sharedClient: false,
    clientRateLimit: null,
  };
  const sharedConfig: ScaleSimConfig = { ...config, sharedClient: true, clientRateLimit: SHARED_RATE_LIMIT };
  let sim: ScaleSim | null = await startScaleSim(sharedOnly ? sharedConfig : config);
  // The app reads its env on each call; set it before any app module is loaded.
  const { benchEnv, simulatorEnv } = await import("./app");
  Object.assign(process.env, benchEnv(sim));
  const { DEFAULT_WORKER } = await import("../../src/lib/amazon-ads");
  const { env } = await import("../../src/lib/env");
  const { runScale } = await import("./scale-run");
  const worker: WorkerOptions = {
    budgetMs,
    pollDelaysMs: DEFAULT_WORKER.pollDelaysMs.map((ms) => Math.round(ms / timeScale)),
  };
  const e = env();
  let exitCode = 0;
  try {
    const autoAnalyze = !values["no-autoanalyze"];
    const clientConcurrency = e.AMAZON_ADS_CLIENT_CONCURRENCY;
    const describe = async (s: ScaleSim) => {
      const orgs = await s.accounts();
      log(
        `${orgs.length} organisations, ${orgs.reduce((n, o) => n + o.profileIds.length, 0)} profiles` +
          `${s.config.sharedClient ? `, all on client id ${SCALE_SHARED_CLIENT_ID}` : ""}; ` +
          `simulator pid ${s.pid}; generation ${config.generationMs.min}–${config.generationMs.max} ms`,
      );
      return orgs;
    };
    let sequential: ScaleRunFigures | undefined;
    let parallel: ScaleRunFigures | undefined;
    let shared: ScaleRunFigures | undefined;
    const maxWallMs = (quick ? 10 : 20) * 60_000;
    const common = { worker, autoAnalyze, clientConcurrency, log };
    if (launchDay) {
      const orgs = await describe(sim);
      const run = {
        ...common,
        sim,
        maxWallMs: 3 * maxWallMs,
        orgs,
        workers,
        operatorApp: { clientId: SCALE_SHARED_CLIENT_ID, clientSecret: SCALE_SHARED_CLIENT_SECRET },
      };
      const ordinary = await runScale({ ...run, label: `ordinary day W=${workers}` });
      const launch = await runScale({ ...run, label: `launch day W=${workers}`, historyDays: 95 });
      const raw = path.join(os.tmpdir(), `ads-sync-bench-launch-${Date.now()}.json`);
      fs.writeFileSync(raw, JSON.stringify({ sharedConfig, worker, ordinary, launch }, null, 2));
      log(`raw figures in ${raw}`);
      const { launchDayMarkdown } = await import("./scale-launch");
      const markdown = launchDayMarkdown({
        command: `npm run bench -- scale ${argv.join(" ")}`,
        date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
        machine: `${os.availableParallelism()} CPU, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
        revision: appRevision,
        timeScale,
        ordinary,
        launch,
      });
      console.log(`\n${markdown.text}\n`);
      return markdown.goalsMissed ? 2 : 0;
    }
    if (!sharedOnly) {
      const orgs = await describe(sim);
      const subset = orgs.slice(0, seqOrgs);
      if (subset.some((o) => o.fault !== null))
        throw new Error("the sequential subset must hold healthy organisations only");
      const run = { ...common, sim, maxWallMs };
      sequential = await runScale({ ...run, label: "sequential", orgs: subset, workers: 1 });
      parallel = await runScale({ ...run, label: `W=${workers}`, orgs, workers });
    }
    if (withShared) {
      if (!sharedOnly) {
        // The same organisations as logins of one app: a simulator of its own (the same refresh tokens and profiles).
        await sim.close();
        sim = null;
        sim = await startScaleSim(sharedConfig);
        Object.assign(process.env, simulatorEnv(sim));
      }
      const orgs = await describe(sim);
      if (orgs.some((o) => o.fault === "storm")) throw new Error("the shared run must have no storm organisations");
      shared = await runScale({
        ...common,
        sim,
        // Under the one client id's limit a run takes longer: it gets twice the time before it gives up.
        maxWallMs: 2 * maxWallMs,
        label: `shared W=${workers}`,
        orgs,
        workers,
        operatorApp: { clientId: SCALE_SHARED_CLIENT_ID, clientSecret: SCALE_SHARED_CLIENT_SECRET },
      });
    }
    // The raw figures first: a report that cannot be rendered must not lose a 40-minute run.
    const raw = path.join(os.tmpdir(), `ads-sync-bench-scale-${Date.now()}.json`);
    fs.writeFileSync(raw, JSON.stringify({ config, sharedConfig, worker, sequential, parallel, shared }, null, 2));
    log(`raw figures in ${raw}`);
    const { scaleMarkdown } = await import("./scale-report");
    const markdown = scaleMarkdown({
      command: `npm run bench -- scale${argv.length ? ` ${argv.join(" ")}` : ""}`,
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      machine: `${os.availableParallelism()} CPU (${os.cpus()[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
      totalSeconds: (performance.now() - started) / 1000,
      revision: appRevision,
      config,
      timeScale,
      realGenerationMs: REAL_GENERATION_MS,
      amazonPollDelaysMs: DEFAULT_WORKER.pollDelaysMs,
      worker,
      clientConcurrency: e.AMAZON_ADS_CLIENT_CONCURRENCY,
      clientConcurrencyMax: Math.max(e.AMAZON_ADS_CLIENT_CONCURRENCY, e.AMAZON_ADS_CLIENT_CONCURRENCY_MAX),
      unitsAtOnce: e.AMAZON_ADS_UNITS_AT_ONCE,
      sequential,
      parallel,
      shared,
      sharedConfig: withShared ? sharedConfig : undefined,
    });
    console.log(`\n${markdown.text}\n`);
    if (markdown.mustsMissed) exitCode = 2;
    if (writeDoc) {
      const { updateScaleSection } = await import("./scale-report");
      updateScaleSection("docs/benchmarks.md", markdown.text);
      log('figures written to the "Scale: the cron dispatch of many organisations" section of docs/benchmarks.md');
    }
  } catch (error) {
    console.error(`Scale benchmark failed: ${(error as Error).stack ?? error}`);
    exitCode = 1;
  } finally {
    await sim?.close();
  }
  return exitCode;
}

/** The commit the app's code was at, and whether src/ had uncommitted changes (others edit it while benches run). */
function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "src"], { encoding: "utf8" }).trim() !== "";
    return `${head}${dirty ? " with uncommitted changes in src/" : ""}`;
  } catch {
    return "?";
  }
}
