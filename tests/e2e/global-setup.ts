import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openPostgres } from "../../src/lib/db/index";
import { startSimulator, type Simulator } from "../../tools/amazon-ads-simulator/index";
import { CHROMIUM_PATH, RESULTS_DIR, ROOT } from "./paths";

declare module "vitest" {
  interface ProvidedContext {
    /** The app under test, e.g. http://127.0.0.1:41234 (no trailing slash). */
    appUrl: string;
    /** The throwaway PostgreSQL database the app uses, for inspecting rows. */
    dbUrl: string;
    simBaseUrl: string;
    simTokenUrl: string;
  }
}

const SERVER_LOG = path.join(RESULTS_DIR, "e2e-server.log");

/**
 * The browser tier's world: a throwaway PostgreSQL database (migrated), the Amazon simulator, and
 * `next start` on a free port pointed at both. Anything missing fails the run: it never skips.
 */
export default async function setup(project: TestProject) {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install chromium); scripts/test.sh does it when root`);
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("The e2e tier runs against `next start`: .next/BUILD_ID is missing, run `npx next build` first");
  const adminUrl = process.env.TEST_PG_URL;
  if (!adminUrl) throw new Error("The e2e tier needs TEST_PG_URL, a superuser URL of a running PostgreSQL (scripts/ensure-postgres.sh prints one)");

  const cleanups: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error("[e2e teardown]", error));
  };

  try {
    // 1. Database.
    const dbName = `ads_sync_e2e_${crypto.randomBytes(6).toString("hex")}`;
    await withAdmin(adminUrl, (admin) => admin.query(`create database ${dbName}`));
    cleanups.push(() => withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${dbName} with (force)`)).then(() => {}));
    const dbUrlObject = new URL(adminUrl);
    dbUrlObject.pathname = `/${dbName}`;
    const dbUrl = dbUrlObject.toString();
    const migrated = await openPostgres(dbUrl, { migrate: true });
    await migrated.close();

    // 2. Amazon simulator.
    const sim: Simulator = await startSimulator({ quiet: true });
    cleanups.push(() => sim.close());

    // 3. The app.
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-e2e-data-"));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const server = startServer(port, {
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
      BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
      BETTER_AUTH_URL: appUrl,
      CRON_SECRET: crypto.randomBytes(24).toString("hex"),
      LOCAL_SCHEDULER: "off",
      AMAZON_SP_TOKEN_URL: sim.tokenUrl,
      AMAZON_ADS_TOKEN_URL: sim.tokenUrl,
      AMAZON_ADS_API_URL_NA: sim.apiUrl.NA,
      AMAZON_ADS_API_URL_EU: sim.apiUrl.EU,
      AMAZON_ADS_API_URL_FE: sim.apiUrl.FE,
      AMAZON_HTTP_TIMEOUT_MS: "5000",
    });
    cleanups.push(() => stopServer(server.child));
    await waitForHealth(appUrl, server);
    // Warm the login page so the first navigation in a test is not the first render.
    await fetch(`${appUrl}/login`).then((r) => r.arrayBuffer());

    project.provide("appUrl", appUrl);
    project.provide("dbUrl", dbUrl);
    project.provide("simBaseUrl", sim.baseUrl);
    project.provide("simTokenUrl", sim.tokenUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL at TEST_PG_URL (${redact(adminUrl)}) is not reachable: ${error.message}. Run scripts/ensure-postgres.sh`);
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  output(): string;
  exited(): string | null;
}

function startServer(port: number, extraEnv: Record<string, string>): Server {
  // A clean environment: no vitest leftovers (NODE_ENV=test, BASE_URL), no headless-admin variables.
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of Object.keys(env)) {
    const leftover = name.startsWith("VITEST") || (name.startsWith("AMAZON_") && !(name in extraEnv));
    if (leftover) delete env[name];
  }
  for (const name of ["BASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "PGLITE_DIR", "TEST", "MODE", "DEV", "PROD", "SSR"]) delete env[name];

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const log = fs.createWriteStream(SERVER_LOG);
  let output = "";
  let exit: string | null = null;
  // Detached: its own process group, so teardown can kill next start and the next-server it forks.
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
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
  return { child, output: () => output, exited: () => exit };
}

async function waitForHealth(appUrl: string, server: Server): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    const exited = server.exited();
    if (exited) throw new Error(`next start ${exited} before /api/health answered. Its output:\n${server.output()}`);
    try {
      const response = await fetch(`${appUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`next start did not answer 200 on /api/health within 60 s (last: ${last}). Its output (also in ${SERVER_LOG}):\n${server.output()}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  };
  killGroup("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5_000))]);
  if (timedOut) {
    killGroup("SIGKILL");
    await exited;
  }
  // next start may have forked a server that outlives its parent briefly: make sure the group is gone.
  killGroup("SIGKILL");
}
