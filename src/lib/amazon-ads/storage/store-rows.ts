import { sql, type SQL } from "drizzle-orm";
import { sqlList } from "../../db";
import type { PendingReport } from "../../db/schema";
import { column, KEY_COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";

export interface RowProvenance {
  orgId: number;
  profileId: string;
  reportId: string;
  kind: PendingReport["kind"];
  /** The report's first and last day: its load makes these days equal to it. */
  startDate: string;
  endDate: string;
  /** The day the report was requested for (profile's zone): a row's lookback = this − its date. */
  referenceDate: string;
  generationMs?: number | null;
  /** A day takes rows only from a report Amazon created later than the one it holds (unknown: now). */
  reportCreatedAt?: Date | null;
  /** The report's days a newer report has already loaded: not written. */
  skipDates?: readonly string[];
}

/** A Postgres date[] literal of `dates` (ISO dates need no quoting). */
export const dateArray = (dates: readonly string[] = []) => `{${dates.join(",")}}`;

const ident = (name: string) => sql.raw(`"${name}"`);

/**
 * The upsert of `columns` from `source` (a FROM item named u) into amazon_sp_ads, with provenance and each
 * row's lookback; data_changed_at moves only when a data value changed, max_lookback_days only rises.
 */
export function upsertFrom(source: SQL, columns: readonly ColumnSpec[], provenance: RowProvenance): SQL {
  const keyColumns = sqlList(KEY_COLUMNS.map((c) => ident(c.db)));
  // Every column but the key: a change in one means "Amazon restated the numbers" (data_changed_at moves).
  const dataColumns = columns.filter((c) => !KEY_COLUMNS.includes(c));
  const lookback = sql`(${provenance.referenceDate}::date - u.${ident(column("date").db)})`;

  const setData: SQL[] = dataColumns.map((c) => sql`${ident(c.db)} = excluded.${ident(c.db)}`);
  const stored = sqlList(dataColumns.map((c) => sql`amazon_sp_ads.${ident(c.db)}`));
  const incoming = sqlList(dataColumns.map((c) => sql`excluded.${ident(c.db)}`));
  const changed = dataColumns.length ? sql`(${stored}) is distinct from (${incoming})` : sql`false`;

  return sql`
    insert into amazon_sp_ads (org_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days, ${sqlList(columns.map((c) => ident(c.db)))})
    select ${provenance.orgId}, ${provenance.profileId}, ${provenance.reportId}, ${provenance.kind}, ${lookback}, ${lookback}, ${sqlList(columns.map((c) => sql`u.${ident(c.db)}`))}
    from ${source}
    ${provenance.skipDates?.length ? sql`where u.${ident(column("date").db)} <> all(${dateArray(provenance.skipDates)}::date[])` : sql``}
    on conflict (org_id, profile_id, ${keyColumns}) do update set
      ${setData.length ? sql`${sqlList(setData)},` : sql``}
      source_report_id = excluded.source_report_id,
      source_kind = excluded.source_kind,
      source_lookback_days = excluded.source_lookback_days,
      max_lookback_days = greatest(amazon_sp_ads.max_lookback_days, excluded.max_lookback_days),
      updated_at = now(),
      data_changed_at = case when ${changed} then now() else amazon_sp_ads.data_changed_at end
  `;
}
