import { Readable, pipeline } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { COLUMN_BY_API, COLUMNS, type ColumnSpec } from "../../catalogue/sp-campaigns";

/** A report row as the database will take it: every value as text (lossless) or null, keyed by API name. */
export type ReportRow = Record<string, string | null>;

export class DownloadError extends Error {
  constructor(
    message: string,
    /** S3 said the presigned URL expired: GET the report again for a fresh one. */
    readonly expired = false,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

export class ReportDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportDataError";
  }
}

const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const GUNZIP_CHUNK_BYTES = 256 * 1024;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Streams a report file: a plain GET of the presigned URL (no Amazon headers: S3 rejects a second
 * auth mechanism), gunzip when the bytes are gzip (checked by magic number, since a client or proxy
 * may already have decoded it), a streaming parser over the one JSON array, numbers kept as their
 * exact text, rows validated and yielded in batches. Memory stays flat whatever the size.
 */
export async function* streamReportRows(
  url: string,
  options: { batchSize?: number; unknownKeys?: Set<string> } = {},
): AsyncGenerator<ReportRow[]> {
  const batchSize = options.batchSize ?? 2000;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new DownloadError(
      `Downloading the report failed: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`,
    );
  }
  if (!response.ok || !response.body) {
    const text = (await response.text().catch(() => "")).slice(0, 1000);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
    const expired = response.status === 403 && (code === "AccessDenied" || /expired/i.test(message ?? ""));
    throw new DownloadError(
      `Downloading the report failed: HTTP ${response.status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`,
      expired,
    );
  }

  const source = Readable.fromWeb(response.body as unknown as NodeWebReadableStream<Uint8Array>);
  const chunks = source[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) throw new ReportDataError("The report file is empty (0 bytes)");
  const head = Buffer.from(first.value as Uint8Array);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const replay = Readable.from(
    (async function* () {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Uint8Array;
    })(),
  );
  // 256 KiB output chunks: zlib's default 16 KiB made gunzip take 4x as long (docs/benchmarks.md).
  const text = gzipped ? pipeline(replay, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), () => {}) : replay;
  const stop = () => {
    text.destroy();
    source.destroy();
  };
  yield* readAhead(text, stop, new ReportArrayParser(options.unknownKeys), batchSize);
}

const READ_AHEAD_BATCHES = 2;

/**
 * Parses in a pump that runs ahead of the consumer by up to READ_AHEAD_BATCHES batches, so the next
 * batch is parsed while the database writes the current one (the two then use two cores instead of
 * taking turns). Batches and a failure reach the consumer in order; memory stays bounded.
 */
async function* readAhead(
  text: NodeJS.ReadableStream,
  stop: () => void,
  parser: ReportArrayParser,
  batchSize: number,
): AsyncGenerator<ReportRow[]> {
  const queue: Array<ReportRow[] | Error | null> = []; // null = end of file
  let wake: (() => void) | null = null; // a waiting consumer or a paused pump
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForSignal = () => new Promise<void>((resolve) => (wake = resolve));
  let stopped = false;

  const pump = async () => {
    const decoder = new StringDecoder("utf8");
    let batch: ReportRow[] = [];
    const onRow = (row: ReportRow) => batch.push(row);
    try {
      for await (const chunk of text) {
        parser.feed(decoder.write(chunk as Buffer), onRow);
        while (batch.length >= batchSize) {
          queue.push(batch.slice(0, batchSize));
          batch = batch.slice(batchSize);
          signal();
          while (queue.length >= READ_AHEAD_BATCHES && !stopped) await waitForSignal();
          if (stopped) return;
        }
      }
      parser.feed(decoder.end(), onRow);
      parser.end(onRow);
      while (batch.length > 0) {
        queue.push(batch.slice(0, batchSize));
        batch = batch.slice(batchSize);
      }
      queue.push(null);
    } catch (error) {
      queue.push(
        error instanceof ReportDataError
          ? error
          : new ReportDataError(`The report file is corrupt or truncated: ${(error as Error).message}`),
      );
    }
    signal();
  };

  const pumping = pump();
  try {
    for (;;) {
      while (queue.length === 0) await waitForSignal();
      const item = queue.shift()!;
      signal(); // room for the pump
      if (item === null) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  } finally {
    // Consumer done or gone (e.g. the upsert failed): stop the pump and free the socket.
    stopped = true;
    signal();
    stop();
    await pumping;
  }
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const COLUMN_INDEX = new Map(COLUMNS.map((c, i) => [c.api, i]));
/** Columns by the length of their API name: a key is matched in place against these (no string made). */
const COLUMNS_BY_LENGTH: number[][] = [];
COLUMNS.forEach((c, i) => (COLUMNS_BY_LENGTH[c.api.length] ??= []).push(i));
const NAME_CODES = COLUMNS.map((c) => Array.from(c.api, (ch) => ch.charCodeAt(0)));
/** Whether the text at `from` spells column `col`'s name, compared from the end (names share prefixes). */
function spells(s: string, from: number, col: number): boolean {
  const codes = NAME_CODES[col]!;
  for (let i = codes.length - 1; i >= 0; i--) if (s.charCodeAt(from + i) !== codes[i]) return false;
  return true;
}
/** Thrown inside a parse that ran off the end of the text received so far. */
const INCOMPLETE = Symbol("incomplete");

/**
 * A streaming parser for the report file: one JSON array of flat objects, fed text as it arrives.
 * It gives what stream-json's streamArray with numberAsString gave before (numbers as their source
 * text, strings decoded, nested values assembled, the same strictness) several times faster:
 * stream-json turned every key and value into token objects passed through several streams, and an
 * object built in the file's key order (which may differ per row) gave each row its own hidden class.
 * Here a row's members go into flat arrays, known keys are matched without allocating them, and
 * the row object is built in catalogue order, so every row has the same shape.
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

  /** One array element: a row, validated and converted with the checks and messages of before. */
  private element(): ReportRow {
    const index = this.index;
    const start = this.p;
    if (this.peek() !== 0x7b) {
      // The whole element first, as stream-json did: a broken one is "corrupt", a complete one "not a JSON object".
      this.value();
      const next = this.peek();
      if (next !== 0x2c && next !== 0x5d) throw this.unexpected("after an array element");
      this.index++;
      throw new ReportDataError(`Row ${index} is not a JSON object`);
    }
    let row = this.row(index);
    if (row === null) {
      // A key repeated within the row: parse it as an object (a repeated key keeps its first
      // position and takes the last value) and convert it exactly as before.
      this.p = start;
      row = inCatalogueOrder(toReportRow(this.object(), index, this.unknownKeys));
    }
    this.index++;
    return row;
  }

  /**
   * The fast path for a row: members checked as they come, known keys matched in place, the row
   * built in catalogue order. A check that fails is thrown once the object is complete (a syntax
   * error later in it wins, as before). Null when a key repeats.
   */
  private row(index: number): ReportRow | null {
    const stamp = ++this.stamp;
    const { seen, checked } = this;
    let failure: ReportDataError | null = null;
    this.p++; // {
    let c = this.peek();
    if (c === 0x7d) this.p++;
    else
      for (;;) {
        if (c !== 0x22) throw this.unexpected("where a key should be");
        const s = this.s;
        const from = this.p + 1;
        const close = s.indexOf('"', from);
        let col = -1;
        for (const candidate of (close < 0 ? undefined : COLUMNS_BY_LENGTH[close - from]) ?? []) {
          if (spells(s, from, candidate)) {
            col = candidate;
            break;
          }
        }
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
              if (!(error instanceof ReportDataError)) throw error;
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
    // Every row gets its properties in one order, so all rows share one hidden class.
    const row: ReportRow = {};
    for (let col = 0; col < COLUMNS.length; col++)
      if (seen[col] === stamp) row[COLUMNS[col]!.api] = checked[col] as string | null;
    if (!row.date) throw new ReportDataError(`Row ${index} has no date`);
    if (!row.campaignId) throw new ReportDataError(`Row ${index} has no campaignId`);
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

/** A parsed row object, validated and converted (entries in object order): the slow path, and the reference in tests. */
export function toReportRow(value: unknown, index: number, unknownKeys?: Set<string>): ReportRow {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ReportDataError(`Row ${index} is not a JSON object`);
  const row: ReportRow = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const column = COLUMN_BY_API.get(key);
    if (!column) {
      unknownKeys?.add(key);
      continue;
    }
    row[key] = checkValue(column, raw, index);
  }
  if (!row.date) throw new ReportDataError(`Row ${index} has no date`);
  if (!row.campaignId) throw new ReportDataError(`Row ${index} has no campaignId`);
  return row;
}

function inCatalogueOrder(row: ReportRow): ReportRow {
  const ordered: ReportRow = {};
  for (const column of COLUMNS) if (Object.hasOwn(row, column.api)) ordered[column.api] = row[column.api]!;
  return ordered;
}

function checkValue(column: ColumnSpec, raw: unknown, index: number): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === "boolean") return String(raw);
  if (typeof raw !== "string") throw new ReportDataError(`Row ${index}: ${column.api} is not a scalar`);
  const ok =
    column.type === "text" ||
    (column.type === "bigint" && INTEGER.test(raw)) ||
    (column.type === "numeric" && DECIMAL.test(raw)) ||
    (column.type === "date" && DATE.test(raw));
  if (!ok)
    throw new ReportDataError(
      `Row ${index}: ${column.api} = ${JSON.stringify(raw.slice(0, 40))} is not a valid ${column.type}`,
    );
  return raw;
}
