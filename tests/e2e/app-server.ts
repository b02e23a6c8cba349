import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openPostgres } from "../../src/lib/db/index";
import { ROOT } from "./paths";

// The pieces of the browser tier's world, shared by global-setup.ts and the files that need their
// own app (e.g. with ADMIN_EMAIL set): a throwaway PostgreSQL database and `next start` (and, through
// startNext, the `next dev` of dev-server.ts).

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates and migrates an empty database on the PostgreSQL server at adminUrl (a superuser URL). */
export async function createDatabase(adminUrl: string, prefix = "ads_sync_e2e"): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
  };
  try {
    const migrated = await openPostgres(url.toString(), { migrate: true });
    await migrated.close();
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url: url.toString(), drop };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect().catch((error: Error) => {
    throw new Error(
      `PostgreSQL at TEST_PG_URL (${redact(adminUrl)}) is not reachable: ${error.message}. Run scripts/ensure-postgres.sh`,
    );
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(not a URL)";
  }
}

/** Where the app finds Amazon: the simulator's token URL and its per-region API URLs. */
export interface AmazonUrls {
  tokenUrl: string;
  apiUrl: { NA: string; EU: string; FE: string };
}

/** The app's variables that point it at the simulator instead of Amazon (for `next start` and `next dev`). */
export function amazonEnv(amazon: AmazonUrls): Record<string, string> {
  return {
    AMAZON_SP_TOKEN_URL: amazon.tokenUrl,
    AMAZON_ADS_TOKEN_URL: amazon.tokenUrl,
    AMAZON_ADS_API_URL_NA: amazon.apiUrl.NA,
    AMAZON_ADS_API_URL_EU: amazon.apiUrl.EU,
    AMAZON_ADS_API_URL_FE: amazon.apiUrl.FE,
    AMAZON_HTTP_TIMEOUT_MS: "5000",
  };
}

export interface AppServer {
  url: string;
  /** The server's output so far (the last 20 kB); the whole of it is in its log file. */
  output(): string;
  /** The server's whole output so far (stdout and stderr), read from its log file. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `next start` (the build in .next) on a free port, in its own process group, with a clean
 * environment plus the given one; resolves once /api/health answers 200. Its log is test-results/<name>.log.
 */
export async function startApp(options: {
  name: string;
  /** null: no DATABASE_URL, so the app uses PGlite in `<dataDir>/pglite` (the default). */
  databaseUrl: string | null;
  amazon: AmazonUrls;
  env?: Record<string, string>;
  /** An existing data folder (kept on stop); by default a new one, removed on stop. */
  dataDir?: string;
}): Promise<AppServer> {
  return startNext({
    command: "start",
    // Outside the checkout, like next dev's own: next dev watches the checkout, and every line a
    // next start of the same run wrote there would make the open dev page refetch (and never idle).
    logFile: path.join(os.tmpdir(), `ads-sync-${options.name}.log`),
    dataDir: options.dataDir ?? { tempPrefix: "ads-sync-e2e-data-" },
    env: (_port, url) => ({
      ...(options.databaseUrl === null ? {} : { DATABASE_URL: options.databaseUrl }),
      BETTER_AUTH_URL: url,
      CRON_SECRET: crypto.randomBytes(24).toString("hex"),
      ...amazonEnv(options.amazon),
      ...options.env,
    }),
    health: { timeoutMs: 60_000, requestTimeoutMs: 5_000 },
  });
}

/** What differs between the `next start` and `next dev` of the browser tier; see startNext. */
export interface NextServerOptions {
  /** The `next` sub-command; also decides NODE_ENV (production or development). */
  command: "start" | "dev";
  /** Where the server's whole output goes. */
  logFile: string;
  /** DATA_DIR: an existing folder (kept on stop), or a new one in the temp folder (removed on stop). */
  dataDir: string | { tempPrefix: string };
  /** The app's variables, given the port and http://127.0.0.1:<port> for those that name it (BETTER_AUTH_URL). */
  env: (port: number, url: string) => Record<string, string>;
  /** How long /api/health may take to answer 200 in all, and each request to it. */
  health: { timeoutMs: number; requestTimeoutMs: number };
  /** More paths to fetch after /login before the test starts (GET, with a made-up session cookie so the proxy lets them through). */
  warm?: string[];
}

/**
 * `next <command> -H 127.0.0.1` on a free port, detached (its own process group, so stop() kills it and any
 * server it forks), with the shell's environment minus test and app leftovers plus fresh secrets, DATA_DIR
 * and options.env; resolves once /api/health answers 200 and /login (and options.warm) have been fetched.
 */
export async function startNext(options: NextServerOptions): Promise<AppServer> {
  const label = `next ${options.command}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const given = options.dataDir;
  const dataDir = typeof given === "string" ? given : fs.mkdtempSync(path.join(os.tmpdir(), given.tempPrefix));
  const env: NodeJS.ProcessEnv = {
    ...shellEnv(),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
    LOCAL_SCHEDULER: "off",
    DATA_DIR: dataDir,
    ...options.env(port, url),
    NODE_ENV: options.command === "dev" ? "development" : "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile);
  let output = "";
  let exit: string | null = null;
  // Detached: its own process group, so stop() kills next and any server it forks. Production as
  // `npm start` runs it (scripts/start.ts: next with the client's address from the socket).
  const [bin, args] = options.command === "dev" ? ["next", ["dev"]] : ["tsx", ["scripts/start.ts"]];
  const child = spawn(path.join(ROOT, "node_modules", ".bin", bin), [...args, "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env,
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
  child.on("error", (error) => {
    exit = `failed to start: ${error.message}`;
  });

  const stop = async () => {
    await stopProcessGroup(child);
    if (typeof given !== "string") fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(
      url,
      { label, ...options.health },
      () => exit,
      () => output,
      options.logFile,
    );
    // Warm (in next dev: compile) the login page so the first navigation in a test is not the first render.
    await fetch(`${url}/login`).then((r) => r.arrayBuffer());
    for (const pathname of options.warm ?? []) {
      const headers = { cookie: "better-auth.session_token=warm-up" };
      await fetch(url + pathname, { headers, redirect: "manual" }).then((r) => r.arrayBuffer());
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, log: () => fs.readFileSync(options.logFile, "utf8"), stop };
}

/** The shell's environment without vitest's leftovers (NODE_ENV=test, BASE_URL, VITEST_*) or headless-admin, database and Amazon variables. */
function shellEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    const leftover =
      name.startsWith("VITEST") ||
      name.startsWith("AMAZON_") ||
      [
        "NODE_ENV",
        "BASE_URL",
        "ADMIN_EMAIL",
        "ADMIN_PASSWORD",
        "PGLITE_DIR",
        "DATABASE_URL",
        "TEST",
        "MODE",
        "DEV",
        "PROD",
        "SSR",
      ].includes(name);
    if (!leftover) env[name] = value;
  }
  return env;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls /api/health until it answers 200; fails early with the server's output if the server exits. */
export async function waitForHealth(
  url: string,
  server: { label: string; timeoutMs: number; requestTimeoutMs: number },
  exited: () => string | null,
  output: () => string,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + server.timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`${server.label} ${exit} before /api/health answered. Its output:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(server.requestTimeoutMs) });
      const body = await response.text();
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${server.label} did not answer 200 on /api/health within ${server.timeoutMs / 1000} s (last: ${last}). Its output (also in ${logFile}):\n${output()}`,
  );
}

export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup("SIGTERM");
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 5_000)),
    ]);
    if (timedOut) {
      killGroup("SIGKILL");
      await exited;
    }
  }
  // Anything next forked that outlived it.
  killGroup("SIGKILL");
}
