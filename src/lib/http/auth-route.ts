import { getAuth } from "../auth/auth";
import { check, consume, LIMITS, reset } from "../rate-limit";
import { clientIp } from "./client-ip";
import { HttpError, toHttpError } from "./errors";
import { readTextBounded } from "./handler";

/** better-auth's bodies are a few fields: an email, a password, a name. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/**
 * better-auth's endpoints behind our limits (its own limiter keeps its counts in memory, per instance,
 * and falls back to one bucket for everyone when it finds no address: it is switched off, auth.ts):
 * - every POST body is read bounded (413 past 16 KiB) before better-auth parses it;
 * - sign-in: at most LIMITS.signInPerIp tries per client address, and after LIMITS.signInFailuresPerAccount
 *   wrong passwords for one account from one address, that address waits (429 with Retry-After) before
 *   trying that account again; a right password clears its count. Wrong passwords from elsewhere never
 *   lock an account's owner out.
 */
export async function authRoute(request: Request): Promise<Response> {
  const auth = await getAuth();
  if (request.method !== "POST") return auth.handler(request);
  try {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_AUTH_BODY_BYTES) throw tooLarge();
    const body = await readTextBounded(request, MAX_AUTH_BODY_BYTES).catch((error: unknown) => {
      throw error instanceof HttpError ? tooLarge() : error;
    });
    const forwarded = new Request(request.url, { method: "POST", headers: request.headers, body });
    if (!new URL(request.url).pathname.endsWith("/sign-in/email")) return await auth.handler(forwarded);

    const ip = clientIp(request);
    if (ip) await consume(LIMITS.signInPerIp, ip);
    const email = emailOf(body);
    const account = email ? `${email}|${ip ?? "unknown"}` : null;
    if (account) await check(LIMITS.signInFailuresPerAccount, account);
    const response = await auth.handler(forwarded);
    if (account && response.status === 401) await consume(LIMITS.signInFailuresPerAccount, account).catch(() => {});
    if (account && response.ok) await reset(LIMITS.signInFailuresPerAccount, account);
    return response;
  } catch (error) {
    const known = toHttpError(error);
    if (!known) throw error;
    return Response.json(known.body, {
      status: known.status,
      headers: { ...known.headers, "Cache-Control": "no-store" },
    });
  }
}

const tooLarge = () =>
  new HttpError(413, { error: "payload_too_large", message: `The body is larger than ${MAX_AUTH_BODY_BYTES} bytes` });

/** The sign-in's email, normalised as better-auth compares it; null when the body has none. */
function emailOf(body: string): string | null {
  try {
    const email = (JSON.parse(body) as { email?: unknown }).email;
    return typeof email === "string" && email.trim() ? email.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}
