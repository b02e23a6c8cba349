// The benchmark's sequence: per database, phase 1 first (it needs a fresh organisation), then the
// ingest at each size, then the peak memory; each database is dropped or deleted at the end.
import fs from "node:fs";
import os from "node:os";
import { prepareOrg } from "./app";
import { createPgliteDb, createPostgresDb, type BenchDb } from "./databases";
import type { BenchResults } from "./figures";
import { fmtMs, measureIngest } from "./ingest";
import { measureMemory } from "./memory";
import { measurePhase1 } from "./phase1";
import type { SimProcess } from "./sim-process";

export interface RunOptions {
  sim: SimProcess;
  quick: boolean;
  sizes: number[];
  memorySizes: number[];
  rowByRowCap: number;
  /** Rounds of collect and baselines per size on PostgreSQL (medians are compared); PGlite runs one. */
  rounds: number;
  phase1LatencyMs: number;
  backends: string[];
  log: (line: string) => void;
  started: number;
}

const pgliteVersion = (): string =>
  (JSON.parse(fs.readFileSync("node_modules/@electric-sql/pglite/package.json", "utf8")) as { version: string })
    .version;

export async function run(o: RunOptions): Promise<BenchResults> {
  const results: BenchResults = {
    quick: o.quick,
    command: `npm run bench${o.quick ? " -- --quick" : ""}`,
    machine: {
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      cpus: "",
      memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      node: process.version,
      postgres: "",
      pglite: pgliteVersion(),
    },
    ingest: [],
    memory: [],
    phase1: [],
    totalMs: 0,
  };
  for (const backend of o.backends) {
    if (backend !== "postgres" && backend !== "pglite") throw new Error(`unknown backend ${backend}`);
    o.log(`${backend}: creating a throwaway database`);
    const db: BenchDb = backend === "postgres" ? await createPostgresDb() : await createPgliteDb();
    try {
      if (backend === "postgres") results.machine.postgres = db.version.replace(/ on .*$/, "");
      else results.machine.pglite += ` (${db.version.replace(/ on .*$/, "")})`;
      await db.activate();
      await prepareOrg();
      const p1 = await measurePhase1(o.sim, db.backend, o.phase1LatencyMs);
      results.phase1.push(p1);
      await o.sim.cacheDownloads(true);
      o.log(`${backend}: phase 1 ${p1.runs.map((r) => `${r.run} ${fmtMs(r.ms)} (${r.total} calls)`).join(", ")}`);
      for (const campaigns of o.sizes) {
        const rounds = backend === "postgres" ? o.rounds : 1;
        const f = await measureIngest(db, o.sim, campaigns, { rowByRowCap: o.rowByRowCap, rounds }, (line) =>
          o.log(`${backend} ${campaigns} campaigns: ${line}`),
        );
        results.ingest.push(f);
      }
      for (const campaigns of o.memorySizes) {
        const m = await measureMemory(db, o.sim, campaigns);
        results.memory.push(m);
        o.log(
          `${backend} ${campaigns} campaigns: collect child peak RSS ${(m.peak / 2 ** 20).toFixed(1)} MB (idle before ${(m.rssBefore / 2 ** 20).toFixed(1)} MB; V8 heap used ${(m.heapUsedPeak / 2 ** 20).toFixed(1)} MB of ${(m.heapTotalPeak / 2 ** 20).toFixed(1)} MB, external ${(m.externalPeak / 2 ** 20).toFixed(1)} MB), ${fmtMs(m.ms)}`,
        );
      }
    } finally {
      await db.dispose();
    }
  }
  results.totalMs = performance.now() - o.started;
  return results;
}
