import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { parseRetryAfter } from "../../amazon/error-body";
import { AmazonError, networkFailure } from "../../amazon/errors";

/** The whole download, body included: a 200k-campaign file is ~40 MB gzipped, far below this even on a slow link. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const OPERATION = "report download";
const FAILED = "Downloading the report failed:";

/**
 * GETs the presigned URL with no headers of ours (S3 refuses a second auth mechanism) and hands back the
 * body; the body's own failures surface on the stream, named by `interruptedDownload`.
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

/** S3's XML error: a 5xx or 429 is transient, an expired URL ("url_expired") needs a fresh one, a 4xx is final. */
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
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    const reason = status === 429 ? "throttled" : "server";
    return new AmazonError("download", message, { ...details, reason, retryAfterMs, transient: true });
  }
  return new AmazonError("download", message, { ...details, reason: "rejected", transient: false });
}

/** The body stream failed after S3 answered 200 (a reset, undici's "terminated", the time ran out): transient. */
export function interruptedDownload(error: unknown): AmazonError {
  if (error instanceof AmazonError) return error;
  const name = (error as Error)?.name;
  const timedOut = name === "TimeoutError" || name === "AbortError";
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = [(error as Error)?.message, cause?.code ?? cause?.message].filter(Boolean).join(": ");
  const message = timedOut
    ? `${FAILED} the file did not arrive within the time allowed`
    : `${FAILED} the connection broke off before the whole file arrived (${why})`;
  const reason = timedOut ? "timeout" : "truncated";
  return new AmazonError("download", message, { operation: OPERATION, status: 200, transient: true, reason });
}
