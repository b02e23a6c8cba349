import { getDb, type Db } from "../../db";
import type { PendingReport } from "../../db/schema";
import { logWarn } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";
import { finishSyncLog, startSyncLog } from "../../sync-logs";
import { AdsClient, type AdsClientOptions, type AsyncReport } from "../api/client";
import { requireAdsSettings } from "./credentials";
import { addDays } from "./dates";
import { describeError } from "./describe-error";
import { DownloadError, ReportDataError, streamReportRows } from "../report-file/read-report";
import { AmazonApiError } from "../../amazon/error-body";
import { sleep } from "../../amazon/retry";
import {
  claimReport,
  deleteFinishedReports,
  finishReport,
  pendingReports,
  releaseReport,
  upsertCampaignRows,
} from "./store";
import { overallStatus, type PhaseSummary, type ReportOutcome } from "./summary";

export interface CollectOptions {
  /** Stop starting new work after this long (the route's maxDuration minus a safe margin). */
  budgetMs?: number;
  /** Waits between polling rounds while reports are still being generated. */
  pollDelaysMs?: number[];
  /** A report pending longer than this is cancelled at Amazon and marked failed. Amazon: up to 3 h. */
  timeoutHours?: number;
  batchSize?: number;
  client?: AdsClientOptions;
  /** Called between batches (tests use it to kill the process mid-upsert). */
  onBatch?: (rowsSoFar: number) => void;
}

export const DEFAULT_COLLECT: Required<Omit<CollectOptions, "client" | "onBatch">> = {
  budgetMs: 240_000,
  pollDelaysMs: [5_000, 10_000, 20_000, 30_000],
  timeoutHours: 24,
  batchSize: 2_000,
};

const FAILED_STATUSES = new Set(["FAILED", "FAILURE", "CANCELLED"]);

/**
 * Phase 2 for one organisation: claims its pending reports, polls them sequentially in rounds with
 * backoff while the time budget lasts, loads each COMPLETED report (rows + "completed" in one
 * transaction), marks FAILED ones, times out the stuck ones, and leaves the rest pending.
 */
export async function collectReports(orgId: number, options: CollectOptions = {}): Promise<PhaseSummary> {
  const started = Date.now();
  // Options left undefined (e.g. a CLI flag not given) keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as CollectOptions;
  const o = { ...DEFAULT_COLLECT, ...given };
  const deadline = started + o.budgetMs;
  const db = await getDb();
  const settings = await requireAdsSettings(orgId, db);
  const logId = await startSyncLog(orgId, "amazon_ads", "collect", db);
  const summary: PhaseSummary = {
    orgId,
    job: "collect",
    status: "success",
    message: "",
    reports: [],
    warnings: [],
    amazonCalls: 0,
    durationMs: 0,
    syncLogId: logId,
  };
  const clients = new Map<string, AdsClient>();
  // A report belongs to the profile it was requested for, even if the settings changed since.
  const clientFor = (row: PendingReport) => {
    const key = `${row.profileId}|${row.region}`;
    let client = clients.get(key);
    if (!client) {
      const forRow: AmazonAdsSettings = { ...settings, profile_id: row.profileId, region: row.region };
      client = new AdsClient(forRow, { ...options.client, retry: { ...options.client?.retry, deadline } });
      clients.set(key, client);
    }
    return client;
  };

  const mine: PendingReport[] = [];
  try {
    const pending = await pendingReports(db, orgId);
    for (const row of pending) {
      if (await claimReport(db, row.id, o.budgetMs + 60_000)) mine.push(row);
      else
        summary.reports.push({
          ...outcomeBase(row),
          outcome: "skipped",
          error: "another collect run is working on it",
        });
    }
    if (mine.length > 0) await clientFor(mine[0]!).accessToken(); // token failure aborts the run
    const outcomes = new Map<number, ReportOutcome>();
    let remaining = mine;
    for (let round = 0; remaining.length > 0; round++) {
      const stillRunning: PendingReport[] = [];
      for (const row of remaining) {
        if (Date.now() >= deadline) {
          stillRunning.push(row);
          continue;
        }
        const outcome = await collectOne(db, row, clientFor(row), o, summary);
        outcomes.set(row.id, outcome);
        if (outcome.outcome === "still_pending") stillRunning.push(row);
      }
      remaining = stillRunning;
      const delay = o.pollDelaysMs[Math.min(round, o.pollDelaysMs.length - 1)] ?? 30_000;
      if (remaining.length === 0 || Date.now() + delay >= deadline) break;
      await sleep(delay);
    }
    for (const row of remaining) {
      await releaseReport(db, row.id, {});
      if (!outcomes.has(row.id))
        outcomes.set(row.id, {
          ...outcomeBase(row),
          outcome: "still_pending",
          amazonStatus: row.amazonStatus ?? undefined,
        });
    }
    summary.reports.push(...mine.map((row) => outcomes.get(row.id)!));
    const removed = await deleteFinishedReports(db, orgId);
    summary.status = overallStatus(summary.reports);
    const loaded = summary.reports.reduce((n, r) => n + (r.rows ?? 0), 0);
    const count = (k: ReportOutcome["outcome"]) => summary.reports.filter((r) => r.outcome === k).length;
    summary.message =
      pending.length === 0
        ? "Nothing pending"
        : `${count("completed")} completed (${loaded} rows), ${count("failed") + count("timed_out")} failed, ${count("still_pending")} still pending, ${count("skipped")} skipped` +
          (removed ? `; ${removed} finished request(s) cleaned up` : "");
  } catch (error) {
    summary.status = "error";
    summary.message = `Aborted: ${describeError(error)}`;
    // Whatever this run claimed goes back to the queue untouched.
    for (const r of mine) await releaseReport(db, r.id, {}).catch(() => {});
  }
  summary.amazonCalls = [...clients.values()].reduce((n, c) => n + c.callCount, 0);
  summary.durationMs = Date.now() - started;
  if (summary.status !== "success") logWarn(`[amazon-ads] collect org ${orgId}: ${summary.message}`);
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

function outcomeBase(row: PendingReport): ReportOutcome {
  return {
    reportId: row.reportId,
    startDate: row.reportDate,
    endDate: row.reportEndDate,
    kind: row.kind,
    lookbackDays: row.lookbackDays,
    outcome: "still_pending",
  };
}

async function collectOne(
  db: Db,
  row: PendingReport,
  client: AdsClient,
  o: typeof DEFAULT_COLLECT & CollectOptions,
  summary: PhaseSummary,
): Promise<ReportOutcome> {
  const started = Date.now();
  const base = outcomeBase(row);
  const ageHours = (Date.now() - row.createdAt.getTime()) / 3_600_000;
  let report: AsyncReport;
  try {
    report = await client.getReport(row.reportId);
  } catch (error) {
    if (error instanceof AmazonApiError && error.status === 404) {
      await finishReport(db, row.id, { status: "failed", error: "Amazon no longer knows this report (404)" });
      return { ...base, outcome: "failed", error: "Amazon no longer knows this report (404)" };
    }
    if (error instanceof AmazonApiError && !error.transient) {
      await finishReport(db, row.id, { status: "failed", error: describeError(error) });
      return { ...base, outcome: "failed", error: describeError(error) };
    }
    // Throttled or Amazon down even after retries: try again next round or next run, unless the
    // report is past its time limit (polls that keep failing must not keep it pending for ever).
    if (ageHours >= o.timeoutHours) {
      const reason = `Timed out: not collected after ${Math.floor(ageHours)} h (limit ${o.timeoutHours} h); last poll failed: ${describeError(error)}`;
      await finishReport(db, row.id, { status: "failed", error: reason });
      return { ...base, outcome: "timed_out", error: reason };
    }
    await releaseReport(db, row.id, { error: describeError(error), polled: true, keepLock: true });
    return { ...base, outcome: "still_pending", error: describeError(error) };
  }
  const status = report.status.toUpperCase();
  if (status === "COMPLETED") return ingest(db, row, client, report, o, summary, started);
  if (FAILED_STATUSES.has(status)) {
    const reason = report.failureReason ?? `Amazon reported status ${status}`;
    await finishReport(db, row.id, { status: "failed", amazonStatus: status, error: reason });
    return { ...base, outcome: "failed", amazonStatus: status, error: reason };
  }
  // PENDING, PROCESSING or anything new: still running, bounded by the timeout.
  if (ageHours >= o.timeoutHours) {
    await client.deleteReport(row.reportId).catch(() => {}); // best effort: free Amazon's queue
    const reason = `Timed out: still ${status} after ${Math.floor(ageHours)} h (limit ${o.timeoutHours} h); cancelled`;
    await finishReport(db, row.id, { status: "failed", amazonStatus: status, error: reason });
    return { ...base, outcome: "timed_out", amazonStatus: status, error: reason };
  }
  await releaseReport(db, row.id, { amazonStatus: status, error: null, polled: true, keepLock: true });
  return { ...base, outcome: "still_pending", amazonStatus: status };
}

async function ingest(
  db: Db,
  row: PendingReport,
  client: AdsClient,
  report: AsyncReport,
  o: typeof DEFAULT_COLLECT & CollectOptions,
  summary: PhaseSummary,
  started: number,
): Promise<ReportOutcome> {
  const base = outcomeBase(row);
  const referenceDate = addDays(row.reportEndDate, row.lookbackDays);
  let current = report;
  for (let attempt = 1; ; attempt++) {
    const unknownKeys = new Set<string>();
    try {
      if (!current.url) throw new DownloadError("Amazon reported COMPLETED without a download URL");
      const url = current.url;
      const rows = await db.transaction(async (tx) => {
        let total = 0;
        for await (const batch of streamReportRows(url, { batchSize: o.batchSize, unknownKeys })) {
          total += await upsertCampaignRows(tx, batch, {
            orgId: row.orgId,
            profileId: row.profileId,
            reportId: row.reportId,
            kind: row.kind,
            referenceDate,
          });
          o.onBatch?.(total);
        }
        await finishReport(tx, row.id, { status: "completed", amazonStatus: "COMPLETED", rowsLoaded: total });
        return total;
      });
      if (unknownKeys.size)
        summary.warnings.push(`Report ${row.reportId} had columns we do not store: ${[...unknownKeys].join(", ")}`);
      return { ...base, outcome: "completed", rows, amazonStatus: "COMPLETED", durationMs: Date.now() - started };
    } catch (error) {
      // The presigned URL expired (~1 h): a fresh GET hands out a new one.
      if (error instanceof DownloadError && error.expired && attempt < 3) {
        current = await client.getReport(row.reportId);
        continue;
      }
      if (error instanceof DownloadError || error instanceof ReportDataError) {
        const reason = describeError(error);
        await finishReport(db, row.id, { status: "failed", amazonStatus: "COMPLETED", error: reason });
        return {
          ...base,
          outcome: "failed",
          amazonStatus: "COMPLETED",
          error: reason,
          durationMs: Date.now() - started,
        };
      }
      throw error; // the database failed: abort the run, the report stays pending
    }
  }
}
