import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import type { PendingReport } from "../../db/schema";
import { column, COLUMNS, KEY_COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";
import type { ReportRow } from "../report-file/read-report";

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
const rowKey = (row: ReportRow) => KEY_COLUMNS.map((c) => row[c.api]).join("|");

// Numbers and dates need no quotes in an array literal (no separator, brace, quote, space, and never "NULL").
const PLAIN = /^[0-9.eE+-]+$/;
const NEEDS_ESCAPE = /["\\]/;

/**
 * A Postgres array literal of one column's text values over the batch; the SQL casts it to the
 * column's type. Same on pg and PGlite. Built with as few new strings as possible (this runs for
 * every value of a report: ≈ 50 columns × 200k rows).
 */
function columnLiteral(rows: ReportRow[], api: string): string {
  const items = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![api] ?? null;
    items[i] =
      v === null ? "NULL" : PLAIN.test(v) ? v : NEEDS_ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, "\\$&")}"` : `"${v}"`;
  }
  return `{${items.join(",")}}`;
}

/**
 * Upserts one batch with a single statement: the batch travels as one array per column and is
 * unnested server-side (no parameter-count limit, one parse), then
 * INSERT … ON CONFLICT (org_id, profile_id + the key columns) DO UPDATE. Only the columns present in the
 * report are written, so a column dropped from a request never erases earlier values. PGlite's path;
 * on PostgreSQL the collect stages rows with COPY instead (copy-staging.ts), through the same upsertFrom.
 */
export async function upsertCampaignRows(db: DbOrTx, rows: ReportRow[], provenance: RowProvenance): Promise<number> {
  if (rows.length === 0) return 0;
  // Amazon should not repeat a (date, campaign) in one file; if it does, the last one wins.
  const unique = new Map<string, ReportRow>();
  for (const row of rows) unique.set(rowKey(row), row);
  const batch = [...unique.values()];

  // The columns present in any row of the batch (rows of one file usually all have the same ones).
  const columns: ColumnSpec[] = COLUMNS.filter((c) => batch.some((row) => Object.hasOwn(row, c.api)));
  const arrays = columns.map((c) => sql`${columnLiteral(batch, c.api)}::${sql.raw(c.type)}[]`);
  const source = sql`unnest(${sql.join(arrays, sql`, `)}) as u(${sql.join(
    columns.map((c) => ident(c.db)),
    sql`, `,
  )})`;
  await db.execute(upsertFrom(source, columns, provenance));
  return batch.length;
}

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
