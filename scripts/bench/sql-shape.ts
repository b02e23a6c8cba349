// What the baselines load, and how: the same rows as the collect, as COPY text prepared before any
// clock starts (the app's own encoder made it), and the app's own upsert SQL (upsertFrom in
// src/lib/amazon-ads/storage/store-rows.ts), so a baseline differs from the collect only in what it leaves out.
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { CopyPiece } from "../../src/lib/amazon-ads/report-file/copy-text";
import { COPY_COLUMNS } from "../../src/lib/amazon-ads/report-file/copy-text";
import type { ReportRow } from "../../src/lib/amazon-ads/report-file/read-report";
import { upsertFrom, type RowProvenance } from "../../src/lib/amazon-ads/storage/store-rows";
import { addDays } from "../../src/lib/amazon-ads/plan/dates";
import { COLUMNS } from "../../src/lib/catalogue/sp-campaigns";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { ORG } from "./app";

const q = (name: string) => `"${name}"`;
const dialect = new PgDialect();

/** A single-day daily report with lookback 1, as the collect writes it. */
export function baselineProvenance(date: string): RowProvenance {
  return {
    orgId: ORG,
    profileId: SIM_DEFAULTS.profileId,
    reportId: "bench-baseline",
    kind: "daily",
    startDate: date,
    endDate: date,
    referenceDate: addDays(date, 1),
  };
}

const PROVENANCE_COLUMNS = [
  "org_id",
  "profile_id",
  "source_report_id",
  "source_kind",
  "source_lookback_days",
  "max_lookback_days",
];
export const TABLE_COPY_COLUMNS = [...PROVENANCE_COLUMNS, ...COPY_COLUMNS].map(q).join(", ");
export const STAGE_COPY_COLUMNS = COPY_COLUMNS.map(q).join(", ");
export const STAGE_TABLE = `create temp table bench_stage (${COLUMNS.map((c) => `${q(c.db)} ${c.type}`).join(", ")}) on commit drop`;

/** The columns the report has: the merge writes those (as the collect does). */
export function presentColumns(pieces: CopyPiece[]): typeof COLUMNS {
  return COLUMNS.filter((_, i) => pieces.some((p) => p.present[i]));
}

/** The collect's merge from the staging table, as text and parameters (PGlite and pg alike). */
export function mergeFromStage(pieces: CopyPiece[], provenance: RowProvenance): { text: string; params: unknown[] } {
  const query = dialect.sqlToQuery(upsertFrom(sql.raw("bench_stage as u"), presentColumns(pieces), provenance));
  return { text: query.sql, params: query.params };
}

/**
 * The stage's COPY text with the provenance columns in front: what COPY straight into amazon_sp_ads
 * takes (the lookback of a single-day report is the same on every row).
 */
export function tableCopyText(pieces: CopyPiece[], provenance: RowProvenance, date: string): Buffer[] {
  const lookback = String((Date.parse(provenance.referenceDate) - Date.parse(date)) / 86_400_000);
  const prefix = [provenance.orgId, provenance.profileId, provenance.reportId, provenance.kind, lookback, lookback];
  const head = Buffer.from(`${prefix.join("\t")}\t`);
  return pieces.map((p) => {
    const lines = p.text.toString("utf8").split("\n");
    lines.pop();
    return Buffer.concat(lines.flatMap((line) => [head, Buffer.from(`${line}\n`)]));
  });
}

/** One row's upsert through the collect's SQL, for a prepared statement: the same text for every row. */
export function rowUpsert(
  row: ReportRow,
  columns: typeof COLUMNS,
  provenance: RowProvenance,
): { text: string; params: unknown[] } {
  const values = sql.join(
    columns.map((c) => sql`${row[c.api] ?? null}::${sql.raw(c.type)}`),
    sql`, `,
  );
  const source = sql`(values (${values})) as u(${sql.raw(columns.map((c) => q(c.db)).join(", "))})`;
  const query = dialect.sqlToQuery(upsertFrom(source, columns, provenance));
  return { text: query.sql, params: query.params };
}
