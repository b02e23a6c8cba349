// `npm start`: the production server (after `npm run build`). It is `next start`, except that the client's
// address Next.js and the app see is the one a trusted party saw: the socket's, or with TRUSTED_PROXY_HOPS=N
// (N reverse proxies of yours in front) the address the outermost of them was connected from. Plain
// `next start` keeps whatever X-Forwarded-For a client sends, so per-address limits (sign-in) could be dodged.
// Options as next start's: -p/--port (PORT, 3000), -H/--hostname (HOSTNAME, 0.0.0.0).
import http from "node:http";
import { parseArgs } from "node:util";
import { trustForwardedHeaders } from "../src/lib/http/client-ip";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  strict: true,
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? "0.0.0.0";
const hops = Number(process.env.TRUSTED_PROXY_HOPS ?? 0);
if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
  console.error(`TRUSTED_PROXY_HOPS must be a whole number from 0 to 10 (got ${process.env.TRUSTED_PROXY_HOPS})`);
  process.exit(2);
}
// As `next start` does, before Next.js is loaded.
(process.env as Record<string, string>).NODE_ENV ??= "production";

const { default: next } = await import("next");
const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
http
  .createServer((req, res) => {
    trustForwardedHeaders(req.headers, req.socket.remoteAddress, hops);
    void handle(req, res);
  })
  .listen(port, hostname, () => {
    console.log(
      `> Ready on http://${hostname}:${port} (client addresses from ${hops ? `${hops} trusted proxy hop(s)` : "the socket"})`,
    );
  });
