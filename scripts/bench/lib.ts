// What both benchmarks share: child processes, the simulator's env, throwaway databases, /proc, Markdown, the doc.
import { execFileSync, fork, type ForkOptions } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { closeDb, getDbHandle, openPostgres, rowsOf } from "../../src/lib/db";

export type SimUrls = { baseUrl: string; tokenUrl: string; apiUrl: Record<"NA" | "EU" | "FE", string> };

/** At Amazon: "from seconds to tens of minutes". */
export const REAL_GENERATION_MS = { min: 10_000, max: 30 * 60_000 };

/**
 * The scale run's simulator: organisations of 1–5 profiles of round(5 · 1000^(u^4)) campaigns (u uniform), calls in
 * 200–500 ms, generation `timeScale`× faster than Amazon's, 1 % revoked tokens and (own client ids) 1 % 429 storms.
 * `shared`: all logins of one LwA app, whose Ads API calls the simulator limits (Amazon's limit is undocumented).
 */
export const scaleSimConfig = (organisations: number, timeScale: number, shared: boolean) => ({
  ...{ organisations, seed: 1, campaignSkew: 4, faultyShare: 0.01, sharedClient: shared },
  ...{ apiLatencyMs: { min: 200, max: 500 }, tokenLatencyMs: { min: 200, max: 500 } },
  generationMs: {
    min: Math.round(REAL_GENERATION_MS.min / timeScale),
    max: Math.round(REAL_GENERATION_MS.max / timeScale),
  },
  clientRateLimit: shared ? { perSecond: 50, burst: 25, retryAfterSeconds: 1 } : null,
});
export type ScaleSimConfig = ReturnType<typeof scaleSimConfig>;

/** A generated organisation: its LwA client (its own, or the shared app's), refresh token, profiles, fault. */
export type ScaleOrg = Record<"clientId" | "clientSecret" | "refreshToken", string> & {
  index: number;
  profileIds: string[];
  campaigns: number[];
  fault: "revoked" | "storm" | null;
};

export type Sim = Awaited<ReturnType<typeof startSim>>;

/** The Amazon simulator in a process of its own (sim-child.ts): its work must not share the measured event loop. */
export async function startSim(config?: ScaleSimConfig) {
  const execArgv = config ? ["--max-old-space-size=4096"] : [];
  const child = await forkChild("sim-child.ts", { execArgv }, config ? [JSON.stringify(config)] : []);
  return {
    ...(child.first as SimUrls),
    pid: child.pid,
    call: child.call,
    async close() {
      if (child.process.exitCode !== null) return;
      const exited = new Promise((resolve) => child.process.once("exit", resolve));
      await child.call("close").catch(() => {});
      const timer = setTimeout(() => child.process.kill("SIGKILL"), 5_000); // its own pid only
      await exited;
      clearTimeout(timer);
    },
  };
}

type ChildOptions = ForkOptions & { execArgv: string[]; killAfterMs?: number };
/** A child process answering `call`s over IPC by id; its first message (id 0) is `first`. */
export async function forkChild(file: string, options: ChildOptions, args: string[] = []) {
  const stdio: ForkOptions["stdio"] = ["ignore", "inherit", "inherit", "ipc"];
  const execArgv = ["--import", "tsx", ...options.execArgv];
  const child = fork(path.join(import.meta.dirname, file), args, { ...options, execArgv, stdio });
  const timer = options.killAfterMs ? setTimeout(() => child.kill("SIGKILL"), options.killAfterMs) : undefined;
  const waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const first = new Promise<unknown>((resolve, reject) => waiting.set(0, { resolve, reject }));
  child.on("message", (reply: { id: number; ok: boolean; result?: never; error?: string }) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) w?.resolve(reply.result!);
    else w?.reject(new Error(`${file}: ${reply.error}`));
  });
  child.on("exit", (code, signal) => {
    clearTimeout(timer);
    for (const w of waiting.values()) w.reject(new Error(`${file} exited (${signal ?? code})`));
    waiting.clear();
  });
  const call = <T = void>(op: string, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      waiting.set(++nextId, { resolve, reject });
      child.send({ id: nextId, op, args });
    });
  return { process: child, pid: child.pid!, first: await first, call };
}

/**
 * The env every process of the benchmark shares (the app reads it on each call): the daily plan (the spec's five
 * creates at once; `scale --launch-day` sets the history per run).
 */
export const benchEnv = (sim: SimUrls): Record<string, string> => ({
  SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
  ...{ BETTER_AUTH_URL: "http://localhost:3000", LOCAL_SCHEDULER: "off", AMAZON_ADS_HISTORY_DAYS: "0" },
  DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-bench-data-")),
  ...simulatorEnv(sim),
});

/** Where the app finds Amazon: the simulator's token and API URLs (another simulator: set these again). */
export const simulatorEnv = ({ tokenUrl, apiUrl }: SimUrls): Record<string, string> => ({
  ...{ AMAZON_ADS_TOKEN_URL: tokenUrl, AMAZON_SP_TOKEN_URL: tokenUrl },
  ...{ AMAZON_ADS_API_URL_NA: apiUrl.NA, AMAZON_ADS_API_URL_EU: apiUrl.EU, AMAZON_ADS_API_URL_FE: apiUrl.FE },
});

export type Backend = "postgres" | "pglite";
export type BenchDb = Awaited<ReturnType<typeof createDb>>;

const adminUrl = () => process.env.TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

/**
 * A database created (and dropped) on TEST_PG_URL's server, or a PGlite folder; `activate` points the app's
 * getDb() at it through `env` (DATABASE_URL / PGLITE_DIR), `deactivate` closes it (PGlite: one process a folder).
 */
export async function createDb(backend: Backend) {
  const name = `ads_sync_bench_${crypto.randomBytes(5).toString("hex")}`;
  const url = Object.assign(new URL(adminUrl()), { pathname: `/${name}` }).toString();
  const root = backend === "pglite" ? fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-bench-pglite-")) : "";
  const env: Record<string, string> = root ? { PGLITE_DIR: path.join(root, "pglite") } : { DATABASE_URL: url };
  const drop = async () =>
    root
      ? fs.rmSync(root, { recursive: true, force: true })
      : adminQuery(`drop database if exists ${name} with (force)`);
  const failed = (error: unknown) => drop().then(() => Promise.reject(error));
  if (!root) await adminQuery(`create database ${name}`);
  if (!root) await openPostgres(url, { migrate: true }).then((migrated) => migrated.close(), failed);
  const db = {
    backend,
    version: "",
    env,
    async activate() {
      Object.assign(process.env, env);
      delete process.env[backend === "postgres" ? "PGLITE_DIR" : "DATABASE_URL"];
      return getDbHandle();
    },
    deactivate: closeDb,
    async dispose() {
      await closeDb(); // PGlite must be closed, or the process never exits (and the folder stays locked)
      await drop();
    },
  };
  const version = async () =>
    rowsOf(await (await db.activate()).db.execute(sql`select version() as v`))[0] as { v: string };
  db.version = (await version().catch((error: unknown) => db.dispose().then(() => Promise.reject(error)))).v;
  return db;
}

/** A file of /proc ("" without it: another OS, a process gone). */
export function readProc(file: string): string {
  try {
    return fs.readFileSync(`/proc/${file}`, "utf8");
  } catch {
    return "";
  }
}

/** CPU ms of a process (utime + stime of /proc/<pid>/stat, in Linux's USER_HZ of 100); null without /proc. */
export function procCpuMs(pid: number): number | null {
  const fields = readProc(`${pid}/stat`).split(") ")[1]?.split(" ");
  return fields ? (Number(fields[11]) + Number(fields[12])) * 10 : null;
}

/** The median: the mean of the two middle values (one, for an odd count). */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
/** The upper of the two middle values (0 for none): the scale figures' median. */
export const upperMedian = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1]! : 0);

/** Most events within any window of `windowMs` (times in ms, sorted ascending). */
export function peakInWindow(sorted: readonly number[], windowMs = 1_000): number {
  let best = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function fmtDuration(ms: number | null): string {
  if (ms === null) return "not reached";
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const [unit, bigUnit, smallUnit] = s < 7200 ? [Math.round(s), "min", "s"] : [Math.round(s / 60), "h", "min"];
  const [whole, small] = [Math.floor(unit / 60), unit % 60];
  return small ? `${whole} ${bigUnit} ${small} ${smallUnit}` : `${whole} ${bigUnit}`;
}

/** A Markdown table written as it prints (cells split by " | ", rows by lines); "+ …" columns right-aligned. */
export function table(header: string, rows: string | Array<string | string[]>): string {
  const line = (cells: string | string[]) => `| ${typeof cells === "string" ? cells : cells.join(" | ")} |`;
  const align = header.split(" | ").map((h) => (h.startsWith("+") ? "---:" : "---"));
  return [line(header), line(align), ...(typeof rows === "string" ? rows.split("\n") : rows).map(line)].join("\n");
}

export const runDate = () => new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
export const machine = () =>
  `${os.availableParallelism()} CPU (${os.cpus()[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;

/** The commit the app's code was at, and whether src/ had uncommitted changes (others edit it while benches run). */
export function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "src"], { encoding: "utf8" }).trim() !== "";
    return `${head}${dirty ? " with uncommitted changes in src/" : ""}`;
  } catch {
    return "?";
  }
}

/**
 * Replaces the block between `<!-- bench:<name>:start/end -->` of docs/benchmarks.md; the one it replaces goes first
 * into the `previous` block (headings one level down), which keeps `keep`. The rest of the doc is left alone.
 */
export function updateDoc(text: string, [name, previous]: [string, string], keep: number): void {
  const file = "docs/benchmarks.md";
  const cut = (doc: string, marker: string) => {
    const [start, end] = [`<!-- bench:${marker}:start -->`, `<!-- bench:${marker}:end -->`];
    const [i, j] = [doc.indexOf(start), doc.indexOf(end)];
    if (i < 0 || j < i) throw new Error(`${file} lacks the markers ${start} … ${end}`);
    const k = i + start.length;
    return { before: doc.slice(0, k), inner: doc.slice(k, j).trim(), after: doc.slice(j) };
  };
  const old = cut(fs.readFileSync(file, "utf8"), name);
  let doc = `${old.before}\n${text.trim()}\n${old.after}`;
  if (old.inner) {
    const prev = cut(doc, previous);
    const runs = [old.inner.replace(/^(#{2,5}) /gm, "#$1 "), ...(prev.inner ? prev.inner.split("\n\n---\n\n") : [])];
    doc = `${prev.before}\n${runs.slice(0, keep).join("\n\n---\n\n")}\n${prev.after}`;
  }
  fs.writeFileSync(file, doc);
}
