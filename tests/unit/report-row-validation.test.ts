// Row validation of the report file, case by case per SQL type: what reaches the database as text
// and what fails the file with a "data" error. Each case is checked twice: on checkValue/toReportRow
// directly and through the report scanner (copy-encoder.ts), whose fast path validates as it reads.
import { describe, expect, it } from "vitest";
import { AmazonError } from "@/lib/amazon/errors";
import { checkValue, toReportRow, type ReportRow } from "@/lib/amazon-ads/report-file/validate-row";
import { column, KEY_COLUMNS } from "@/lib/catalogue/sp-campaigns";
import { encodedRows } from "../support/report-copy";

const [DATE, CAMPAIGN_ID] = KEY_COLUMNS.map((c) => c.api) as [string, string];
const KEYS = { [DATE]: "2026-01-31", [CAMPAIGN_ID]: "42" };

/** The row as the scanner reads it from a file, values given as JSON text. */
function parseOne(members: Record<string, string>, unknownKeys?: Set<string>): ReportRow {
  const json = `[{${Object.entries(members)
    .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
    .join(",")}}]`;
  const rows = encodedRows(json, unknownKeys);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** The value of `api` after validation by both paths (they must agree), or the error message of both. */
function validated(api: string, raw: unknown): string | null {
  const direct = (() => {
    try {
      return { value: checkValue(column(api), raw, 3) };
    } catch (error) {
      expect(error).toBeInstanceOf(AmazonError);
      expect((error as AmazonError).kind).toBe("data");
      expect((error as AmazonError).transient).toBe(false);
      return { error: (error as Error).message };
    }
  })();
  const fromFile = (() => {
    try {
      return { value: parseOne({ ...quoted(KEYS), [api]: JSON.stringify(raw) })[api] ?? null };
    } catch (error) {
      return { error: (error as Error).message.replace(/^Row 0/, "Row 3") };
    }
  })();
  expect(fromFile, `${api} = ${JSON.stringify(raw)} through the scanner`).toEqual(direct);
  if ("error" in direct) throw new Error(direct.error);
  return direct.value;
}

const accepts = (api: string, raw: string) => expect(validated(api, raw), `${api} = ${JSON.stringify(raw)}`).toBe(raw);
const rejects = (api: string, raw: unknown, type: string) =>
  expect(() => validated(api, raw), `${api} = ${JSON.stringify(raw)}`).toThrow(
    typeof raw === "string"
      ? `Row 3: ${api} = ${JSON.stringify(raw.slice(0, 40))} is not a valid ${type}`
      : `Row 3: ${api} is not a scalar`,
  );

describe("report row validation", () => {
  it("the columns used here have the types the cases are about", () => {
    expect([column("impressions").type, column("cost").type, column(DATE).type, column("campaignName").type]).toEqual([
      "bigint",
      "numeric",
      "date",
      "text",
    ]);
    expect(column(CAMPAIGN_ID).type).toBe("bigint");
  });

  it("bigint: integers of any size and sign, nothing else", () => {
    for (const ok of ["0", "7", "-5", "9007199254740993", "-9223372036854775808", "123456789012345678901234567890"])
      accepts("impressions", ok);
    for (const bad of ["1.5", "1e3", "", "abc", " 1", "1 ", "+1", "0x10", "1_000", "١٢"])
      rejects("impressions", bad, "bigint");
    accepts(CAMPAIGN_ID, "12345678901234567");
    rejects(CAMPAIGN_ID, "12.0", "bigint");
  });

  it("bigint given as a JSON number keeps its exact text (ids above 2^53 are not rounded)", () => {
    const row = parseOne({ ...quoted(KEYS), [CAMPAIGN_ID]: "12345678901234567", impressions: "9007199254740993" });
    expect(row[CAMPAIGN_ID]).toBe("12345678901234567");
    expect(row.impressions).toBe("9007199254740993");
    expect(() => parseOne({ ...quoted(KEYS), impressions: "1.5" })).toThrow(
      'Row 0: impressions = "1.5" is not a valid bigint',
    );
  });

  it("numeric: decimals with digits on both sides of the point and an optional exponent", () => {
    for (const ok of ["0.5", "-1", "1e-3", "12.50", "0", "-0.0001", "1E+5", "2.5e10", "01"]) accepts("cost", ok);
    for (const bad of ["abc", "1.", ".5", "NaN", "Infinity", "-", "", " 1", "1,5", "+1", "1e", "1.5.5", "0x1"])
      rejects("cost", bad, "numeric");
  });

  it("date: YYYY-MM-DD only", () => {
    accepts(DATE, "2026-01-31");
    for (const bad of ["2026-1-31", "20260131", "2026-01-31T00:00:00Z", "31/01/2026", "", " 2026-01-31"])
      rejects(DATE, bad, "date");
  });

  it("text: any string, unchanged", () => {
    for (const ok of ["", " ", "NaN", "1.", 'Spring "Sale" – Größe 🌸', "a\nb"]) accepts("campaignName", ok);
  });

  it("booleans become 'true'/'false'; null is null; objects and arrays are not scalars", () => {
    expect(validated("campaignName", true)).toBe("true");
    expect(validated("campaignName", false)).toBe("false");
    expect(validated("cost", null)).toBeNull();
    expect(checkValue(column("cost"), undefined, 3)).toBeNull();
    for (const bad of [{ x: 1 }, [1], []]) rejects("cost", bad, "numeric");
    expect(() => checkValue(column("cost"), 1.5, 3)).toThrow("Row 3: cost is not a scalar");
  });

  it("a long bad value is quoted shortened to 40 characters", () => {
    rejects("cost", "9".repeat(39) + "x".repeat(30), "numeric");
  });

  it("a row needs a date and a campaignId (null or missing)", () => {
    expect(() => toReportRow({ [CAMPAIGN_ID]: "1" }, 4)).toThrow(`Row 4 has no ${DATE}`);
    expect(() => toReportRow({ [DATE]: null, [CAMPAIGN_ID]: "1" }, 4)).toThrow(`Row 4 has no ${DATE}`);
    expect(() => toReportRow({ [DATE]: "2026-01-31" }, 4)).toThrow(`Row 4 has no ${CAMPAIGN_ID}`);
    expect(() => toReportRow({ [DATE]: "2026-01-31", [CAMPAIGN_ID]: null }, 4)).toThrow(`Row 4 has no ${CAMPAIGN_ID}`);
    expect(() => parseOne({ [CAMPAIGN_ID]: "1" })).toThrow(`Row 0 has no ${DATE}`);
    expect(() => parseOne({ [DATE]: '"2026-01-31"', [CAMPAIGN_ID]: "null" })).toThrow(`Row 0 has no ${CAMPAIGN_ID}`);
  });

  it("a row that is not an object fails as such", () => {
    for (const bad of [null, [], "x", 5]) expect(() => toReportRow(bad, 2)).toThrow("Row 2 is not a JSON object");
  });

  it("unknown keys are collected and left out of the row", () => {
    const unknown = new Set<string>();
    const row = toReportRow({ ...KEYS, newMetric: "1", nested: { a: [1] }, cost: "1.5" }, 0, unknown);
    expect(row).toEqual({ ...KEYS, cost: "1.5" });
    expect([...unknown].sort()).toEqual(["nested", "newMetric"]);
    const fromFile = new Set<string>();
    expect(parseOne({ ...quoted(KEYS), newMetric: "1", nested: '{"a":[1]}' }, fromFile)).toEqual(KEYS);
    expect([...fromFile].sort()).toEqual(["nested", "newMetric"]);
  });

  it("builds every row in catalogue order whatever the file's key order", () => {
    const row = toReportRow({ cost: "1", [CAMPAIGN_ID]: "42", impressions: "3", [DATE]: "2026-01-31" }, 0);
    expect(Object.keys(row)).toEqual([DATE, CAMPAIGN_ID, "impressions", "cost"]);
  });
});

function quoted(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, JSON.stringify(value)]));
}
