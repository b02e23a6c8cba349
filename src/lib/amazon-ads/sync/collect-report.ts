import { AmazonError, isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import { retriesCutShortByDeadline, withRetry } from "../../amazon/retry";
import type { Db } from "../../db";
import type { PendingReport } from "../../db/schema";
import type { AdsClient, AsyncReport } from "../api/client";
import { addDays } from "../plan/dates";
import { describeError } from "../reporting/describe-error";
import { ingestReport } from "../storage/ingest-report";
import { finishReport } from "../queue/pending-reports";
import type { ReportOutcome } from "../reporting/summary";

export interface CollectReportOptions {
  batchSize: number;
  onBatch?: (rowsSoFar: number) => void;
  warn: (message: string) => void;
  /** The report is finished only while this lease still holds it. */
  leaseId?: string;
}

/** A report pending longer than this is cancelled at Amazon and marked failed (Amazon: up to 3 h). */
export const REPORT_TIMEOUT_HOURS = 24;
const FAILED_STATUSES = new Set(["FAILED", "FAILURE", "CANCELLED"]);
/** Tries of one download URL when the failure is transient (S3 503, a reset, a body cut short, a timeout). */
const DOWNLOAD_ATTEMPTS_PER_URL = 3;
/** After the tries of one URL: this many fresh GETs of the report for a new URL before it is failed. */
const FRESH_URLS = 1;

export function outcomeBase(row: PendingReport): ReportOutcome {
  return {
    profileId: row.profileId,
    reportId: row.reportId,
    startDate: row.reportDate,
    endDate: row.reportEndDate,
    kind: row.kind,
    lookbackDays: row.lookbackDays,
    outcome: "still_pending",
  };
}

/** Polls one claimed report and loads it when finished; otherwise says what happened, for settleReport. */
export async function collectReport(
  db: Db,
  row: PendingReport,
  client: AdsClient,
  config: CollectReportOptions,
): Promise<ReportOutcome> {
  const base = outcomeBase(row);
  const ageHours = (Date.now() - row.createdAt.getTime()) / 3_600_000;
  let report: AsyncReport;
  try {
    report = await client.getReport(row.reportId);
  } catch (error) {
    // The login refused (a revoked grant): the organisation's failure, not this report's (units.ts).
    if (isAmazonError(error) && error.operation === TOKEN_REFRESH) throw error;
    if (isAmazonError(error) && error.status === 404)
      return { ...base, outcome: "failed", error: "Amazon no longer knows this report (404)" };
    if (isAmazonError(error) && !error.transient) return { ...base, outcome: "failed", error: describeError(error) };
    // Throttled or down even after retries: next round, unless past its time limit.
    if (ageHours >= REPORT_TIMEOUT_HOURS) {
      const reason = `Timed out: not collected after ${Math.floor(ageHours)} h (limit ${REPORT_TIMEOUT_HOURS} h); last poll failed: ${describeError(error)}`;
      return { ...base, outcome: "timed_out", error: reason };
    }
    return { ...base, outcome: "still_pending", error: describeError(error) };
  }
  const status = report.status.toUpperCase();
  if (status === "COMPLETED") return ingest(db, row, client, report, config);
  if (FAILED_STATUSES.has(status)) {
    const reason = report.failureReason ?? `Amazon reported status ${status}`;
    return { ...base, outcome: "failed", amazonStatus: status, error: reason };
  }
  // PENDING, PROCESSING or anything new: still running, bounded by the timeout.
  if (ageHours >= REPORT_TIMEOUT_HOURS) {
    await client.deleteReport(row.reportId).catch(() => {}); // best effort: free Amazon's queue
    const reason = `Timed out: still ${status} after ${Math.floor(ageHours)} h (limit ${REPORT_TIMEOUT_HOURS} h); cancelled`;
    return { ...base, outcome: "timed_out", amazonStatus: status, error: reason };
  }
  return { ...base, outcome: "still_pending", amazonStatus: status };
}

/**
 * Loads a COMPLETED report (rows and "completed" in one transaction). A transient download failure is tried
 * again on the same URL, then on a fresh URL, then fails the report; out of budget, it stays pending.
 */
async function ingest(
  db: Db,
  row: PendingReport,
  client: AdsClient,
  report: AsyncReport,
  config: CollectReportOptions,
): Promise<ReportOutcome> {
  const started = Date.now();
  const base = { ...outcomeBase(row), amazonStatus: "COMPLETED" };
  const policy = client.retry;
  const perUrl = { ...policy, maxAttempts: DOWNLOAD_ATTEMPTS_PER_URL };
  let current = report;
  for (let freshUrls = 0; ; freshUrls++) {
    const url = current.url;
    if (!url) {
      const error = new AmazonError("bad_response", "Amazon reported COMPLETED without a download URL");
      return { ...base, outcome: "failed", error: describeError(error) };
    }
    let error: AmazonError;
    try {
      const rows = await withRetry(() => loadOnce(db, row, current, url, config), perUrl);
      return { ...base, outcome: "completed", rows, durationMs: Date.now() - started };
    } catch (thrown) {
      if (!isAmazonError(thrown)) throw thrown; // the database
      error = thrown;
    }
    const worthAnotherUrl = error.transient || error.reason === "url_expired";
    const budgetSpent = policy.deadline !== undefined && Date.now() >= policy.deadline;
    if (worthAnotherUrl && (retriesCutShortByDeadline(error) || budgetSpent))
      return { ...base, outcome: "still_pending", error: `${describeError(error)}; tried again next run` };
    if (worthAnotherUrl && freshUrls < FRESH_URLS + (error.reason === "url_expired" ? 1 : 0)) {
      current = await client.getReport(row.reportId);
      continue;
    }
    return { ...base, outcome: "failed", error: describeError(error), durationMs: Date.now() - started };
  }
}

/** One download of the file into the table, in one transaction with the report's "completed" mark. */
async function loadOnce(db: Db, row: PendingReport, report: AsyncReport, url: string, config: CollectReportOptions) {
  const unknownKeys = new Set<string>();
  const createdAt = Date.parse(report.createdAt ?? "");
  const provenance = {
    orgId: row.orgId,
    profileId: row.profileId,
    reportId: row.reportId,
    kind: row.kind,
    startDate: row.reportDate,
    endDate: row.reportEndDate,
    referenceDate: addDays(row.reportEndDate, row.lookbackDays),
    generationMs: generationMsOf(report),
    // Our request's time when Amazon did not say (an adopted report keeps Amazon's).
    reportCreatedAt: Number.isFinite(createdAt) ? new Date(createdAt) : row.createdAt,
  };
  const options = { batchSize: config.batchSize, unknownKeys, onBatch: config.onBatch };
  const { rows, days } = await ingestReport(db, url, provenance, options, (tx, total) =>
    finishReport(tx, row.id, { status: "completed", amazonStatus: "COMPLETED", rowsLoaded: total }, config.leaseId),
  );
  for (const day of days.filter((d) => d.suspectEmpty))
    config.warn(
      `Suspect empty day: report ${row.reportId} (org ${row.orgId}, profile ${row.profileId}) had no rows for ${day.date}, which holds ${day.keptRows} stored rows; kept them`,
    );
  if (unknownKeys.size)
    config.warn(`Report ${row.reportId} had columns we do not store: ${[...unknownKeys].join(", ")}`);
  return rows;
}

/** generatedAt − createdAt, when Amazon gave both (capped: an int4 column). */
function generationMsOf(report: AsyncReport): number | null {
  const created = Date.parse(report.createdAt ?? "");
  const generated = Date.parse(report.generatedAt ?? "");
  if (!Number.isFinite(created) || !Number.isFinite(generated) || generated < created) return null;
  return Math.min(generated - created, 2 ** 31 - 1);
}
