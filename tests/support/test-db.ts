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

/**
 * Gives the calling test file its own empty, migrated database — in-memory PGlite or a throwaway
 * PostgreSQL database, by TEST_DB — and points the app's getDb() at it. The code under test runs unchanged.
 */
export function setupTestDatabase(): TestDatabase {
  const kind = inject("testDb");
  const state: TestDatabase = { kind, handle: () => getDbHandle() };
  let dbName = "";
  beforeAll(async () => {
    configureTestEnv();
    await closeDb();
    if (kind === "postgres") {
      dbName = `ads_sync_test_${crypto.randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: inject("pgAdminUrl") });
      await admin.connect();
      await admin.query(`create database ${dbName}`);
      await admin.end();
      const url = new URL(inject("pgAdminUrl"));
      url.pathname = `/${dbName}`;
      state.url = url.toString();
      const migrated = await openPostgres(state.url, { migrate: true });
      await migrated.close();
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
    if (kind === "postgres" && dbName) {
      const admin = new pg.Client({ connectionString: inject("pgAdminUrl") });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  });
  return state;
}
