import { LwaError } from "../amazon/lwa";
import { redact } from "../log";
import { AmazonApiError, AmazonNetworkError } from "./errors";
import { DownloadError, ReportDataError } from "./download";
import { ProfileNotFoundError } from "./profile";

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
  if (error instanceof Error) return redact(`${error.name}: ${error.message}`).slice(0, 500);
  return "Unknown error";
}
