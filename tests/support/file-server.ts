import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

/**
 * A report-file host on 127.0.0.1 for the tests that feed the download path their own bytes: `serve`
 * stores a body and answers its URL. A path under /cut/ sends the full Content-Length, then half the
 * bytes, then breaks off.
 */
export function setupFileServer(): { serve: (body: Buffer, path?: string) => string } {
  const bodies = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? "") ?? Buffer.alloc(0);
    res.writeHead(200, { "content-length": body.length });
    if (req.url?.startsWith("/cut/")) res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    else res.end(body);
  });
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    serve(body, path = "/") {
      const at = `${path}${bodies.size}`;
      bodies.set(at, body);
      return `${base}${at}`;
    },
  };
}
