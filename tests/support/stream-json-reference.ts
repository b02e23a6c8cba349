// The reference the report scanner is held to (tests/unit/report-scanner.test.ts): stream-json's
// streamArray with numberAsString, the well-kept library the app used before the benchmark showed
// it was the bottleneck (docs/benchmarks.md), with row validation written out again here from the
// rules rather than imported from the app. A loosened or broken validator in the app then shows up
// as a difference instead of being compared with itself. Only the column catalogue (which column
// has which SQL type) and the error vocabulary are shared.
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import streamArray from "stream-json/streamers/stream-array.js";
import { AmazonError } from "@/lib/amazon/errors";
import { COLUMN_BY_API, KEY_COLUMNS, type SqlType } from "@/lib/catalogue/sp-campaigns";
import type { ReportRow } from "@/lib/amazon-ads/report-file/read-report";

/** The text a value of each SQL type may have: what PostgreSQL casts without surprises. */
const SHAPE: Record<SqlType, RegExp> = {
  text: /^/s,
  // An optional minus and ASCII digits only: no sign "+", no spaces, no exponent, no point.
  bigint: /^-?[0-9]+$/,
  // As bigint, then an optional fraction with digits on both sides of the point, then an optional exponent.
  numeric: /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/,
  // YYYY-MM-DD with zero-padded month and day (the range of the numbers is PostgreSQL's to check).
  date: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
};

const invalid = (message: string) => new AmazonError("data", message);

function referenceRow(value: unknown, index: number, unknownKeys: Set<string>): ReportRow {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(`Row ${index} is not a JSON object`);
  const row: ReportRow = {};
  for (const [key, raw] of Object.entries(value)) {
    const type = COLUMN_BY_API.get(key)?.type;
    if (type === undefined) unknownKeys.add(key);
    else if (raw === null) row[key] = null;
    else if (raw === true || raw === false) row[key] = raw ? "true" : "false";
    else if (typeof raw !== "string") throw invalid(`Row ${index}: ${key} is not a scalar`);
    else if (!SHAPE[type].test(raw))
      throw invalid(`Row ${index}: ${key} = ${JSON.stringify(raw.slice(0, 40))} is not a valid ${type}`);
    else row[key] = raw;
  }
  for (const { api } of KEY_COLUMNS)
    if (row[api] == null || row[api] === "") throw invalid(`Row ${index} has no ${api}`);
  return row;
}

export async function referenceReportRows(body: Buffer, unknownKeys: Set<string>): Promise<ReportRow[]> {
  if (body.length === 0) throw invalid("The report file is empty (0 bytes)");
  const rows: ReportRow[] = [];
  try {
    const text = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
    const parser = streamArray.withParserAsStream({ numberAsString: true });
    Readable.from([text]).pipe(parser);
    let index = 0;
    for await (const item of parser as AsyncIterable<{ value: unknown }>)
      rows.push(referenceRow(item.value, index++, unknownKeys));
  } catch (error) {
    if (error instanceof AmazonError) throw error;
    throw invalid(`The report file is corrupt or truncated: ${(error as Error).message}`);
  }
  return rows;
}
