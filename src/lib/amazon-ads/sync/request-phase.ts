import { getDb } from "../../db";
import { logWarn } from "../../log";
import { finishSyncLog, startSyncLog } from "../../sync-logs";
import { AdsClient, type AdsClientOptions } from "../api/client";
import { requireAdsSettings } from "./credentials";
import { daysBetween, lookbackDates, RETENTION_DAYS, todayIn } from "./dates";
import { resolveProfile } from "../api/profiles";
import { createReportWithRecovery } from "../api/report-request";
import { failedNotRetried, insertPendingReport, markRetried, openRequestsFor } from "./store";
import { overallStatus, type PhaseSummary, type ReportOutcome } from "./summary";
import { describeError } from "./describe-error";

export interface ReportTarget {
  startDate: string;
  endDate: string;
  kind: "daily" | "retry" | "backfill";
  lookbackDays: number;
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
 * Phase 1 for one organisation: token, profile time zone, the five lookback dates (plus one retry
 * of each date that failed since), reports created in parallel, each stored as pending.
 */
export async function requestReports(orgId: number, options: RequestOptions = {}): Promise<PhaseSummary> {
  const started = Date.now();
  const job = options.job ?? "request";
  const db = await getDb();
  const settings = await requireAdsSettings(orgId, db);
  const logId = await startSyncLog(orgId, "amazon_ads", job, db);
  // Like the collect, no retry may run past the route's maxDuration (300 s), margin included.
  const deadline = options.client?.retry?.deadline ?? started + REQUEST_BUDGET_MS;
  const client = new AdsClient(settings, { ...options.client, retry: { ...options.client?.retry, deadline } });
  const summary: PhaseSummary = {
    orgId,
    job,
    status: "success",
    message: "",
    reports: [],
    warnings: [],
    amazonCalls: 0,
    durationMs: 0,
    syncLogId: logId,
  };
  try {
    await client.accessToken();
    const profile = await resolveProfile(orgId, client, db);
    const today = todayIn(profile.timezone ?? "UTC", options.now);

    let targets: ReportTarget[];
    let retried: number[] = [];
    if (options.targets) {
      targets = options.targets(today);
    } else {
      targets = lookbackDates(today).map(({ lookbackDays, date }) => ({
        startDate: date,
        endDate: date,
        kind: "daily" as const,
        lookbackDays,
      }));
      const failed = await failedNotRetried(db, orgId);
      for (const row of failed) {
        const covered = targets.some((t) => t.startDate === row.reportDate && t.endDate === row.reportEndDate);
        const tooOld = daysBetween(row.reportDate, today) > RETENTION_DAYS - 1;
        if (!covered && !tooOld && row.profileId === settings.profile_id) {
          targets.push({
            startDate: row.reportDate,
            endDate: row.reportEndDate,
            kind: "retry",
            lookbackDays: daysBetween(row.reportEndDate, today),
          });
        }
      }
      retried = failed.map((r) => r.id);
    }

    const open = await openRequestsFor(db, orgId, settings.profile_id);
    let done = 0;
    summary.reports = await Promise.all(
      targets.map(async (target): Promise<ReportOutcome> => {
        const base = {
          startDate: target.startDate,
          endDate: target.endDate,
          kind: target.kind,
          lookbackDays: target.lookbackDays,
        };
        const existing = open.find((o) => o.reportDate === target.startDate && o.reportEndDate === target.endDate);
        if (existing) return { ...base, reportId: existing.reportId, outcome: "already_pending" };
        try {
          const created = await createReportWithRecovery(client, target.startDate, target.endDate);
          if (created.droppedColumns.length) {
            summary.warnings.push(
              `Amazon rejected the columns ${created.droppedColumns.join(", ")} as invalid for ${target.startDate}; they were dropped from the request`,
            );
          }
          const inserted = await insertPendingReport(db, {
            orgId,
            reportId: created.reportId,
            reportDate: target.startDate,
            reportEndDate: target.endDate,
            kind: target.kind,
            lookbackDays: target.lookbackDays,
            profileId: settings.profile_id,
            region: settings.region,
          });
          return {
            ...base,
            reportId: created.reportId,
            outcome: !inserted ? "already_pending" : created.adopted ? "adopted" : "created",
          };
        } catch (error) {
          return { ...base, outcome: "failed", error: describeError(error) };
        } finally {
          options.onProgress?.(++done, targets.length);
        }
      }),
    );
    await markRetried(db, retried);
    summary.warnings = [...new Set(summary.warnings)];
    summary.status = overallStatus(summary.reports);
    const counts = countBy(summary.reports.map((r) => r.outcome));
    summary.message = `${job === "backfill" ? "Backfill" : "Requested"} ${summary.reports.length} report(s) for ${today} (${profile.timezone ?? "UTC"}): ${Object.entries(
      counts,
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}`;
  } catch (error) {
    // Token or profile failure: the whole run for this org is aborted.
    summary.status = "error";
    summary.message = `Aborted: ${describeError(error)}`;
  }
  summary.amazonCalls = client.callCount;
  summary.durationMs = Date.now() - started;
  if (summary.warnings.length) logWarn(`[amazon-ads] org ${orgId}: ${summary.warnings.join("; ")}`);
  await finishSyncLog(
    logId,
    summary.status,
    summary.message,
    {
      reports: summary.reports,
      warnings: summary.warnings,
      amazonCalls: summary.amazonCalls,
      durationMs: summary.durationMs,
    },
    db,
  );
  return summary;
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
