import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { sql, type SQL } from "drizzle-orm";
import pg from "pg";
import { z } from "zod";
import { env } from "../env";
import { acquireDataFolderLock } from "./pglite-lock";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle passed to a transaction callback; query functions accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  kind: "pglite" | "postgres";
  /** The raw client, for the few things drizzle does not cover (COPY in the benchmark). */
  pgPool?: pg.Pool;
  pglite?: PGlite;
  close(): Promise<void>;
}

export const migrationsFolder = () => path.join(process.cwd(), "drizzle");

export async function openPostgres(url: string, options: { migrate?: boolean } = {}): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: env().DATABASE_POOL_MAX });
  // A client that loses its server (idle in the pool, or checked out mid-transaction) emits
  // "error"; unhandled, that would crash the process. The query in flight reports it instead.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  try {
    await pool.query("select 1");
  } catch (error) {
    await pool.end().catch(() => {});
    // Host, port and database only: the URL's password stays out of the message.
    const u = URL.parse(url);
    const where = u ? `${u.hostname}:${u.port || 5432}${u.pathname}` : "DATABASE_URL";
    throw new Error(
      `Cannot reach PostgreSQL at ${where}: ${(error as Error).message || (error as { code?: string }).code}`,
    );
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  if (options.migrate) await migratePg(drizzlePg(pool), { migrationsFolder: migrationsFolder() });
  return { db, kind: "postgres", pgPool: pool, close: () => pool.end() };
}

/** Opens PGlite at `dir` (or in memory for `memory://`), guarded by the data-folder lock, and migrates it. */
export async function openPglite(dir: string): Promise<DbHandle> {
  const inMemory = dir.startsWith("memory://");
  const release = inMemory ? () => {} : acquireDataFolderLock(dir);
  try {
    if (!inMemory) fs.mkdirSync(dir, { recursive: true });
    const client = new PGlite(inMemory ? undefined : dir);
    await client.waitReady;
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    await migratePglite(drizzlePglite(client), { migrationsFolder: migrationsFolder() });
    let closed = false;
    return {
      db,
      kind: "pglite",
      pglite: client,
      async close() {
        if (closed) return;
        closed = true;
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The configured database: node-postgres when DATABASE_URL is set (migrated by `npm run db:migrate`), else PGlite (migrated here). */
export function openConfiguredDb(): Promise<DbHandle> {
  const { DATABASE_URL, PGLITE_DIR, DATA_DIR } = env();
  return DATABASE_URL ? openPostgres(DATABASE_URL) : openPglite(PGLITE_DIR ?? path.join(DATA_DIR, "pglite"));
}

const globalKey = Symbol.for("amazon-ads-sync.db");
type Cache = { handle?: Promise<DbHandle>; signalsHooked?: boolean };
const cache = ((globalThis as Record<symbol, unknown>)[globalKey] ??= {}) as Cache;

/** One handle per process (cached on globalThis so dev reloads don't leak pools). */
export function getDbHandle(): Promise<DbHandle> {
  if (!cache.handle) {
    const opening = openConfiguredDb();
    cache.handle = opening;
    // Don't keep a rejected promise: the next call tries again.
    opening.catch(() => {
      if (cache.handle === opening) cache.handle = undefined;
    });
    if (!cache.signalsHooked) {
      cache.signalsHooked = true;
      // PGlite must be closed cleanly or its next open runs crash recovery.
      for (const signal of ["SIGTERM", "SIGINT"] as const)
        process.once(signal, () => void closeDb().finally(() => process.exit(signal === "SIGINT" ? 130 : 143)));
    }
  }
  return cache.handle;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

export async function closeDb(): Promise<void> {
  const pending = cache.handle;
  cache.handle = undefined;
  if (pending) await (await pending.catch(() => null))?.close();
}

/** The rows of a raw `execute()`: node-postgres and PGlite both answer `{ rows }` under drizzle. */
export function rowsOf(result: unknown): unknown[] {
  return (result as { rows?: unknown[] }).rows ?? [];
}

/** `a, b, c` of SQL fragments. */
export const sqlList = (items: SQL[]) => sql.join(items, sql`, `);

/** A raw query's rows, each checked by `row`. */
export async function queryRows<T>(db: DbOrTx, row: z.ZodType<T>, query: SQL): Promise<T[]> {
  return z.array(row).parse(rowsOf(await db.execute(query)));
}
