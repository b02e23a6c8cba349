import type { PendingReport } from "../../db/schema";

/** A failed date is asked for again at most this many times (then it is reported as missing). */
export const MAX_DATE_RETRIES = 6;

const DAY_MS = 86_400_000;
// Phase 1 runs once a day at a fixed time, so a wait of n days must accept a failure seen a little
// less than n × 24 h before (the collect that failed it ran after that day's phase 1).
const SCHEDULE_SLACK_MS = 12 * 3_600_000;

/** Days to wait after the n-th retry failed: 0 (the next run), 1, 2, 4, 8, 16 — about a month in all. */
export function retrySpacingDays(retryAttempt: number): number {
  return retryAttempt === 0 ? 0 : 2 ** (retryAttempt - 1);
}

type FailedRequest = Pick<PendingReport, "retryAttempt" | "finishedAt">;

/** From when phase 1 asks for this failed request's dates again; null once its retries are used up. */
export function nextRetryAt(row: FailedRequest, now: Date): Date | null {
  if (row.retryAttempt >= MAX_DATE_RETRIES) return null;
  const wait = Math.max(0, retrySpacingDays(row.retryAttempt) * DAY_MS - SCHEDULE_SLACK_MS);
  return new Date((row.finishedAt ?? now).getTime() + wait);
}

/** Whether phase 1 should ask for this failed request's dates again now. */
export function retryDue(row: FailedRequest, now: Date): boolean {
  const next = nextRetryAt(row, now);
  return next !== null && next.getTime() <= now.getTime();
}
