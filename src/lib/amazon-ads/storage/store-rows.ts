import { sql, type SQL } from "drizzle-orm";
import type { PendingReport } from "../../db/schema";
import { column, KEY_COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";

export interface RowProvenance {
  orgId: number;
  profileId: string;
  reportId: string;
  kind: PendingReport["kind"];
  /** The report's first and last day: its load makes these days equal to it (reconcile-days.ts). */
  startDate: string;
  endDate: string;
  /** The day the report was requested for (in the profile's zone): a row's lookback = this − its date. */
  referenceDate: string;
  /** How long Amazon took to generate the report, when it said (recorded per day load). */
  generationMs?: number | null;
  /** When Amazon created the report: a day takes rows only from a report newer than the one it holds (unknown: now). */
  reportCreatedAt?: Date | null;
  /** The report's days a newer report has already loaded (reconcile-days.ts daysHeldByNewerReports): not written. */
  skipDates?: readonly string[];
}

/** A Postgres date[] literal of `dates` (ISO dates need no quoting). */
export const dateArray = (dates: readonly string[] = []) => `{${dates.join(",")}}`;

// Every column but the key: a change in one means "Amazon restated the numbers" (data_changed_at moves).
const isKey = (c: ColumnSpec) => KEY_COLUMNS.includes(c);
const ident = (name: string) => sql.raw(`"${name}"`);

/**
 * The upsert of `columns` from `source` (a FROM item named u with those columns) into amazon_sp_ads:
 * provenance from the report, the lookback of each row's date, ON CONFLICT (org_id, profile_id + the
 * key columns) DO UPDATE of the data columns, provenance and updated_at, with data_changed_at moved
 * only when a data column's value changed and max_lookback_days only ever raised.
 */
export function upsertFrom(source: SQL, columns: readonly ColumnSpec[], provenance: RowProvenance): SQL {
  const keyColumns = sql.join(
    KEY_COLUMNS.map((c) => ident(c.db)),
    sql`, `,
  );
  const dataColumns = columns.filter((c) => !isKey(c));
  const lookback = sql`(${provenance.referenceDate}::date - u.${ident(column("date").db)})`;

  const setData: SQL[] = dataColumns.map((c) => sql`${ident(c.db)} = excluded.${ident(c.db)}`);
  const changed = dataColumns.length
    ? sql`(${sql.join(
        dataColumns.map((c) => sql`amazon_sp_ads.${ident(c.db)}`),
        sql`, `,
      )}) is distinct from (${sql.join(
        dataColumns.map((c) => sql`excluded.${ident(c.db)}`),
        sql`, `,
      )})`
    : sql`false`;

  return sql`
    insert into amazon_sp_ads (org_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days, ${sql.join(
      columns.map((c) => ident(c.db)),
      sql`, `,
    )})
    select ${provenance.orgId}, ${provenance.profileId}, ${provenance.reportId}, ${provenance.kind}, ${lookback}, ${lookback}, ${sql.join(
      columns.map((c) => sql`u.${ident(c.db)}`),
      sql`, `,
    )}
    from ${source}
    ${provenance.skipDates?.length ? sql`where u.${ident(column("date").db)} <> all(${dateArray(provenance.skipDates)}::date[])` : sql``}
    on conflict (org_id, profile_id, ${keyColumns}) do update set
      ${setData.length ? sql`${sql.join(setData, sql`, `)},` : sql``}
      source_report_id = excluded.source_report_id,
      source_kind = excluded.source_kind,
      source_lookback_days = excluded.source_lookback_days,
      max_lookback_days = greatest(amazon_sp_ads.max_lookback_days, excluded.max_lookback_days),
      updated_at = now(),
      data_changed_at = case when ${changed} then now() else amazon_sp_ads.data_changed_at end
  `;
}
