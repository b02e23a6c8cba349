// The two databases the benchmark runs on, each throwaway: a database created (and dropped) on a real
// PostgreSQL server, and a PGlite data folder in a temp directory. `activate` points the app's own
// getDb() at one of them through the same env variables the app reads (DATABASE_URL / PGLITE_DIR).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { closeDb, getDbHandle, openPostgres, type DbHandle } from "../../src/lib/db";

export type Backend = "postgres" | "pglite";

export interface BenchDb {
  backend: Backend;
  /** What `select version()` says, for the doc. */
  version: string;
  /** Env for a child process that should use this database. */
  env: Record<string, string>;
  /** Points getDb() at this database and returns the open handle (raw pg pool / PGlite inside). */
  activate(): Promise<DbHandle>;
  /** Closes the app's handle: PGlite allows one process per folder, so before a child opens it. */
  deactivate(): Promise<void>;
  dispose(): Promise<void>;
}

export function adminUrl(): string {
  return process.env.TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function pointAppAt(env: Record<string, string>, unset: string): void {
  Object.assign(process.env, env);
  delete process.env[unset];
}

async function versionOf(handle: DbHandle): Promise<string> {
  const result = (await handle.db.execute(sql`select version() as v`)) as unknown as { rows: Array<{ v: string }> };
  return result.rows[0]?.v ?? "?";
}

export async function createPostgresDb(): Promise<BenchDb> {
  const name = `ads_sync_bench_${crypto.randomBytes(5).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString() };
  try {
    const migrated = await openPostgres(env.DATABASE_URL, { migrate: true });
    await migrated.close();
  } catch (error) {
    await adminQuery(`drop database if exists ${name} with (force)`);
    throw error;
  }
  const db: BenchDb = {
    backend: "postgres",
    version: "",
    env,
    async activate() {
      pointAppAt(env, "PGLITE_DIR");
      return getDbHandle();
    },
    deactivate: closeDb,
    async dispose() {
      await closeDb();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
  db.version = await versionOf(await db.activate());
  return db;
}

export async function createPgliteDb(): Promise<BenchDb> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-bench-pglite-"));
  const env = { PGLITE_DIR: path.join(root, "pglite") };
  const db: BenchDb = {
    backend: "pglite",
    version: "",
    env,
    async activate() {
      pointAppAt(env, "DATABASE_URL");
      return getDbHandle();
    },
    deactivate: closeDb,
    async dispose() {
      // PGlite must be closed, or the process never exits (and the folder stays locked).
      await closeDb();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    db.version = await versionOf(await db.activate());
  } catch (error) {
    await db.dispose();
    throw error;
  }
  return db;
}
