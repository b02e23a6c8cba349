/** An error that becomes an HTTP response as it is: status plus a JSON body safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; message: string; [key: string]: unknown },
  ) {
    super(body.message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(400, { error: "bad_request", message, ...extra });
export const unauthorized = (message = "Sign in first") => new HttpError(401, { error: "unauthorized", message });
export const forbidden = (message: string) => new HttpError(403, { error: "forbidden", message });
export const notFound = (message: string) => new HttpError(404, { error: "not_found", message });
