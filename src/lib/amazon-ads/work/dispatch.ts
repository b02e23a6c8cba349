import { z } from "zod";
import { getDb } from "../../db";
import { env } from "../../env";
import { rollUp } from "../../sync-logs";
import {
  JOBS,
  newWorkerRun,
  type OrganisationResult,
  type SyncRun,
  type WorkerRun,
  type WorkerStats,
} from "../reporting/summary";
import { unitsAtOnceForPendingWork } from "../queue/claim";
import { analyzeQueues, cleanUpFinishedWork, enqueueDailyRequests } from "../queue/request-units";
import { runWorker } from "./worker";
import { workerSettings, type WorkerOptions } from "./worker-options";

export interface DispatchOptions {
  /** W: workers started at most (AMAZON_ADS_WORKERS); fewer when the client keys' limits keep fewer busy. */
  workers?: number;
  /** `http`: W invocations of the worker route; `in-process`: W workers here. Default: http on Vercel. */
  via?: "http" | "in-process";
  /** http: the worker route's URL (the caller knows the app's routes and origin). */
  workerUrl?: string;
  worker?: WorkerOptions;
  /** Phase 1's UTC day (tests). */
  runDate?: string;
}

/**
 * A cron run for every organisation: phase 1 queues today's units (idempotent), then up to W workers work
 * through everything due, each within its budget: on Vercel each is an invocation of the worker route.
 */
export async function dispatch(
  job: "request" | "collect",
  options: DispatchOptions = {},
): Promise<SyncRun<OrganisationResult> & { workers: WorkerStats[] }> {
  const e = env();
  const count = options.workers ?? e.AMAZON_ADS_WORKERS;
  const via = options.via ?? e.AMAZON_ADS_DISPATCH ?? (e.VERCEL ? "http" : "in-process");
  const db = await getDb();
  const queued = job === "request" ? await enqueueDailyRequests(db, { runDate: options.runDate }) : undefined;
  await analyzeQueues(db);
  // No more workers than the client keys' limits keep busy: on one client id (the operator's app) its
  // ceiling bounds the units in progress, and the lanes past it would only wait for a slot.
  const { unitsAtOnce, clientConcurrencyMax } = workerSettings(options.worker);
  const busy = await unitsAtOnceForPendingWork(db, clientConcurrencyMax);
  const workers = Math.max(1, Math.min(count, Math.ceil(busy / unitsAtOnce)));
  const runs = await Promise.all(
    Array.from({ length: workers }, () =>
      via === "http" ? workerOverHttp(options) : runWorker(options.worker).then(workerResult),
    ),
  );
  await cleanUpFinishedWork(db);
  const organisations = runs.flatMap((r) => r.organisations);
  return {
    job,
    status: rollUp([...runs.map((r) => r.status), ...organisations.map((o) => o.status)]),
    ...(queued ? { queued } : {}),
    workers: runs.map(withoutOrganisations),
    organisations,
  };
}

function withoutOrganisations(run: WorkerRun<OrganisationResult>): WorkerStats {
  const { organisations, ...rest } = run;
  void organisations; // listed once, for the whole dispatch
  return rest;
}

/** A worker's answer without its per-report details (those are in sync_logs). */
export function workerResult(run: WorkerRun): WorkerRun<OrganisationResult> {
  return {
    ...run,
    organisations: run.organisations.map(({ orgId, job, status, message, syncLogId }) => {
      return { orgId, job, status, message, syncLogId };
    }),
  };
}

const workerResultSchema = z.looseObject({
  workerId: z.string(),
  status: z.enum(["success", "partial", "error"]),
  durationMs: z.number(),
  organisations: z.array(
    z.object({
      orgId: z.number(),
      job: z.enum(JOBS), // a history's rows too: a worker over HTTP answering one was once "without a worker result"
      status: z.enum(["success", "partial", "error"]),
      message: z.string(),
      syncLogId: z.number().optional(),
    }),
  ),
});

/** One worker invocation over HTTP; a worker that cannot be reached or answers badly is an error run. */
async function workerOverHttp({ workerUrl, worker }: DispatchOptions): Promise<WorkerRun<OrganisationResult>> {
  const started = Date.now();
  const failed = (error: string): WorkerRun<OrganisationResult> => ({
    ...newWorkerRun("-", started, worker?.budgetMs ?? 0),
    status: "error",
    durationMs: Date.now() - started,
    stoppedBecause: "error",
    error,
  });
  if (!workerUrl) return failed("No URL for the worker route");
  const url = new URL(workerUrl);
  if (worker?.budgetMs) url.searchParams.set("budgetMs", String(worker.budgetMs));
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${env().CRON_SECRET ?? ""}` },
      // A worker stops by its own budget; this only guards against one that never answers.
      signal: AbortSignal.timeout((worker?.budgetMs ?? 240_000) + 60_000),
    });
    const body: unknown = await response.json().catch(() => null);
    const parsed = workerResultSchema.safeParse(body);
    if (!parsed.success) return failed(`Worker answered HTTP ${response.status} without a worker result`);
    return parsed.data as unknown as WorkerRun<OrganisationResult>;
  } catch (error) {
    return failed(`Worker invocation failed: ${(error as Error).message}`);
  }
}
