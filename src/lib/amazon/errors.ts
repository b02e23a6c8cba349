import { redact } from "../log";

/**
 * The one vocabulary for what can go wrong talking to Amazon (its login, its APIs, its report files).
 * An organisation's own setup (no credentials, unreadable ones, no such organisation) is not
 * Amazon's failure: that is lib/errors.ts. Callers decide by `kind` and `transient`, never by class name or message text; the
 * message is safe to log, store in sync_logs and show (secrets are redacted when it is built).
 */
export type AmazonErrorKind =
  /** Amazon refused the credentials: LwA invalid_client/invalid_grant, or the Ads API said 401/403. */
  | "auth"
  /** HTTP 429. */
  | "throttled"
  /** HTTP 5xx from Amazon, LwA or S3. */
  | "server"
  /** No answer: connection refused or reset, DNS, timeout. */
  | "network"
  /** Any other 4xx: Amazon will not accept this request as it is. */
  | "rejected"
  /** Amazon answered 2xx with something that is not what its API promises. */
  | "bad_response"
  /** Amazon finished a report as FAILED. */
  | "report_failed"
  /** The report file could not be fetched from its presigned URL. */
  | "download"
  /** The report file was fetched but is empty, corrupt, truncated or has invalid values. */
  | "data"
  /** The advertiser profile is not one this login can use. */
  | "profile";

const TRANSIENT_BY_KIND: Record<AmazonErrorKind, boolean> = {
  auth: false,
  throttled: true,
  server: true,
  network: true,
  rejected: false,
  bad_response: false,
  report_failed: false,
  download: false,
  data: false,
  profile: false,
};

export interface AmazonErrorDetails {
  /** What we were doing, e.g. "token refresh", "create report". */
  operation?: string;
  /** A finer machine-readable reason within the kind, e.g. "invalid_grant", "url_expired", "timeout". */
  reason?: string;
  /** The HTTP status Amazon (or S3) answered, when it answered. */
  status?: number;
  /** Amazon's own error code from the body (e.g. "INVALID_ARGUMENT", "invalid_client"). */
  code?: string;
  /** Amazon's explanation from the body, already shortened; part of the message. */
  detail?: string;
  /** Retry-After in ms when Amazon sent one. */
  retryAfterMs?: number;
  /** Overrides the kind's default (a download 503 is transient, a 404 is not). */
  transient?: boolean;
}

export class AmazonError extends Error {
  readonly transient: boolean;
  readonly operation?: string;
  readonly reason?: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly retryAfterMs?: number;

  constructor(
    readonly kind: AmazonErrorKind,
    message: string,
    details: AmazonErrorDetails = {},
  ) {
    super(redact(message));
    this.name = "AmazonError";
    this.transient = details.transient ?? TRANSIENT_BY_KIND[kind];
    this.operation = details.operation;
    this.reason = details.reason;
    this.status = details.status;
    this.code = details.code;
    this.detail = details.detail === undefined ? undefined : redact(details.detail);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The operation name of every Login with Amazon token exchange. */
export const TOKEN_REFRESH = "token refresh";

export function isAmazonError(error: unknown, ...kinds: AmazonErrorKind[]): error is AmazonError {
  return error instanceof AmazonError && (kinds.length === 0 || kinds.includes(error.kind));
}

/** Kind of an HTTP error answer from Amazon's APIs (LwA, Ads API). */
export function kindForStatus(status: number): AmazonErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "throttled";
  if (status >= 500) return "server";
  return "rejected";
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** What a fetch() that threw before any answer came means: the one place that decides if it is transient. */
export interface NetworkFailure {
  reason: "timeout" | "network";
  /** Safe to show: "no answer in time", the system's error code, or what to do when Amazon cannot be reached. */
  text: string;
  /** False only when retrying within the run cannot help (see `url` below). */
  transient: boolean;
}

/**
 * The failure of a fetch() to `url`. With `url`, two failures are not transient, and their text says
 * how to run without Amazon: the host name does not resolve (ENOTFOUND: no network, or a wrong host),
 * or nothing listens on a loopback address (ECONNREFUSED: a simulator wired in but not running).
 * Every other failure is transient.
 */
export function networkFailure(error: unknown, url?: string): NetworkFailure {
  const name = (error as Error)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return { reason: "timeout", text: "no answer in time", transient: true };
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  if (url) {
    const { host, hostname } = new URL(url);
    if (code === "ENOTFOUND") {
      const text =
        `Amazon cannot be reached: ${host} does not resolve (ENOTFOUND). Check this machine's network access; ` +
        "to work without Amazon, run the app with `npm run dev:sim` and the CLI with `npm run ads:sim -- …`";
      return { reason: "network", text, transient: false };
    }
    if (code === "ECONNREFUSED" && LOOPBACK.test(hostname)) {
      const text =
        `Nothing answers at ${host} (ECONNREFUSED), where the AMAZON_* variables point: start the Amazon ` +
        "simulator (`npm run dev:sim`, or `npm run simulator`) or unset them";
      return { reason: "network", text, transient: false };
    }
  }
  return { reason: "network", text: code ?? (error as Error)?.message ?? String(error), transient: true };
}
