import { clientKeyOf } from "../queue/client-key";
import { DEFAULT_RETRY } from "../../amazon/retry";
import { getDb, type Db } from "../../db";
import type { PendingReport } from "../../db/schema";
import { MissingCredentialsError, NotFoundError, UnreadableSettingError } from "../../errors";
import { logError } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";
import { orgIdsWithSetting } from "../../settings/store";
import type { AdsClientOptions } from "../api/client";
import { todayIn } from "../plan/dates";
import { planKeyOf, type BackfillPlan } from "../plan/targets";
import { describeError } from "../reporting/describe-error";
import { OrgLogBook, type LogEntry } from "../reporting/org-logs";
import { emptySummary, syncRun, type PhaseSummary, type ReportOutcome, type SyncRun } from "../reporting/summary";
import { outcomeBase } from "../sync/collect-report";
import { requireAdsSettings } from "../sync/credentials";
import { deleteFinishedReports, pendingReports, pollNow } from "../queue/pending-reports";
import type { ClaimScope } from "../queue/claim";
import { pendingUnitsOfRun, requeueRequestUnits } from "../queue/request-units";
import { runWorker } from "./worker";
import { DEFAULT_WORKER, type RunAccount, type WorkerOptions } from "./worker-options";

export type Job = "request" | "collect";

export interface RequestOptions {
  now?: Date;
  client?: AdsClientOptions;
  onProgress?: (done: number, total: number) => void;
}

export type CollectOptions = Pick<
  WorkerOptions,
  "budgetMs" | "pollDelaysMs" | "batchSize" | "unitsAtOnce" | "client" | "onBatch"
>;

/** Phase 1's budget; the cron route's maxDuration is 300 s. */
const REQUEST_BUDGET_MS = 240_000;

/** Organisations a run covers: the one asked for, or every organisation with Ads credentials. */
export async function organisationsFor(orgId: number | null): Promise<number[]> {
  return orgId === null ? orgIdsWithSetting("amazon_ads") : [orgId];
}

/**
 * One phase for one organisation, or for each with Ads credentials in turn (one's failure never stops the
 * others). A named organisation that is unknown or has no credentials is thrown: the caller's mistake.
 */
export async function runJob(
  job: Job,
  orgId: number | null,
  options: { request?: RequestOptions; collect?: CollectOptions } = {},
): Promise<SyncRun> {
  const organisations: PhaseSummary[] = [];
  for (const id of await organisationsFor(orgId)) {
    try {
      organisations.push(
        job === "request" ? await requestReports(id, options.request) : await collectReports(id, options.collect),
      );
    } catch (error) {
      if (orgId !== null && (error instanceof NotFoundError || error instanceof MissingCredentialsError)) throw error;
      logError(`[amazon-ads] ${job} for org ${id} failed`, error);
      organisations.push({ ...emptySummary(id, job), status: "error", message: describeError(error) });
    }
  }
  return syncRun(job, organisations);
}

/** Phase 1 for one organisation: today's discovery unit queued again, then its units worked through here. */
export function requestReports(orgId: number, options: RequestOptions = {}): Promise<PhaseSummary> {
  return requestRun(orgId, null, options);
}

/** Phase 1 of a backfill for one organisation: the same units, asking for the plan's range. */
export function requestBackfill(orgId: number, plan: BackfillPlan, options: RequestOptions = {}) {
  return requestRun(orgId, plan, options);
}

async function requestRun(orgId: number, plan: BackfillPlan | null, options: RequestOptions): Promise<PhaseSummary> {
  const job: "request" | "backfill" = plan ? "backfill" : "request";
  const now = options.now;
  const units = { orgId, runDate: todayIn("UTC", now), job, planKey: plan ? planKeyOf(plan) : "" };
  let progress: LogEntry | null = null;
  let done = 0;
  return orgRun(orgId, job, {
    run: { job, planKey: units.planKey },
    budgetMs: REQUEST_BUDGET_MS,
    client: options.client,
    now: now ? () => now : undefined,
    prepare: (db, settings) => requeueRequestUnits(db, { ...units, plan, clientKey: clientKeyOf(settings) }),
    account: {
      opened: (entry) => (progress = entry),
      unitDone: (kind) => {
        if (kind === "profile" && progress?.queuedProfiles) options.onProgress?.(++done, progress.queuedProfiles);
      },
      // Units the run could not take are said: the run is partial and the workers finish them.
      complete: async (entry) => {
        entry.leftInQueue = await pendingUnitsOfRun(await getDb(), units);
      },
    },
  });
}

/**
 * Phase 2 for one organisation: every pending report polled now, then by the worker's ladder while the
 * budget lasts. Its account lists every report pending at the start.
 */
export async function collectReports(orgId: number, options: CollectOptions = {}): Promise<PhaseSummary> {
  const budgetMs = options.budgetMs ?? DEFAULT_WORKER.budgetMs;
  let pending: PendingReport[] = [];
  let heldByOthers = new Set<number>();
  return orgRun(orgId, "collect", {
    ...options,
    budgetMs,
    maxIdleMs: budgetMs,
    prepare: async (db) => {
      pending = await pendingReports(db, orgId);
      heldByOthers = new Set(pending.filter((r) => r.lockedUntil && r.lockedUntil > new Date()).map((r) => r.id));
      await pollNow(db, orgId);
    },
    account: {
      complete: async (entry) => {
        const db = await getDb();
        entry.nothingPending = pending.length === 0;
        entry.removed = await deleteFinishedReports(db, orgId);
        entry.summary.reports = await accountOfPending(db, pending, heldByOthers, entry.summary.reports);
      },
    },
  });
}

/** Per report pending at the start (`held` by other runs first): its last outcome, else "skipped" or still pending. */
async function accountOfPending(db: Db, pending: PendingReport[], held: Set<number>, outcomes: ReportOutcome[]) {
  const key = (o: { profileId: string; reportId?: string }) => `${o.profileId}|${o.reportId}`;
  const latest = new Map(outcomes.map((o) => [key(o), o]));
  const now = new Map((await pendingReports(db, pending[0]?.orgId ?? -1)).map((r) => [r.id, r]));
  const ordered = [...pending.filter((r) => held.has(r.id)), ...pending.filter((r) => !held.has(r.id))];
  const accounted = ordered.map((row): ReportOutcome => {
    const outcome = latest.get(key(outcomeBase(row)));
    if (outcome) return outcome;
    if (held.has(row.id))
      return { ...outcomeBase(row), outcome: "skipped", error: "another collect run is working on it" };
    return { ...outcomeBase(row), amazonStatus: (now.get(row.id) ?? row).amazonStatus ?? undefined };
  });
  const listed = new Set(accounted.map(key));
  return [...accounted, ...outcomes.filter((o) => !listed.has(key(o)))];
}

interface OrgRunOptions extends Omit<WorkerOptions, "account" | "scope"> {
  prepare(db: Db, settings: AmazonAdsSettings): Promise<void>;
  run?: ClaimScope["run"];
  account?: Omit<RunAccount, "orgId" | "job">;
}

/**
 * Every per-organisation run (the `?orgId=N` crons, the CLI, a backfill, the demo): its credentials, its units
 * queued, one inline worker limited to them, answering with its one sync_logs row.
 */
async function orgRun(orgId: number, job: PhaseSummary["job"], options: OrgRunOptions): Promise<PhaseSummary> {
  const db = await getDb();
  const { prepare, account, run: ownUnits, ...worker } = options;
  let settings: AmazonAdsSettings;
  try {
    settings = await requireAdsSettings(orgId, db);
  } catch (error) {
    if (!(error instanceof UnreadableSettingError)) throw error;
    const logs = new OrgLogBook(db, Date.now());
    logs.entry(orgId, job).aborted = `Aborted: ${describeError(error)}`;
    const [summary] = await logs.finish();
    return summary!;
  }
  await prepare(db, settings);
  const run = await runWorker({
    // Alone on its client id, it retries 429s within its budget.
    tryOnce: true,
    unitThrottledAttempts: worker.client?.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    discovery: "live",
    ...worker,
    scope: { orgId, queue: job === "collect" ? "reports" : "requests", run: ownUnits },
    account: { ...account, orgId, job },
  });
  const summary = run.organisations.find((s) => s.orgId === orgId && s.job === job);
  if (!summary) throw new Error(run.error ?? `The ${job} run of organisation ${orgId} wrote no account`);
  return summary;
}
