import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../db";
import { amazonAdsPendingReports, type PendingReport, type SyncLog } from "../../db/schema";
import { recentSyncLogs } from "../../sync-logs";

export interface DailyTotals {
  orgId: number;
  date: string;
  rows: number;
  impressions: string;
  clicks: string;
  cost: string;
  sales14d: string;
  /** The smallest lookback any row of this date has reached; ≥ 30 means Amazon's final restatement is in. */
  minMaxLookbackDays: number;
}

export interface SyncStatusReport {
  open: PendingReport[];
  recentlyFinished: PendingReport[];
  runs: SyncLog[];
  daily: DailyTotals[];
}

/** What an operator checks against Amazon's console: queue, last runs, and per-day totals (exact, as text). */
export async function syncStatus(
  orgId: number | null,
  options: { days?: number; runs?: number } = {},
  db?: DbOrTx,
): Promise<SyncStatusReport> {
  const conn = db ?? (await getDb());
  const byOrg = orgId === null ? undefined : eq(amazonAdsPendingReports.orgId, orgId);
  const queue = await conn
    .select()
    .from(amazonAdsPendingReports)
    .where(and(byOrg, inArray(amazonAdsPendingReports.status, ["pending", "completed", "failed"])))
    .orderBy(asc(amazonAdsPendingReports.orgId), asc(amazonAdsPendingReports.createdAt));
  // One day more than asked: the dates are in the profile's zone, up to a day behind the server's
  // current_date (UTC), so day-30 of a US profile would otherwise drop off the table.
  const days = options.days ?? 30;
  const result = (await conn.execute(sql`
    select org_id as "orgId", date::text as date, count(*)::int as rows,
      coalesce(sum(impressions), 0)::text as impressions, coalesce(sum(clicks), 0)::text as clicks,
      coalesce(sum(cost), 0)::text as cost, coalesce(sum(sales_14d), 0)::text as "sales14d",
      min(max_lookback_days)::int as "minMaxLookbackDays"
    from amazon_sp_ads
    where date >= current_date - ${days + 1}::int ${orgId === null ? sql`` : sql`and org_id = ${orgId}`}
    group by org_id, date
    order by org_id, date desc
  `)) as unknown as { rows: DailyTotals[] };
  return {
    open: queue.filter((r) => r.status === "pending"),
    recentlyFinished: queue.filter((r) => r.status !== "pending"),
    runs: await recentSyncLogs(orgId, options.runs ?? 10, conn),
    daily: result.rows,
  };
}
