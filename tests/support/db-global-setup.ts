import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    testDb: "pglite" | "postgres";
    pgAdminUrl: string;
  }
}

/**
 * The db tier's backend comes from its project (db-pglite, db-postgres in vitest.config.ts).
 * PostgreSQL must be reachable when asked for: a missing server fails, never skips.
 */
export default async function setup(project: TestProject) {
  const testDb = project.getProvidedContext().testDb;
  if (testDb !== "pglite" && testDb !== "postgres")
    throw new Error(`${project.name}: provide testDb as "pglite" or "postgres" in vitest.config.ts`);
  let pgAdminUrl = "";
  if (testDb === "postgres") {
    pgAdminUrl = process.env.TEST_PG_URL ?? "";
    if (!pgAdminUrl)
      throw new Error("db-postgres needs TEST_PG_URL (scripts/test.sh sets it from scripts/ensure-postgres.sh)");
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: pgAdminUrl });
    await client.connect().catch((error: Error) => {
      throw new Error(`PostgreSQL at TEST_PG_URL is not reachable (${error.message}); run scripts/ensure-postgres.sh`);
    });
    await client.end();
  }
  project.provide("pgAdminUrl", pgAdminUrl);
}
