import { sql } from "drizzle-orm";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDb, getDbHandle, openPostgres, type DbHandle } from "@/lib/db";

export interface TestDatabase {
  kind: "pglite" | "postgres";
  /** Set for PostgreSQL: the throwaway database's URL. */
  url?: string;
  handle(): Promise<DbHandle>;
}

/** Test configuration every db-tier file shares: fixed keys, a private data folder. */
export function configureTestEnv() {
  process.env.SETTINGS_ENCRYPTION_KEY ??= crypto.randomBytes(32).toString("hex");
  process.env.BETTER_AUTH_SECRET ??= crypto.randomBytes(32).toString("base64");
  process.env.BETTER_AUTH_URL = "http://localhost:3000";
  process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-test-"));
  process.env.AMAZON_HTTP_TIMEOUT_MS ??= "3000";
}

/** A new, empty database on the test PostgreSQL server, migrated unless told not to; `drop()` removes it. */
export async function createThrowawayPostgres(
  prefix: string,
  options: { migrate?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (options.migrate ?? true) await (await openPostgres(url.toString(), { migrate: true })).close();
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/**
 * Gives the calling test file its own empty, migrated database — in-memory PGlite or a throwaway
 * PostgreSQL database, by the project (db-pglite, db-postgres) — and points the app's getDb() at it. The code under test runs unchanged.
 */
export function setupTestDatabase(): TestDatabase {
  const kind = inject("testDb");
  const state: TestDatabase = { kind, handle: () => getDbHandle() };
  let throwaway: Awaited<ReturnType<typeof createThrowawayPostgres>> | undefined;
  beforeAll(async () => {
    configureTestEnv();
    await closeDb();
    if (kind === "postgres") {
      throwaway = await createThrowawayPostgres("ads_sync_test");
      state.url = throwaway.url;
      process.env.DATABASE_URL = state.url;
      delete process.env.PGLITE_DIR;
    } else {
      delete process.env.DATABASE_URL;
      process.env.PGLITE_DIR = "memory://";
    }
    await getDbHandle();
  });
  afterAll(async () => {
    await closeDb();
    await throwaway?.drop();
  });
  return state;
}

/** Forgets every request limit's count (rate_limits): a test about something else starts a fresh window. */
export async function resetRateLimits(): Promise<void> {
  const { db } = await getDbHandle();
  await db.execute(sql`delete from rate_limits`);
}
