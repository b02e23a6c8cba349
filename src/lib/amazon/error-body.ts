import { z } from "zod";

/** Amazon's error body: `{code, detail}` for reporting, `{code, details}` elsewhere; code a string or a number. */
const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  detail: z.string().optional(),
  details: z.string().optional(),
  message: z.string().optional(),
});

export class AmazonApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${operation}: Amazon answered HTTP ${status}${code ? ` (${code})` : ""}${detail ? `: ${detail}` : ""}`);
    this.name = "AmazonApiError";
  }

  /** 429, 5xx: try again later. Other 4xx are permanent for this request. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The network failed or Amazon did not answer in time; always transient. */
export class AmazonNetworkError extends Error {
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = "AmazonNetworkError";
  }
  readonly transient = true;
}

export function parseErrorBody(text: string): { code?: string; detail: string } {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page, S3 XML): keep a short, single-line excerpt.
  }
  const parsed = errorBodySchema.safeParse(json);
  if (
    parsed.success &&
    (parsed.data.code !== undefined || parsed.data.detail || parsed.data.details || parsed.data.message)
  ) {
    return {
      code: parsed.data.code === undefined ? undefined : String(parsed.data.code),
      detail: (parsed.data.detail ?? parsed.data.details ?? parsed.data.message ?? "").slice(0, 2000),
    };
  }
  return { detail: text.replace(/\s+/g, " ").trim().slice(0, 300) };
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
