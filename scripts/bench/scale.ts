// `npm run bench -- scale`: the cron dispatch of many organisations against the simulator on a real
// PostgreSQL. 1,000 organisations, each its own LwA client with 1–5 profiles; Amazon answers
// in 200–500 ms (real time), report generation is scaled down in time (timeScale), 1 % of the
// organisations have a revoked refresh token and 1 % are under a 429 storm. First a single sequential
// worker on a small subset (its time is projected to the full size), then W workers on all of them.
// `--quick`: 50 organisations, W = 16, a subset of 2, generation scaled 60×: a smoke run of about 3 minutes
// (the storm organisation's retries keep its one dispatch going); the doc is left alone.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { WorkerOptions } from "../../src/lib/amazon-ads";
import type { ScaleSimConfig } from "./scale-protocol";
import { startScaleSim } from "./scale-sim";

/**
 * Report generation and the waits between polls run this many times faster than at Amazon; calls do not.
 * --quick uses 60 (a 30 s generation tail instead of 90 s), so the smoke run stays short.
 */
export const TIME_SCALE = 20;
const QUICK_TIME_SCALE = 60;
/** At Amazon: "from seconds to tens of minutes". */
export const REAL_GENERATION_MS = { min: 10_000, max: 30 * 60_000 };
export const LATENCY_MS = { min: 200, max: 500 };

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
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const organisations = Number(values.orgs ?? (quick ? 50 : 1_000));
  const workers = Number(values.workers ?? (quick ? 16 : 32));
  const timeScale = quick ? QUICK_TIME_SCALE : TIME_SCALE;
  const seqOrgs = Number(values["seq-orgs"] ?? (quick ? 2 : 10));
  const budgetMs = Number(values["budget-ms"] ?? 240_000);
  const writeDoc =
    !quick && !values["no-doc"] && !values.orgs && !values.workers && !values["seq-orgs"] && !values["no-autoanalyze"];

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
  };
  const sim = await startScaleSim(config);
  // The app reads its env on each call; set it before any app module is loaded.
  const { benchEnv } = await import("./app");
  Object.assign(process.env, benchEnv(sim));
  const { DEFAULT_WORKER } = await import("../../src/lib/amazon-ads");
  const { env } = await import("../../src/lib/env");
  const { runScale } = await import("./scale-run");
  const worker: WorkerOptions = {
    budgetMs,
    pollDelaysMs: DEFAULT_WORKER.pollDelaysMs.map((ms) => Math.round(ms / timeScale)),
  };
  let exitCode = 0;
  try {
    const orgs = await sim.accounts();
    const subset = orgs.slice(0, seqOrgs);
    if (subset.some((o) => o.fault !== null))
      throw new Error("the sequential subset must hold healthy organisations only");
    log(
      `${orgs.length} organisations, ${orgs.reduce((n, o) => n + o.profileIds.length, 0)} profiles; ` +
        `simulator pid ${sim.pid}; generation ${config.generationMs.min}–${config.generationMs.max} ms`,
    );
    const maxWallMs = (quick ? 10 : 20) * 60_000;
    const autoAnalyze = !values["no-autoanalyze"];
    const common = { sim, worker, maxWallMs, autoAnalyze, log };
    const sequential = await runScale({ ...common, label: "sequential", orgs: subset, workers: 1 });
    const parallel = await runScale({ ...common, label: `W=${workers}`, orgs, workers });
    // The raw figures first: a report that cannot be rendered must not lose a 15-minute run.
    const raw = path.join(os.tmpdir(), `ads-sync-bench-scale-${Date.now()}.json`);
    fs.writeFileSync(raw, JSON.stringify({ config, worker, sequential, parallel }, null, 2));
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
      clientConcurrency: env().AMAZON_ADS_CLIENT_CONCURRENCY,
      sequential,
      parallel,
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
    await sim.close();
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
