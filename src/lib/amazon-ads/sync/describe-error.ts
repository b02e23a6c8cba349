import { LwaError } from "../../amazon/lwa";
import { redact } from "../../log";
import { AmazonApiError, AmazonNetworkError } from "../../amazon/error-body";
import { DownloadError, ReportDataError } from "../report-file/read-report";
import { ProfileNotFoundError } from "../api/profiles";

/** A one-line reason fit for sync_logs, API responses and the CLI: never a secret, never a stack. */
export function describeError(error: unknown): string {
  if (error instanceof LwaError) return `Token refresh failed: ${error.message}`;
  if (
    error instanceof AmazonApiError ||
    error instanceof AmazonNetworkError ||
    error instanceof DownloadError ||
    error instanceof ReportDataError ||
    error instanceof ProfileNotFoundError
  ) {
    return redact(error.message);
  }
  if (error instanceof Error) {
    // Drizzle wraps driver errors as "Failed query: <sql>"; the cause says what actually went wrong.
    const cause = (error as { cause?: unknown }).cause;
    if (error.message.startsWith("Failed query") && cause instanceof Error)
      return redact(`Database error: ${cause.message}`).slice(0, 500);
    return redact(`${error.name}: ${error.message}`).slice(0, 500);
  }
  return "Unknown error";
}
