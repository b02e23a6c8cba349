import { and, eq, lt, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db";
import { logError } from "../../log";
import { closeInterruptedRuns } from "../../sync-logs";
import { deleteExpiredLimits } from "../../rate-limit";
import { amazonAdsRequestUnits as t, type RequestUnit } from "../../db/schema";
import type { DiscoveredProfile } from "../api/profiles";
import { deleteFinishedReports } from "./pending-reports";
import type { BackfillPlan } from "../plan/targets";
import { everyAmazonAdsSettings, type AmazonAdsSettings } from "../../settings/store";
import { withAdsApp } from "../api/ads-app";
import { clientKeyOf } from "./client-key";

/** Rows per insert: 10,000 organisations go in a handful of statements. */
const INSERT_CHUNK = 1_000;

/**
 * The daily phase 1: one discovery unit per organisation with Ads credentials for `runDate` (UTC), idempotent,
 * so a cron firing twice never requests a day twice. Unreadable credentials get a unit too: it records why.
 */
export async function enqueueDailyRequests(
  db: Db,
  options: { runDate?: string; orgIds?: readonly number[] } = {},
): Promise<{ queued: number; organisations: number }> {
  const runDate = options.runDate ?? new Date().toISOString().slice(0, 10);
  const only = options.orgIds ? new Set(options.orgIds) : null;
  const units = (await everyAmazonAdsSettings(db))
    .filter((s) => !only || only.has(s.orgId))
    .map(({ orgId, settings }) => ({
      orgId,
      runDate,
      kind: "discover" as const,
      profileId: "",
      clientKey: settings instanceof Error ? null : discoveryKey(settings),
    }));
  let queued = 0;
  for (let i = 0; i < units.length; i += INSERT_CHUNK) {
    const inserted = await db
      .insert(t)
      .values(units.slice(i, i + INSERT_CHUNK))
      .onConflictDoNothing()
      .returning({ id: t.id });
    queued += inserted.length;
  }
  return { queued, organisations: units.length };
}

/** A discovery's client key, or null when the organisation has no app (the worker records why). */
function discoveryKey(settings: AmazonAdsSettings): string | null {
  try {
    return clientKeyOf(withAdsApp(settings));
  } catch {
    return null;
  }
}

/**
 * A per-organisation run's phase 1: its discovery unit queued again even when the day's units ran (such a
 * run asks Amazon again by design); finished profile units go, so discovery queues the current profiles.
 */
export async function requeueRequestUnits(
  db: Db,
  unit: RunOfUnits & { plan: BackfillPlan | null; clientKey: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(t).where(and(ofRun(unit), eq(t.kind, "profile"), ne(t.status, "pending")));
    await tx
      .insert(t)
      .values({ ...unit, kind: "discover", profileId: "" })
      .onConflictDoUpdate({
        target: [t.orgId, t.runDate, t.job, t.planKey, t.profileId],
        set: {
          status: "pending",
          attempts: 0,
          error: null,
          availableAt: sql`now()`,
          finishedAt: null,
          clientKey: unit.clientKey,
        },
        setWhere: ne(t.status, "pending"),
      });
  });
}

/** The phase-1 units of one run of one organisation: the day's request, or one backfill's plan. */
type RunOfUnits = Pick<RequestUnit, "orgId" | "runDate" | "job" | "planKey">;

function ofRun(run: RunOfUnits) {
  return and(eq(t.orgId, run.orgId), eq(t.runDate, run.runDate), eq(t.job, run.job), eq(t.planKey, run.planKey));
}

/** How many of the run's units are still queued (not done, not given up). */
export async function pendingUnitsOfRun(db: DbOrTx, run: RunOfUnits): Promise<number> {
  return db.$count(t, and(ofRun(run), eq(t.status, "pending")));
}

/** Finished phase-1 units are kept this many days (what ran when), then dropped. */
const KEEP_UNITS_DAYS = 7;

/** Once per dispatch, not per worker: finished work, old units, runs a killed process left running, old limits. */
export async function cleanUpFinishedWork(db: Db): Promise<void> {
  await Promise.all([
    deleteFinishedReports(db, null),
    // Phase-1 units of past days once finished; an unfinished one stays until it is done or given up.
    db.delete(t).where(and(lt(t.runDate, sql`current_date - ${KEEP_UNITS_DAYS}::int`), ne(t.status, "pending"))),
    closeInterruptedRuns(db),
    deleteExpiredLimits(db),
  ]).catch((error) => logError("[amazon-ads] cleaning up finished work failed", error));
}

/**
 * Fresh planner statistics for the queues: right after the day's burst of inserts a claim would scan and sort
 * every due unit under the claim lock (22 ms instead of 0.3 ms a claim, docs/benchmarks.md).
 */
export async function analyzeQueues(db: Db): Promise<void> {
  await db.execute(sql`analyze amazon_ads_request_units, amazon_ads_pending_reports`);
}

/** A discovery's result: one unit per selected profile, of the discovery's own run (job and plan). */
export async function queueProfileUnits(
  db: DbOrTx,
  discovery: RequestUnit,
  profiles: readonly DiscoveredProfile[],
  clientId: string,
): Promise<void> {
  if (profiles.length === 0) return;
  await db
    .insert(t)
    .values(
      profiles.map((profile) => ({
        orgId: discovery.orgId,
        runDate: discovery.runDate,
        kind: "profile" as const,
        job: discovery.job,
        plan: discovery.plan,
        planKey: discovery.planKey,
        profileId: profile.profileId,
        profile: { ...profile },
        clientKey: clientKeyOf({ client_id: clientId, region: profile.region }),
      })),
    )
    .onConflictDoNothing();
}

/** A phase-1 unit back to the queue, due again after 30 s doubling per attempt; the lease ends. */
export async function retryRequestUnitLater(db: DbOrTx, unit: RequestUnit, leaseId: string, error: string) {
  const delaySeconds = 30 * 2 ** Math.max(0, unit.attempts - 1);
  await db
    .update(t)
    .set({ lockedUntil: null, leaseId: null, error, availableAt: sql`now() + make_interval(secs => ${delaySeconds})` })
    .where(and(eq(t.id, unit.id), eq(t.leaseId, leaseId)));
}

/** A phase-1 unit done, or given up with `error`, by the holder of its lease only. */
export async function finishRequestUnit(db: DbOrTx, unit: RequestUnit, leaseId: string, error?: string) {
  const status = error === undefined ? "done" : "failed";
  await db
    .update(t)
    .set({ status, error: error ?? null, lockedUntil: null, leaseId: null, finishedAt: sql`now()` })
    .where(and(eq(t.id, unit.id), eq(t.leaseId, leaseId)));
}
