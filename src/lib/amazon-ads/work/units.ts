import { isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import type { Db } from "../../db";
import type { PendingReport, RequestUnit } from "../../db/schema";
import { listedProfileIds, type AmazonAdsSettings } from "../../settings/schema";
import type { AdsClient, CallMeter } from "../api/client";
import { discoveredProfileSchema } from "../api/profiles";
import { discoverProfilesOncePerDay } from "../api/discovery-cache";
import { collectReport, outcomeBase, REPORT_TIMEOUT_HOURS } from "../sync/collect-report";
import { describeError, isOrganisationFailure } from "../reporting/describe-error";
import { failedNotRetried, markRetried, settleReport } from "../queue/pending-reports";
import { nextPollDelayMs, recentGenerationTimes } from "../queue/poll-pacing";
import { finishRequestUnit, queueProfileUnits, retryRequestUnitLater } from "../queue/request-units";
import { selectProfiles } from "../plan/profile-selection";
import { backfillPlanOf, targetsOf, UnreadableUnitError } from "../plan/targets";
import { queueHistoryUnits, recordHistorySpan } from "../queue/history";
import { requestForProfile } from "../sync/request-profile";
import type { UnitOutcome } from "../reporting/org-logs";
import type { Claim } from "../queue/claim";
import type { ReportOutcome } from "../reporting/summary";
import type { WorkerSettings } from "./worker-options";

export interface UnitContext {
  db: Db;
  config: WorkerSettings;
  login(orgId: number): Promise<{ settings: AmazonAdsSettings; client: AdsClient }>;
  unitDeadline: number;
  /** This unit's calls and 429s: its client key's limit learns from them. */
  meter: CallMeter;
}

/** A claimed unit worked on, by its kind; null for a report Amazon is still generating. */
export const workOn = (ctx: UnitContext, { kind, unit, leaseId }: Claim) =>
  kind === "report"
    ? reportUnit(ctx, unit, leaseId)
    : (unit.kind === "profile" ? profileUnit : discoverUnit)(ctx, unit, leaseId);

/** The login's client for this unit: few retries of a 429, then the unit goes back and its client key backs off. */
const forUnit = (ctx: UnitContext, client: AdsClient) =>
  client
    .withRetryPolicy({ deadline: ctx.unitDeadline, throttledAttempts: ctx.config.unitThrottledAttempts })
    .withMeter(ctx.meter);

/** Discovery: the organisation's profiles, its selection, one unit per selected profile (and new profiles' history). */
async function discoverUnit(ctx: UnitContext, unit: RequestUnit, leaseId: string): Promise<UnitOutcome> {
  const started = Date.now();
  let outcome: UnitOutcome = { orgId: unit.orgId, job: unit.job };
  try {
    const plan = backfillPlanOf(unit);
    const { settings, client } = await ctx.login(unit.orgId);
    const bounded = forUnit(ctx, client);
    await bounded.accessToken();
    const needed = settings.profiles === "all" ? ("all" as const) : listedProfileIds(settings);
    const live = ctx.config.discovery === "live";
    const discovery = await discoverProfilesOncePerDay(ctx.db, bounded, { oneCallAtATime: true, needed, live });
    const selection = selectProfiles(settings, discovery, plan?.profileIds);
    // A region Amazon did not list this time (429, 5xx): queue what was found, look again later.
    const lookAgain = discovery.unreachable.length > 0 && unit.attempts < attemptsOf(ctx, unit);
    if (!lookAgain) {
      // Failed dates of profiles no longer synced count as retried (phase 1 stops asking); a backfill retries nothing.
      if (!plan) {
        const failed = await failedNotRetried(ctx.db, unit.orgId);
        const abandoned = failed.filter((r) => !selection.selectedIds.has(r.profileId));
        await markRetried(ctx.db, abandoned);
      }
      outcome.discovery = selection.problems.map((p) => ({ ...p, status: "error" as const }));
      if (selection.run.length + selection.problems.length === 0)
        outcome.aborted = "Aborted: No advertiser profile to sync: this login sees none that can run spCampaigns";
    }
    await queueProfileUnits(ctx.db, unit, selection.run, settings.client_id);
    outcome.queuedProfiles = selection.run.length;
    if (!plan) outcome.historyQueued = await queueHistoryUnits(ctx.db, unit, selection.run, settings.client_id);
    outcome.amazonCalls = ctx.meter.calls;
    if (lookAgain) {
      const where = discovery.unreachable.map((u) => `${u.region}: ${u.error}`).join("; ");
      await retryRequestUnitLater(ctx.db, unit, leaseId, `Profiles not listed in ${where}`);
    } else await finishRequestUnit(ctx.db, unit, leaseId);
  } catch (error) {
    outcome = { ...outcome, ...(await requestUnitFailed(ctx, unit, leaseId, error)) };
  }
  return { ...outcome, durationMs: Date.now() - started };
}

/** Tries of a phase-1 unit Amazon throttled or could not answer (30 s apart, doubling) before it is given up. */
const REQUEST_UNIT_ATTEMPTS = 4;

/** A history is asked for once ever, so even a per-organisation run gives it every try. */
function attemptsOf(ctx: UnitContext, unit: RequestUnit): number {
  return ctx.config.tryOnce && unit.job !== "history" ? 1 : REQUEST_UNIT_ATTEMPTS;
}

/** One (organisation, profile): its five lookback dates and its due retries, created one after another. */
async function profileUnit(ctx: UnitContext, unit: RequestUnit, leaseId: string): Promise<UnitOutcome> {
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
    // createsAtOnce: what the claim gave it of its client key's limit.
    const options = { now: ctx.config.now?.(), createsAtOnce: unit.leaseSlots, targets };
    const result = await requestForProfile(ctx.db, unit.orgId, forProfile, profile, options, warnings);
    outcome.amazonCalls = ctx.meter.calls;
    if (unit.job === "history") await recordHistorySpan(ctx.db, unit, result.reports);
    if (result.reports.some((r) => r.outcome === "failed") && unit.attempts < attemptsOf(ctx, unit)) {
      // Created dates are open requests now: the next try asks only for the ones that failed.
      await retryRequestUnitLater(ctx.db, unit, leaseId, result.profile.message);
    } else {
      outcome = { ...outcome, reports: result.reports, profiles: [result.profile] };
      await finishRequestUnit(ctx.db, unit, leaseId);
    }
  } catch (error) {
    outcome = { ...outcome, ...(await requestUnitFailed(ctx, unit, leaseId, error)) };
  }
  return { ...outcome, durationMs: Date.now() - started };
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
  await finishRequestUnit(ctx.db, unit, leaseId, message);
  return unit.kind === "profile"
    ? { profiles: [{ profileId: unit.profileId, status: "error", message }] }
    : { aborted: `Aborted: ${message}` };
}

/** One poll of a pending report (its load when finished), then its next state; "still generating" returns null. */
async function reportUnit(ctx: UnitContext, row: PendingReport, leaseId: string): Promise<UnitOutcome | null> {
  const started = Date.now();
  let client: AdsClient;
  try {
    client = forUnit(ctx, (await ctx.login(row.orgId)).client.forProfile(row.profileId, row.region));
  } catch (error) {
    if (!isOrganisationFailure(error)) throw error;
    return cannotPoll(ctx, row, leaseId, error); // no readable credentials any more
  }
  const warnings: string[] = [];
  const { batchSize, onBatch } = ctx.config;
  let outcome: ReportOutcome;
  try {
    outcome = await collectReport(ctx.db, row, client, { batchSize, onBatch, warn: (m) => warnings.push(m), leaseId });
  } catch (error) {
    if (!isAmazonError(error) || error.operation !== TOKEN_REFRESH) throw error;
    return cannotPoll(ctx, row, leaseId, error); // the login itself was refused (a revoked grant)
  }
  const pollInMs = outcome.outcome === "still_pending" ? await nextPollInMs(ctx, row) : 0;
  await settleReport(ctx.db, row, leaseId, outcome, { pollInMs, polled: true });
  if (outcome.outcome === "still_pending" && !outcome.error && warnings.length === 0) return null;
  const durationMs = Date.now() - started;
  const reports = [{ ...outcome, durationMs }];
  return { orgId: row.orgId, job: "collect", reports, warnings, amazonCalls: ctx.meter.calls, durationMs };
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
  const timedOut = Date.now() - row.createdAt.getTime() >= REPORT_TIMEOUT_HOURS * 3_600_000;
  const message = describeError(error);
  const outcome: ReportOutcome = { ...outcomeBase(row), outcome: "timed_out", error: message };
  const next = { pollInMs: 15 * 60_000, polled: false };
  await settleReport(ctx.db, row, leaseId, timedOut ? outcome : { outcome: "still_pending" }, next);
  const reports = timedOut ? [outcome] : [];
  return { orgId: row.orgId, job: "collect", aborted: `Aborted: ${message}`, reports, amazonCalls: ctx.meter.calls };
}
