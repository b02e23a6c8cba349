import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db";
import { amazonAdsProfileHistory, amazonAdsRequestUnits, type RequestUnit } from "../../db/schema";
import type { DiscoveredProfile } from "../api/profiles";
import type { HistoryPlan } from "../plan/targets";
import { clientKeyOf } from "./client-key";

/** The plan key of every history unit: one per (organisation, profile), whatever its run date. */
export const HISTORY_PLAN_KEY = "history";

/**
 * A daily discovery's profiles seen for the first time get their history: one `history` profile unit
 * each, of `days` back, queued beside the day's units (claims take it after them, claim.ts). A
 * (organisation, profile) gets it once ever (amazon_ads_profile_history), whichever run sees it
 * first; `npm run ads -- backfill` asks again by hand. Returns the profiles queued.
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
    const units = profiles
      .filter((p) => ids.has(p.profileId))
      .map((profile) => ({
        orgId: discovery.orgId,
        runDate: discovery.runDate,
        kind: "profile" as const,
        job: "history" as const,
        plan,
        planKey: HISTORY_PLAN_KEY,
        profileId: profile.profileId,
        profile: { ...profile },
        clientKey: clientKeyOf({ client_id: clientId, region: profile.region }),
      }));
    if (units.length) await tx.insert(amazonAdsRequestUnits).values(units).onConflictDoNothing();
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
  await db
    .update(t)
    .set({
      fromDate: sql`least(${t.fromDate}, ${span.from}::date)`,
      toDate: sql`greatest(${t.toDate}, ${span.to}::date)`,
    })
    .where(and(eq(t.orgId, orgId), eq(t.profileId, profileId)));
}
