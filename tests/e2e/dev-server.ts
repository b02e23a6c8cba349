import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { amazonEnv, freePort, stopProcessGroup, waitForHealth, type AmazonUrls, type AppServer } from "./app-server";
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
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-e2e-dev-"));
  // Outside the checkout: next dev watches it, and a log it writes to there would make it recompile
  // (and the open page refetch) on every line it prints.
  const logFile = path.join(os.tmpdir(), `${options.name}.log`);
  const log = fs.createWriteStream(logFile);
  let output = "";
  let exit: string | null = null;
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["dev", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: ROOT,
    env: devEnv({
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: dataDir,
      ...(options.amazon && amazonEnv(options.amazon)),
      ...options.env(port),
    }),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    log.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  child.on("exit", (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
    log.end();
  });
  const stop = async () => {
    await stopProcessGroup(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // Generous: the first request compiles the route (and the instrumentation hook).
    await waitForHealth(
      url,
      { label: "next dev", timeoutMs: 150_000, requestTimeoutMs: 60_000 },
      () => exit,
      () => output,
      logFile,
    );
    // Compile the login page now, so the test's first navigation is not a compile.
    await fetch(`${url}/login`).then((r) => r.arrayBuffer());
    for (const pathname of options.warm ?? []) {
      const headers = { cookie: "better-auth.session_token=warm-up" };
      await fetch(url + pathname, { headers, redirect: "manual" }).then((r) => r.arrayBuffer());
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, log: () => fs.readFileSync(logFile, "utf8"), stop };
}

/** The shell's environment without vitest's leftovers or app settings from the shell, plus the app's own. */
function devEnv(app: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    const leftover =
      name.startsWith("VITEST") ||
      name.startsWith("AMAZON_") ||
      ["NODE_ENV", "BASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "PGLITE_DIR", "DATABASE_URL", "TEST"].includes(name) ||
      ["MODE", "DEV", "PROD", "SSR"].includes(name);
    if (!leftover) env[name] = value;
  }
  return {
    ...env,
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
    LOCAL_SCHEDULER: "off",
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "development",
    ...app,
  };
}
