import { COLUMNS } from "../../catalogue/sp-campaigns";
import type { ReportRow } from "./validate-row";

// PostgreSQL's COPY text format, the encoder's output: one line per row, the catalogue's columns in
// catalogue order separated by tabs, \N for NULL (and for a key the row does not have), and a
// backslash before the four characters that would otherwise end a field or a line.

/**
 * A batch of rows as COPY text. `present[i]`: some row had catalogue column i as a key (even null); only
 * those columns are written, so a column missing from a report erases nothing.
 */
export interface CopyPiece {
  text: Buffer;
  rows: number;
  present: Uint8Array;
}

/** The columns of a COPY line, in order: every catalogue column, by its database name. */
export const COPY_COLUMNS: readonly string[] = COLUMNS.map((c) => c.db);

const SPECIAL = /[\\\t\n\r]/;
const escape = (c: string) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r");

/** One value as a COPY text field (null as \N). */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, escape) : value;
}

/** A parsed row as one COPY line, marking the columns it has in `present`. */
export function copyLine(row: ReportRow, present: Uint8Array): string {
  let line = "";
  for (let i = 0; i < COLUMNS.length; i++) {
    const api = COLUMNS[i]!.api;
    if (Object.hasOwn(row, api)) present[i] = 1;
    line += copyField(row[api]) + (i === COLUMNS.length - 1 ? "\n" : "\t");
  }
  return line;
}
