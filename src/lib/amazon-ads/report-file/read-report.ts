import { pipeline, type Readable, type Transform } from "node:stream";
import { AmazonError } from "../../amazon/errors";
import { fetchReport, interruptedDownload } from "./fetch-report";
import { decoderFor, peek } from "./gunzip";
import { CopyPieces } from "./copy-pieces";
import type { CopyPiece } from "./copy-text";
import type { ReportRow as Row } from "./validate-row";

/** A report row as the database will take it: every value as text (lossless) or null, keyed by API name. */
export type ReportRow = Row;

/**
 * Streams a report file from its presigned URL as COPY text: download, gunzip when the bytes are
 * gzip, the one JSON array scanned (copy-encoder.ts: numbers kept as their exact text, rows
 * validated), in pieces of `rowsPerPiece` rows with up to `readAheadRows` rows parsed ahead of the
 * consumer. Memory stays flat whatever the file's size. Stopping early (the consumer's `return`,
 * e.g. after a failed merge) tears the pipeline down and frees the connection.
 *
 * Failures are AmazonErrors: "download" when the file could not be fetched whole (transient unless
 * S3 refused the request; reason "url_expired" asks for a fresh URL), "data" when the bytes that
 * arrived are empty, not gzip, not a JSON array of objects, or hold an invalid value.
 */
export function streamReportCopy(
  url: string,
  options: { rowsPerPiece: number; readAheadRows: number; unknownKeys?: Set<string> },
): AsyncGenerator<CopyPiece> {
  return streamReport(url, () => new CopyPieces(options.rowsPerPiece, options.readAheadRows, options.unknownKeys));
}

async function* streamReport(url: string, encoder: () => CopyPieces): AsyncGenerator<CopyPiece> {
  const body = await fetchReport(url);
  // Whose failure it was decides the kind. The stage that fails emits "error" first; the pipeline
  // then destroys the others with the same error, a tick later. A body that broke off is a download
  // failure even when gunzip then sees "unexpected end of file".
  let origin: "body" | "content" | undefined;
  body.once("error", () => (origin ??= "body"));
  try {
    const head = await peek(body, 2);
    if (head === null) throw new AmazonError("data", "The report file is empty (0 bytes)", { reason: "empty" });
    const decoder = decoderFor(head);
    const last = encoder();
    const stages: Array<Readable | Transform> = decoder ? [body, decoder, last] : [body, last];
    for (const s of stages.slice(1)) s.once("error", () => (origin ??= "content"));
    pipeline(stages, () => {}); // errors reach the loop below through `last`
    for await (const piece of last) yield piece as CopyPiece;
  } catch (error) {
    throw origin === "body" ? interruptedDownload(error) : corrupt(error);
  } finally {
    body.destroy(); // a no-op after the end; otherwise the consumer left early
  }
}

function corrupt(error: unknown): AmazonError {
  if (error instanceof AmazonError) return error;
  return new AmazonError("data", `The report file is corrupt or truncated: ${(error as Error).message}`, {
    reason: "corrupt",
  });
}
