import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { CRON_JOB_PATHS, WORKER_PATH } from "./lib/server/cron-jobs";

/**
 * Reachable without a session. Cron routes authorise with CRON_SECRET themselves. This is a
 * convenience (redirects, early 401s): every handler still checks the session and organisation.
 */
export const PUBLIC_PATHS = [
  "/login",
  "/api/auth",
  "/api/setup",
  "/api/health",
  ...Object.values(CRON_JOB_PATHS),
  WORKER_PATH,
];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (isPublicPath(pathname) || getSessionCookie(request)) return NextResponse.next();
  if (pathname.startsWith("/api/")) {
    return NextResponse.json({ error: "unauthorized", message: "Sign in first" }, { status: 401 });
  }
  const login = new URL("/login", request.url);
  if (pathname !== "/") login.searchParams.set("next", pathname + search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
