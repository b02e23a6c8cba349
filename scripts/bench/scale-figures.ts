// What the scale run's figures imply: the musts (no invocation over budget, nothing processed twice,
// rows equal to the truth), the sequential baseline projected to the full size, and the projection to
// 10,000 organisations from the measured cost of each kind of unit.
import type { ScaleRunFigures } from "./scale-run";

export interface Must {
  name: string;
  met: boolean;
  detail: string;
}

export function musts(run: ScaleRunFigures): Must[] {
  const twice = run.calls.duplicateCreates + run.calls.duplicateDownloads + run.loadedTwice + run.leaseLost;
  return [
    {
      name: `${run.label}: every healthy organisation's data is in`,
      met: run.dataInMs !== null,
      detail: `${run.completedReports}/${run.expectedReports} reports, ${run.failedReports} failed`,
    },
    {
      name: `${run.label}: no invocation over its budget`,
      met: run.overBudget === 0,
      detail: `longest ${(run.longestMs / 1000).toFixed(1)} s of ${(run.budgetMs / 1000).toFixed(0)} s; ${run.overBudget} over`,
    },
    {
      name: `${run.label}: no unit processed twice`,
      met: twice === 0,
      detail:
        `creates twice ${run.calls.duplicateCreates}, downloads twice ${run.calls.duplicateDownloads}, ` +
        `loaded twice ${run.loadedTwice}, leases lost ${run.leaseLost}`,
    },
    {
      name: `${run.label}: rows equal the simulator's truth`,
      met:
        run.rows.db === run.rows.truth && run.rows.orgsEqual === run.rows.orgsChecked && run.rows.unhealthyRows === 0,
      detail:
        `${run.rows.db} vs ${run.rows.truth}; ${run.rows.orgsEqual}/${run.rows.orgsChecked} organisations equal` +
        (run.rows.differing.length ? `; e.g. ${JSON.stringify(run.rows.differing)}` : ""),
    },
  ];
}

/** The sequential worker's measured time on its subset, scaled by healthy profiles (its work) to the full run. */
export function sequentialProjection(sequential: ScaleRunFigures, full: ScaleRunFigures): number | null {
  if (sequential.dataInMs === null || sequential.healthyProfiles === 0) return null;
  return (sequential.dataInMs * full.healthyProfiles) / sequential.healthyProfiles;
}

/**
 * Polls per report (the completing one included) at Amazon's own generation times, if workers poll on
 * time: first poll right after the create, then after each wait of the schedule plus the poll's own time.
 * The mean over generation times spread evenly over [min, max] (as the simulator draws them).
 */
export function pollsAtAmazon(
  delaysMs: readonly number[],
  pollMs: number,
  generation: { min: number; max: number },
): number {
  const samples = 2_000;
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const g = generation.min + ((i + 0.5) / samples) * (generation.max - generation.min);
    let t = 0;
    let polls = 1;
    while (t < g) {
      t += pollMs + delaysMs[Math.min(polls - 1, delaysMs.length - 1)]!;
      polls++;
    }
    total += polls;
  }
  return total / samples;
}

export interface Projection {
  organisations: number;
  factor: number;
  /** Units per kind at `organisations`: the measured ones × factor, at their measured mean time. */
  perKind: Array<{ kind: string; units: number; meanMs: number; seconds: number }>;
  leaseSeconds: number;
  /** Share of invocation time spent inside units (the rest: claims, waits for the claim lock, idle, bookkeeping). */
  utilisation: number;
  /** Share of W × dispatch wall time the invocations ran (a dispatch lasts until its slowest worker). */
  fill: number;
  functionSeconds: number;
  gbHours: number;
  minInvocations: number;
  options: Array<{ workers: number; wallSeconds: number; dispatches: number }>;
  /** Workers per tick so the day's work fits the 12 ticks of vercel.json (1 request + 11 collects). */
  workersForCronGrid: number;
  /** If every organisation shared one LwA client id: Σ unit time ÷ clientConcurrency. */
  sharedClientHours: number;
}

export const CRON_TICKS_PER_DAY = 12;

export interface ProjectionOptions {
  organisations: number;
  clientConcurrency: number;
  workerOptions: number[];
  /** Set: polls that find the report still generating are this many per report less one, at `pollMs` each. */
  pollsPerReport?: number;
  pollMs: number;
}

export function project(run: ScaleRunFigures, o: ProjectionOptions): Projection {
  const factor = o.organisations / run.organisations;
  const perKind: Projection["perKind"] = run.costs.map((c) => ({
    kind: c.kind,
    units: Math.round(c.units * factor),
    meanMs: c.meanMs,
    seconds: (c.totalMs * factor) / 1000,
  }));
  if (o.pollsPerReport !== undefined) {
    const reports = perKind
      .filter((k) => k.kind === "load" || k.kind === "failed report")
      .reduce((n, k) => n + k.units, 0);
    const units = Math.round(reports * Math.max(0, o.pollsPerReport - 1));
    const poll = { kind: "poll", units, meanMs: o.pollMs, seconds: (units * o.pollMs) / 1000 };
    const at = perKind.findIndex((k) => k.kind === "poll");
    if (at >= 0) perKind[at] = poll;
    else
      perKind.splice(
        perKind.findIndex((k) => k.kind === "load"),
        0,
        poll,
      );
  }
  const leaseSeconds = perKind.reduce((n, k) => n + k.seconds, 0);
  const utilisation = run.costs.reduce((n, c) => n + c.totalMs, 0) / run.workerMs;
  const fill = run.workerMs / (run.workers * run.dispatches.reduce((n, d) => n + d.wallMs, 0));
  const functionSeconds = leaseSeconds / utilisation;
  const budgetSeconds = run.budgetMs / 1000;
  return {
    organisations: o.organisations,
    factor,
    perKind,
    leaseSeconds,
    utilisation,
    fill,
    functionSeconds,
    gbHours: functionSeconds / 3600,
    minInvocations: Math.ceil(functionSeconds / budgetSeconds),
    options: o.workerOptions.map((workers) => {
      const wallSeconds = functionSeconds / (workers * fill);
      return { workers, wallSeconds, dispatches: Math.ceil(wallSeconds / budgetSeconds) };
    }),
    workersForCronGrid: Math.ceil(functionSeconds / (CRON_TICKS_PER_DAY * budgetSeconds * fill)),
    sharedClientHours: leaseSeconds / o.clientConcurrency / 3600,
  };
}

export function fmtDuration(ms: number | null): string {
  if (ms === null) return "not reached";
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const [unit, big, bigUnit, smallUnit] =
    s < 7200 ? [Math.round(s), 60, "min", "s"] : [Math.round(s / 60), 60, "h", "min"];
  const [whole, small] = [Math.floor(unit / big), unit % big];
  return small ? `${whole} ${bigUnit} ${small} ${smallUnit}` : `${whole} ${bigUnit}`;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
