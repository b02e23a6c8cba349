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
  /** Longest a unit's Amazon retries may run; a throttled unit goes back to the queue after it. */
  unitBudgetMs?: number;
  /**
   * Tries of a call Amazon answers 429 before the unit gives it up (and its client id backs off). A
   * dispatch's workers give up soon, so the backoff does the waiting; a per-organisation run, alone on
   * its client id, keeps trying within its budget.
   */
  unitThrottledAttempts?: number;
  /**
   * Tries of a phase-1 unit that Amazon throttled or could not answer, spaced 30 s doubling, before
   * it is given up. A per-organisation run tries once: its caller sees the outcome now, and its next
   * run asks again.
   */
  requestUnitAttempts?: number;
  /**
   * A profile's report creates in flight at once, at most: its unit takes that many of its client
   * key's slots when they are free (claim.ts), fewer when they are not, so calls per client key stay
   * within its limit. Five: all of a day's creates at once, as the spec asks.
   */
  createsAtOnce?: number;
  /**
   * "daily": a discovery reuses its login's listing of today when there is one (at most one listing per
   * login and UTC day, api/discovery-cache.ts); "live": it lists again (a per-organisation run asks Amazon
   * again by design, so a revoked grant or a new profile shows at once).
   */
  discovery?: "daily" | "live";
  /** Units this worker works on at once; bounded by the database pool (DATABASE_POOL_MAX − 1). */
  unitsAtOnce?: number;
  /** Only this organisation's units of one queue (a per-organisation run); default: every unit. */
  scope?: ClaimScope;
  /** How long a claim holds a unit; a crashed worker's unit is claimable again after it. */
  leaseMs?: number;
  /** A client key's limit of calls at once before it adapts, across every worker (AMAZON_ADS_CLIENT_CONCURRENCY). */
  clientConcurrency?: number;
  /** The ceiling of the adaptive limit (AMAZON_ADS_CLIENT_CONCURRENCY_MAX; at least clientConcurrency). */
  clientConcurrencyMax?: number;
  /** When nothing is due, wait for the next due unit if it comes within this long; else stop. */
  maxIdleMs?: number;
  /** Waits between polls of a report Amazon is still generating, by poll count (the last repeats). */
  pollDelaysMs?: number[];
  batchSize?: number;
  client?: AdsClientOptions;
  /** The clock for "today" of each profile (tests). */
  now?: () => Date;
  /** Aborted: take no new unit (SIGTERM of a CLI worker). */
  signal?: AbortSignal;
  /** Called after each unit. */
  onUnit?: (kind: "discover" | "profile" | "report", id: number) => void;
  /** Called between batches of a load (tests use it to kill a worker in the middle of an upsert). */
  onBatch?: (rowsSoFar: number) => void;
  /** A per-organisation run's account: its sync_logs row opened at the start, completed at the stop. */
  account?: RunAccount;
}

/**
 * The one sync_logs row a per-organisation run always writes, even when it finds nothing to do:
 * the worker opens it before its first claim and lets the run complete it before closing it.
 */
export interface RunAccount {
  orgId: number;
  job: PhaseSummary["job"];
  opened?(entry: LogEntry): void;
  complete?(entry: LogEntry): Promise<void>;
}

type Hooks = "client" | "now" | "signal" | "onUnit" | "onBatch" | "account" | "scope";
export type WorkerSettings = Required<Omit<WorkerOptions, Hooks>> & Pick<WorkerOptions, Hooks>;

export const DEFAULT_WORKER = {
  budgetMs: 240_000,
  reserveMs: 15_000,
  unitBudgetMs: 60_000,
  unitThrottledAttempts: 2,
  requestUnitAttempts: 4,
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
  // A short budget (a test, a quick CLI run) keeps a tenth of itself, not the 15 s of a cron's.
  const reserveMs = Math.min(DEFAULT_WORKER.reserveMs, budgetMs / 10);
  const e = env();
  const settings = {
    ...DEFAULT_WORKER,
    reserveMs,
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
