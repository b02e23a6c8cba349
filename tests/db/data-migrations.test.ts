// Migrations that change data a database already holds keep every row, on both backends. The row key
// gained profile_id (campaign ids are only unique within a profile); phase-1 units gained a kind; client
// keys gained their region.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { afterAll, expect, inject, it } from "vitest";
import { createThrowawayPostgres } from "../support/test-db";

const KEY_MIGRATION = "0004_profile_in_row_key";
const UNIT_KIND_MIGRATION = "0008_unit_kind";
const UNIT_JOB_MIGRATION = "0009_unit_job";
const CLIENT_KEY_MIGRATION = "0016_client_keys_with_region";
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A copy of drizzle/ holding only the migrations before `stopBefore` (the journal cut there too). */
function migrationsBefore(stopBefore: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  fs.cpSync(path.join(process.cwd(), "drizzle"), dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
  const cut = journal.entries.findIndex((e) => e.tag === stopBefore);
  expect(cut, `${stopBefore} is in the journal`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

type Exec = (query: ReturnType<typeof sql>) => Promise<{ rows: Array<Record<string, unknown>> }>;

async function openDatabase(): Promise<{ exec: Exec; migrate: (folder: string) => Promise<void> }> {
  if (inject("testDb") === "postgres") {
    const database = await createThrowawayPostgres("ads_sync_keymig", { migrate: false });
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const db = drizzlePg(pool);
    cleanups.push(async () => {
      await pool.end();
      await database.drop();
    });
    return {
      exec: (query) => db.execute(query) as never,
      migrate: (folder) => migratePg(db, { migrationsFolder: folder }),
    };
  }
  const client = new PGlite();
  const db = drizzlePglite(client);
  cleanups.push(() => client.close());
  return {
    exec: (query) => db.execute(query) as never,
    migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
  };
}

it("0004: keeps every existing row, then stores the same campaign id of two profiles as two rows", async () => {
  const { exec, migrate } = await openDatabase();
  await migrate(migrationsBefore(KEY_MIGRATION));
  await exec(sql`insert into organisations (id, name) values (1, 'Org One')`);
  const row = (campaign: string, date: string, cost: string) =>
    sql`insert into amazon_sp_ads (org_id, date, campaign_id, cost, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days)
        values (1, ${date}, ${campaign}, ${cost}, '366822873177837', 'r-1', 'daily', 1, 1)`;
  await exec(row("9007199254740993", "2026-11-20", "12.34"));
  await exec(row("9007199254740993", "2026-11-21", "0.50"));
  await exec(row("123456789012345", "2026-11-20", "7"));
  // Before: the key has no profile, so another profile's row for the same campaign and date collides.
  await expect(
    exec(sql`insert into amazon_sp_ads (org_id, date, campaign_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days)
             values (1, '2026-11-20', 9007199254740993, '4444555566667777', 'r-2', 'daily', 1, 1)`),
  ).rejects.toThrow();

  await migrate(path.join(process.cwd(), "drizzle"));
  const kept = await exec(
    sql`select campaign_id::text as campaign, date::text as date, cost::text as cost, profile_id as profile from amazon_sp_ads order by date, campaign_id`,
  );
  expect(kept.rows).toEqual([
    { campaign: "123456789012345", date: "2026-11-20", cost: "7", profile: "366822873177837" },
    { campaign: "9007199254740993", date: "2026-11-20", cost: "12.34", profile: "366822873177837" },
    { campaign: "9007199254740993", date: "2026-11-21", cost: "0.50", profile: "366822873177837" },
  ]);
  await exec(sql`insert into amazon_sp_ads (org_id, date, campaign_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days)
                 values (1, '2026-11-20', 9007199254740993, '4444555566667777', 'r-2', 'daily', 1, 1)`);
  const count = await exec(
    sql`select count(*)::int as n from amazon_sp_ads where campaign_id = 9007199254740993 and date = '2026-11-20'`,
  );
  expect(count.rows[0]!.n).toBe(2);
  // Within one profile the key still holds.
  await expect(
    exec(sql`insert into amazon_sp_ads (org_id, date, campaign_id, profile_id, source_report_id, source_kind, source_lookback_days, max_lookback_days)
             values (1, '2026-11-20', 9007199254740993, '4444555566667777', 'r-3', 'daily', 1, 1)`),
  ).rejects.toThrow();
});

it("0008: units queued before it get their kind from profile_id ('' was a discovery), and it is required after", async () => {
  const { exec, migrate } = await openDatabase();
  await migrate(migrationsBefore(UNIT_KIND_MIGRATION));
  await exec(sql`insert into organisations (id, name) values (1, 'Org One')`);
  await exec(sql`insert into amazon_ads_request_units (org_id, run_date, profile_id, status)
                 values (1, '2026-12-01', '', 'done'), (1, '2026-12-01', '366822873177837', 'pending')`);

  await migrate(path.join(process.cwd(), "drizzle"));
  const units = await exec(sql`select profile_id as profile, kind from amazon_ads_request_units order by profile_id`);
  expect(units.rows).toEqual([
    { profile: "", kind: "discover" },
    { profile: "366822873177837", kind: "profile" },
  ]);
  await expect(
    exec(sql`insert into amazon_ads_request_units (org_id, run_date, profile_id) values (1, '2026-12-02', '')`),
  ).rejects.toThrow();
});

it("0009: units queued before it are daily requests, and a backfill of the same day is a unit of its own", async () => {
  const { exec, migrate } = await openDatabase();
  await migrate(migrationsBefore(UNIT_JOB_MIGRATION));
  await exec(sql`insert into organisations (id, name) values (1, 'Org One')`);
  await exec(sql`insert into amazon_ads_request_units (org_id, run_date, kind, profile_id, status)
                 values (1, '2026-12-01', 'discover', '', 'done')`);

  await migrate(path.join(process.cwd(), "drizzle"));
  const units = await exec(sql`select job, plan_key as "planKey", plan from amazon_ads_request_units`);
  expect(units.rows).toEqual([{ job: "request", planKey: "", plan: null }]);
  // The day's key now holds the run: a backfill's discovery beside the daily one, but never two daily ones.
  await exec(sql`insert into amazon_ads_request_units (org_id, run_date, kind, job, plan_key)
                 values (1, '2026-12-01', 'discover', 'backfill', '2026-11-01..2026-11-02')`);
  await expect(
    exec(sql`insert into amazon_ads_request_units (org_id, run_date, kind) values (1, '2026-12-01', 'discover')`),
  ).rejects.toThrow();
});

it("0016: work queued before client keys named a region keeps its limits under the new keys", async () => {
  const { exec, migrate } = await openDatabase();
  await migrate(migrationsBefore(CLIENT_KEY_MIGRATION));
  await exec(sql`insert into organisations (id, name) values (1, 'Org One')`);
  const app = "amzn1.application-oa2-client.old";
  await exec(sql`insert into amazon_ads_pending_reports (org_id, profile_id, region, report_id, report_date, report_end_date, kind, lookback_days, client_key)
                 values (1, '366822873177837', 'EU', 'r-1', '2026-12-01', '2026-12-01', 'daily', 1, ${app})`);
  await exec(sql`insert into amazon_ads_request_units (org_id, run_date, kind, profile_id, profile, client_key)
                 values (1, '2026-12-02', 'profile', '1111222233334444', '{"profileId":"1111222233334444","region":"NA"}', ${app}),
                        (1, '2026-12-02', 'discover', '', null, ${app})`);
  await exec(sql`insert into amazon_ads_client_backoff (client_key, until, strikes) values (${app}, now(), 1)`);

  await migrate(path.join(process.cwd(), "drizzle"));
  const reports = await exec(sql`select client_key as key from amazon_ads_pending_reports`);
  expect(reports.rows).toEqual([{ key: `${app}@EU` }]);
  const units = await exec(sql`select kind, client_key as key from amazon_ads_request_units order by kind`);
  expect(units.rows).toEqual([
    { kind: "discover", key: app },
    { kind: "profile", key: `${app}@NA` },
  ]);
  expect((await exec(sql`select client_key from amazon_ads_client_backoff`)).rows).toEqual([]);
});
