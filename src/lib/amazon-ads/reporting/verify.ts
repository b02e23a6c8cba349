import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb, queryRows, sqlList, type DbOrTx } from "../../db";
import { column } from "../../catalogue/sp-campaigns";
import { amazonAdsPendingReports as reports, type PendingReport } from "../../db/schema";
import { InvalidInputError } from "../../errors";
import { addDays, isIsoDate, RETENTION_DAYS } from "../plan/dates";
import { nextRetryAt } from "../plan/retry-schedule";

const DEFAULT_DAYS = 30;
/** A report of a date this old is Amazon's final restatement of it. */
const FINAL_LOOKBACK_DAYS = 30;

/** The metric families Amazon has left null for whole days (its 2024 EU gap in the 1d columns). */
export const METRIC_FAMILIES: Record<string, readonly string[]> = {
  "1d": ["sales1d", "purchases1d", "unitsSoldClicks1d"],
  "7d": ["sales7d", "purchases7d", "unitsSoldClicks7d"],
  "14d": ["sales14d", "purchases14d", "unitsSoldClicks14d"],
  "30d": ["sales30d", "purchases30d", "unitsSoldClicks30d"],
};

export type VerifyFlag = "missing" | "suspect-empty" | "suspect-column";

export interface VerifiedDay {
  orgId: number;
  profileId: string;
  date: string;
  currency: string | null;
  rows: number;
  impressions: string;
  clicks: string;
  cost: string;
  sales14d: string;
  firstLoadedAt: string | null;
  lastLoadedAt: string | null;
  /** The lookback ages (days) at which the date was loaded. */
  loadedAtAges: number[];
  /** Its day-30 load (Amazon's final restatement) is in. */
  final: boolean;
  /** Latest load's sum minus the first's: restatement at work. */
  costMoved: string | null;
  sales14dMoved: string | null;
  flags: VerifyFlag[];
  /** For missing: where the date's last request stands. */
  retryState: string | null;
  /** For suspect-column: the families null in every row of the day. */
  nullFamilies: string[];
}

export interface VerifyReport {
  from: string;
  to: string;
  days: VerifiedDay[];
  flagged: number;
}

export interface VerifyOptions {
  orgId: number | null;
  profileId?: string;
  from?: string;
  to?: string;
  now?: Date;
}

/** The range verify reads: the last 30 days up to yesterday (UTC) by default, never past Amazon's 95. */
export function verifyRange(options: Pick<VerifyOptions, "from" | "to" | "now">): { from: string; to: string } {
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  for (const [flag, value] of Object.entries({ "--from": options.from, "--to": options.to })) {
    // A real calendar date: 2026-11-31 would reach the database as text it refuses.
    if (value !== undefined && !isIsoDate(value))
      throw new InvalidInputError(`${flag} must be a real date written YYYY-MM-DD (got ${JSON.stringify(value)})`);
  }
  const to = options.to ?? addDays(today, -1);
  const from = options.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) throw new InvalidInputError("--from must not be after --to");
  if (from < addDays(today, -RETENTION_DAYS))
    throw new InvalidInputError(
      `--from must be within Amazon's ${RETENTION_DAYS} days (from ${addDays(today, -RETENTION_DAYS)})`,
    );
  return { from, to };
}

const col = (api: string) => sql.raw(`"${column(api).db}"`);
const dayKey = (orgId: number, profileId: string, date: string) => `${orgId}|${profileId}|${date}`;

const ofProfile = { org_id: z.coerce.number(), profile_id: z.string() };
const storedDay = z.object({
  ...ofProfile,
  date: z.string(),
  rows: z.coerce.number(),
  impressions: z.string(),
  clicks: z.string(),
  cost: z.string(),
  sales_14d: z.string(),
  currency: z.string().nullable(),
  families: z.record(z.string(), z.coerce.number()),
});
const loadedDay = z.object({
  ...ofProfile,
  date: z.string(),
  first_loaded_at: z.coerce.date(),
  last_loaded_at: z.coerce.date(),
  ages: z.array(z.coerce.number()),
  cost_moved: z.string().nullable(),
  sales_moved: z.string().nullable(),
  latest_suspect: z.boolean(),
});
const historySpan = z.object({ ...ofProfile, from_date: z.string(), to_date: z.string() });

/**
 * The account of the stored data, one entry per (profile, date) of the range: what is stored, when
 * and at which ages it was loaded, how much restatement moved it, and what looks wrong (flags).
 * Sums only, exact (numeric as text).
 */
export async function verifyData(options: VerifyOptions, db?: DbOrTx): Promise<VerifyReport> {
  const conn = db ?? (await getDb());
  const { from, to } = verifyRange(options);
  const now = options.now ?? new Date();
  const scope = (table: string): SQL => {
    const org = options.orgId === null ? sql`true` : sql`${sql.raw(table)}.org_id = ${options.orgId}`;
    const profile =
      options.profileId === undefined ? sql`true` : sql`${sql.raw(table)}.profile_id = ${options.profileId}`;
    return sql`${org} and ${profile}`;
  };
  const countOf = (cols: readonly string[]) => sql`count(coalesce(${sqlList(cols.map((c) => sql`${col(c)}::text`))}))`;
  const familyCounts = sqlList(
    Object.entries(METRIC_FAMILIES).map(([name, cols]) => sql`${name}::text, ${countOf(cols)}`),
  );
  // A day before and after the range: suspect-column compares a day with its neighbours.
  const storedQuery = sql`
    select a.org_id, a.profile_id, a.date::text as date, count(*)::int as rows,
      coalesce(sum(${col("impressions")}), 0)::text as impressions, coalesce(sum(${col("clicks")}), 0)::text as clicks,
      coalesce(sum(${col("cost")}), 0)::text as cost, coalesce(sum(${col("sales14d")}), 0)::text as sales_14d,
      max(${col("campaignBudgetCurrencyCode")}) as currency, json_build_object(${familyCounts}) as families
    from amazon_sp_ads a
    where ${scope("a")} and a.date between ${addDays(from, -1)}::date and ${addDays(to, 1)}::date
    group by a.org_id, a.profile_id, a.date`;
  const stored = await queryRows(conn, storedDay, storedQuery);
  const loadsQuery = sql`
    select l.org_id, l.profile_id, l.date::text as date, min(l.loaded_at) as first_loaded_at,
      max(l.loaded_at) as last_loaded_at, array_agg(distinct l.lookback_days) as ages,
      ((array_agg(l.cost order by l.loaded_at desc, l.id desc))[1] - (array_agg(l.cost order by l.loaded_at, l.id))[1])::text as cost_moved,
      ((array_agg(l.sales_14d order by l.loaded_at desc, l.id desc))[1] - (array_agg(l.sales_14d order by l.loaded_at, l.id))[1])::text as sales_moved,
      (array_agg(l.suspect_empty order by l.loaded_at desc, l.id desc))[1] as latest_suspect
    from amazon_ads_day_loads l
    where ${scope("l")} and l.date between ${from}::date and ${to}::date and not l.superseded
    group by l.org_id, l.profile_id, l.date`;
  const loads = await queryRows(conn, loadedDay, loadsQuery);
  const byOrg = options.orgId === null ? undefined : eq(reports.orgId, options.orgId);
  const byProfile = options.profileId === undefined ? undefined : eq(reports.profileId, options.profileId);
  const requests = await conn
    .select()
    .from(reports)
    .where(and(byOrg, byProfile))
    .orderBy(asc(reports.createdAt), asc(reports.id));
  const historiesQuery = sql`
    select h.org_id, h.profile_id, h.from_date::text as from_date, h.to_date::text as to_date
    from amazon_ads_profile_history h where ${scope("h")} and h.from_date is not null`;
  const histories = await queryRows(conn, historySpan, historiesQuery);

  const storedBy = new Map(stored.map((d) => [dayKey(d.org_id, d.profile_id, d.date), d]));
  const loadsBy = new Map(loads.map((d) => [dayKey(d.org_id, d.profile_id, d.date), d]));
  type Profile = { orgId: number; profileId: string; requests: PendingReport[]; planFrom?: string; planTo?: string };
  const profiles = new Map<string, Profile & { history?: { from: string; to: string } }>();
  const profileOf = (orgId: number, profileId: string) => {
    const key = `${orgId}|${profileId}`;
    let p = profiles.get(key);
    if (!p) profiles.set(key, (p = { orgId, profileId, requests: [] }));
    return p;
  };
  for (const d of [...stored, ...loads]) profileOf(d.org_id, d.profile_id);
  for (const h of histories) profileOf(h.org_id, h.profile_id).history = { from: h.from_date, to: h.to_date };
  for (const r of requests) {
    const p = profileOf(r.orgId, r.profileId);
    p.requests.push(r);
    if (r.kind !== "daily") continue;
    // The daily run of day R asks for R − lookback: the plan has run from the first such R to the last.
    const runDay = addDays(r.reportEndDate, r.lookbackDays);
    if (!p.planFrom || runDay < p.planFrom) p.planFrom = runDay;
    if (!p.planTo || runDay > p.planTo) p.planTo = runDay;
  }

  const days: VerifiedDay[] = [];
  for (const p of [...profiles.values()].sort((a, b) => a.orgId - b.orgId || a.profileId.localeCompare(b.profileId))) {
    for (let date = from; date <= to; date = addDays(date, 1)) {
      const s = storedBy.get(dayKey(p.orgId, p.profileId, date));
      const l = loadsBy.get(dayKey(p.orgId, p.profileId, date));
      const flags: VerifyFlag[] = [];
      let retryState: string | null = null;
      // A day the daily plan asked for, or one the profile's history did.
      const runDay = addDays(date, 1);
      const planned =
        (p.planFrom !== undefined && p.planFrom <= runDay && runDay <= p.planTo!) ||
        (p.history !== undefined && p.history.from <= date && date <= p.history.to);
      if (!l && !s && planned) {
        const last = p.requests.findLast((r) => r.reportDate <= date && date <= r.reportEndDate);
        if (last?.status !== "pending") {
          flags.push("missing");
          retryState = last ? describeRetry(last, now) : "never requested";
        } else retryState = `requested ${last.createdAt.toISOString()}, still pending`;
      }
      if (l?.latest_suspect) flags.push("suspect-empty");
      const neighbours = [addDays(date, -1), runDay].map((d) => storedBy.get(dayKey(p.orgId, p.profileId, d)));
      // Families null in every row of the day while the stored day before or after has values.
      const nullFamilies = Object.keys(METRIC_FAMILIES).filter(
        (f) => s && s.rows > 0 && !s.families[f] && neighbours.some((n) => (n?.families[f] ?? 0) > 0),
      );
      if (nullFamilies.length) flags.push("suspect-column");
      if (!s && !l && !flags.length && !planned) continue; // outside the plan and nothing stored: not ours to report
      const ages = [...(l?.ages ?? [])].sort((a, b) => a - b);
      days.push({
        orgId: p.orgId,
        profileId: p.profileId,
        date,
        currency: s?.currency ?? null,
        rows: s?.rows ?? 0,
        impressions: s?.impressions ?? "0",
        clicks: s?.clicks ?? "0",
        cost: s?.cost ?? "0",
        sales14d: s?.sales_14d ?? "0",
        firstLoadedAt: l ? l.first_loaded_at.toISOString() : null,
        lastLoadedAt: l ? l.last_loaded_at.toISOString() : null,
        loadedAtAges: ages,
        final: ages.some((a) => a >= FINAL_LOOKBACK_DAYS),
        costMoved: l?.cost_moved ?? null,
        sales14dMoved: l?.sales_moved ?? null,
        flags,
        retryState,
        nullFamilies,
      });
    }
  }
  return { from, to, days, flagged: days.filter((d) => d.flags.length).length };
}

function describeRetry(r: PendingReport, now: Date): string {
  if (r.status === "completed") return "its report loaded no row of this date";
  const why = r.error ? `: ${r.error}` : "";
  if (r.retriedAt) return `failed${why}; asked again`;
  const next = nextRetryAt(r, now);
  return next
    ? `failed after ${r.retryAttempt} retr${r.retryAttempt === 1 ? "y" : "ies"}${why}; next retry from ${next.toISOString()}`
    : `failed${why}; retries used up`;
}
