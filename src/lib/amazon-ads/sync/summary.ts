import { rollUp, type SyncStatus } from "../../sync-logs";

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
  return rollUp(outcomes.map((o) => (failedKinds.includes(o.outcome) ? "error" : "success")));
}
