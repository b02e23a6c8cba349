import { env, isProduction } from "../env";

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Development only: a developer opens the app as localhost, 127.0.0.1 or [::1] interchangeably, and
 * the browser's Origin is whichever was typed, while BETTER_AUTH_URL (or the inferred base URL) names
 * just one of them. Every loopback spelling of the port the request arrived on is trusted; other
 * ports and hosts are not. In production only the app's own origin is (better-auth's default).
 */
export function developmentLoopbackOrigins(request?: Request): string[] {
  if (!request || isProduction()) return [];
  const { protocol, port } = new URL(request.url);
  if (protocol !== "http:") return [];
  return LOOPBACK_HOSTS.map((host) => `http://${host}${port ? `:${port}` : ""}`);
}

/**
 * The origins a state-changing request may come from: the app's own, whole (scheme, host and port).
 * BETTER_AUTH_URL's when set; else the address the request was sent to (its Host header, never a
 * client's X-Forwarded-Host); in development also the loopback spellings of its port.
 */
export function ownOrigins(request: Request): string[] {
  const configured = env().BETTER_AUTH_URL;
  const url = new URL(request.url);
  const own = configured ? new URL(configured).origin : `${url.protocol}//${request.headers.get("host") ?? url.host}`;
  return [own, ...developmentLoopbackOrigins(request)];
}
