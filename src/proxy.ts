import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { newNonce, securityHeaders } from "./lib/http/security-headers";
import { CRON_JOB_PATHS, WORKER_PATH } from "./lib/server/cron-jobs";

/**
 * Every response gets the security headers (lib/http/security-headers.ts), with a fresh CSP nonce.
 * Reachable without a session. Cron routes authorise with CRON_SECRET themselves. This is a
 * convenience (redirects, early 401s): every handler still checks the session and organisation.
 */
export const PUBLIC_PATHS = [
  "/login",
  "/api/auth",
  "/api/setup",
  "/api/health",
  // Accepting an invitation creates the account when its address has none (the route checks the token).
  "/api/invitations/accept",
  ...Object.values(CRON_JOB_PATHS),
  WORKER_PATH,
];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const headers = securityHeaders({
    nonce: newNonce(),
    production: process.env.NODE_ENV === "production",
    https: request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https",
  });
  const withHeaders = (response: NextResponse) => {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
  if (isPublicPath(pathname) || getSessionCookie(request)) {
    // The page renders with the policy on its request: Next.js takes the nonce for its scripts from it.
    const forwarded = new Headers(request.headers);
    forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]);
    return withHeaders(NextResponse.next({ request: { headers: forwarded } }));
  }
  if (pathname.startsWith("/api/"))
    return withHeaders(NextResponse.json({ error: "unauthorized", message: "Sign in first" }, { status: 401 }));
  const login = new URL("/login", request.url);
  if (pathname !== "/") login.searchParams.set("next", pathname + search);
  return withHeaders(NextResponse.redirect(login));
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
