import { isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import { AppError } from "../../errors";
import { redact } from "../../log";

/** A one-line reason fit for sync_logs, API responses and the CLI: never a secret, never a stack. */
export function describeError(error: unknown): string {
  if (isAmazonError(error))
    return error.operation === TOKEN_REFRESH ? `Token refresh failed: ${error.message}` : error.message;
  if (error instanceof AppError) return error.message;
  if (error instanceof Error) {
    // Drizzle wraps driver errors as "Failed query: <sql>"; the cause says what actually went wrong.
    const cause = (error as { cause?: unknown }).cause;
    if (error.message.startsWith("Failed query") && cause instanceof Error)
      return redact(`Database error: ${cause.message}`).slice(0, 500);
    return redact(`${error.name}: ${error.message}`).slice(0, 500);
  }
  return "Unknown error";
}

/**
 * A failure that belongs to one organisation (Amazon's answer for it, or its own setup: credentials
 * missing or unreadable, the organisation gone), as against the database's or a bug: the run records
 * it for that organisation and goes on.
 */
export function isOrganisationFailure(error: unknown): boolean {
  return isAmazonError(error) || error instanceof AppError;
}
