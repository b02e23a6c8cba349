import { slotsInUse } from "../queue/claim";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, queryRows, type DbOrTx } from "../../db";
import { amazonAdsPendingReports, type PendingReport, type SyncLog } from "../../db/schema";
import { column } from "../../catalogue/sp-campaigns";
import { recentSyncLogs } from "../../sync-logs";
import { nextRetryAt } from "../plan/retry-schedule";

export interface DailyTotals {
  orgId: number;
  profileId: string;
  date: string;
  rows: number;
  impressions: string;
  clicks: string;
  cost: string;
  sales14d: string;
  /** The smallest lookback any row of this date has reached; ≥ 30 means Amazon's final restatement is in. */
  minMaxLookbackDays: number;
}

/** Dates whose last request failed and that no newer request covers yet. */
export interface MissingDates {
  orgId: number;
  profileId: string;
  startDate: string;
  endDate: string;
  retries: number;
  /** When phase 1 asks again, or null when the retries are used up. */
  nextRetryFrom: string | null;
  error: string | null;
}

/** How far each recent day's phase-1 units got. */
export interface PhaseOneDay {
  runDate: string;
  pending: number;
  done: number;
  failed: number;
}

/** A client key (`<client id>@<region>`; the id is public) and its learnt limit (null: the start), slots in use, backoff. */
export interface ClientKeyState {
  key: string;
  limit: number | null;
  inUse: number;
  backingOffUntil: string | null;
  strikes: number;
}

/** A profile's history (its past days, asked for once when the daily run first saw it): how far it got. */
export interface HistoryState {
  orgId: number;
  profileId: string;
  /** queued: its unit has not run yet; loading: reports asked for, not every day in. */
  state: "queued" | "loading" | "done" | "failed";
  /** The span its reports cover (null while queued). */
  from: string | null;
  to: string | null;
  daysLoaded: number;
  daysTotal: number;
  error: string | null;
  /** When a failed one is tried again (ISO), or null. */
  retryFrom: string | null;
}

export interface StatusReport {
  phaseOne: PhaseOneDay[];
  history: HistoryState[];
  /** The client keys of the organisation's work (every key without an organisation). */
  clients: ClientKeyState[];
  open: PendingReport[];
  missing: MissingDates[];
  recentlyFinished: PendingReport[];
  runs: SyncLog[];
  daily: DailyTotals[];
}

/** What an operator checks against Amazon's console: queue, last runs, and per-day totals (exact, as text). */
export async function statusReport(
  orgId: number | null,
  options: { days?: number; runs?: number; now?: Date } = {},
  db?: DbOrTx,
): Promise<StatusReport> {
  const conn = db ?? (await getDb());
  const now = options.now ?? new Date();
  const byOrg = orgId === null ? undefined : eq(amazonAdsPendingReports.orgId, orgId);
  const queue = await conn
    .select()
    .from(amazonAdsPendingReports)
    .where(and(byOrg, inArray(amazonAdsPendingReports.status, ["pending", "completed", "failed"])))
    .orderBy(asc(amazonAdsPendingReports.orgId), asc(amazonAdsPendingReports.createdAt));
  // One day more than asked: the dates are in the profile's zone, up to a day behind the server's
  // current_date (UTC), so day-30 of a US profile would otherwise drop off the table.
  const days = options.days ?? 30;
  const col = (api: string) => sql.raw(`"${column(api).db}"`);
  const result = (await conn.execute(sql`
    select org_id as "orgId", profile_id as "profileId", ${col("date")}::text as date, count(*)::int as rows,
      coalesce(sum(${col("impressions")}), 0)::text as impressions, coalesce(sum(${col("clicks")}), 0)::text as clicks,
      coalesce(sum(${col("cost")}), 0)::text as cost, coalesce(sum(${col("sales14d")}), 0)::text as "sales14d",
      min(max_lookback_days)::int as "minMaxLookbackDays"
    from amazon_sp_ads
    where ${col("date")} >= ${now.toISOString().slice(0, 10)}::date - ${days + 1}::int ${orgId === null ? sql`` : sql`and org_id = ${orgId}`}
    group by org_id, profile_id, ${col("date")}
    order by org_id, profile_id, ${col("date")} desc
  `)) as unknown as { rows: DailyTotals[] };
  const units = (await conn.execute(sql`
    select run_date::text as "runDate",
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'failed')::int as failed
    from amazon_ads_request_units
    where run_date >= current_date - 3 ${orgId === null ? sql`` : sql`and org_id = ${orgId}`}
    group by run_date order by run_date desc
  `)) as unknown as { rows: PhaseOneDay[] };
  const ofOrg =
    orgId === null
      ? sql``
      : sql`where b.client_key in (select client_key from amazon_ads_pending_reports where org_id = ${orgId}
          union select client_key from amazon_ads_request_units where org_id = ${orgId})`;
  const clients = (await conn.execute(sql`
    select b.client_key as key, b.concurrency as "limit", b.strikes,
      ${slotsInUse(sql.raw("b.client_key"))}::int as "inUse",
      case when b.until > now() then to_char(b.until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end as "backingOffUntil"
    from amazon_ads_client_backoff b ${ofOrg}
    order by b.client_key
  `)) as unknown as { rows: ClientKeyState[] };
  const missing = queue
    .filter((r) => r.status === "failed" && r.retriedAt === null)
    .map((r): MissingDates => ({
      orgId: r.orgId,
      profileId: r.profileId,
      startDate: r.reportDate,
      endDate: r.reportEndDate,
      retries: r.retryAttempt,
      nextRetryFrom: nextRetryAt(r, now)?.toISOString() ?? null,
      error: r.error,
    }));
  return {
    phaseOne: units.rows,
    history: await historyStates(conn, orgId, missing),
    clients: clients.rows.map((c) => ({ ...c, limit: c.limit === null ? null : Number(c.limit) })),
    open: queue.filter((r) => r.status === "pending"),
    recentlyFinished: queue.filter((r) => r.status !== "pending"),
    missing,
    runs: await recentSyncLogs(orgId, options.runs ?? 10, conn),
    daily: result.rows,
  };
}

const historyRow = z.object({
  orgId: z.coerce.number(),
  profileId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  daysTotal: z.coerce.number(),
  daysLoaded: z.coerce.number(),
  unitStatus: z.string().nullable(),
  unitError: z.string().nullable(),
  unitDue: z.coerce.date().nullable(),
});

/** Each profile's history: its span, days loaded, its unit's last word, its failed ranges (of `missing`). */
async function historyStates(conn: DbOrTx, orgId: number | null, missing: readonly MissingDates[]) {
  const query = sql`
    select h.org_id as "orgId", h.profile_id as "profileId", h.from_date::text as "from", h.to_date::text as "to",
      coalesce(h.to_date - h.from_date + 1, 0) as "daysTotal",
      (select count(distinct l.date) from amazon_ads_day_loads l
        where l.org_id = h.org_id and l.profile_id = h.profile_id and not l.superseded
          and l.date between h.from_date and h.to_date) as "daysLoaded",
      u.status as "unitStatus", u.error as "unitError", u.available_at as "unitDue"
    from amazon_ads_profile_history h
    left join lateral (
      select status, error, available_at from amazon_ads_request_units u
      where u.org_id = h.org_id and u.profile_id = h.profile_id and u.job = 'history'
      order by u.id desc limit 1
    ) u on true
    ${orgId === null ? sql`` : sql`where h.org_id = ${orgId}`}
    order by h.org_id, h.profile_id`;
  const rows = await queryRows(conn, historyRow, query);
  return rows.map(({ unitStatus, unitError, unitDue, ...h }): HistoryState => {
    const as = (state: HistoryState["state"], error: string | null = null, retryFrom: string | null = null) => {
      return { ...h, state, error, retryFrom };
    };
    if (h.from === null) {
      if (unitStatus === "failed") return as("failed", unitError);
      return unitError ? as("failed", unitError, unitDue?.toISOString() ?? null) : as("queued");
    }
    if (h.daysLoaded >= h.daysTotal) return as("done");
    const failed = missing.find(
      (m) => m.orgId === h.orgId && m.profileId === h.profileId && m.endDate >= h.from! && m.startDate <= h.to!,
    );
    return failed ? as("failed", failed.error, failed.nextRetryFrom) : as("loading");
  });
}
