import { AmazonError } from "../../amazon/errors";
import type { Db } from "../../db";
import type { PendingReport } from "../../db/schema";
import { rollUp } from "../../sync-logs";
import { AdsClient, type AdsClientOptions } from "../api/client";
import { discoverProfiles, type DiscoveredProfile } from "../api/profiles";
import { createReportWithRecovery } from "../api/report-request";
import { daysBetween, lookbackDates, RETENTION_DAYS, todayIn } from "../plan/dates";
import { describeError } from "../reporting/describe-error";
import {
  abandonUnselectedProfiles,
  failedNotRetried,
  insertPendingReport,
  markRetried,
  openRequestsFor,
} from "./pending-queue";
import { runPhase } from "./phase";
import { selectProfiles } from "../plan/profile-selection";
import { retryDue } from "../plan/retry-schedule";
import {
  overallStatus,
  requestMessage,
  type PhaseSummary,
  type ProfileResult,
  type ReportOutcome,
} from "../reporting/summary";

export interface ReportTarget {
  startDate: string;
  endDate: string;
  kind: "daily" | "retry" | "backfill";
  lookbackDays: number;
  /** The failed request this one asks again for (its dates), and which retry this is. */
  retryOf?: PendingReport;
}

export interface RequestOptions {
  now?: Date;
  client?: AdsClientOptions;
  /** Backfill passes its own ranges (per profile's "today"); the daily run computes the five lookbacks (+ retries). */
  targets?: (today: string) => ReportTarget[];
  /** Only these of the organisation's profiles (a backfill of one profile). */
  profileIds?: readonly string[];
  job?: "request" | "backfill";
  onProgress?: (done: number, total: number) => void;
  /**
   * Creates of one profile in flight at once: all five by default; a worker sends them one after
   * another, so its calls per client id stay within the claimed concurrency (work/claim.ts).
   */
  createsAtOnce?: number;
}

/** Retries stop being started after this long; the cron route's maxDuration is 300 s. */
export const REQUEST_BUDGET_MS = 240_000;

/**
 * Phase 1 for one organisation: one token for the login, its profiles discovered in every region,
 * then for each selected profile (its own region and time zone) the five lookback dates plus the
 * failed dates whose retry is due, created in parallel and stored as pending. A profile that is gone
 * or cannot run the report is logged for that profile; the others go on.
 */
export async function requestReports(orgId: number, options: RequestOptions = {}): Promise<PhaseSummary> {
  const job = options.job ?? "request";
  return runPhase(
    orgId,
    job,
    { expectedMs: REQUEST_BUDGET_MS },
    async ({ db, settings, summary, started, clients }) => {
      // Like the collect, no retry may run past the route's maxDuration (300 s), margin included.
      const deadline = options.client?.retry?.deadline ?? started + REQUEST_BUDGET_MS;
      const login = new AdsClient(settings, { ...options.client, retry: { ...options.client?.retry, deadline } });
      clients.push(login);
      await login.accessToken();
      const selection = selectProfiles(settings, await discoverProfiles(login), options.profileIds);
      const failed = options.targets ? [] : await failedNotRetried(db, orgId);
      await abandonUnselectedProfiles(db, failed, selection.selectedIds);

      summary.profiles = selection.problems.map((p) => ({
        profileId: p.profileId,
        status: "error",
        message: p.message,
      }));
      const total = selection.run.length;
      if (total + selection.problems.length === 0)
        throw new AmazonError(
          "profile",
          "No advertiser profile to sync: this login sees none that can run spCampaigns",
        );
      let done = 0;
      for (const profile of selection.run) {
        const client = login.forProfile(profile.profileId, profile.region);
        const mine = failed.filter((r) => r.profileId === profile.profileId);
        const result = await requestForProfile(db, orgId, client, profile, mine, options, summary.warnings);
        summary.reports.push(...result.reports);
        summary.profiles.push(result.profile);
        options.onProgress?.(++done, total);
      }
      summary.status = rollUp(summary.profiles.map((p) => p.status));
      const verb = job === "backfill" ? "Backfill" : "Requested";
      summary.message = requestMessage(verb, summary.reports, total, selection.problems.length);
    },
  );
}

/** Phase 1 for one profile: its dates in its own time zone, each report created and queued. */
export async function requestForProfile(
  db: Db,
  orgId: number,
  client: AdsClient,
  profile: DiscoveredProfile,
  failed: PendingReport[],
  options: RequestOptions,
  warnings: string[],
): Promise<{ reports: ReportOutcome[]; profile: ProfileResult }> {
  const now = options.now ?? new Date();
  const timezone = profile.timezone ?? "UTC";
  const today = todayIn(timezone, now);
  const { profileId, region } = profile;
  let targets: ReportTarget[];
  try {
    targets = options.targets ? options.targets(today) : dailyTargets(today);
  } catch (error) {
    return {
      reports: [],
      profile: { profileId, region, timezone, today, status: "error", message: describeError(error) },
    };
  }
  addRetries(targets, failed, today, now);
  const open = await openRequestsFor(db, orgId, profileId);
  const reports = await mapAtMost(
    targets,
    options.createsAtOnce ?? targets.length,
    async (target): Promise<ReportOutcome> => {
      const { startDate, endDate, kind, lookbackDays } = target;
      const base = { profileId, startDate, endDate, kind, lookbackDays };
      const existing = open.find((o) => o.reportDate === startDate && o.reportEndDate === endDate);
      if (existing) return { ...base, reportId: existing.reportId, outcome: "already_pending" };
      try {
        const created = await createReportWithRecovery(client, startDate, endDate);
        if (created.droppedColumns.length) {
          warnings.push(
            `Amazon rejected the columns ${created.droppedColumns.join(", ")} as invalid for ${startDate}; they were dropped from the request`,
          );
        }
        const inserted = await insertPendingReport(db, {
          orgId,
          reportId: created.reportId,
          reportDate: startDate,
          reportEndDate: endDate,
          kind,
          lookbackDays,
          profileId,
          region,
          retryAttempt: target.retryOf ? target.retryOf.retryAttempt + 1 : 0,
          clientKey: client.settings.client_id,
        });
        const outcome = !inserted ? "already_pending" : created.adopted ? "adopted" : "created";
        return { ...base, reportId: created.reportId, outcome };
      } catch (error) {
        return { ...base, outcome: "failed", error: describeError(error) };
      }
    },
  );
  // A failed date counts as retried only once a newer request for it exists; otherwise the next
  // phase 1 tries again.
  await markRetried(
    db,
    targets.filter((t, i) => t.retryOf && reports[i]!.outcome !== "failed").map((t) => t.retryOf!.id),
  );
  const status = overallStatus(reports);
  const failedCount = reports.filter((r) => r.outcome === "failed").length;
  const message = `${reports.length} report(s) for ${today} (${timezone})${failedCount ? `, ${failedCount} failed` : ""}`;
  return { reports, profile: { profileId, region, timezone, today, status, message } };
}

function dailyTargets(today: string): ReportTarget[] {
  return lookbackDates(today).map(({ lookbackDays, date }) => ({
    startDate: date,
    endDate: date,
    kind: "daily",
    lookbackDays,
  }));
}

/**
 * Adds a retry target for each of the profile's failed requests that is due (retry-schedule.ts) and
 * still inside Amazon's retention. A failed date that today's lookbacks already cover rides on that
 * request.
 */
function addRetries(targets: ReportTarget[], failed: PendingReport[], today: string, now: Date): void {
  for (const row of failed) {
    if (daysBetween(row.reportDate, today) > RETENTION_DAYS - 1 || !retryDue(row, now)) continue;
    const covering = targets.find((t) => t.startDate === row.reportDate && t.endDate === row.reportEndDate);
    if (covering) covering.retryOf ??= row;
    else {
      const lookbackDays = daysBetween(row.reportEndDate, today);
      targets.push({
        startDate: row.reportDate,
        endDate: row.reportEndDate,
        kind: "retry",
        lookbackDays,
        retryOf: row,
      });
    }
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the order of `items`. */
async function mapAtMost<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
