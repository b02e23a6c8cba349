import { Readable, pipeline } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import streamArray from "stream-json/streamers/stream-array.js";
import { COLUMN_BY_API, type ColumnSpec } from "./columns";

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
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Streams a report file: a plain GET of the presigned URL (no Amazon headers: S3 rejects a second
 * auth mechanism), gunzip when the bytes are gzip (checked by magic number, since a client or proxy
 * may already have decoded it), a streaming parser over the one JSON array, numbers kept as their
 * exact text, rows validated and yielded in batches. Memory stays flat whatever the size.
 */
export async function* streamReportRows(url: string, options: { batchSize?: number; unknownKeys?: Set<string> } = {}): AsyncGenerator<ReportRow[]> {
  const batchSize = options.batchSize ?? 2000;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new DownloadError(`Downloading the report failed: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    const text = (await response.text().catch(() => "")).slice(0, 1000);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
    const expired = response.status === 403 && (code === "AccessDenied" || /expired/i.test(message ?? ""));
    throw new DownloadError(`Downloading the report failed: HTTP ${response.status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`, expired);
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
  const rows = streamArray.withParserAsStream({ numberAsString: true });
  const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream> = gzipped ? [replay, createGunzip(), rows] : [replay, rows];
  // pipeline destroys every stage on error, so the loop below rejects with it (e.g. truncated gzip).
  pipeline(stages, () => {});

  let batch: ReportRow[] = [];
  let index = 0;
  try {
    for await (const item of rows as AsyncIterable<{ key: number; value: unknown }>) {
      batch.push(toReportRow(item.value, index++, options.unknownKeys));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (error instanceof ReportDataError) throw error;
    throw new ReportDataError(`The report file is corrupt or truncated: ${(error as Error).message}`);
  }
  if (batch.length > 0) yield batch;
}

function toReportRow(value: unknown, index: number, unknownKeys?: Set<string>): ReportRow {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ReportDataError(`Row ${index} is not a JSON object`);
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

function checkValue(column: ColumnSpec, raw: unknown, index: number): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === "boolean") return String(raw);
  if (typeof raw !== "string") throw new ReportDataError(`Row ${index}: ${column.api} is not a scalar`);
  const ok =
    column.type === "text" ||
    (column.type === "bigint" && INTEGER.test(raw)) ||
    (column.type === "numeric" && DECIMAL.test(raw)) ||
    (column.type === "date" && DATE.test(raw));
  if (!ok) throw new ReportDataError(`Row ${index}: ${column.api} = ${JSON.stringify(raw.slice(0, 40))} is not a valid ${column.type}`);
  return raw;
}
