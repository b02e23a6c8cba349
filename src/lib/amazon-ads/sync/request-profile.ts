import { isAmazonError } from "../../amazon/errors";
import { clientKeyOf } from "../queue/client-key";
import type { Db } from "../../db";
import type { PendingReport } from "../../db/schema";
import type { AdsClient } from "../api/client";
import type { DiscoveredProfile } from "../api/profiles";
import { createReportWithRecovery } from "../api/report-request";
import { daysBetween, RETENTION_DAYS, todayIn } from "../plan/dates";
import { retryDue } from "../plan/retry-schedule";
import { dailyTargets, type ReportTarget } from "../plan/targets";
import { describeError } from "../reporting/describe-error";
import { overallStatus, type ProfileResult, type ReportOutcome } from "../reporting/summary";
import { failedNotRetried, insertPendingReport, markRetried, pendingReports } from "../queue/pending-reports";
import { firstPollDelayMs, recentGenerationTimes } from "../queue/poll-pacing";

export interface ProfileRequestOptions {
  now?: Date;
  /** A backfill's or history's reports; by default the five lookbacks plus due retries. */
  targets?: (today: string) => ReportTarget[];
  createsAtOnce?: number;
}

/** Phase 1 for one profile: its dates in its own time zone, each report created and queued. */
export async function requestForProfile(
  db: Db,
  orgId: number,
  client: AdsClient,
  profile: DiscoveredProfile,
  options: ProfileRequestOptions,
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
    const message = describeError(error);
    return { reports: [], profile: { profileId, region, timezone, today, status: "error", message } };
  }
  // Only the daily request retries failed dates (the failed ranges of a backfill and a history too).
  if (!options.targets) addRetries(targets, await failedNotRetried(db, orgId, profileId), today, now);
  const open = await pendingReports(db, orgId, profileId);
  const firstPollInMs = firstPollDelayMs(await recentGenerationTimes(db, orgId, profileId));
  const clientKey = clientKeyOf(client.settings);
  const reports = await mapAtMost(targets, options.createsAtOnce, async (target): Promise<ReportOutcome> => {
    const { startDate, endDate, kind, lookbackDays } = target;
    const base = { profileId, startDate, endDate, kind, lookbackDays };
    const existing = open.find((o) => o.reportDate === startDate && o.reportEndDate === endDate);
    if (existing) return { ...base, reportId: existing.reportId, outcome: "already_pending" };
    try {
      const created = await createReportWithRecovery(client, startDate, endDate);
      if (created.startDate !== startDate)
        warnings.push(
          `Amazon's retention starts at ${created.startDate}: the report for ${startDate}..${endDate} was asked for from there`,
        );
      if (created.droppedColumns.length)
        warnings.push(
          `Amazon rejected the columns ${created.droppedColumns.join(", ")} as invalid for ${startDate}; they were dropped from the request`,
        );
      const retryAttempt = target.retryOf ? target.retryOf.retryAttempt + 1 : 0;
      const row = { orgId, profileId, region, kind, lookbackDays, retryAttempt, clientKey, reportEndDate: endDate };
      const { reportId, startDate: reportDate } = created;
      const inserted = await insertPendingReport(db, { ...row, reportId, reportDate }, firstPollInMs);
      const outcome = !inserted ? "already_pending" : created.adopted ? "adopted" : "created";
      return { ...base, startDate: reportDate, reportId, outcome };
    } catch (error) {
      // Nothing of the range is left at Amazon: not a failure to ask again for.
      const skipped = isAmazonError(error) && error.reason === "outside_retention";
      return { ...base, outcome: skipped ? "skipped" : "failed", error: describeError(error) };
    }
  });
  // A failed date counts as retried only once a newer request for it exists.
  const retried = targets.filter((t, i) => t.retryOf && reports[i]!.outcome !== "failed").map((t) => t.retryOf!);
  await markRetried(db, retried);
  const status = overallStatus(reports);
  const failedCount = reports.filter((r) => r.outcome === "failed").length;
  const message = `${reports.length} report(s) for ${today} (${timezone})${failedCount ? `, ${failedCount} failed` : ""}`;
  return { reports, profile: { profileId, region, timezone, today, status, message } };
}

/** A retry target per failed request that is due and inside retention; one today's lookbacks cover rides on it. */
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

/** `fn` over `items`, at most `limit` (default: all) at a time, results in the order of `items`. */
async function mapAtMost<T, R>(items: T[], limit: number | undefined, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit ?? items.length, items.length)) }, lane));
  return results;
}
