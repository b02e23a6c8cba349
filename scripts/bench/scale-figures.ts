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

/** A deterministic uniform [0, 1) stream (mulberry32), so the projection is the same on every run. */
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

/** The engine's pacing (queue/poll-pacing.ts): the first poll's delay, and the next one of a report still running. */
export interface PollPacing {
  first(recentGenerationMs: readonly number[]): number;
  next(recentGenerationMs: readonly number[], ageMs: number, ladderMs: number): number;
}

/**
 * Polls per report with the engine's own pacing (queue/poll-pacing.ts, `firstPollDelayMs` and
 * `nextPollDelayMs`): each report's profile has 20 earlier generation times drawn from the same
 * distribution (the simulator draws each report's time on its own, independent of its profile), its
 * first poll is due after the delay those give, each later one as the pacing says (the history's later
 * points, then the ladder as in pollsAtAmazon). A model of a later day, not a measurement: a one-day run
 * on a fresh database has no generation times yet, so its polls are not paced.
 */
export function pollsAtAmazonPaced(
  delaysMs: readonly number[],
  pollMs: number,
  generation: { min: number; max: number },
  pacing: PollPacing,
  history = 20,
): number {
  const samples = 4_000;
  const random = uniforms(20);
  const draw = () => generation.min + random() * (generation.max - generation.min);
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const recent = Array.from({ length: history }, draw);
    const g = generation.min + ((i + 0.5) / samples) * (generation.max - generation.min);
    let t = pacing.first(recent);
    let polls = 1;
    while (t < g) {
      t += pollMs + pacing.next(recent, t + pollMs, delaysMs[Math.min(polls - 1, delaysMs.length - 1)]!);
      polls++;
    }
    total += polls;
  }
  return total / samples;
}

export const CALL_KINDS = ["token", "listing", "create", "poll", "other"] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export interface CallsPerProfile {
  /** Amazon calls (token + Ads API, 429s included) ÷ healthy profiles, by kind; client ids under a storm left out. */
  byKind: Record<CallKind, number>;
  total: number;
  /** 5 creates + 5 completing polls per profile, 3 listings and 1 token exchange per healthy login amortised. */
  minimum: number;
  /** The same with the polls at `pollsPerReport` a report instead of as measured (their 429s left out). */
  atPolls(pollsPerReport: number): number;
}

export function callsPerProfile(run: ScaleRunFigures): CallsPerProfile {
  const k = run.calls.byKindOthers;
  const profiles = Math.max(1, run.healthyProfiles);
  const byKind: Record<CallKind, number> = {
    token: (k.token ?? 0) / profiles,
    listing: (k.profiles ?? 0) / profiles,
    create: (k.create ?? 0) / profiles,
    poll: (k.poll ?? 0) / profiles,
    other: ((k.delete ?? 0) + (k.other ?? 0)) / profiles,
  };
  const total = CALL_KINDS.reduce((n, kind) => n + byKind[kind], 0);
  const reportsPerProfile = run.expectedReports / profiles;
  return {
    byKind,
    total,
    minimum: 2 * reportsPerProfile + (4 * run.healthyOrgs) / profiles,
    atPolls: (pollsPerReport) => total - byKind.poll + reportsPerProfile * pollsPerReport,
  };
}

/** 429s per 1,000 Ads API calls (the token endpoint is not limited), client ids under a storm left out. */
export const per1000Throttled = (run: ScaleRunFigures) =>
  run.calls.adsApiCallsOthers ? (run.calls.adsApi429Others * 1000) / run.calls.adsApiCallsOthers : 0;

/** Function-seconds per organisation and day: Σ invocation durations ÷ organisations (the run is one day's work). */
export const functionSecondsPerOrg = (run: ScaleRunFigures) => run.workerMs / 1000 / run.organisations;

export interface SharedProjection {
  organisations: number;
  pollsPerReport: number;
  /** Ads API calls a day the one client id must get through (listings, creates, other as measured ×factor; polls at pollsPerReport). */
  limitedCalls: number;
  /** The accepted Ads API calls per second the client id sustained in phase 1 (measured). */
  rate: number;
  /** limitedCalls ÷ rate, s. */
  busySeconds: number;
  /** Phase 1 alone at that rate (its calls ×factor ÷ rate), s: no report is polled before it ends. */
  phase1Seconds: number;
  /** The last reports' generation after the busy time, at most (Amazon's longest), s. */
  tailSeconds: number;
  fitsInDay: boolean;
  /** Σ unit time a day (project(): each kind ×factor at its measured mean, the polls at pollsPerReport), s. */
  leaseSeconds: number;
  /** The fewest workers whose lanes keep the client id's limit busy: ⌈leaseSeconds ÷ busySeconds ÷ unitsAtOnce⌉. */
  workers: number;
  /** workers × busySeconds: each worker runs while the client id is busy. */
  functionHours: number;
}

/**
 * 10,000 organisations on one client id, from the shared run: the limit, not W, is the bottleneck, so
 * the day takes (Ads API calls a day) ÷ (accepted calls per second the client id sustained), and W only
 * has to keep enough units in flight to use it.
 */
export function projectShared(
  run: ScaleRunFigures,
  o: { organisations: number; pollsPerReport: number; pollMs: number; unitsAtOnce: number; tailMs: number },
): SharedProjection {
  const factor = o.organisations / run.organisations;
  const c = run.calls;
  const acceptedPolls = (c.byKind.poll ?? 0) - (c.byKind429.poll ?? 0);
  const acceptedAds = c.adsApiCalls - c.adsApi429;
  const reports = run.expectedReports * factor;
  const limitedCalls = (acceptedAds - acceptedPolls) * factor + reports * o.pollsPerReport;
  const rate = c.phase1AcceptedPerSecond;
  const busySeconds = rate ? limitedCalls / rate : Infinity;
  const lease = project(run, {
    organisations: o.organisations,
    clientConcurrency: 1,
    workerOptions: [],
    pollsPerReport: o.pollsPerReport,
    pollMs: o.pollMs,
  }).leaseSeconds;
  const workers = Math.max(1, Math.ceil(lease / busySeconds / o.unitsAtOnce));
  const tailSeconds = o.tailMs / 1000;
  return {
    organisations: o.organisations,
    pollsPerReport: o.pollsPerReport,
    limitedCalls,
    rate,
    busySeconds,
    phase1Seconds: rate ? (c.phase1Accepted * factor) / rate : Infinity,
    tailSeconds,
    fitsInDay: busySeconds + tailSeconds <= 24 * 3600,
    leaseSeconds: lease,
    workers,
    functionHours: (workers * busySeconds) / 3600,
  };
}
