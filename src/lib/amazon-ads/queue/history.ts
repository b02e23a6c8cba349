import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db";
import { amazonAdsProfileHistory, type RequestUnit } from "../../db/schema";
import type { DiscoveredProfile } from "../api/profiles";
import type { HistoryPlan } from "../plan/targets";
import { queueProfileUnits } from "./request-units";

/** The plan key of every history unit: one per (organisation, profile), whatever its run date. */
export const HISTORY_PLAN_KEY = "history";

/**
 * Profiles a daily discovery sees for the first time ever get one `history` unit each, of `days` back
 * (claims take it after the day's units). Returns the profiles queued.
 */
export async function queueHistoryUnits(
  db: Db,
  discovery: RequestUnit,
  profiles: readonly DiscoveredProfile[],
  clientId: string,
  days: number,
): Promise<string[]> {
  if (days <= 0 || profiles.length === 0) return [];
  return db.transaction(async (tx) => {
    const fresh = await tx
      .insert(amazonAdsProfileHistory)
      .values(profiles.map((p) => ({ orgId: discovery.orgId, profileId: p.profileId, days })))
      .onConflictDoNothing()
      .returning({ profileId: amazonAdsProfileHistory.profileId });
    const ids = new Set(fresh.map((f) => f.profileId));
    const plan: HistoryPlan = { days };
    const history = { ...discovery, job: "history" as const, plan, planKey: HISTORY_PLAN_KEY };
    await queueProfileUnits(
      tx,
      history,
      profiles.filter((p) => ids.has(p.profileId)),
      clientId,
    );
    return [...ids];
  });
}

/** The span a profile's history reports cover, once they are created (status and verify read it). */
export async function recordHistorySpan(
  db: DbOrTx,
  orgId: number,
  profileId: string,
  span: { from: string; to: string },
): Promise<void> {
  const t = amazonAdsProfileHistory;
  const fromDate = sql`least(${t.fromDate}, ${span.from}::date)`;
  await db
    .update(t)
    .set({ fromDate, toDate: sql`greatest(${t.toDate}, ${span.to}::date)` })
    .where(and(eq(t.orgId, orgId), eq(t.profileId, profileId)));
}
