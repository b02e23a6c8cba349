import { and, desc, eq, isNotNull, max } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { amazonAdsDayLoads } from "../../db/schema";

/**
 * When to poll a report: Amazon takes seconds to hours, and an early poll is a call wasted. A profile's reports
 * are first polled when three in four of its recent ones were ready (their generatedAt − createdAt), then at
 * nine in ten, 97 in 100 and all; past that the usual ladder (5 s … 5 min).
 */

const RECENT_REPORTS = 20;
/** Fewer than this many known generation times: no pacing yet, the ladder from the start. */
const MIN_SAMPLES = 3;
const READY_SHARE = 0.75;
const LATER_SHARES = [0.9, 0.97, 1] as const;
/** Below this the ladder's first steps are as good: no wait. */
const MIN_PACED_MS = 10_000;
/** Never later than this: a profile that was slow once is not left unpolled for long. */
const MAX_FIRST_POLL_MS = 30 * 60_000;

/** The wait before a new report's first poll, from the profile's recent generation times (ms). */
export function firstPollDelayMs(recentGenerationMs: readonly number[]): number {
  if (recentGenerationMs.length < MIN_SAMPLES) return 0;
  const sorted = [...recentGenerationMs].sort((a, b) => a - b);
  const ready = sorted[Math.ceil(READY_SHARE * sorted.length) - 1]!;
  return ready < MIN_PACED_MS ? 0 : Math.min(ready, MAX_FIRST_POLL_MS);
}

/** The wait before the next poll of a report still running `ageMs` after its create: the next later share, or the ladder's step. */
export function nextPollDelayMs(recentGenerationMs: readonly number[], ageMs: number, ladderMs: number): number {
  if (recentGenerationMs.length < MIN_SAMPLES) return ladderMs;
  const sorted = [...recentGenerationMs].sort((a, b) => a - b);
  for (const share of LATER_SHARES) {
    const at = Math.min(sorted[Math.ceil(share * sorted.length) - 1]!, MAX_FIRST_POLL_MS);
    if (at >= MIN_PACED_MS && at - ageMs > ladderMs) return at - ageMs;
  }
  return ladderMs;
}

/** Amazon's generation times of the profile's latest loaded reports, newest first. */
export async function recentGenerationTimes(db: DbOrTx, orgId: number, profileId: string): Promise<number[]> {
  const t = amazonAdsDayLoads;
  // A backfill range has one load row per day: one time per report.
  const rows = await db
    .select({ generationMs: max(t.generationMs), loadedAt: max(t.loadedAt) })
    .from(t)
    .where(and(eq(t.orgId, orgId), eq(t.profileId, profileId), isNotNull(t.generationMs)))
    .groupBy(t.reportId)
    .orderBy(desc(max(t.loadedAt)))
    .limit(RECENT_REPORTS);
  return rows.map((r) => r.generationMs).filter((ms): ms is number => ms !== null);
}
