import crypto from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { runScript } from "../support/spawn";

// `npm run db:migrate` is vercel.json's first build step. On Vercel it must migrate for production
// deployments only: a preview build of an unmerged branch would otherwise change the production database.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface EmptyDatabase {
  env: Record<string, string | undefined>;
  tables(): Promise<string[]>;
}

/**
 * A new PostgreSQL database nothing has migrated yet. Vercel always has DATABASE_URL (a function has no
 * lasting folder for PGlite), so the db-postgres project alone runs this file (vitest.config.ts).
 */
async function emptyDatabase(): Promise<EmptyDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `ads_sync_migrate_${crypto.randomBytes(6).toString("hex")}`;
  const admin = (statement: string) => withClient(adminUrl, async (c) => void (await c.query(statement)));
  await admin(`create database ${name}`);
  cleanups.push(() => admin(`drop database if exists ${name} with (force)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), PGLITE_DIR: undefined },
    tables: () =>
      withClient(url.toString(), async (c) => {
        const { rows } = await c.query<{ name: string }>(
          "select table_name as name from information_schema.tables where table_schema = 'public'",
        );
        return rows.map((r) => r.name);
      }),
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const vercelUnset = { VERCEL: undefined, VERCEL_ENV: undefined, MIGRATE_ON_PREVIEW: undefined };
const migrate = (database: EmptyDatabase, env: Record<string, string | undefined>) =>
  runScript("scripts/migrate.ts", [], { ...vercelUnset, ...database.env, ...env });

describe("npm run db:migrate on Vercel", () => {
  it("skips a preview build, saying why and how to opt in; the database stays empty", async () => {
    const database = await emptyDatabase();
    const ran = await migrate(database, { VERCEL: "1", VERCEL_ENV: "preview" });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Skipping migrations.*preview/);
    expect(ran.stdout).toMatch(/MIGRATE_ON_PREVIEW=1/);
    expect(ran.stdout).not.toMatch(/Migrations applied/);
    expect(await database.tables()).toEqual([]);
  });

  it("skips a development build too", async () => {
    const database = await emptyDatabase();
    const ran = await migrate(database, { VERCEL: "1", VERCEL_ENV: "development" });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Skipping migrations.*development/);
    expect(await database.tables()).toEqual([]);
  });

  it("migrates a production build", async () => {
    const database = await emptyDatabase();
    const ran = await migrate(database, { VERCEL: "1", VERCEL_ENV: "production" });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Migrations applied/);
    expect(await database.tables()).toEqual(expect.arrayContaining(["user", "settings"]));
  });

  it("migrates a preview build that opted in with MIGRATE_ON_PREVIEW=1 (its own database)", async () => {
    const database = await emptyDatabase();
    const ran = await migrate(database, { VERCEL: "1", VERCEL_ENV: "preview", MIGRATE_ON_PREVIEW: "1" });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/MIGRATE_ON_PREVIEW=1/);
    expect(ran.stdout).toMatch(/Migrations applied/);
    expect(await database.tables()).toEqual(expect.arrayContaining(["user", "settings"]));
  });

  it("off Vercel (VERCEL unset) migrates as before, whatever VERCEL_ENV says", async () => {
    const database = await emptyDatabase();
    const ran = await migrate(database, { VERCEL_ENV: "preview" });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Migrations applied/);
    expect(await database.tables()).toEqual(expect.arrayContaining(["user", "settings"]));
  });
});
