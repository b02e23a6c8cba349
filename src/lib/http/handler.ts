import type { z } from "zod";
import { InvalidInputError, parseOrInvalid } from "../errors";
import { forbidden, HttpError, toHttpError } from "./errors";
import { logError } from "../log";
import { ownOrigins } from "../auth/origins";

type Handler = (request: Request) => Promise<Response>;

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Every route handler goes through this: foreign-origin writes are refused (cookies make them
 * CSRF-able), known errors become their JSON response (toHttpError), anything else a 500 that leaks no detail.
 */
export function route(handler: Handler): Handler {
  return async (request) => noStore(await answer(handler, request));
}

async function answer(handler: Handler, request: Request): Promise<Response> {
  try {
    if (STATE_CHANGING.has(request.method)) assertSameOrigin(request);
    return await handler(request);
  } catch (error) {
    const known = toHttpError(error);
    if (known) return Response.json(known.body, { status: known.status, headers: known.headers });
    logError(`${request.method} ${new URL(request.url).pathname} failed`, error);
    return Response.json(
      { error: "internal_error", message: "Something went wrong on our side; the error is in the server log" },
      { status: 500 },
    );
  }
}

/** An API answer is about one user and one moment (settings, masked secrets, runs): no cache keeps it. */
function noStore(response: Response): Response {
  if (!response.headers.has("cache-control")) {
    try {
      response.headers.set("Cache-Control", "no-store");
    } catch {
      // A redirect's headers are immutable; it carries no data.
    }
  }
  return response;
}

/**
 * A state-changing request comes from the app's own origin, compared whole (scheme, host and port).
 * One that carries a cookie (a session) must say where it comes from: browsers always send Origin on
 * such requests, so its absence means a client that is not a page of ours. Without a cookie nothing
 * of a user is at stake (the route checks the session anyway).
 */
function assertSameOrigin(request: Request) {
  const origin = request.headers.get("origin");
  if (origin === null) {
    if (request.headers.get("cookie")) throw forbidden("A signed-in change must say where it comes from (Origin)");
    return;
  }
  if (!ownOrigins(request).includes(origin)) throw forbidden("Cross-origin request refused");
}

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON body of bounded size and validates it; every failure is a 4xx with a clear message. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json"))
    throw new HttpError(415, { error: "unsupported_media_type", message: "Send the body as application/json" });
  const text = await readTextBounded(request, MAX_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError("The body is not valid JSON");
  }
  return parseOrInvalid(schema, json, "The body is not valid", "(body)");
}

const tooLarge = (limit: number) =>
  new HttpError(413, { error: "payload_too_large", message: `The body is larger than ${limit} bytes` });

/** The body as text; 413 past `limit` bytes, said by its Content-Length or found while reading. */
export async function readTextBounded(request: Request, limit: number): Promise<string> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
