import { hashString, Rng } from "./random";
import type { MsRange, ReportStatus } from "./types";

// Time-based report generation (scenario.generationMs): a report's status follows the time since its create on
// the simulator's clock, instead of the number of polls.

/** Share of a report's generation time it spends queued (PENDING) before PROCESSING. */
const PENDING_SHARE = 0.2;

/** The report's generation time: uniform in [min, max], the same for the same report id. */
export function generationTimeMs(reportId: string, range: MsRange): number {
  return range.min + new Rng(hashString(reportId)).next() * (range.max - range.min);
}

/** PENDING, PROCESSING, or "done" once the generation time has passed `elapsedMs` after the create. */
export function timedStatus(
  reportId: string,
  range: MsRange,
  elapsedMs: number,
): Extract<ReportStatus, "PENDING" | "PROCESSING"> | "done" {
  const total = generationTimeMs(reportId, range);
  if (elapsedMs < total * PENDING_SHARE) return "PENDING";
  if (elapsedMs < total) return "PROCESSING";
  return "done";
}
