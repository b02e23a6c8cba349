import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname, "src") };

// Tiers, selected with --project: `unit` (no database, no browser), `db-pglite` and `db-postgres`
// (route handlers and the sync against a real database: in-memory PGlite or a throwaway PostgreSQL
// database; `--project 'db-*'` for both), `e2e` (Chromium against `next start`). scripts/test.sh runs
// them all; CI runs scripts/test.sh.
// The db and browser tiers pin down the daily plan's requests, so a new profile's history (95 days by
// default: 4 range reports more per profile) is off there; tests/db/history.test.ts turns it on (the
// default) and covers it, and the demo runs with it.
const HISTORY_OFF = { AMAZON_ADS_HISTORY_DAYS: "0" };

export default defineConfig({
  resolve: { alias },
  test: {
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine. Most db-tier time
    // is spent waiting on child processes, the simulator and PostgreSQL, so three keep both cores busy.
    maxWorkers: 3,
    // What a test prints (the errors it provokes on purpose, the sync's own log lines) is shown when
    // that test fails, not in a passing run. `--silent=false` shows everything.
    silent: "passed-only",
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          environment: "node",
          include: ["tests/unit/**/*.test.ts", "tools/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      // The db tier on each backend. PostgreSQL (production's) runs every file. PGlite runs the files
      // whose code differs by backend (the driver, transactions, COPY staging, claims and leases, the
      // data folder's lock, migrations, the demo as a process on a folder, the CLI's lock and SIGTERM); the route handlers,
      // settings, auth and `org` commands issue the same SQL through the same drizzle calls on both, and
      // migrate-on-vercel is about Vercel, where there is always DATABASE_URL.
      // One `vitest run` of both projects packs their files onto the same workers.
      {
        resolve: { alias },
        test: {
          name: "db-postgres",
          environment: "node",
          include: ["tests/db/**/*.test.ts"],
          // Always on a PGlite folder of its own, whatever the backend: db-pglite runs it.
          exclude: ["tests/db/demo.test.ts"],
          globalSetup: ["tests/support/db-global-setup.ts"],
          provide: { testDb: "postgres" },
          env: HISTORY_OFF,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "db-pglite",
          environment: "node",
          include: [
            "foundation",
            "ingest",
            "sync",
            "sync-recovery",
            "verify",
            "work-queue",
            "client-limits",
            "reliability",
            "cli",
            "demo",
            "data-migrations",
          ].map((name) => `tests/db/${name}.test.ts`),
          globalSetup: ["tests/support/db-global-setup.ts"],
          provide: { testDb: "pglite" },
          env: HISTORY_OFF,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          environment: "node",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          env: HISTORY_OFF,
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
