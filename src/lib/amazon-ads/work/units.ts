import { isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import type { Db } from "../../db";
import { AppError } from "../../errors";
import type { PendingReport, RequestUnit } from "../../db/schema";
import type { AmazonAdsSettings } from "../../settings/schema";
import type { AdsClient, CallMeter } from "../api/client";
import { discoveredProfileSchema } from "../api/profiles";
import { discoverProfilesOncePerDay } from "../api/discovery-cache";
import { listedProfileIds } from "../../settings/schema";
import { collectReport, outcomeBase, REPORT_TIMEOUT_HOURS } from "../sync/collect-report";
import { describeError, isOrganisationFailure } from "../reporting/describe-error";
import { abandonUnselectedProfiles, failedNotRetried, settleReport } from "../queue/pending-reports";
import { nextPollDelayMs, recentGenerationTimes } from "../queue/poll-pacing";
import { finishRequestUnit, queueProfileUnits, retryRequestUnitLater } from "../queue/request-units";
import { selectProfiles } from "../plan/profile-selection";
import {
  backfillPlanSchema,
  backfillTargets,
  historyPlanSchema,
  historyTargets,
  type BackfillPlan,
  type ReportTarget,
} from "../plan/targets";
import { queueHistoryUnits, recordHistorySpan } from "../queue/history";
import { requestForProfile } from "../sync/request-profile";
import type { UnitOutcome } from "../reporting/org-logs";
import type { ReportOutcome } from "../reporting/summary";
import { env } from "../../env";
import { DEFAULT_WORKER, type WorkerSettings } from "./worker-options";

/** What a unit needs from its worker: the database, the settings and the organisation's login. */
export interface UnitContext {
  db: Db;
  config: WorkerSettings;
  login(orgId: number): Promise<{ settings: AmazonAdsSettings; client: AdsClient }>;
  unitDeadline: number;
  /** This unit's calls and 429s: its client key's limit learns from them. */
  meter: CallMeter;
}

/** The login's client for this unit: few retries of a 429, then the unit goes back and its client key backs off. */
const forUnit = (ctx: UnitContext, client: AdsClient) =>
  client
    .withRetryPolicy({ deadline: ctx.unitDeadline, throttledAttempts: ctx.config.unitThrottledAttempts })
    .withMeter(ctx.meter);

/** Discovery: the organisation's profiles, its selection, one unit per selected profile (and new profiles' history). */
export async function discoverUnit(ctx: UnitContext, unit: RequestUnit, leaseId: string): Promise<UnitOutcome> {
  const started = Date.now();
  let outcome: UnitOutcome = { orgId: unit.orgId, job: unit.job };
  try {
    const plan = planOf(unit);
    const { settings, client } = await ctx.login(unit.orgId);
    const bounded = forUnit(ctx, client);
    await bounded.accessToken();
    const needed = settings.profiles === "all" ? ("all" as const) : listedProfileIds(settings);
    const live = ctx.config.discovery === "live";
    const discovery = await discoverProfilesOncePerDay(ctx.db, bounded, { oneCallAtATime: true, needed, live });
    const selection = selectProfiles(settings, discovery, plan?.profileIds);
    // A region Amazon did not list this time (429, 5xx): queue what was found, look again later.
    const lookAgain = discovery.unreachable.length > 0 && unit.attempts < ctx.config.requestUnitAttempts;
    if (!lookAgain) {
      // Failed dates of profiles no longer synced are given up (a backfill retries nothing).
      if (!plan)
        await abandonUnselectedProfiles(ctx.db, await failedNotRetried(ctx.db, unit.orgId), selection.selectedIds);
      outcome.discovery = selection.problems.map((p) => ({ ...p, status: "error" as const }));
      if (selection.run.length + selection.problems.length === 0)
        outcome.aborted = "Aborted: No advertiser profile to sync: this login sees none that can run spCampaigns";
    }
    await queueProfileUnits(ctx.db, unit, selection.run, settings.client_id);
    outcome.queuedProfiles = selection.run.length;
    if (!plan) {
      const historyDays = env().AMAZON_ADS_HISTORY_DAYS;
      outcome.historyQueued = (
        await queueHistoryUnits(ctx.db, unit, selection.run, settings.client_id, historyDays)
      ).length;
    }
    outcome.amazonCalls = ctx.meter.calls;
    if (lookAgain) {
      const where = discovery.unreachable.map((u) => `${u.region}: ${u.error}`).join("; ");
      await retryRequestUnitLater(ctx.db, unit, leaseId, `Profiles not listed in ${where}`);
    } else await finishRequestUnit(ctx.db, unit, leaseId, "done", null);
  } catch (error) {
    outcome = { ...outcome, ...(await requestUnitFailed(ctx, unit, leaseId, error)) };
  }
  return { ...outcome, durationMs: Date.now() - started };
}

/** A phase-1 unit whose stored JSON does not parse: the unit fails for its organisation, not every worker. */
class UnreadableUnitError extends AppError {}

/** A backfill unit's range, validated as read back; null for the daily request and a history. */
function planOf(unit: RequestUnit): BackfillPlan | null {
  if (unit.job !== "backfill") return null;
  const plan = backfillPlanSchema.safeParse(unit.plan);
  if (!plan.success) throw new UnreadableUnitError(`The backfill range of unit ${unit.id} is not valid`);
  return plan.data;
}

/** What a profile unit asks for on its profile's `today`: undefined for the daily lookbacks (and due retries). */
function targetsOf(unit: RequestUnit): ((today: string) => ReportTarget[]) | undefined {
  if (unit.job === "history") {
    const plan = historyPlanSchema.safeParse(unit.plan);
    if (!plan.success) throw new UnreadableUnitError(`The history plan of unit ${unit.id} is not valid`);
    return (today) => historyTargets(plan.data, today);
  }
  const plan = planOf(unit);
  return plan ? (today) => backfillTargets(plan, today) : undefined;
}

/** Tries of a unit before it is given up; a history is asked for once ever, so it keeps the dispatch's tries. */
function attemptsOf(ctx: UnitContext, unit: RequestUnit): number {
  return unit.job === "history"
    ? Math.max(ctx.config.requestUnitAttempts, DEFAULT_WORKER.requestUnitAttempts)
    : ctx.config.requestUnitAttempts;
}

/** One (organisation, profile): its five lookback dates and its due retries, created one after another. */
export async function profileUnit(ctx: UnitContext, unit: RequestUnit, leaseId: string): Promise<UnitOutcome> {
  const started = Date.now();
  const warnings: string[] = [];
  let outcome: UnitOutcome = { orgId: unit.orgId, job: unit.job, warnings };
  try {
    const { client } = await ctx.login(unit.orgId);
    const stored = discoveredProfileSchema.safeParse(unit.profile);
    if (!stored.success) throw new UnreadableUnitError(`The queued profile of unit ${unit.id} is not valid`);
    const profile = stored.data;
    const targets = targetsOf(unit);
    const forProfile = forUnit(ctx, client.forProfile(profile.profileId, profile.region));
    // Only the daily request retries failed dates (the failed ranges of a backfill and a history too).
    const failed = targets
      ? []
      : (await failedNotRetried(ctx.db, unit.orgId)).filter((r) => r.profileId === profile.profileId);
    // createsAtOnce: what the claim gave it of its client key's limit.
    const options = { now: ctx.config.now?.(), createsAtOnce: unit.leaseSlots, targets };
    const result = await requestForProfile(ctx.db, unit.orgId, forProfile, profile, failed, options, warnings);
    outcome.amazonCalls = ctx.meter.calls;
    if (unit.job === "history") await recordHistoryOf(ctx, unit, result.reports);
    const anyFailed = result.reports.some((r) => r.outcome === "failed");
    if (anyFailed && unit.attempts < attemptsOf(ctx, unit)) {
      // Created dates are open requests now: the next try asks only for the ones that failed.
      await retryRequestUnitLater(ctx.db, unit, leaseId, result.profile.message);
    } else {
      outcome = { ...outcome, reports: result.reports, profiles: [result.profile] };
      await finishRequestUnit(ctx.db, unit, leaseId, "done", null);
    }
  } catch (error) {
    outcome = { ...outcome, ...(await requestUnitFailed(ctx, unit, leaseId, error)) };
  }
  return { ...outcome, durationMs: Date.now() - started };
}

/** The span of a history's reports Amazon took (created, adopted, or already open). */
async function recordHistoryOf(ctx: UnitContext, unit: RequestUnit, reports: readonly ReportOutcome[]) {
  const taken = reports.filter((r) => ["created", "adopted", "already_pending"].includes(r.outcome));
  if (taken.length === 0) return;
  const from = taken.map((r) => r.startDate).reduce((a, b) => (a < b ? a : b));
  const to = taken.map((r) => r.endDate).reduce((a, b) => (a > b ? a : b));
  await recordHistorySpan(ctx.db, unit.orgId, unit.profileId, { from, to });
}

/** A phase-1 unit that threw: tried again later when Amazon's trouble may pass, else failed for its organisation. */
async function requestUnitFailed(
  ctx: UnitContext,
  unit: RequestUnit,
  leaseId: string,
  error: unknown,
): Promise<Partial<UnitOutcome>> {
  const message = describeError(error);
  if (isAmazonError(error) && error.transient && unit.attempts < attemptsOf(ctx, unit)) {
    await retryRequestUnitLater(ctx.db, unit, leaseId, message);
    return {};
  }
  if (!isOrganisationFailure(error)) throw error; // the database: the worker stops, the lease brings the unit back
  await finishRequestUnit(ctx.db, unit, leaseId, "failed", message);
  return unit.kind === "profile"
    ? { profiles: [{ profileId: unit.profileId, status: "error", message }] }
    : { aborted: `Aborted: ${message}` };
}

/** One poll of a pending report (its load when finished), then its next state; "still generating" returns null. */
export async function reportUnit(ctx: UnitContext, row: PendingReport, leaseId: string): Promise<UnitOutcome | null> {
  const started = Date.now();
  let login: Awaited<ReturnType<UnitContext["login"]>>;
  try {
    login = await ctx.login(row.orgId);
  } catch (error) {
    if (!isOrganisationFailure(error)) throw error;
    return cannotPoll(ctx, row, leaseId, error); // no readable credentials any more
  }
  const client = forUnit(ctx, login.client.forProfile(row.profileId, row.region));
  const warnings: string[] = [];
  let outcome: ReportOutcome;
  try {
    outcome = await collectReport(ctx.db, row, client, {
      batchSize: ctx.config.batchSize,
      onBatch: ctx.config.onBatch,
      warn: (m) => warnings.push(m),
      leaseId,
    });
  } catch (error) {
    if (!isAmazonError(error) || error.operation !== TOKEN_REFRESH) throw error;
    return cannotPoll(ctx, row, leaseId, error); // the login itself was refused (a revoked grant)
  }
  const pollInMs = outcome.outcome === "still_pending" ? await nextPollInMs(ctx, row) : 0;
  await settleReport(ctx.db, row, leaseId, outcome, { pollInMs, polled: true });
  if (outcome.outcome === "still_pending" && !outcome.error && warnings.length === 0) return null;
  const durationMs = Date.now() - started;
  return {
    orgId: row.orgId,
    job: "collect",
    reports: [{ ...outcome, durationMs }],
    warnings,
    amazonCalls: ctx.meter.calls,
    durationMs,
  };
}

/** The next poll of a report still generating: the ladder by its polls so far, paced by its profile's recent reports. */
async function nextPollInMs(ctx: UnitContext, row: PendingReport): Promise<number> {
  const delays = ctx.config.pollDelaysMs;
  const ladder = delays[Math.min(row.attempts, delays.length - 1)]!;
  const history = await recentGenerationTimes(ctx.db, row.orgId, row.profileId);
  return nextPollDelayMs(history, Date.now() - row.createdAt.getTime(), ladder);
}

/**
 * The organisation cannot poll (unreadable credentials, a refused login): the run is aborted and the report
 * stays pending, polled again in 15 min, so no report fails for the login's problem; one past its time limit times out.
 */
async function cannotPoll(ctx: UnitContext, row: PendingReport, leaseId: string, error: unknown): Promise<UnitOutcome> {
  const ageHours = (Date.now() - row.createdAt.getTime()) / 3_600_000;
  const timedOut = ageHours >= REPORT_TIMEOUT_HOURS;
  const outcome: ReportOutcome = {
    ...outcomeBase(row),
    outcome: timedOut ? "timed_out" : "still_pending",
    error: describeError(error),
  };
  const forRow = timedOut ? outcome : { ...outcome, error: undefined };
  await settleReport(ctx.db, row, leaseId, forRow, { pollInMs: 15 * 60_000, polled: false });
  return {
    orgId: row.orgId,
    job: "collect",
    aborted: `Aborted: ${describeError(error)}`,
    reports: timedOut ? [outcome] : [],
    amazonCalls: ctx.meter.calls,
  };
}
