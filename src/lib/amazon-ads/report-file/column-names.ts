import { COLUMNS } from "../../catalogue/sp-campaigns";

const NAME_CODES = COLUMNS.map((c) => Array.from(c.api, (ch) => ch.charCodeAt(0)));

/**
 * The column whose name is exactly the bytes buf[from, to), or -1, with no string made of the key (a string per
 * key per row was much of what the parser allocated). A hash of the length and a few bytes picks the candidates,
 * compared in full (a byte automaton was measured slower: each table load waited on the one before).
 */
export function columnInBytes(buf: Uint8Array, from: number, to: number): number {
  for (let col = FIRST_BY_HASH[hashKey(buf, from, to)]!; col >= 0; col = NEXT_BY_HASH[col]!) {
    if (NAME_LENGTHS[col] !== to - from) continue;
    const at = NAME_OFFSETS[col]! - from;
    let k = from;
    while (k < to && buf[k] === NAME_BYTES[at + k]) k++;
    if (k === to) return col;
  }
  return -1;
}

const hashKey = (b: ArrayLike<number>, from: number, to: number) =>
  ((to - from) * 97 + b[to - 1]! * 31 + b[to - 2]! * 7 + b[from + 1]! * 3 + b[to - 3]!) & 1023;
const NAME_BYTES = Uint8Array.from(NAME_CODES.flat());
const NAME_LENGTHS = Int32Array.from(NAME_CODES, (codes) => codes.length);
const NAME_OFFSETS = Int32Array.from(NAME_CODES, (_, col) => NAME_CODES.slice(0, col).flat().length);
// The encoder scans a key while its bytes are above '"' before it looks the key up.
if (NAME_CODES.flat().some((c) => c <= 0x22 || c >= 0x80)) throw new Error("column API names must be ASCII above '\"'");
const FIRST_BY_HASH = new Int16Array(1024).fill(-1);
const NEXT_BY_HASH = new Int16Array(COLUMNS.length).fill(-1);
for (let col = COLUMNS.length - 1; col >= 0; col--) {
  const h = hashKey(NAME_CODES[col]!, 0, NAME_LENGTHS[col]!);
  NEXT_BY_HASH[col] = FIRST_BY_HASH[h]!;
  FIRST_BY_HASH[h] = col;
}
