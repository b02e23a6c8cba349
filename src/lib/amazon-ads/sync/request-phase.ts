import type { PendingReport } from "../../db/schema";
import { AdsClient, type AdsClientOptions } from "../api/client";
import { createReportWithRecovery } from "../api/report-request";
import { daysBetween, lookbackDates, RETENTION_DAYS, todayIn } from "./dates";
import { describeError } from "./describe-error";
import { failedNotRetried, insertPendingReport, markRetried, openRequestsFor } from "./pending-queue";
import { runPhase } from "./phase";
import { resolveProfile } from "./profile-cache";
import { retryDue } from "./retry-schedule";
import { overallStatus, type PhaseSummary, type ReportOutcome } from "./summary";

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
  /** Backfill passes its own ranges; the daily run computes the five lookbacks (+ retries). */
  targets?: (today: string) => ReportTarget[];
  job?: "request" | "backfill";
  onProgress?: (done: number, total: number) => void;
}

/** Retries stop being started after this long; the cron route's maxDuration is 300 s. */
export const REQUEST_BUDGET_MS = 240_000;

/**
 * Phase 1 for one organisation: token, profile time zone, the five lookback dates plus the failed
 * dates whose retry is due, reports created in parallel, each stored as pending.
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
      const client = new AdsClient(settings, { ...options.client, retry: { ...options.client?.retry, deadline } });
      clients.push(client);
      await client.accessToken();
      const profile = await resolveProfile(orgId, client, db);
      const now = options.now ?? new Date();
      const today = todayIn(profile.timezone ?? "UTC", now);
      const targets = options.targets ? options.targets(today) : dailyTargets(today);
      const failed = options.targets ? [] : await failedNotRetried(db, orgId);
      const superseded = addRetries(targets, failed, today, now, settings.profile_id);

      const open = await openRequestsFor(db, orgId, settings.profile_id);
      let done = 0;
      summary.reports = await Promise.all(
        targets.map(async (target): Promise<ReportOutcome> => {
          const { startDate, endDate, kind, lookbackDays } = target;
          const base = { startDate, endDate, kind, lookbackDays };
          const existing = open.find((o) => o.reportDate === startDate && o.reportEndDate === endDate);
          try {
            if (existing) return { ...base, reportId: existing.reportId, outcome: "already_pending" };
            const created = await createReportWithRecovery(client, startDate, endDate);
            if (created.droppedColumns.length) {
              summary.warnings.push(
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
              profileId: settings.profile_id,
              region: settings.region,
              retryAttempt: target.retryOf ? target.retryOf.retryAttempt + 1 : 0,
            });
            const outcome = !inserted ? "already_pending" : created.adopted ? "adopted" : "created";
            return { ...base, reportId: created.reportId, outcome };
          } catch (error) {
            return { ...base, outcome: "failed", error: describeError(error) };
          } finally {
            options.onProgress?.(++done, targets.length);
          }
        }),
      );
      // A failed date counts as retried only once a newer request for it exists; otherwise the next
      // phase 1 tries again.
      const carriedOn = targets.filter((t, i) => t.retryOf && summary.reports[i]!.outcome !== "failed");
      await markRetried(db, [...superseded, ...carriedOn.map((t) => t.retryOf!.id)]);
      summary.status = overallStatus(summary.reports);
      const counts = countBy(summary.reports.map((r) => r.outcome));
      const tally = Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
      const verb = job === "backfill" ? "Backfill" : "Requested";
      summary.message = `${verb} ${summary.reports.length} report(s) for ${today} (${profile.timezone ?? "UTC"}): ${tally}`;
    },
  );
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
 * Adds a retry target for each failed request that is due (retry-schedule.ts) and still inside
 * Amazon's retention. A failed date that today's lookbacks already cover rides on that request.
 * Returns the failed requests that no longer need a retry of their own (their profile changed).
 */
function addRetries(targets: ReportTarget[], failed: PendingReport[], today: string, now: Date, profileId: string) {
  const superseded: number[] = [];
  for (const row of failed) {
    if (row.profileId !== profileId) {
      superseded.push(row.id);
      continue;
    }
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
  return superseded;
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
