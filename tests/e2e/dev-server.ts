import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { amazonEnv, startNext, type AmazonUrls, type AppServer } from "./app-server";
import { ROOT } from "./paths";

// `next dev`, for the few behaviours that exist only in development (NODE_ENV=development). It
// compiles on demand, so the first requests are slow; its output lives in .next/dev, apart from the
// build that `next start` serves. Only one `next dev` can run per checkout (Next's lock file), and
// it reloads the open page when a file in the checkout changes.

/**
 * How long a page of `next dev` may take to load: the first visit of a route compiles it, and on a busy
 * 2-core machine that can outlast the 30 s that a page of `next start` gets.
 */
export const DEV_NAVIGATION_TIMEOUT_MS = 120_000;

/** Starts `next dev -H 127.0.0.1` on a free port with a clean environment plus `env`; resolves once /api/health answers 200. */
export async function startDevApp(options: {
  name: string;
  databaseUrl: string;
  /** Receives the port, for variables such as BETTER_AUTH_URL that name it. */
  env: (port: number) => Record<string, string>;
  /** Where the app finds Amazon (the simulator); by default nowhere set, i.e. Amazon's own hosts. */
  amazon?: AmazonUrls;
  /** More paths to compile before the test starts (GET, with a made-up session cookie so the proxy lets them through). */
  warm?: string[];
}): Promise<AppServer> {
  // Each next dev starts from nothing: one that found the previous one's compiled state in .next/dev
  // (another port, other variables) was seen to reload the open page in a loop, so that it never
  // settled. next start's build lives apart, in .next itself.
  fs.rmSync(path.join(ROOT, ".next", "dev"), { recursive: true, force: true });
  return startNext({
    command: "dev",
    // Outside the checkout: next dev watches it, and a log it writes to there would make it recompile
    // (and the open page refetch) on every line it prints.
    logFile: path.join(os.tmpdir(), `${options.name}.log`),
    // A new one, removed on stop.
    dataDir: { tempPrefix: "ads-sync-e2e-dev-" },
    env: (port) => ({
      DATABASE_URL: options.databaseUrl,
      ...(options.amazon && amazonEnv(options.amazon)),
      ...options.env(port),
    }),
    // Generous: the first request compiles the route (and the instrumentation hook).
    health: { timeoutMs: 150_000, requestTimeoutMs: 60_000 },
    warm: options.warm,
  });
}
