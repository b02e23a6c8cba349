// `npm run bench`: ingest rate, peak memory and phase 1 of the Amazon Ads sync, on a real PostgreSQL
// (a throwaway database on TEST_PG_URL or postgres://postgres@127.0.0.1:5432/postgres) and on PGlite
// (a temp folder), against the Amazon simulator. Prints the figures and, on a full run, writes them to
// docs/benchmarks.md. `npm run bench -- --quick`: a smoke run of ~1 minute (1k and 5k rows, no doc).
// Not part of the test suite. See docs/benchmarks.md.
// `npm run bench -- scale [--quick]`: the dispatch of many organisations instead (scripts/bench/scale.ts).
import os from "node:os";
import { parseArgs } from "node:util";
import { startSimProcess } from "./bench/sim-process";

if (process.argv[2] === "scale") {
  const { scaleBench } = await import("./bench/scale");
  process.exit(await scaleBench(process.argv.slice(3)));
}

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    backend: { type: "string" },
    "row-cap": { type: "string" },
    rounds: { type: "string" },
    sizes: { type: "string" },
    only: { type: "string" },
    "no-doc": { type: "boolean", default: false },
  },
  strict: true,
});
const quick = values.quick ?? false;
// --sizes 200000 (a comma list) and --only ingest|memory narrow a run while working on one thing;
// the doc is then left alone.
const chosen = values.sizes?.split(",").map(Number);
const only = values.only;
const SIZES = only === "memory" ? [] : (chosen ?? (quick ? [1_000, 5_000] : [1_000, 20_000, 200_000]));
const MEMORY_SIZES = only === "ingest" ? [] : (chosen ?? (quick ? [1_000, 5_000] : [20_000, 200_000]));
/** Row by row over 200k rows would take minutes; its rate is flat in the size, so a prefix is timed. */
const ROW_BY_ROW_CAP = Number(values["row-cap"] ?? 5_000);
/** Collect and baselines are run side by side this many times per size on PostgreSQL; medians are compared. */
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 3));
const PHASE1_LATENCY_MS = 500;
const backends = values.backend ? [values.backend] : ["postgres", "pglite"];

const started = performance.now();
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const sim = await startSimProcess();
// The app reads its env on each call; set it before any app module is loaded.
const { benchEnv } = await import("./bench/app");
Object.assign(process.env, benchEnv(sim));
const { run } = await import("./bench/run");

let exitCode = 0;
try {
  const results = await run({
    sim,
    quick,
    sizes: SIZES,
    memorySizes: MEMORY_SIZES,
    rowByRowCap: ROW_BY_ROW_CAP,
    rounds: ROUNDS,
    phase1LatencyMs: PHASE1_LATENCY_MS,
    backends,
    log,
    started,
  });
  results.machine.cpus = `${os.availableParallelism()} CPU (${os.cpus()[0]?.model.trim() ?? "?"})`;
  const { resultsMarkdown } = await import("./bench/report");
  const markdown = resultsMarkdown(results);
  console.log(`\n${markdown}\n`);
  const { checkTargets } = await import("./bench/figures");
  if (checkTargets(results).some((c) => !c.met)) exitCode = 2;
  if (!quick && !values["no-doc"] && !chosen && !only && backends.length === 2) {
    const { updateDoc } = await import("./bench/doc");
    updateDoc("docs/benchmarks.md", markdown);
    log('figures written to docs/benchmarks.md (the previous ones moved to its "Previous figures")');
  }
} catch (error) {
  console.error(`Benchmark failed: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  await sim.close();
}
process.exit(exitCode);
