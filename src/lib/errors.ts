/**
 * Errors library code throws when the caller asked for something that cannot be done. They carry
 * no HTTP status or exit code: the HTTP layer (http/errors.ts) and the CLI (scripts/ads.ts) each
 * map them in one place.
 */

/** The input is not valid; `fields` names the offending fields when there are any. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}

/** The request conflicts with what is stored (e.g. the app already has its first admin). */
export class ConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/** A thing the caller named does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
