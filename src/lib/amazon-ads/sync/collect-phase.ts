import { sleep } from "../../amazon/retry";
import type { PendingReport } from "../../db/schema";
import { AdsClient, type AdsClientOptions } from "../api/client";
import { collectReport, outcomeBase } from "./collect-report";
import { RETENTION_DAYS } from "../plan/dates";
import { claimReport, deleteFinishedReports, pendingReports, releaseReport } from "./pending-queue";
import { runPhase } from "./phase";
import {
  collectMessage,
  overallStatus,
  profileResults,
  type PhaseSummary,
  type ReportOutcome,
} from "../reporting/summary";

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

/**
 * Phase 2 for one organisation: claims its pending reports, polls them sequentially in rounds with
 * backoff while the time budget lasts, loads each COMPLETED report (rows + "completed" in one
 * transaction), marks FAILED ones, times out the stuck ones, and leaves the rest pending.
 */
export async function collectReports(orgId: number, options: CollectOptions = {}): Promise<PhaseSummary> {
  // Options left undefined (e.g. a CLI flag not given) keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as CollectOptions;
  const config = { ...DEFAULT_COLLECT, ...given };
  return runPhase(
    orgId,
    "collect",
    { expectedMs: config.budgetMs },
    async ({ db, settings, summary, started, clients }) => {
      const deadline = started + config.budgetMs;
      // One login (one token) for the run; each report is polled with the profile and host it was
      // requested for, even if the settings changed since.
      const login = new AdsClient(settings, { ...options.client, retry: { ...options.client?.retry, deadline } });
      clients.push(login);
      const clientFor = (row: PendingReport) => login.forProfile(row.profileId, row.region);
      const reportOptions = { ...config, warn: (message: string) => summary.warnings.push(message) };

      const pending = await pendingReports(db, orgId);
      const mine: PendingReport[] = [];
      for (const row of pending) {
        if (await claimReport(db, row.id, config.budgetMs + 60_000)) mine.push(row);
        else
          summary.reports.push({
            ...outcomeBase(row),
            outcome: "skipped",
            error: "another collect run is working on it",
          });
      }
      try {
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
            const outcome = await collectReport(db, row, clientFor(row), reportOptions);
            outcomes.set(row.id, outcome);
            if (outcome.outcome === "still_pending") stillRunning.push(row);
          }
          remaining = stillRunning;
          const delay = config.pollDelaysMs[Math.min(round, config.pollDelaysMs.length - 1)] ?? 30_000;
          if (remaining.length === 0 || Date.now() + delay >= deadline) break;
          await sleep(delay);
        }
        for (const row of remaining) {
          await releaseReport(db, row.id, {});
          if (!outcomes.has(row.id)) {
            outcomes.set(row.id, { ...outcomeBase(row), amazonStatus: row.amazonStatus ?? undefined });
          }
        }
        summary.reports.push(...mine.map((row) => outcomes.get(row.id)!));
      } catch (error) {
        // Whatever this run claimed goes back to the queue untouched.
        for (const r of mine) await releaseReport(db, r.id, {}).catch(() => {});
        throw error;
      }
      const removed = await deleteFinishedReports(db, orgId, { retentionDays: RETENTION_DAYS });
      summary.profiles = profileResults(summary.reports);
      summary.status = overallStatus(summary.reports);
      summary.message = pending.length === 0 ? "Nothing pending" : collectMessage(summary.reports, removed);
    },
  );
}
