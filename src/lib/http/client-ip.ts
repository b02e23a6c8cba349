import type { IncomingHttpHeaders } from "node:http";

/**
 * The client's address as the operator's own `hops` proxies saw it (TRUSTED_PROXY_HOPS; 0 = none). Each
 * proxy appends its peer to X-Forwarded-For; anything left of those entries is what the client wrote.
 */
export function clientAddress(forwardedFor: string | undefined, socketAddress: string | undefined, hops: number) {
  const chain = [
    ...(forwardedFor ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    socketAddress ?? "unknown",
  ];
  return chain[Math.max(0, chain.length - 1 - hops)]!;
}

/**
 * Sets X-Forwarded-For to the one trusted address before Next.js sees it (scripts/start.ts). Facing
 * clients directly, their X-Forwarded-Host/-Proto/-Port go too: only the operator's proxy may say those.
 */
export function trustForwardedHeaders(headers: IncomingHttpHeaders, socketAddress: string | undefined, hops: number) {
  const forwarded = headers["x-forwarded-for"];
  headers["x-forwarded-for"] = clientAddress(
    Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
    socketAddress,
    hops,
  );
  if (hops === 0)
    for (const name of ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"]) delete headers[name];
}

/**
 * The client's address in the app: the first X-Forwarded-For entry, trustworthy because Vercel and
 * `npm start` (trustForwardedHeaders) both overwrite the header; null without one (a handler called directly).
 */
export function clientIp(request: Request): string | null {
  const first = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first ? first : null;
}
