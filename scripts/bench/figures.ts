// The results of one benchmark run and the targets they are held against.
import type { IngestFigures } from "./ingest";
import type { MemoryFigures } from "./memory";
import type { Phase1Figures } from "./phase1";

export interface Machine {
  date: string;
  cpus: string;
  memory: string;
  node: string;
  postgres: string;
  pglite: string;
}

export interface BenchResults {
  quick: boolean;
  command: string;
  machine: Machine;
  ingest: IngestFigures[];
  memory: MemoryFigures[];
  phase1: Phase1Figures[];
  totalMs: number;
}

export const TARGETS = { vsCopy: 0.5, vsRowByRow: 10, memoryGrowthMb: 64, phase1Factor: 1.5 };

export const rate = (rows: number, ms: number) => (rows * 1000) / ms;

export interface TargetCheck {
  what: string;
  value: string;
  target: string;
  met: boolean;
}

/** The targets, on real Postgres (PGlite's figures are shown, not held to them). */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const f of r.ingest.filter((i) => i.backend === "postgres")) {
    for (const mode of ["empty", "update"] as const) {
      const collect = rate(f.rows, f.collect[mode]);
      const copy = rate(f.rows, f.copy[mode]);
      const rowByRow = rate(f.rowByRow.rows, f.rowByRow[mode]);
      const label = `${f.rows.toLocaleString("en")} rows, ${mode === "empty" ? "empty table" : "update"}`;
      checks.push({
        what: `collect ÷ COPY, ${label}`,
        value: `${(collect / copy).toFixed(2)}×`,
        target: `≥ ${TARGETS.vsCopy}×`,
        met: collect >= TARGETS.vsCopy * copy,
      });
      checks.push({
        what: `collect ÷ row-by-row, ${label}`,
        value: `${(collect / rowByRow).toFixed(1)}×`,
        target: `≥ ${TARGETS.vsRowByRow}×`,
        met: collect >= TARGETS.vsRowByRow * rowByRow,
      });
    }
  }
  for (const backend of ["postgres", "pglite"] as const)
    for (const cap of [...new Set(r.memory.map((x) => x.oldSpaceMb))]) {
      const m = r.memory
        .filter((x) => x.backend === backend && x.oldSpaceMb === cap)
        .sort((a, b) => a.campaigns - b.campaigns);
      if (m.length < 2) continue;
      const growth = (m[m.length - 1]!.peak - m[0]!.peak) / 2 ** 20;
      const heap = cap === null ? "V8 default heap" : `old space capped at ${cap} MB`;
      checks.push({
        what: `peak RSS growth ${m[0]!.rows.toLocaleString("en")} → ${m[m.length - 1]!.rows.toLocaleString("en")} rows (${backend}, ${heap})`,
        value: `${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB`,
        target: `≤ +${TARGETS.memoryGrowthMb} MB`,
        met: growth <= TARGETS.memoryGrowthMb,
      });
    }
  for (const p of r.phase1) {
    for (const run of p.runs.filter((x) => x.run.startsWith("request"))) {
      const limit = TARGETS.phase1Factor * p.latencyMs;
      checks.push({
        what: `phase 1 wall time, ${run.run} (${p.backend})`,
        value: `${Math.round(run.ms)} ms`,
        target: `≤ ${limit} ms`,
        met: run.ms <= limit,
      });
    }
  }
  return checks;
}
