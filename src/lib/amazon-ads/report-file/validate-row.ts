import { AmazonError } from "../../amazon/errors";
import { COLUMN_BY_API, COLUMNS, KEY_COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";

/** A report row as the database will take it: every value as text (lossless) or null, keyed by API name. */
export type ReportRow = Record<string, string | null>;

// Values reach PostgreSQL as text and are cast there; these shapes are the ones the casts accept
// without surprises (no whitespace, no "NaN", no "1." or ".5"), so a bad file fails here, by row.
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function rowError(message: string): AmazonError {
  return new AmazonError("data", message, { reason: "invalid_row" });
}

/**
 * One value of a known column, as text for the database: strings of the column's shape, numbers as
 * their source text (the parser hands them over as strings), booleans as "true"/"false", null as null.
 */
export function checkValue(column: ColumnSpec, raw: unknown, index: number): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === "boolean") return String(raw);
  if (typeof raw !== "string") throw rowError(`Row ${index}: ${column.api} is not a scalar`);
  const ok =
    column.type === "text" ||
    (column.type === "bigint" && INTEGER.test(raw)) ||
    (column.type === "numeric" && DECIMAL.test(raw)) ||
    (column.type === "date" && DATE.test(raw));
  if (!ok)
    throw rowError(`Row ${index}: ${column.api} = ${JSON.stringify(raw.slice(0, 40))} is not a valid ${column.type}`);
  return raw;
}

/** Every row must carry the key columns: without them it cannot be upserted. */
export function checkKeys(row: ReportRow, index: number): void {
  for (const key of KEY_COLUMNS) if (!row[key.api]) throw rowError(`Row ${index} has no ${key.api}`);
}

/**
 * A parsed row object, validated and converted in catalogue order (unknown keys collected, not
 * stored): the parser's path for rows its fast path leaves alone, such as a repeated key.
 */
export function toReportRow(value: unknown, index: number, unknownKeys?: Set<string>): ReportRow {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw rowError(`Row ${index} is not a JSON object`);
  const row: ReportRow = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const column = COLUMN_BY_API.get(key);
    if (!column) {
      unknownKeys?.add(key);
      continue;
    }
    row[key] = checkValue(column, raw, index);
  }
  checkKeys(row, index);
  return inCatalogueOrder(row);
}

/** Every row gets its properties in one order, so all rows share one hidden class (and one SQL shape). */
function inCatalogueOrder(row: ReportRow): ReportRow {
  const ordered: ReportRow = {};
  for (const column of COLUMNS) if (Object.hasOwn(row, column.api)) ordered[column.api] = row[column.api]!;
  return ordered;
}
