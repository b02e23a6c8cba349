import type { z } from "zod";

/**
 * What the caller asked cannot be done, or the organisation's setup does not allow it (Amazon's failures:
 * amazon/errors.ts). No HTTP status or exit code: http/errors.ts and scripts/ads.ts map them. Messages are safe to show.
 */
export abstract class AppError extends Error {}

/** The input is not valid; `fields` names the offending fields when there are any. */
export class InvalidInputError extends AppError {
  override name = "InvalidInputError";
  constructor(
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/** `input` checked by `schema`, or an InvalidInputError naming each field ("<lead>: field: message; …"). */
export function parseOrInvalid<S extends z.ZodType>(schema: S, input: unknown, lead: string, root: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || root, i.message]));
  throw invalidFields(fields, lead);
}

export function invalidFields(fields: Record<string, string>, lead = "Not valid"): InvalidInputError {
  const listed = Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
  return new InvalidInputError(`${lead}: ${listed.join("; ")}`, fields);
}

/** The request conflicts with what is stored (e.g. the app already has its first admin). */
export class ConflictError extends AppError {
  override name = "ConflictError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A thing the caller named does not exist (e.g. an organisation). */
export class NotFoundError extends AppError {
  override name = "NotFoundError";
}

/** The organisation has none of the credentials this needs saved (e.g. no Amazon Ads API credentials). */
export class MissingCredentialsError extends AppError {
  override name = "MissingCredentialsError";
}

/** A stored setting that does not decrypt, parse or validate; the message never quotes the value. */
export class UnreadableSettingError extends AppError {
  override name = "UnreadableSettingError";
  constructor(orgId: number, key: string, detail: string) {
    super(
      `The saved "${key}" settings of organisation ${orgId} cannot be read (${detail}); save them again on the settings page`,
    );
  }
}

/** Too many of one kind of request in a short time (sign-in tries, Test connection, …): try again later. */
export class RateLimitedError extends AppError {
  override name = "RateLimitedError";
  constructor(
    message: string,
    /** Seconds until the next one is let through. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
