import { COLUMNS } from "../../catalogue/sp-campaigns";

// Matching a key of the file against the catalogue's API names in place, without making a string
// of the key: most keys of a report are known columns, and a string per key per row was a large
// part of what the parser allocated.

export const COLUMN_INDEX = new Map(COLUMNS.map((c, i) => [c.api, i]));

/** Column indexes by the length of their API name: only names of the key's length are compared. */
const COLUMNS_BY_LENGTH: number[][] = [];
COLUMNS.forEach((c, i) => (COLUMNS_BY_LENGTH[c.api.length] ??= []).push(i));
const NAME_CODES = COLUMNS.map((c) => Array.from(c.api, (ch) => ch.charCodeAt(0)));

/** Whether the text at `from` spells column `col`'s name, compared from the end (names share prefixes). */
function spells(s: string, from: number, col: number): boolean {
  const codes = NAME_CODES[col]!;
  for (let i = codes.length - 1; i >= 0; i--) if (s.charCodeAt(from + i) !== codes[i]) return false;
  return true;
}

/** The column whose name is exactly s[from, to), or -1 (an unknown key, or one to be decoded first). */
export function columnAt(s: string, from: number, to: number): number {
  for (const candidate of COLUMNS_BY_LENGTH[to - from] ?? []) if (spells(s, from, candidate)) return candidate;
  return -1;
}
