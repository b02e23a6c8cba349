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

/** A known column's value as text for the database (numbers arrive as their source text), or null. */
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

/**
 * An element the COPY encoder's fast path leaves alone, whole: JSON.parse's row (validated) or its error.
 * Numbers are quoted first, so their exact text survives the parse (int64 ids, numeric text).
 */
export function parseElement(text: string, index: number, unknownKeys?: Set<string>): ReportRow {
  let value: unknown;
  try {
    value = JSON.parse(numbersQuoted(text));
  } catch (error) {
    throw new Error(`row ${index}: ${(error as Error).message}`);
  }
  return toReportRow(value, index, unknownKeys);
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const NUMBER_CHAR = /[0-9.eE+-]/;

/** `text` with each number in a value's place as a string of its text (a key's place holds none in valid JSON). */
function numbersQuoted(text: string): string {
  let out = "";
  let from = 0;
  const inObject: boolean[] = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      keyNext = false;
    } else if (c === "{" || c === "[") {
      inObject.push(c === "{");
      keyNext = c === "{";
    } else if (c === "}" || c === "]") inObject.pop();
    else if (c === ",") keyNext = inObject.at(-1) === true;
    else if (c === ":") keyNext = false;
    else if (!keyNext && (c === "-" || (c >= "0" && c <= "9"))) {
      let end = i + 1;
      while (end < text.length && NUMBER_CHAR.test(text[end]!)) end++;
      const number = text.slice(i, end);
      if (!NUMBER.test(number)) throw new Error(`invalid number ${JSON.stringify(number.slice(0, 40))}`);
      out += `${text.slice(from, i)}"${number}"`;
      from = i = end;
      i--;
    }
  }
  return out + text.slice(from);
}

/** A parsed row object, validated and converted in catalogue order (unknown keys collected, not stored). */
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
  // Every row must carry the key columns: without them it cannot be upserted.
  for (const key of KEY_COLUMNS) if (!row[key.api]) throw rowError(`Row ${index} has no ${key.api}`);
  // Every row gets its properties in one order, so all rows share one hidden class.
  const ordered: ReportRow = {};
  for (const column of COLUMNS) if (Object.hasOwn(row, column.api)) ordered[column.api] = row[column.api]!;
  return ordered;
}
