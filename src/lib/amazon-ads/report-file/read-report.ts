import { pipeline, Transform, type Readable } from "node:stream";
import { AmazonError } from "../../amazon/errors";
import { ReportCopyEncoder } from "./copy-encoder";
import { fetchReport, interruptedDownload } from "./fetch-report";
import { decoderFor, peek } from "./gunzip";
import type { CopyPiece } from "./copy-text";
export type { ReportRow } from "./validate-row";

/**
 * A report file from its presigned URL as COPY text pieces: download, gunzip, the one JSON scanner, with
 * `readAheadRows` parsed ahead; memory stays flat. Stopping early tears the pipeline down. Failures are
 * "download" (not fetched whole) or "data" (empty, corrupt, or an invalid value) AmazonErrors.
 */
export async function* streamReportCopy(
  url: string,
  options: { rowsPerPiece: number; readAheadRows: number; unknownKeys?: Set<string> },
): AsyncGenerator<CopyPiece> {
  const body = await fetchReport(url);
  // The stage that fails emits "error" first, so its origin decides the kind: a body that broke off is a
  // download failure even when gunzip then sees "unexpected end of file".
  let origin: "body" | "content" | undefined;
  body.once("error", () => (origin ??= "body"));
  try {
    const head = await peek(body, 2);
    if (head === null) throw new AmazonError("data", "The report file is empty (0 bytes)", { reason: "empty" });
    const decoder = decoderFor(head);
    const last = copyPieces(options.rowsPerPiece, options.readAheadRows, options.unknownKeys);
    const stages: Array<Readable | Transform> = decoder ? [body, decoder, last] : [body, last];
    for (const s of stages.slice(1)) s.once("error", () => (origin ??= "content"));
    pipeline(stages, () => {}); // errors reach the loop below through `last`
    for await (const piece of last) yield piece as CopyPiece;
  } catch (error) {
    if (origin === "body") throw interruptedDownload(error);
    if (error instanceof AmazonError) throw error;
    const message = `The report file is corrupt or truncated: ${(error as Error).message}`;
    throw new AmazonError("data", message, { reason: "corrupt" });
  } finally {
    body.destroy(); // a no-op after the end; otherwise the consumer left early
  }
}

/**
 * JSON bytes in, COPY pieces out. Up to `readAheadRows` rows are encoded ahead while the database merges
 * (two cores, not taking turns); past that, backpressure stops the encoder, gunzip and the download.
 */
function copyPieces(rowsPerPiece: number, readAheadRows: number, unknownKeys?: Set<string>): Transform {
  const encoder = new ReportCopyEncoder((piece) => stream.push(piece), rowsPerPiece, unknownKeys);
  const stream = new Transform({
    readableObjectMode: true,
    readableHighWaterMark: Math.max(1, Math.ceil(readAheadRows / rowsPerPiece)),
    transform: (chunk: Buffer, _encoding, callback) => callback(failureOf(() => encoder.feed(chunk))),
    flush: (callback) => callback(failureOf(() => encoder.end())),
  });
  return stream;
}

function failureOf(step: () => void): Error | null {
  try {
    step();
    return null;
  } catch (error) {
    return error as Error;
  }
}
