import { and, desc, eq, isNotNull, max } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { amazonAdsDayLoads } from "../../db/schema";

/**
 * When to poll a report first. Amazon takes from seconds to hours to generate one (about 2–10 min
 * in practice), and a poll before it is ready is a call spent for nothing. So a profile's reports are
 * first polled when its recent ones were mostly ready, Amazon's own generatedAt − createdAt of its
 * last loads, and then follow the usual short ladder (5 s, 10 s, 20 s, … 5 min), which is also the
 * fallback for one that runs past the usual time. The 24 h timeout is unchanged.
 */

/** How many of the profile's latest reports are looked at. */
const RECENT_REPORTS = 20;
/** Fewer than this many known generation times: no pacing yet, the ladder from the start. */
const MIN_SAMPLES = 3;
/** The share of recent reports that were ready by the first poll's time. */
const READY_SHARE = 0.75;
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
