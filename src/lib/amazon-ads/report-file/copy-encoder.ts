import { isUtf8 } from "node:buffer";
import { COLUMNS, KEY_COLUMNS } from "../../catalogue/sp-campaigns";
import { columnInBytes } from "./column-names";
import { copyLine, type CopyPiece } from "./copy-text";
import { parseElement } from "./validate-row";
import * as J from "./json-bytes";

const N = COLUMNS.length;
const TYPES = Uint8Array.from(
  COLUMNS,
  (c) => ({ text: J.TEXT, date: J.DATE, bigint: J.BIGINT, numeric: J.NUMERIC })[c.type],
);
const KEYS = KEY_COLUMNS.map((k) => COLUMNS.indexOf(k));
const NULL = -1;
const { QUOTE, BACKSLASH, COLON, COMMA, CLOSE_BRACE, MINUS, isWs } = J;
/** JSON escapes whose two bytes COPY's text format reads as the same character. */
const COPY_SAME_ESCAPE = new Uint8Array(128);
for (const c of '"\\/bfnrt') COPY_SAME_ESCAPE[c.charCodeAt(0)] = 1;
const BAIL = -1;
/** The working output buffer; a piece is copied out of it at its exact size. */
const OUT_BYTES = 1 << 20;
const SENTINEL_BYTES = 8;

/**
 * The report file's bytes (one JSON array of flat objects) straight to COPY text, with no JavaScript value
 * per field: a string parser was the collect's limit (7–9 s for 180k rows; this 1.0–1.6 s, docs/benchmarks.md).
 * A row of plain values is copied byte for byte (numbers keep Amazon's exact text); anything else (a \u
 * escape, a nested or malformed value, broken UTF-8) goes whole to JSON.parse (parseElement). Both paths are
 * held to stream-json, which this replaced (tests/unit/report-scanner.test.ts).
 */
export class ReportCopyEncoder {
  private buf: Buffer = Buffer.alloc(SENTINEL_BYTES);
  private len = 0;
  private p = 0;
  private state: "start" | "first" | "element" | "next" | "done" = "start";
  private index = 0;
  private retryAt = 0;
  private bomChecked = false;
  // Per column: the row that saw it (a stamp, so nothing is cleared per row) and its value's bytes.
  private stamp = 0;
  private readonly seen = new Int32Array(N);
  private readonly from = new Int32Array(N);
  private readonly to = new Int32Array(N);
  private out = Buffer.allocUnsafeSlow(OUT_BYTES);
  private o = 0;
  private rows = 0;
  private present = new Uint8Array(N);

  constructor(
    private readonly onPiece: (piece: CopyPiece) => void,
    private readonly rowsPerPiece: number,
    private readonly unknownKeys?: Set<string>,
  ) {}

  feed(chunk: Buffer): void {
    // Into one reusable buffer, after what is left of the last chunk, with zeros after the end: every
    // scan of the fast path stops at a zero byte (no bounds check per byte, no read past the end).
    const rest = this.len - this.p;
    const need = rest + chunk.length + SENTINEL_BYTES;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.buf.length));
      this.buf.copy(bigger, 0, this.p, this.len);
      this.buf = bigger;
    } else if (this.p > 0) this.buf.copyWithin(0, this.p, this.len);
    chunk.copy(this.buf, rest);
    this.len = rest + chunk.length;
    this.buf.fill(0, this.len, this.len + SENTINEL_BYTES);
    this.p = 0;
    if (!this.bomChecked) {
      if (this.len < 3) return;
      this.bomChecked = true;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.p = 3; // dropped, as before
    }
    if (this.len - this.p < this.retryAt) return;
    this.retryAt = 0;
    this.run(false);
  }

  end(): void {
    this.bomChecked = true;
    this.run(true);
    if (this.state !== "done")
      throw new Error(this.state === "start" ? "the file holds no JSON value" : "the JSON array is not closed");
    this.flush();
  }

  private run(final: boolean): void {
    const buf = this.buf;
    for (;;) {
      const p = (this.p = J.skipWs(buf, this.p, this.len));
      if (p >= this.len) return;
      const c = buf[p];
      if (this.state === "done") throw this.unexpected("after the end of the array");
      if (this.state === "start") {
        if (c !== J.OPEN_BRACKET) throw this.unexpected("where the array should start");
        this.p++;
        this.state = "first";
        continue;
      }
      if (this.state === "next") {
        if (c === J.COMMA) this.state = "element";
        else if (c === J.CLOSE_BRACKET) this.state = "done";
        else throw this.unexpected("after an array element");
        this.p++;
        continue;
      }
      if (c === J.CLOSE_BRACKET && this.state === "first") {
        this.p++;
        this.state = "done";
        continue;
      }
      let end = c === J.OPEN_BRACE ? this.plainRow(p) : BAIL;
      if (end === BAIL) end = this.parsedRow(p, final);
      if (end === BAIL) {
        if (final) throw new Error("the file ends inside a row");
        this.retryAt = 2 * (this.len - p); // a long element: no rescans of it per chunk
        return;
      }
      this.p = end;
      this.state = "next";
      this.index++;
    }
  }

  private unexpected(where: string): Error {
    const char = this.buf.toString("utf8", this.p, Math.min(this.len, this.p + 4)).charAt(0);
    return new Error(`unexpected ${JSON.stringify(char)} ${where} (row ${this.index})`);
  }

  /** The fast path: the end of the row at `start`, written out as COPY text, or BAIL. */
  private plainRow(start: number): number {
    const { buf, len, seen, from, to } = this;
    const stamp = ++this.stamp;
    let i = start + 1;
    while (isWs(buf[i]!)) i++;
    for (;;) {
      if (buf[i] !== QUOTE) return BAIL;
      const keyFrom = ++i;
      while (buf[i]! > QUOTE) i++; // a column's name has no byte at or below '"' (nor does the zero after the end)
      const col = buf[i] === QUOTE ? columnInBytes(buf, keyFrom, i) : -1;
      if (col < 0) {
        // Not a column's name: an unknown key (collected), unless it needs decoding.
        for (let b = buf[(i = keyFrom)]!; b !== QUOTE; b = buf[++i]!)
          if (b < 0x20 || b >= 0x80 || b === BACKSLASH) return BAIL;
      }
      const keyTo = i;
      i++;
      while (isWs(buf[i]!)) i++;
      if (buf[i] !== COLON) return BAIL;
      i++;
      while (isWs(buf[i]!)) i++;
      const type = col >= 0 ? TYPES[col]! : J.TEXT;
      const first = buf[i]!;
      let valueFrom = i;
      let valueTo: number;
      if (first === QUOTE) {
        let high = false;
        let escaped = false;
        valueFrom = ++i;
        for (let b = buf[i]!; b !== QUOTE; b = buf[++i]!) {
          if (b === BACKSLASH) {
            // COPY reads the escapes \\ \b \f \n \r \t as JSON does, and \" \/ as the character itself: kept as they are.
            if (!COPY_SAME_ESCAPE[buf[++i]!]) return BAIL;
            escaped = true;
          } else if (b < 0x20) return BAIL;
          else if (b >= 0x80) high = true;
        }
        valueTo = i++;
        if (high && !isUtf8(buf.subarray(valueFrom, valueTo))) return BAIL; // the parser replaces bad bytes
        if (escaped ? type !== J.TEXT : !J.shapeOk(type, buf, valueFrom, valueTo)) return BAIL;
      } else if (first === MINUS || (first >= 0x30 && first <= 0x39)) {
        if (type === J.DATE) return BAIL;
        i = valueTo = J.numberEnd(buf, i, len, type === J.BIGINT);
        if (i < 0) return BAIL;
      } else if (first === 0x6e && literal(buf, i, len, "null")) {
        valueFrom = NULL;
        i = valueTo = i + 4;
      } else if (first === 0x74 && literal(buf, i, len, "true")) i = valueTo = i + 4;
      else if (first === 0x66 && literal(buf, i, len, "false")) i = valueTo = i + 5;
      else return BAIL;
      if (col >= 0) {
        seen[col] = stamp; // a repeated key: the last value wins, as with the parser (and JSON.parse)
        from[col] = valueFrom;
        to[col] = valueTo;
      } else this.unknownKeys?.add(buf.toString("latin1", keyFrom, keyTo));
      while (isWs(buf[i]!)) i++;
      if (buf[i] === CLOSE_BRACE) break;
      if (buf[i] !== COMMA) return BAIL;
      i++;
      while (isWs(buf[i]!)) i++;
    }
    if (i >= len) return BAIL; // the zeros after the end
    // Every row needs its key columns, non-empty (validate-row.ts toReportRow).
    for (const col of KEYS) if (seen[col] !== stamp || from[col] === NULL || to[col] === from[col]) return BAIL;
    this.writePlain(stamp, i + 1 - start);
    return i + 1;
  }

  private writePlain(stamp: number, rowBytes: number): void {
    this.room(rowBytes + 3 * N);
    const { buf, seen, from, to, present, out } = this;
    let o = this.o;
    for (let col = 0; col < N; col++) {
      const f = from[col]!;
      const inRow = seen[col] === stamp;
      if (inRow) present[col] = 1;
      if (!inRow || f === NULL) {
        out[o++] = J.BACKSLASH;
        out[o++] = 0x4e; // \N
      } else {
        const t = to[col]!;
        if (t - f > 24) o += buf.copy(out, o, f, t);
        else for (let k = f; k < t; k++) out[o++] = buf[k]!;
      }
      out[o++] = 0x09;
    }
    out[o - 1] = 0x0a; // the last field ends the line
    this.o = o;
    this.rowDone();
  }

  /** The slow path: the element at `start`, whole, through parseElement (a row, or its error); BAIL to wait for more bytes. */
  private parsedRow(start: number, final: boolean): number {
    const { buf, len } = this;
    let end = J.valueEnd(buf, start, len);
    if (end === BAIL && !final) return BAIL;
    if (end === BAIL) end = len;
    const row = parseElement(buf.toString("utf8", start, end), this.index, this.unknownKeys);
    const line = copyLine(row, this.present);
    this.room(Buffer.byteLength(line));
    this.o += this.out.write(line, this.o);
    this.rowDone();
    return end;
  }

  private room(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    this.flush();
    if (bytes > this.out.length) this.out = Buffer.allocUnsafeSlow(bytes);
  }

  private rowDone(): void {
    if (++this.rows >= this.rowsPerPiece) this.flush();
  }

  private flush(): void {
    if (this.rows === 0) return;
    this.onPiece({ text: Buffer.from(this.out.subarray(0, this.o)), rows: this.rows, present: this.present });
    this.o = 0;
    this.rows = 0;
    this.present = new Uint8Array(N);
  }
}

/** Whether `word` (whose first byte the caller checked) is at `i`. */
function literal(buf: Uint8Array, i: number, len: number, word: string): boolean {
  if (i + word.length > len) return false;
  for (let k = 1; k < word.length; k++) if (buf[i + k] !== word.charCodeAt(k)) return false;
  return true;
}
