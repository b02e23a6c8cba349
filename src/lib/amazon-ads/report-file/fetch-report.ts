import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { AmazonError, networkFailure } from "../../amazon/errors";

/** The whole download, body included: a 200k-campaign file is ~40 MB gzipped, far below this even on a slow link. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const OPERATION = "report download";
const FAILED = "Downloading the report failed:";

/**
 * GETs the presigned URL with no headers of ours (S3 answers 400 InvalidArgument to a second auth
 * mechanism such as an Authorization header) and hands back the body as a stream. A failure before
 * the body (no answer, an S3 error) is thrown here; the body's own failures surface on the stream
 * and are the caller's to name with `interruptedDownload`.
 */
export async function fetchReport(url: string): Promise<Readable> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    const { reason, text } = networkFailure(error);
    throw new AmazonError("download", `${FAILED} ${text}`, { operation: OPERATION, reason, transient: true });
  }
  if (!response.ok) throw await s3Error(response);
  // A null body only comes with a status that has none; the parser then reports an empty file.
  return response.body
    ? Readable.fromWeb(response.body as unknown as NodeWebReadableStream<Uint8Array>)
    : Readable.from([]);
}

/**
 * S3's XML error as an AmazonError. Retrying can help after a 5xx (e.g. 503 SlowDown) or a 429; an
 * expired URL needs a fresh one from a new GET of the report, which the caller makes on "url_expired";
 * any other 4xx will not change by asking again.
 */
async function s3Error(response: Response): Promise<AmazonError> {
  const { status } = response;
  const xml = (await response.text().catch(() => "")).slice(0, 2000);
  const code = /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
  const detail = /<Message>([^<]+)<\/Message>/.exec(xml)?.[1]?.slice(0, 300);
  const message = `${FAILED} HTTP ${status}${code ? ` ${code}` : ""}${detail ? ` (${detail})` : ""}`;
  const details = { operation: OPERATION, status, code, detail };
  // S3 says AccessDenied "Request has expired" past X-Amz-Expires, and ExpiredToken once the
  // signing session's token has run out: either way only a freshly signed URL helps.
  const expired =
    (status === 403 || status === 400) &&
    (code === "AccessDenied" || code === "ExpiredToken" || /expired/i.test(detail ?? ""));
  if (expired) return new AmazonError("download", message, { ...details, reason: "url_expired", transient: false });
  if (status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers.get("retry-after"));
    const reason = status === 429 ? "throttled" : "server";
    return new AmazonError("download", message, { ...details, reason, retryAfterMs, transient: true });
  }
  return new AmazonError("download", message, { ...details, reason: "rejected", transient: false });
}

function retryAfter(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * A failure of the body stream itself, after S3 answered 200: the connection was reset or closed
 * before the whole file arrived (undici's "terminated"), or the time ran out. The file on S3 is
 * fine; fetching it again can succeed.
 */
export function interruptedDownload(error: unknown): AmazonError {
  if (error instanceof AmazonError) return error;
  const name = (error as Error)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return new AmazonError("download", `${FAILED} the file did not arrive within the time allowed`, {
      operation: OPERATION,
      reason: "timeout",
      status: 200,
      transient: true,
    });
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = [(error as Error)?.message, cause?.code ?? cause?.message].filter(Boolean).join(": ");
  return new AmazonError("download", `${FAILED} the connection broke off before the whole file arrived (${why})`, {
    operation: OPERATION,
    reason: "truncated",
    status: 200,
    transient: true,
  });
}
