import { COLUMNS } from "../../catalogue/sp-campaigns";
import type { ReportRow } from "./validate-row";

/**
 * A batch of rows as PostgreSQL COPY text: a line per row, every catalogue column in order, tab-separated, \N
 * for NULL or an absent key. `present[i]`: some row had column i as a key (even null); only those columns are
 * written, so a column missing from a report erases nothing.
 */
export interface CopyPiece {
  text: Buffer;
  rows: number;
  present: Uint8Array;
}

/** The columns of a COPY line, in order: every catalogue column, by its database name. */
export const COPY_COLUMNS: readonly string[] = COLUMNS.map((c) => c.db);

const escape = (c: string) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r");

/** A parsed row as one COPY line, marking the columns it has in `present`. */
export function copyLine(row: ReportRow, present: Uint8Array): string {
  let line = "";
  for (let i = 0; i < COLUMNS.length; i++) {
    const api = COLUMNS[i]!.api;
    if (Object.hasOwn(row, api)) present[i] = 1;
    const value = row[api];
    const field = value === null || value === undefined ? "\\N" : value.replace(/[\\\t\n\r]/g, escape);
    line += field + (i === COLUMNS.length - 1 ? "\n" : "\t");
  }
  return line;
}
