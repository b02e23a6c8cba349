import { env } from "../../env";
import type { AdsClientOptions } from "../api/client";
import type { LogEntry } from "../reporting/org-logs";
import type { PhaseSummary } from "../reporting/summary";
import type { ClaimScope } from "../queue/claim";

export interface WorkerOptions {
  /** Stop taking units this long after the start; on Vercel the route's maxDuration (300 s) minus a margin. */
  budgetMs?: number;
  /** No new unit is taken in the last `reserveMs` of the budget (a unit in progress finishes). */
  reserveMs?: number;
  /** A per-organisation run: a phase-1 unit is tried once (its caller sees the outcome), its retries take the budget. */
  tryOnce?: boolean;
  /** Tries of a call Amazon answers 429 before the unit goes back and its client id backs off. */
  unitThrottledAttempts?: number;
  /** A profile's report creates at once, at most (the claim gives fewer when its client key's slots are not free). */
  createsAtOnce?: number;
  /** "daily": reuse the login's listing of today (api/discovery-cache.ts); "live": list again. */
  discovery?: "daily" | "live";
  /** Units this worker works on at once; bounded by the database pool (DATABASE_POOL_MAX − 1). */
  unitsAtOnce?: number;
  /** Only this organisation's units of one queue (a per-organisation run); default: every unit. */
  scope?: ClaimScope;
  /** How long a claim holds a unit; a crashed worker's unit is claimable again after it. */
  leaseMs?: number;
  /** A client key's adaptive limit of calls at once: its start and ceiling (AMAZON_ADS_CLIENT_CONCURRENCY, _MAX). */
  clientConcurrency?: number;
  clientConcurrencyMax?: number;
  /** When nothing is due, wait for the next due unit if it comes within this long; else stop. */
  maxIdleMs?: number;
  /** Waits between polls of a report Amazon is still generating, by poll count (the last repeats). */
  pollDelaysMs?: number[];
  batchSize?: number;
  client?: AdsClientOptions;
  now?: () => Date;
  /** Aborted: take no new unit (SIGTERM of a CLI worker). */
  signal?: AbortSignal;
  /** Called between batches of a load (tests use it to kill a worker in the middle of an upsert). */
  onBatch?: (rowsSoFar: number) => void;
  /** A per-organisation run's account: its sync_logs row opened at the start, completed at the stop. */
  account?: RunAccount;
}

/** A per-organisation run's one sync_logs row, opened before the first claim, even when there is nothing to do. */
export interface RunAccount {
  orgId: number;
  job: PhaseSummary["job"];
  opened?(entry: LogEntry): void;
  unitDone?(kind: "discover" | "profile" | "report"): void;
  complete?(entry: LogEntry): Promise<void>;
}

type Hooks = "client" | "now" | "signal" | "onBatch" | "account" | "scope";
export type WorkerSettings = Required<Omit<WorkerOptions, Hooks>> & Pick<WorkerOptions, Hooks>;

export const DEFAULT_WORKER = {
  budgetMs: 240_000,
  reserveMs: 15_000,
  tryOnce: false,
  unitThrottledAttempts: 2,
  createsAtOnce: 5,
  discovery: "daily" as "daily" | "live",
  leaseMs: 180_000,
  maxIdleMs: 30_000,
  pollDelaysMs: [5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000],
  batchSize: 2_000,
};

/** Options given (undefined ones keep their defaults) over the defaults and the environment. */
export function workerSettings(options: WorkerOptions = {}): WorkerSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as WorkerOptions;
  const budgetMs = given.budgetMs ?? DEFAULT_WORKER.budgetMs;
  const e = env();
  const settings = {
    ...DEFAULT_WORKER,
    // A short budget (a test, a quick CLI run) keeps a tenth of itself, not the 15 s of a cron's.
    reserveMs: Math.min(DEFAULT_WORKER.reserveMs, budgetMs / 10),
    clientConcurrency: e.AMAZON_ADS_CLIENT_CONCURRENCY,
    clientConcurrencyMax: e.AMAZON_ADS_CLIENT_CONCURRENCY_MAX,
    unitsAtOnce: e.AMAZON_ADS_UNITS_AT_ONCE,
    ...given,
  };
  // Each unit holds at most one connection at a time; one stays free for the log book and the claims.
  const connections = Math.max(1, e.DATABASE_POOL_MAX - 1);
  return {
    ...settings,
    unitsAtOnce: Math.max(1, Math.min(settings.unitsAtOnce, connections)),
    clientConcurrencyMax: Math.max(settings.clientConcurrency, settings.clientConcurrencyMax),
  };
}
