import { sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Tx } from "../../db";
import { dateArray, type RowProvenance } from "./store-rows";

/** The advisory-lock space of a profile's loads (two-int keys: apart from the claim's one-bigint key). */
const LOAD_LOCK = 0x6164; // "ad"

/**
 * The report's days a report Amazon created later has already loaded (a history range and a lookback may
 * finish in either order). Takes the profile's load lock first, so its loads run one after another.
 */
export async function daysHeldByNewerReports(tx: Tx, p: RowProvenance): Promise<string[]> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOAD_LOCK}, hashtext(${`${p.orgId}:${p.profileId}`}))`);
  const rows = await queryRows(
    tx,
    z.object({ date: z.string() }),
    sql`select distinct l.date::text as date from amazon_ads_day_loads l
    where l.org_id = ${p.orgId} and l.profile_id = ${p.profileId}
      and l.date between ${p.startDate}::date and ${p.endDate}::date
      and l.report_id <> ${p.reportId} and not l.superseded
      and l.report_created_at > ${createdAtOf(p)}
    order by 1`,
  );
  return rows.map((r) => r.date);
}

const createdAtOf = (p: RowProvenance) =>
  p.reportCreatedAt ? sql`${p.reportCreatedAt.toISOString()}::timestamptz` : sql`now()`;

/** A report's day after its load (the columns of amazon_ads_day_loads; keptRows: stored rows a suspect-empty day kept). */
const dayRow = z.object({
  date: z.string(),
  rows: z.coerce.number(),
  withdrawnRows: z.coerce.number(),
  suspectEmpty: z.boolean(),
  keptRows: z.coerce.number(),
  superseded: z.boolean(),
});
export type ReconciledDay = z.infer<typeof dayRow>;

/**
 * Makes each day of a report just upserted equal to it, and records the load per day:
 * - a day it holds rows of: stored rows it no longer holds (another source_report_id) are deleted (Amazon
 *   withdrew them, e.g. invalid traffic);
 * - a day it holds none of while rows are stored: kept, the day marked suspect-empty (Amazon has served empty
 *   files for days with data);
 * - a day a newer report had loaded (p.skipDates): recorded as superseded, nothing deleted.
 */
export async function reconcileReportDays(tx: Tx, p: RowProvenance): Promise<ReconciledDay[]> {
  const mine = sql`a.source_report_id = ${p.reportId}`;
  const skipped = sql`${dateArray(p.skipDates)}::date[]`;
  return queryRows(
    tx,
    dayRow,
    sql`
    with days as (
      select d::date as date, d::date = any(${skipped}) as superseded
      from generate_series(${p.startDate}::date, ${p.endDate}::date, interval '1 day') as d
    ),
    stored as (
      select a.date,
        count(*) filter (where ${mine})::int as rows,
        count(*) filter (where not ${mine})::int as others,
        sum(a.impressions) filter (where ${mine}) as impressions,
        sum(a.clicks) filter (where ${mine}) as clicks,
        sum(a.cost) filter (where ${mine}) as cost,
        sum(a.sales_14d) filter (where ${mine}) as sales_14d
      from amazon_sp_ads a
      where a.org_id = ${p.orgId} and a.profile_id = ${p.profileId}
        and a.date between ${p.startDate}::date and ${p.endDate}::date
      group by a.date
    ),
    withdrawn as (
      delete from amazon_sp_ads a using stored s
      where a.org_id = ${p.orgId} and a.profile_id = ${p.profileId} and a.date = s.date
        and s.rows > 0 and s.others > 0 and not ${mine} and not s.date = any(${skipped})
      returning a.date
    ),
    withdrawn_per_day as (select date, count(*)::int as n from withdrawn group by date)
    insert into amazon_ads_day_loads as l
      (org_id, profile_id, date, report_id, kind, lookback_days, rows, impressions, clicks, cost, sales_14d,
       withdrawn_rows, suspect_empty, generation_ms, report_created_at, superseded)
    select ${p.orgId}, ${p.profileId}, days.date, ${p.reportId}, ${p.kind}, (${p.referenceDate}::date - days.date),
      coalesce(s.rows, 0), s.impressions, s.clicks, s.cost, s.sales_14d,
      coalesce(w.n, 0), not days.superseded and coalesce(s.rows, 0) = 0 and coalesce(s.others, 0) > 0,
      ${p.generationMs ?? null}::int, ${createdAtOf(p)}, days.superseded
    from days left join stored s using (date) left join withdrawn_per_day w using (date)
    on conflict (org_id, report_id, date) do update set
      rows = excluded.rows, impressions = excluded.impressions, clicks = excluded.clicks, cost = excluded.cost,
      sales_14d = excluded.sales_14d, withdrawn_rows = excluded.withdrawn_rows,
      suspect_empty = excluded.suspect_empty, generation_ms = excluded.generation_ms,
      report_created_at = excluded.report_created_at, superseded = excluded.superseded, loaded_at = now()
    returning l.date::text as date, l.rows, l.withdrawn_rows as "withdrawnRows", l.suspect_empty as "suspectEmpty",
      l.superseded, case when l.suspect_empty
        then coalesce((select s2.others from stored s2 where s2.date = l.date), 0) else 0 end as "keptRows"
  `,
  );
}
