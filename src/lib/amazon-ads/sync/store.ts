import { and, asc, eq, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { amazonAdsPendingReports, type PendingReport } from "../../db/schema";
import { COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";
import type { ReportRow } from "../report-file/read-report";

export interface RowProvenance {
  orgId: number;
  profileId: string;
  reportId: string;
  kind: PendingReport["kind"];
  /** The day the report was requested for (in the profile's zone): a row's lookback = this − its date. */
  referenceDate: string;
}

// Columns whose change means "Amazon restated the numbers": data_changed_at moves only then.
const NON_DATA = new Set(["date", "campaign_id"]);

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
 * INSERT … ON CONFLICT (org_id, date, campaign_id) DO UPDATE. Only the columns present in the
 * report are written, so a column dropped from a request never erases earlier values.
 */
export async function upsertCampaignRows(db: DbOrTx, rows: ReportRow[], provenance: RowProvenance): Promise<number> {
  if (rows.length === 0) return 0;
  // Amazon should not repeat a (date, campaign) in one file; if it does, the last one wins.
  const unique = new Map<string, ReportRow>();
  for (const row of rows) unique.set(`${row.date}|${row.campaignId}`, row);
  const batch = [...unique.values()];

  // The columns present in any row of the batch (rows of one file usually all have the same ones).
  const columns: ColumnSpec[] = COLUMNS.filter((c) => batch.some((row) => Object.hasOwn(row, c.api)));
  const ident = (name: string) => sql.raw(`"${name}"`);

  const arrays = columns.map((c) => sql`${columnLiteral(batch, c.api)}::${sql.raw(c.type)}[]`);
  const dataColumns = columns.filter((c) => !NON_DATA.has(c.db));
  const lookback = sql`(${provenance.referenceDate}::date - u."date")`;

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

  await db.execute(sql`
    insert into amazon_sp_ads (org_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days, ${sql.join(
      columns.map((c) => ident(c.db)),
      sql`, `,
    )})
    select ${provenance.orgId}, ${provenance.profileId}, ${provenance.reportId}, ${provenance.kind}, ${lookback}, ${lookback}, ${sql.join(
      columns.map((c) => sql`u.${ident(c.db)}`),
      sql`, `,
    )}
    from unnest(${sql.join(arrays, sql`, `)}) as u(${sql.join(
      columns.map((c) => ident(c.db)),
      sql`, `,
    )})
    on conflict (org_id, date, campaign_id) do update set
      ${setData.length ? sql`${sql.join(setData, sql`, `)},` : sql``}
      profile_id = excluded.profile_id,
      source_report_id = excluded.source_report_id,
      source_kind = excluded.source_kind,
      source_lookback_days = excluded.source_lookback_days,
      max_lookback_days = greatest(amazon_sp_ads.max_lookback_days, excluded.max_lookback_days),
      updated_at = now(),
      data_changed_at = case when ${changed} then now() else amazon_sp_ads.data_changed_at end
  `);
  return batch.length;
}

// ---- amazon_ads_pending_reports ----

export type NewPendingReport = Pick<
  PendingReport,
  "orgId" | "reportId" | "reportDate" | "reportEndDate" | "kind" | "lookbackDays" | "profileId" | "region"
>;

/** Inserts unless the same report (425 adoption) or an open request for the same range is already there. */
export async function insertPendingReport(db: DbOrTx, report: NewPendingReport): Promise<boolean> {
  const inserted = await db
    .insert(amazonAdsPendingReports)
    .values(report)
    .onConflictDoNothing()
    .returning({ id: amazonAdsPendingReports.id });
  return inserted.length > 0;
}

export async function openRequestsFor(db: DbOrTx, orgId: number, profileId: string): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(
      and(
        eq(amazonAdsPendingReports.orgId, orgId),
        eq(amazonAdsPendingReports.profileId, profileId),
        eq(amazonAdsPendingReports.status, "pending"),
      ),
    );
}

/** Failed daily/backfill reports not yet re-requested: phase 1 asks for each such date once more. */
export async function failedNotRetried(db: DbOrTx, orgId: number): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(
      and(
        eq(amazonAdsPendingReports.orgId, orgId),
        eq(amazonAdsPendingReports.status, "failed"),
        isNull(amazonAdsPendingReports.retriedAt),
        inArray(amazonAdsPendingReports.kind, ["daily", "backfill"]),
      ),
    );
}

export async function markRetried(db: DbOrTx, ids: number[]) {
  if (ids.length)
    await db
      .update(amazonAdsPendingReports)
      .set({ retriedAt: sql`now()`, updatedAt: sql`now()` })
      .where(inArray(amazonAdsPendingReports.id, ids));
}

export async function pendingReports(db: DbOrTx, orgId: number): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(and(eq(amazonAdsPendingReports.orgId, orgId), eq(amazonAdsPendingReports.status, "pending")))
    .orderBy(asc(amazonAdsPendingReports.createdAt), asc(amazonAdsPendingReports.id));
}

/**
 * Claims a pending report for this run until `lockMs` from now; false if another run holds it or it
 * is no longer pending. A crashed run's claim simply expires.
 */
export async function claimReport(db: DbOrTx, id: number, lockMs: number): Promise<boolean> {
  const claimed = await db
    .update(amazonAdsPendingReports)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${lockMs / 1000})` })
    .where(
      and(
        eq(amazonAdsPendingReports.id, id),
        eq(amazonAdsPendingReports.status, "pending"),
        or(isNull(amazonAdsPendingReports.lockedUntil), lt(amazonAdsPendingReports.lockedUntil, sql`now()`)),
      ),
    )
    .returning({ id: amazonAdsPendingReports.id });
  return claimed.length > 0;
}

/** Records a poll; `keepLock` while this run will poll the report again, else it goes back to the queue. */
export async function releaseReport(
  db: DbOrTx,
  id: number,
  update: { amazonStatus?: string; error?: string | null; polled?: boolean; keepLock?: boolean },
) {
  await db
    .update(amazonAdsPendingReports)
    .set({
      ...(update.keepLock ? {} : { lockedUntil: null }),
      updatedAt: sql`now()`,
      ...(update.amazonStatus !== undefined ? { amazonStatus: update.amazonStatus } : {}),
      ...(update.error !== undefined ? { error: update.error } : {}),
      ...(update.polled ? { attempts: sql`${amazonAdsPendingReports.attempts} + 1`, lastPolledAt: sql`now()` } : {}),
    })
    .where(eq(amazonAdsPendingReports.id, id));
}

export async function finishReport(
  db: DbOrTx,
  id: number,
  outcome: { status: "completed" | "failed"; amazonStatus?: string; error?: string | null; rowsLoaded?: number },
) {
  await db
    .update(amazonAdsPendingReports)
    .set({
      status: outcome.status,
      amazonStatus: outcome.amazonStatus,
      error: outcome.error ?? null,
      rowsLoaded: outcome.rowsLoaded,
      lockedUntil: null,
      updatedAt: sql`now()`,
      finishedAt: sql`now()`,
    })
    .where(eq(amazonAdsPendingReports.id, id));
}

/** Spec §4 step 4: completed/failed rows older than 24 h go (failed ones once phase 1 has re-requested them). */
export async function deleteFinishedReports(db: DbOrTx, orgId: number, olderThanHours = 24): Promise<number> {
  const deleted = await db
    .delete(amazonAdsPendingReports)
    .where(
      and(
        eq(amazonAdsPendingReports.orgId, orgId),
        lt(amazonAdsPendingReports.finishedAt, sql`now() - make_interval(hours => ${olderThanHours})`),
        or(
          eq(amazonAdsPendingReports.status, "completed"),
          and(
            eq(amazonAdsPendingReports.status, "failed"),
            or(sql`${amazonAdsPendingReports.retriedAt} is not null`, eq(amazonAdsPendingReports.kind, "retry")),
          ),
        ),
      ),
    )
    .returning({ id: amazonAdsPendingReports.id });
  return deleted.length;
}
