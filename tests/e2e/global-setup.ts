import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startSimulator } from "../../tools/amazon-ads-simulator/index";
import { createDatabase, startApp } from "./app-server";
import { CHROMIUM_PATH, RESULTS_DIR, ROOT } from "./paths";

declare module "vitest" {
  interface ProvidedContext {
    /** The app under test, e.g. http://127.0.0.1:41234 (no trailing slash). */
    appUrl: string;
    /** The throwaway PostgreSQL database the app uses, for inspecting rows. */
    dbUrl: string;
    /** TEST_PG_URL, for files that need a database (and app) of their own. */
    pgAdminUrl: string;
    simBaseUrl: string;
    simTokenUrl: string;
    simApiUrl: { NA: string; EU: string; FE: string };
  }
}

/**
 * The browser tier's world: a throwaway PostgreSQL database (migrated), the Amazon simulator, and
 * `next start` on a free port pointed at both. Anything missing fails the run: it never skips.
 */
export default async function setup(project: TestProject) {
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install chromium); scripts/test.sh does it when root`,
    );
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")))
    throw new Error("The e2e tier runs against `next start`: .next/BUILD_ID is missing, run `npx next build` first");
  const adminUrl = process.env.TEST_PG_URL;
  if (!adminUrl)
    throw new Error(
      "The e2e tier needs TEST_PG_URL, a superuser URL of a running PostgreSQL (scripts/ensure-postgres.sh prints one)",
    );

  // Failure screenshots of an earlier run would mislead.
  if (fs.existsSync(RESULTS_DIR))
    for (const file of fs.readdirSync(RESULTS_DIR))
      if (file.startsWith("failed-")) fs.rmSync(path.join(RESULTS_DIR, file));

  const cleanups: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => console.error("[e2e teardown]", error));
  };
  try {
    const database = await createDatabase(adminUrl);
    cleanups.push(database.drop);
    const sim = await startSimulator({ quiet: true });
    cleanups.push(() => sim.close());
    const app = await startApp({ name: "e2e-server", databaseUrl: database.url, amazon: sim });
    cleanups.push(app.stop);

    project.provide("appUrl", app.url);
    project.provide("dbUrl", database.url);
    project.provide("pgAdminUrl", adminUrl);
    project.provide("simBaseUrl", sim.baseUrl);
    project.provide("simTokenUrl", sim.tokenUrl);
    project.provide("simApiUrl", sim.apiUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
