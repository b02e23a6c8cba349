import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

type Handler = (request: Request) => Promise<Response>;

/**
 * The app's route handlers behind a real HTTP server on 127.0.0.1, for code that calls our own
 * routes over HTTP (the cron dispatcher calling its workers) without a whole Next server.
 */
export function setupRouteServer(routes: Record<string, Handler>): { url: () => string; hits: () => string[] } {
  let server: http.Server | undefined;
  let base = "";
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", base);
      hits.push(url.pathname);
      const handler = routes[url.pathname];
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const response = await handler(new Request(url, { method: req.method, headers }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return { url: () => base, hits: () => hits };
}
