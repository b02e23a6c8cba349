import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect } from "vitest";
import { addDays, lookbackDates, todayIn } from "@/lib/amazon-ads/plan/dates";
import { collectReports, requestBackfill, requestReports, type RequestOptions } from "@/lib/amazon-ads/work/org-run";
import { getDb, type Db } from "@/lib/db";
import { setupFirstAdmin } from "@/lib/orgs/accounts";
import { saveAmazonAdsSettings } from "@/lib/settings";
import {
  SIM_DEFAULTS,
  SIM_DEFAULT_PROFILES,
  type SimClient,
  type Simulator,
  type SimulatorOptions,
} from "../../tools/amazon-ads-simulator/index";
import { setupSharedDatabase } from "./shared-db";
import { setupSimulator, SIM_ADS_SETTINGS } from "./simulator";
import { setupTestDatabase } from "./test-db";

/** Organisation 1 and its admin, as the first-run setup creates them. */
export function createOrgOne(): Promise<unknown> {
  return setupFirstAdmin({
    email: "admin@example.com",
    password: "correct horse battery",
    organisationName: "Org One",
  });
}

/** The tables a sync writes: the rows, the day loads, the requests and their queue, the backoffs, the shared tokens, the runs. */
const SYNC_TABLES = [
  "amazon_sp_ads",
  "amazon_ads_day_loads",
  "amazon_ads_pending_reports",
  "amazon_ads_request_units",
  "amazon_ads_client_backoff",
  "amazon_ads_access_tokens",
  "amazon_ads_login_profiles",
  "amazon_ads_profile_history",
  "sync_logs",
];

/** Before each sync test: the simulator back to its defaults, and no rows, requests or runs left over. */
export async function resetSyncState(db: Db, sim: Simulator): Promise<void> {
  sim.reset();
  sim.setScenario({ pollsBeforeComplete: 1 });
  for (const table of SYNC_TABLES) await db.execute(sql.raw(`delete from ${table}`));
}

/** The bearer the cron routes want in the tests that set it (`setupSyncTest({ cron: true })`). */
export const CRON_SECRET = "test-cron-secret-0123456789";

/** A cron route's request: a path on the app, or a whole URL; `secret` null sends no Authorization. */
export function cronRequest(pathOrUrl: string, secret: string | null = CRON_SECRET): Request {
  return new Request(pathOrUrl.startsWith("http") ? pathOrUrl : `http://localhost:3000${pathOrUrl}`, {
    headers: secret === null ? {} : { authorization: `Bearer ${secret}` },
  });
}

export interface SyncTestOptions {
  /** The simulator's options (a clock of its own), or false for a file that needs no Amazon. */
  simulator?: Omit<SimulatorOptions, "quiet"> | false;
  /**
   * Organisation 1's Amazon Ads credentials, SIM_ADS_SETTINGS: saved once before all tests (the
   * default), again before each test as well, or not at all (the file saves its own).
   */
  settings?: "once" | "each" | "none";
  /** Sets CRON_SECRET for the cron routes. */
  cron?: boolean;
  /** Resets the sync's tables and the simulator before each test (resetSyncState); default true. */
  reset?: boolean;
  /** Before each test, also deletes every organisation but 1 (those a test added). */
  dropOtherOrganisations?: boolean;
}

interface SyncTestBase {
  sim(): Simulator;
}

/** The file's own database (setupTestDatabase): `db()` once the tests run. */
export interface SyncTest extends SyncTestBase {
  kind: "pglite" | "postgres";
  db(): Db;
}

/**
 * A database child processes open too (setupSharedDatabase): the test opens it with getDb() and
 * closes it (closeDb()) before a child does; `childEnv()` is what a child needs.
 */
export interface SharedSyncTest extends SyncTestBase {
  kind: "pglite" | "postgres";
  childEnv(): Record<string, string | undefined>;
}

/**
 * The set-up of a file that runs the sync against the simulator: a test database, the simulator,
 * organisation 1 with its admin and the simulator's credentials, and a clean slate before each test
 * (what `options` leave on).
 */
export function setupSyncTest(options?: SyncTestOptions & { shared?: false }): SyncTest;
export function setupSyncTest(options: SyncTestOptions & { shared: true }): SharedSyncTest;
export function setupSyncTest(options: SyncTestOptions & { shared?: boolean } = {}): SyncTest | SharedSyncTest {
  const settings = options.settings ?? "once";
  const prepare = async () => {
    await createOrgOne();
    if (settings !== "none") await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
  };
  let db: Db | undefined;
  let database: { kind: "pglite" | "postgres" } & Partial<Pick<SharedSyncTest, "childEnv">>;
  if (options.shared) {
    // Organisation 1 is made before the test's own handle is closed again.
    database = setupSharedDatabase(prepare);
  } else {
    const testDb = setupTestDatabase();
    database = testDb;
    beforeAll(async () => {
      db = (await testDb.handle()).db;
      await prepare();
    });
  }
  const simulator = options.simulator === false ? undefined : setupSimulator(options.simulator);
  const sim = () => {
    if (!simulator) throw new Error("this file runs without the simulator");
    return simulator.sim();
  };
  if (options.cron)
    beforeAll(() => {
      process.env.CRON_SECRET = CRON_SECRET;
    });
  const reset = options.reset ?? true;
  if (reset || options.dropOtherOrganisations || settings === "each")
    beforeEach(async () => {
      // A shared database's handle: whichever the last test left open, or a new one.
      const current = db ?? (await getDb());
      if (reset) {
        if (simulator) await resetSyncState(current, sim());
        else for (const table of SYNC_TABLES) await current.execute(sql.raw(`delete from ${table}`));
      }
      if (options.dropOtherOrganisations) await current.execute(sql`delete from organisations where id <> 1`);
      if (settings === "each") await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
    });
  if (options.shared) return { kind: database.kind, sim, childEnv: database.childEnv! };
  return {
    kind: database.kind,
    sim,
    db: () => {
      if (!db) throw new Error("test database not open yet");
      return db;
    },
  };
}

/** Today for the simulator's default profile, whose reports these tests request. */
export const today = () => todayIn(SIM_DEFAULTS.profile.timezone);
export const yesterday = () => addDays(today(), -1);
/** The five daily lookback dates of today. */
export const dailyDates = () => lookbackDates(today()).map((d) => d.date);
/**
 * The same for a simulator profile, in its own time zone: another profile's "today" differs near midnight
 * (Europe/Berlin is a day ahead of Europe/London from 23:00 UTC).
 */
export function dailyDatesOf(profileId: string): string[] {
  const profile = SIM_DEFAULT_PROFILES.find((p) => p.profileId === profileId);
  if (!profile) throw new Error(`No simulator profile ${profileId}`);
  return lookbackDates(todayIn(profile.timezone)).map((d) => d.date);
}

/**
 * Phase options for tests: retries 5 ms apart, doubling up to `maxDelayMs`; collects poll every 20 ms
 * for 20 s. `fullCycle` runs phase 1 then phase 2 with them.
 */
export function fastPhases(maxDelayMs: number) {
  const FAST = { client: { retry: { baseDelayMs: 5, maxDelayMs } } };
  const FAST_COLLECT = { ...FAST, pollDelaysMs: [20], budgetMs: 20_000 };
  return {
    FAST,
    FAST_COLLECT,
    async fullCycle(orgId = 1) {
      const requested = await requestReports(orgId, FAST);
      const collected = await collectReports(orgId, FAST_COLLECT);
      return { requested, collected };
    },
  };
}

/** Requests only yesterday's report (one big file) through the real phase 1 (a backfill of that day). */
export async function requestYesterday(options: RequestOptions = {}) {
  const day = yesterday();
  const summary = await requestBackfill(1, { from: day, to: day }, options);
  expect(summary.status).toBe("success");
  return summary;
}

/** The settings' credentials of one of the simulator's logins (LwA app and refresh token). */
export const simLogin = (client: SimClient) => ({
  client_id: client.clientId,
  client_secret: client.clientSecret,
  refresh_token: client.refreshToken,
});

/** The reports phase 1 created at Amazon. */
export const reportCreates = (sim: Simulator) =>
  sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/reporting/reports"));

/** Every access token the simulator was sent, to look for where none may be. */
export const sentAccessTokens = (sim: Simulator) => [
  ...new Set(
    sim.requests.map((r) => r.headers.authorization?.replace("Bearer ", "")).filter((t): t is string => Boolean(t)),
  ),
];
