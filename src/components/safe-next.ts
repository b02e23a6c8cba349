/**
 * Where to go after signing in: `next` only when it resolves to a path of this app's own origin
 * (`origin`), else `fallback`. Resolving it the way the browser will (the URL parser turns `\` into
 * `/` and drops tabs and newlines: `/\evil.example` and `/%09/evil.example` are other hosts) rather
 * than checking its text; the path returned never starts with `//`, which a browser reads as a host.
 */
export function safeNextPath(next: string | null, origin: string, fallback = "/settings"): string {
  if (!next) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
}
