// Reading back the COPY text the report scanner writes (src/lib/amazon-ads/report-file/copy-encoder.ts),
// as PostgreSQL reads it: the tests compare rows, not bytes.
import { expect } from "vitest";
import { ReportCopyEncoder } from "@/lib/amazon-ads/report-file/copy-encoder";
import type { CopyPiece } from "@/lib/amazon-ads/report-file/copy-text";
import { streamReportCopy, type ReportRow } from "@/lib/amazon-ads/report-file/read-report";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";

/** COPY text as PostgreSQL reads it (text format, tab, \N): one array of values per line. */
export function readCopy(text: Buffer): Array<Array<string | null>> {
  const lines = text.toString("utf8").split("\n");
  expect(lines.pop()).toBe(""); // every line ends with a newline
  return lines.map((line) => {
    const fields = line.split("\t");
    expect(fields).toHaveLength(COLUMNS.length);
    return fields.map((f) => {
      if (f === "\\N") return null;
      expect(f).not.toMatch(/\\[0-7x]/); // the encoder never writes octal or hex escapes
      return f.replace(/\\(.)/gs, (_, c: string) => ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" })[c] ?? c);
    });
  });
}

/** A piece of one row as that row again: keyed by API name, its keys those the piece marks present. */
function pieceRow(piece: CopyPiece): ReportRow {
  expect(piece.rows).toBe(1);
  const [values] = readCopy(piece.text);
  const row: ReportRow = {};
  COLUMNS.forEach((c, i) => {
    if (piece.present[i]) row[c.api] = values![i]!;
  });
  return row;
}

/** A report's rows through the app's download path, one row per piece (so `present` gives each row's keys). */
export async function copyRows(url: string, unknownKeys?: Set<string>): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for await (const piece of streamReportCopy(url, { rowsPerPiece: 1, readAheadRows: 8, unknownKeys }))
    rows.push(pieceRow(piece));
  return rows;
}

/** The rows of a file's text through the encoder alone, fed whole. */
export function encodedRows(text: string, unknownKeys?: Set<string>): ReportRow[] {
  const rows: ReportRow[] = [];
  const encoder = new ReportCopyEncoder((piece) => rows.push(pieceRow(piece)), 1, unknownKeys);
  encoder.feed(Buffer.from(text));
  encoder.end();
  return rows;
}
