import { isAmazonError, type AmazonError } from "../../amazon/errors";
import { COLUMNS } from "../../catalogue/sp-campaigns";
import { COLUMN_INDEX, columnAt } from "./column-names";
import { checkKeys, checkValue, rowError, toReportRow, type ReportRow } from "./validate-row";

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** Thrown inside a parse that ran off the end of the text received so far. */
export const INCOMPLETE = Symbol("incomplete");

/**
 * A streaming parser for the report file: one JSON array of flat objects, fed text as it arrives.
 * It gives what stream-json's streamArray with numberAsString gave (numbers as their source text,
 * strings decoded, nested values assembled, the same strictness; held to it by report-parser.test.ts)
 * about 4x faster (docs/benchmarks.md). PGlite's collect uses it; PostgreSQL's, for odd rows only.
 */
export class ReportArrayParser {
  private s = "";
  private p = 0;
  private state: "start" | "first" | "element" | "next" | "done" = "start";
  private index = 0;
  /** After running out of text mid-element, wait for twice as much before parsing it again (no quadratic rescans). */
  private retryAt = 0;
  private bomChecked = false;
  // Per column: the parse attempt that saw it (a stamp, so nothing is cleared per row), its checked value.
  private stamp = 0;
  private readonly seen = new Int32Array(COLUMNS.length);
  private readonly checked: Array<string | null> = new Array<string | null>(COLUMNS.length).fill(null);

  constructor(private readonly unknownKeys?: Set<string>) {}

  feed(chunk: string, onRow: (row: ReportRow) => void): void {
    if (!this.bomChecked && chunk.length > 0) {
      this.bomChecked = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1); // a byte-order mark, dropped as stream-json did
    }
    this.s = this.p < this.s.length ? this.s.slice(this.p) + chunk : chunk;
    // A concatenation is a rope: every charCodeAt on it walks the tree until something flattens it.
    void Number(this.s);
    this.p = 0;
    if (this.s.length < this.retryAt) return;
    this.retryAt = 0;
    this.run(onRow, false);
  }

  end(onRow: (row: ReportRow) => void): void {
    this.run(onRow, true);
    if (this.state !== "done")
      throw new Error(this.state === "start" ? "the file holds no JSON value" : "the JSON array is not closed");
  }

  /** Row `index`, alone at the start of `text` (copy-encoder.ts's slow path); throws INCOMPLETE if the text ends inside it. */
  elementAt(text: string, index: number): ReportRow {
    [this.s, this.p, this.index] = [text, 0, index];
    return this.element();
  }

  private run(onRow: (row: ReportRow) => void, final: boolean): void {
    for (;;) {
      this.skipWhitespace();
      if (this.p >= this.s.length) return;
      const c = this.s.charCodeAt(this.p);
      if (this.state === "done") throw this.unexpected("after the end of the array");
      if (this.state === "start") {
        if (c !== 0x5b) throw this.unexpected("where the array should start");
        this.p++;
        this.state = "first";
        continue;
      }
      if (this.state === "next") {
        if (c === 0x2c) this.state = "element";
        else if (c === 0x5d) this.state = "done";
        else throw this.unexpected("after an array element");
        this.p++;
        continue;
      }
      if (c === 0x5d && this.state === "first") {
        this.p++;
        this.state = "done";
        continue;
      }
      const start = this.p;
      let row: ReportRow;
      try {
        row = this.element();
      } catch (error) {
        if (error !== INCOMPLETE) throw error;
        if (final) throw new Error("the file ends inside a row");
        this.p = start;
        this.retryAt = 2 * (this.s.length - start);
        return;
      }
      this.state = "next";
      onRow(row);
    }
  }

  private unexpected(where: string): Error {
    return new Error(`unexpected ${JSON.stringify(this.s.charAt(this.p))} ${where} (row ${this.index})`);
  }

  private skipWhitespace(): void {
    const s = this.s;
    while (this.p < s.length && WS(s.charCodeAt(this.p))) this.p++;
  }

  /** The next non-whitespace character code; running out of text means "wait for more". */
  private peek(): number {
    this.skipWhitespace();
    if (this.p >= this.s.length) throw INCOMPLETE;
    return this.s.charCodeAt(this.p);
  }

  /** One array element: a row, validated and converted, failing where and as stream-json + toReportRow would. */
  private element(): ReportRow {
    const index = this.index;
    const start = this.p;
    if (this.peek() !== 0x7b) {
      // The whole element first, as stream-json did: a broken one is "corrupt", a complete one "not a JSON object".
      this.value();
      const next = this.peek();
      if (next !== 0x2c && next !== 0x5d) throw this.unexpected("after an array element");
      this.index++;
      throw rowError(`Row ${index} is not a JSON object`);
    }
    let row = this.row(index);
    if (row === null) {
      // A repeated key: parsed as an object (first position, last value, as JSON.parse does) and converted.
      this.p = start;
      row = toReportRow(this.object(), index, this.unknownKeys);
    }
    this.index++;
    return row;
  }

  /**
   * A row: members checked as they come, known keys matched without a string, the row built in
   * catalogue order (one hidden class). A failed check is thrown once the object is complete (a
   * syntax error later in it wins, as with stream-json). Null when a key repeats.
   */
  private row(index: number): ReportRow | null {
    const stamp = ++this.stamp;
    const { seen, checked } = this;
    let failure: AmazonError | null = null;
    this.p++; // {
    let c = this.peek();
    if (c === 0x7d) this.p++;
    else
      for (;;) {
        if (c !== 0x22) throw this.unexpected("where a key should be");
        const s = this.s;
        const from = this.p + 1;
        const close = s.indexOf('"', from);
        let col = close < 0 ? -1 : columnAt(s, from, close);
        let key: string | null = null;
        if (col >= 0) this.p = close + 1;
        else {
          key = this.string(); // escapes, or not a column name
          col = COLUMN_INDEX.get(key) ?? -1;
        }
        if (this.peek() !== 0x3a) throw this.unexpected("after a key");
        this.p++;
        const value = this.value();
        if (col >= 0) {
          if (seen[col] === stamp) return null;
          seen[col] = stamp;
          if (failure === null) {
            try {
              checked[col] = checkValue(COLUMNS[col]!, value, index);
            } catch (error) {
              if (!isAmazonError(error, "data")) throw error;
              failure = error;
            }
          }
        } else this.unknownKeys?.add(key!);
        c = this.peek();
        if (c === 0x7d) {
          this.p++;
          break;
        }
        if (c !== 0x2c) throw this.unexpected("in an object");
        this.p++;
        c = this.peek();
      }
    if (failure) throw failure;
    const row: ReportRow = {};
    for (let col = 0; col < COLUMNS.length; col++)
      if (seen[col] === stamp) row[COLUMNS[col]!.api] = checked[col] as string | null;
    checkKeys(row, index);
    return row;
  }

  /** Any JSON value; numbers as their text; objects and arrays assembled as stream-json's Assembler did. */
  private value(): unknown {
    const c = this.peek();
    const s = this.s;
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = this.p + 1;
      for (; end < s.length; end++) {
        const d = s.charCodeAt(end);
        if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d)) break;
      }
      if (end >= s.length) throw INCOMPLETE; // the number may go on in the next chunk
      const number = s.slice(this.p, end);
      if (!NUMBER.test(number))
        throw new Error(`invalid number ${JSON.stringify(number.slice(0, 40))} (row ${this.index})`);
      this.p = end;
      return number;
    }
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x74) return this.literal("true", true);
    if (c === 0x66) return this.literal("false", false);
    if (c === 0x6e) return this.literal("null", null);
    throw this.unexpected("where a value should be");
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.p++; // {
    if (this.peek() === 0x7d) {
      this.p++;
      return object;
    }
    for (;;) {
      if (this.peek() !== 0x22) throw this.unexpected("where a key should be");
      const key = this.string();
      if (this.peek() !== 0x3a) throw this.unexpected("after a key");
      this.p++;
      const value = this.value();
      // As JSON.parse and stream-json's Assembler: "__proto__" is an own property, not the prototype.
      if (key === "__proto__")
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      else object[key] = value;
      const c = this.peek();
      if (c === 0x7d) {
        this.p++;
        return object;
      }
      if (c !== 0x2c) throw this.unexpected("in an object");
      this.p++;
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.p++; // [
    if (this.peek() === 0x5d) {
      this.p++;
      return array;
    }
    for (;;) {
      array.push(this.value());
      const c = this.peek();
      if (c === 0x5d) {
        this.p++;
        return array;
      }
      if (c !== 0x2c) throw this.unexpected("in an array");
      this.p++;
    }
  }

  private literal<T>(word: string, value: T): T {
    const s = this.s;
    if (s.startsWith(word, this.p)) {
      this.p += word.length;
      return value;
    }
    if (s.length - this.p < word.length && word.startsWith(s.slice(this.p))) throw INCOMPLETE;
    throw this.unexpected("where a value should be");
  }

  /** A string from its opening quote; escapes are decoded by JSON.parse, which also rejects bad ones. */
  private string(): string {
    const s = this.s;
    const start = this.p;
    let escaped = false;
    for (let i = start + 1; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.p = i + 1;
        return escaped ? (JSON.parse(s.slice(start, i + 1)) as string) : s.slice(start + 1, i);
      }
      if (c === 0x5c) {
        escaped = true;
        i++; // the escaped character cannot end the string
      } else if (c < 0x20) {
        this.p = i;
        throw new Error(`a control character inside a string (row ${this.index})`);
      }
    }
    throw INCOMPLETE;
  }
}
