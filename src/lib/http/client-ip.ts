import type { IncomingHttpHeaders } from "node:http";

/**
 * The client's address as a proxy the operator trusts saw it, for a server that faces clients:
 * `hops` proxies of the operator's own in front (TRUSTED_PROXY_HOPS; 0 = clients connect directly).
 * Each proxy appends the address it was connected from to X-Forwarded-For, so the trustworthy entry is
 * the one `hops` places before the socket's address; anything further left is what the client wrote.
 */
export function clientAddress(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  hops: number,
): string {
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
 * Sets a request's X-Forwarded-For to the one trusted address (scripts/start.ts, before Next.js sees
 * it: Next.js keeps a client's own X-Forwarded-For otherwise). Directly facing clients, their own
 * X-Forwarded-Host/-Proto/-Port go too: only a proxy of the operator's may say those.
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
 * The client's address in the app: the first X-Forwarded-For entry, which is trustworthy where the
 * app runs: Vercel overwrites the header with the address it saw, and `npm start` (scripts/start.ts)
 * sets it from the socket or the operator's proxies. null when there is none (a handler called
 * directly, as the tests do).
 */
export function clientIp(request: Request): string | null {
  const first = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first ? first : null;
}
