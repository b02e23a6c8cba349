import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDb } from "@/lib/db";
import { configureTestEnv, createThrowawayPostgres } from "./test-db";

/**
 * A database that child processes can open too: a throwaway PostgreSQL database, or a PGlite
 * folder (PGlite allows one process at a time, so the test closes its own handle — closeDb() —
 * before a child opens it). `childEnv()` is what a child needs to use it.
 */
export function setupSharedDatabase(prepare?: () => Promise<void>) {
  const kind = inject("testDb");
  let throwaway: Awaited<ReturnType<typeof createThrowawayPostgres>> | undefined;
  beforeAll(async () => {
    configureTestEnv();
    await closeDb();
    if (kind === "postgres") {
      throwaway = await createThrowawayPostgres("ads_sync_shared");
      process.env.DATABASE_URL = throwaway.url;
      delete process.env.PGLITE_DIR;
    } else {
      delete process.env.DATABASE_URL;
      process.env.PGLITE_DIR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shared-pglite-")), "pglite");
    }
    await prepare?.();
    await closeDb();
  });
  afterAll(async () => {
    await closeDb();
    await throwaway?.drop();
  });
  return {
    kind,
    childEnv: (): Record<string, string | undefined> => ({
      DATABASE_URL: process.env.DATABASE_URL,
      PGLITE_DIR: process.env.PGLITE_DIR,
      DATA_DIR: process.env.DATA_DIR,
      SETTINGS_ENCRYPTION_KEY: process.env.SETTINGS_ENCRYPTION_KEY,
      BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET,
      AMAZON_ADS_TOKEN_URL: process.env.AMAZON_ADS_TOKEN_URL,
      AMAZON_ADS_API_URL_EU: process.env.AMAZON_ADS_API_URL_EU,
      AMAZON_HTTP_TIMEOUT_MS: "5000",
    }),
  };
}
