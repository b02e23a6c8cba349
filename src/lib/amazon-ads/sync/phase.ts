import { getDb, type Db } from "../../db";
import { InvalidInputError, UnreadableSettingError } from "../../errors";
import { logWarn } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";
import { finishSyncLog, startSyncLog } from "../../sync-logs";
import type { AdsClient } from "../api/client";
import { requireAdsSettings } from "./credentials";
import { describeError } from "../reporting/describe-error";
import { emptySummary, type PhaseSummary } from "../reporting/summary";

export interface PhaseContext {
  db: Db;
  settings: AmazonAdsSettings;
  summary: PhaseSummary;
  started: number;
  /** Clients made for the run: their calls are counted into the summary. */
  clients: AdsClient[];
}

/**
 * The frame of every phase run for one organisation: credentials, a sync_logs row opened before any
 * work and always finished (also when the credentials cannot be read or the work aborts), the call
 * count and duration. An organisation that does not exist or has no credentials is the caller's
 * error and is thrown; invalid input (a backfill range) is logged and thrown too.
 */
export async function runPhase(
  orgId: number,
  job: PhaseSummary["job"],
  options: { expectedMs: number },
  work: (ctx: PhaseContext) => Promise<void>,
): Promise<PhaseSummary> {
  const started = Date.now();
  const db = await getDb();
  let settings: AmazonAdsSettings | null = null;
  let unreadable: unknown = null;
  try {
    settings = await requireAdsSettings(orgId, db);
  } catch (error) {
    if (!(error instanceof UnreadableSettingError)) throw error;
    unreadable = error;
  }
  const logId = await startSyncLog(orgId, "amazon_ads", job, db, { expectedMs: options.expectedMs });
  const summary: PhaseSummary = { ...emptySummary(orgId, job), syncLogId: logId };
  const ctx: PhaseContext = { db, settings: settings!, summary, started, clients: [] };
  let rethrow: unknown = null;
  try {
    if (unreadable) throw unreadable;
    await work(ctx);
  } catch (error) {
    summary.status = "error";
    summary.message = `Aborted: ${describeError(error)}`;
    if (error instanceof InvalidInputError) rethrow = error;
  }
  summary.warnings = [...new Set(summary.warnings)];
  summary.amazonCalls = ctx.clients.reduce((n, c) => n + c.callCount, 0);
  summary.durationMs = Date.now() - started;
  if (summary.warnings.length) logWarn(`[amazon-ads] ${job} org ${orgId}: ${summary.warnings.join("; ")}`);
  if (summary.status !== "success") logWarn(`[amazon-ads] ${job} org ${orgId}: ${summary.message}`);
  const { profiles, reports, warnings, amazonCalls, durationMs } = summary;
  const details = { profiles, reports, warnings, amazonCalls, durationMs };
  await finishSyncLog(logId, summary.status, summary.message, details, db);
  if (rethrow) throw rethrow;
  return summary;
}
