import type { SyncStatus } from "../../sync-logs";

export interface ReportOutcome {
  reportId?: string;
  startDate: string;
  endDate: string;
  kind: "daily" | "retry" | "backfill";
  lookbackDays: number;
  outcome:
    "created" | "adopted" | "already_pending" | "completed" | "failed" | "still_pending" | "timed_out" | "skipped";
  rows?: number;
  durationMs?: number;
  error?: string;
  amazonStatus?: string;
}

export interface PhaseSummary {
  orgId: number;
  job: "request" | "collect" | "backfill";
  status: SyncStatus;
  message: string;
  reports: ReportOutcome[];
  warnings: string[];
  amazonCalls: number;
  durationMs: number;
  syncLogId?: number;
}

export function overallStatus(
  outcomes: ReportOutcome[],
  failedKinds: ReportOutcome["outcome"][] = ["failed", "timed_out"],
): SyncStatus {
  const failed = outcomes.filter((o) => failedKinds.includes(o.outcome)).length;
  if (failed === 0) return "success";
  return failed === outcomes.length ? "error" : "partial";
}
