// A front for the simulator that plays S3 the way S3 is: a stored file served as bytes. The simulator
// regenerates and gzips a report over 2 MiB on every download (~4 s of CPU at 200k rows), which on a
// 2-core machine would compete with the database and the parser being measured, and cap the
// download at its generation speed. All traffic goes through unchanged except that report URLs in
// API answers point at the front, and, while caching is on, a report file already fetched once is
// served from memory after the simulator has checked the presigned URL (a HEAD request).
import http from "node:http";

export interface S3Front {
  baseUrl: string;
  setCaching(on: boolean): void;
  close(): Promise<void>;
}

const MAX_CACHED_FILES = 4;

export async function startS3Front(simBaseUrl: string): Promise<S3Front> {
  const target = new URL(simBaseUrl);
  const cache = new Map<string, Buffer>();
  let caching = false;
  let baseUrl = "";

  const forward = (req: http.IncomingMessage, method = req.method): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        resolve,
      );
      upstream.on("error", reject);
      if (method === req.method) req.pipe(upstream);
      else upstream.end();
    });

  const readAll = async (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith("/s3/")) {
      const cached = caching && req.method === "GET" ? cache.get(path) : undefined;
      if (cached) {
        const check = await forward(req, "HEAD");
        check.resume();
        if (check.statusCode === 200) {
          res.writeHead(200, check.headers);
          res.end(cached);
          return;
        }
      }
      const answer = await forward(req);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!caching || answer.statusCode !== 200 || req.method !== "GET") {
        answer.pipe(res);
        return;
      }
      const body = await readAll(answer);
      cache.set(path, body);
      if (cache.size > MAX_CACHED_FILES) cache.delete(cache.keys().next().value!);
      res.end(body);
      return;
    }
    const answer = await forward(req);
    const type = String(answer.headers["content-type"] ?? "");
    if (!type.includes("json")) {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      return;
    }
    const text = (await readAll(answer)).toString("utf8").replaceAll(`${simBaseUrl}/s3/`, `${baseUrl}/s3/`);
    res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`s3 front: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    baseUrl,
    setCaching: (on) => {
      caching = on;
      if (!on) cache.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
