import { z } from "zod";
import { AmazonError, kindForStatus } from "./errors";

/** Amazon's error body: `{code, detail}` for reporting, `{code, details}` elsewhere; code a string or a number. */
const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  detail: z.string().optional(),
  details: z.string().optional(),
  message: z.string().optional(),
});

/** The error for an HTTP error answer of Amazon's Ads API: kind from the status, its code, detail and Retry-After. */
export function amazonHttpError(operation: string, status: number, body: string, retryAfter: string | null) {
  const { code, detail } = parseErrorBody(body);
  return new AmazonError(
    kindForStatus(status),
    `${operation}: Amazon answered HTTP ${status}${code ? ` (${code})` : ""}${detail ? `: ${detail}` : ""}`,
    { status, code, detail, retryAfterMs: parseRetryAfter(retryAfter) },
  );
}

export function parseErrorBody(text: string): { code?: string; detail: string } {
  const body = errorBodySchema.safeParse(parseJson(text)).data;
  if (body && (body.code !== undefined || body.detail || body.details || body.message))
    return { code: body.code?.toString(), detail: (body.detail ?? body.details ?? body.message ?? "").slice(0, 2000) };
  // Not Amazon's JSON (an HTML error page, S3 XML): a short, single-line excerpt.
  return { detail: text.replace(/\s+/g, " ").trim().slice(0, 300) };
}

/** `text` as JSON, or null when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
