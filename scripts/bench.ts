// `npm run bench`: ingest rate, peak memory and phase 1 of the Amazon Ads sync, on a real PostgreSQL
// (a throwaway database on TEST_PG_URL or postgres://postgres@127.0.0.1:5432/postgres) and on PGlite
// (a temp folder), against the Amazon simulator (scripts/bench/ingest.ts). Prints the figures and, on a
// full run, writes them to docs/benchmarks.md. `--quick`: a smoke run (1k and 5k rows, one round, no doc);
// `--only ingest|memory`, `--sizes 200000` (a comma list) and `--backend postgres` narrow a run while
// working on one thing (no doc then); `--rounds N`: rounds on PostgreSQL (3). Exits 2 when a target is
// missed. Not part of the test suite. See docs/benchmarks.md.
// `npm run bench -- scale [--quick]`: the dispatch of many organisations instead (scripts/bench/scale.ts).
import { parseArgs } from "node:util";
import type { BenchResults } from "./bench/ingest";
import { benchEnv, machine, runDate, startSim, updateDoc } from "./bench/lib";

if (process.argv[2] === "scale") {
  const { scaleBench } = await import("./bench/scale");
  process.exit(await scaleBench(process.argv.slice(3)));
}

const [flag, value] = [{ type: "boolean" } as const, { type: "string" } as const];
const options = { quick: flag, "no-doc": flag, backend: value, rounds: value, sizes: value, only: value };
const { values } = parseArgs({ options });
const quick = values.quick ?? false;
const chosen = values.sizes?.split(",").map(Number);
const backends = values.backend ? [values.backend] : ["postgres", "pglite"];
const started = performance.now();
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const sim = await startSim();
// The app reads its env on each call; set it before any app module is loaded.
Object.assign(process.env, benchEnv(sim));
let exitCode = 0;
try {
  const { checkTargets, measureBackend, resultsMarkdown } = await import("./bench/ingest");
  const command = `npm run bench${quick ? " -- --quick" : ""}`;
  const empty = { ingest: [], memory: [], phase1: [], versions: { postgres: "", pglite: "" }, totalMs: 0 };
  const results: BenchResults = { command, date: runDate(), machine: machine(), ...empty };
  for (const backend of backends) {
    if (backend !== "postgres" && backend !== "pglite") throw new Error(`unknown backend ${backend}`);
    await measureBackend(results, sim, {
      backend,
      sizes: values.only === "memory" ? [] : (chosen ?? (quick ? [1_000, 5_000] : [1_000, 20_000, 200_000])),
      memorySizes: values.only === "ingest" ? [] : (chosen ?? (quick ? [1_000, 5_000] : [20_000, 200_000])),
      rounds: Number(values.rounds ?? (quick ? 1 : 3)),
      log,
    });
  }
  results.totalMs = performance.now() - started;
  const markdown = resultsMarkdown(results);
  console.log(`\n${markdown}\n`);
  if (checkTargets(results).some(([, , , met]) => !met)) exitCode = 2;
  if (!quick && !values["no-doc"] && !chosen && !values.only && backends.length === 2) {
    updateDoc(markdown, ["latest", "previous"], 5);
    log('figures written to docs/benchmarks.md (the previous ones moved to its "Previous figures")');
  }
} catch (error) {
  console.error(`Benchmark failed: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  await sim.close();
}
process.exit(exitCode);
