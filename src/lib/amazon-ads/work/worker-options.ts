import { env } from "../../env";
import type { AdsClientOptions } from "../api/client";

export interface WorkerOptions {
  /** Stop taking units this long after the start; on Vercel the route's maxDuration (300 s) minus a margin. */
  budgetMs?: number;
  /** No new unit is taken in the last `reserveMs` of the budget (a unit in progress finishes). */
  reserveMs?: number;
  /** Longest a unit's Amazon retries may run; a throttled unit goes back to the queue after it. */
  unitBudgetMs?: number;
  /** How long a claim holds a unit; a crashed worker's unit is claimable again after it. */
  leaseMs?: number;
  /** Units of one client id in progress at once, across every worker (AMAZON_ADS_CLIENT_CONCURRENCY). */
  clientConcurrency?: number;
  /** When nothing is due, wait for the next due unit if it comes within this long; else stop. */
  maxIdleMs?: number;
  /** Waits between polls of a report Amazon is still generating, by poll count (the last repeats). */
  pollDelaysMs?: number[];
  /** A report pending longer than this is cancelled at Amazon and marked failed (Amazon: up to 3 h). */
  timeoutHours?: number;
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
}

type Hooks = "client" | "now" | "signal" | "onUnit" | "onBatch";
export type WorkerSettings = Required<Omit<WorkerOptions, Hooks>> & Pick<WorkerOptions, Hooks>;

export const DEFAULT_WORKER = {
  budgetMs: 240_000,
  reserveMs: 15_000,
  unitBudgetMs: 60_000,
  leaseMs: 180_000,
  maxIdleMs: 30_000,
  pollDelaysMs: [5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000],
  timeoutHours: 24,
  batchSize: 2_000,
};

/** Options given (undefined ones keep their defaults) over the defaults and the environment. */
export function workerSettings(options: WorkerOptions = {}): WorkerSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as WorkerOptions;
  return { ...DEFAULT_WORKER, clientConcurrency: env().AMAZON_ADS_CLIENT_CONCURRENCY, ...given };
}
