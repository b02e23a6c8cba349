import { isAmazonError, type AmazonErrorKind } from "../amazon/errors";
import {
  ConflictError,
  InvalidInputError,
  MissingCredentialsError,
  NotFoundError,
  RateLimitedError,
  UnreadableSettingError,
} from "../errors";

/** An error that becomes an HTTP response as it is: status plus a JSON body safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; message: string; [key: string]: unknown },
    /** Headers the answer carries (Retry-After of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(body.message);
    this.name = "HttpError";
  }
}

export const unauthorized = (message = "Sign in first") => new HttpError(401, { error: "unauthorized", message });
export const forbidden = (message: string) => new HttpError(403, { error: "forbidden", message });

// What a failure talking to Amazon means for our caller: theirs (422) only when it is about their
// organisation's setup (a profile the login cannot use); otherwise Amazon's or the network's (502/503/504).
const STATUS_BY_AMAZON_KIND: Record<AmazonErrorKind, number> = {
  profile: 422,
  auth: 502,
  rejected: 502,
  bad_response: 502,
  report_failed: 502,
  download: 502,
  data: 502,
  server: 502,
  throttled: 503,
  network: 504,
};

/**
 * The one place library errors become HTTP answers. Anything unknown is null: the caller answers
 * 500 without detail.
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidInputError) {
    return new HttpError(400, {
      error: "bad_request",
      message: error.message,
      ...(error.fields ? { fields: error.fields } : {}),
    });
  }
  if (error instanceof RateLimitedError) {
    return new HttpError(
      429,
      { error: "too_many_requests", message: error.message, retryAfterSeconds: error.retryAfterSeconds },
      { "Retry-After": String(error.retryAfterSeconds) },
    );
  }
  if (error instanceof ConflictError) return new HttpError(409, { error: error.code, message: error.message });
  if (error instanceof NotFoundError) return new HttpError(404, { error: "not_found", message: error.message });
  if (error instanceof MissingCredentialsError)
    return new HttpError(422, { error: "no_credentials", message: error.message });
  if (error instanceof UnreadableSettingError)
    return new HttpError(422, { error: "credentials_unreadable", message: error.message });
  if (isAmazonError(error))
    return new HttpError(STATUS_BY_AMAZON_KIND[error.kind], { error: error.kind, message: error.message });
  return null;
}
