import { getAuth } from "../auth/auth";
import { check, consume, LIMITS, reset } from "../rate-limit";
import { clientIp } from "./client-ip";
import { toHttpError } from "./errors";
import { readTextBounded } from "./handler";

/** better-auth's bodies are a few fields: an email, a password, a name. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/**
 * better-auth's endpoints behind our limits (its own limiter is off, auth.ts): POST bodies read bounded;
 * sign-in tries counted per client address, and wrong passwords per account and address, so a stranger's
 * wrong passwords never lock the owner out; a right password clears the count.
 */
export async function authRoute(request: Request): Promise<Response> {
  const auth = await getAuth();
  if (request.method !== "POST") return auth.handler(request);
  try {
    const body = await readTextBounded(request, MAX_AUTH_BODY_BYTES);
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

/** The sign-in's email, normalised as better-auth compares it; null when the body has none. */
function emailOf(body: string): string | null {
  try {
    const email = (JSON.parse(body) as { email?: unknown }).email;
    return typeof email === "string" && email.trim() ? email.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}
