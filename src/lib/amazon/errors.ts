import { redact } from "../log";

/**
 * The one vocabulary for what goes wrong talking to Amazon (an organisation's own setup: lib/errors.ts).
 * Callers decide by `kind` and `transient`, never by message text; the message is redacted, safe to show.
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

const TRANSIENT_KINDS: ReadonlySet<AmazonErrorKind> = new Set(["throttled", "server", "network"]);

export interface AmazonErrorDetails {
  /** What we were doing ("token refresh", "create report"). */
  operation?: string;
  /** A finer reason within the kind ("invalid_grant", "url_expired", "timeout"). */
  reason?: string;
  status?: number;
  /** Amazon's error code and explanation from the body (shortened). */
  code?: string;
  detail?: string;
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
    const { operation, reason, status, code, detail, retryAfterMs } = details;
    Object.assign(this, { operation, reason, status, code, retryAfterMs });
    this.detail = detail === undefined ? undefined : redact(detail);
    this.transient = details.transient ?? TRANSIENT_KINDS.has(kind);
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

/**
 * The failure of a fetch() to `url` (`text` safe to show): transient, except a host that does not resolve
 * (ENOTFOUND) and nothing listening on a loopback address (ECONNREFUSED: a simulator not running), whose text
 * says what to do.
 */
export function networkFailure(
  error: unknown,
  url?: string,
): { reason: "timeout" | "network"; text: string; transient: boolean } {
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
