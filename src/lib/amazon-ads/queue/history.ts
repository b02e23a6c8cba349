import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db";
import { env } from "../../env";
import { amazonAdsProfileHistory as t, type RequestUnit } from "../../db/schema";
import type { DiscoveredProfile } from "../api/profiles";
import type { HistoryPlan } from "../plan/targets";
import type { ReportOutcomeKind } from "./pending-reports";
import { queueProfileUnits } from "./request-units";

/** The plan key of every history unit: one per (organisation, profile), whatever its run date. */
const HISTORY_PLAN_KEY = "history";

/**
 * Profiles a daily discovery sees for the first time ever get one `history` unit each, of
 * AMAZON_ADS_HISTORY_DAYS back (claims take it after the day's units). Returns how many were queued.
 */
export async function queueHistoryUnits(
  db: Db,
  discovery: RequestUnit,
  profiles: readonly DiscoveredProfile[],
  clientId: string,
): Promise<number> {
  const days = env().AMAZON_ADS_HISTORY_DAYS;
  if (days <= 0 || profiles.length === 0) return 0;
  return db.transaction(async (tx) => {
    const fresh = await tx
      .insert(t)
      .values(profiles.map((p) => ({ orgId: discovery.orgId, profileId: p.profileId, days })))
      .onConflictDoNothing()
      .returning({ profileId: t.profileId });
    const ids = new Set(fresh.map((f) => f.profileId));
    const plan: HistoryPlan = { days };
    const history = { ...discovery, job: "history" as const, plan, planKey: HISTORY_PLAN_KEY };
    const firstSeen = profiles.filter((p) => ids.has(p.profileId));
    await queueProfileUnits(tx, history, firstSeen, clientId);
    return ids.size;
  });
}

/** The span of a history unit's reports Amazon took (created, adopted, or already open): status and verify read it. */
export async function recordHistorySpan(
  db: DbOrTx,
  unit: RequestUnit,
  reports: readonly { outcome: ReportOutcomeKind; startDate: string; endDate: string }[],
): Promise<void> {
  const taken = reports.filter((r) => ["created", "adopted", "already_pending"].includes(r.outcome));
  if (taken.length === 0) return;
  const from = taken.map((r) => r.startDate).reduce((a, b) => (a < b ? a : b));
  const to = taken.map((r) => r.endDate).reduce((a, b) => (a > b ? a : b));
  await db
    .update(t)
    .set({ fromDate: sql`least(${t.fromDate}, ${from}::date)`, toDate: sql`greatest(${t.toDate}, ${to}::date)` })
    .where(and(eq(t.orgId, unit.orgId), eq(t.profileId, unit.profileId)));
}
