import { spawn } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { collectReports } from "@/lib/amazon-ads/collect-phase";
import { addDays, todayIn } from "@/lib/amazon-ads/dates";
import { requestReports } from "@/lib/amazon-ads/request-phase";
import { closeDb, getDb } from "@/lib/db";
import { amazonAdsPendingReports } from "@/lib/db/schema";
import { setupFirstAdmin } from "@/lib/orgs";
import { saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { normaliseExpected, REQUESTED_API_NAMES, storedRows } from "../support/rows";
import { setupSharedDatabase } from "../support/shared-db";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";

const { sim } = setupSimulator();
const shared = setupSharedDatabase(async () => {
  await setupFirstAdmin({ email: "admin@example.com", password: "correct horse battery" });
  await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
});
const FAST = { client: { retry: { baseDelayMs: 5, maxDelayMs: 500 } } };
const d1 = () => addDays(todayIn(SIM_DEFAULTS.profile.timezone), -1);

beforeEach(async () => {
  sim().reset();
  const db = await getDb();
  for (const table of ["amazon_sp_ads", "amazon_ads_pending_reports", "sync_logs"]) await db.execute(sql.raw(`delete from ${table}`));
});

/** Requests only yesterday's report (one big file) through the real phase 1. */
async function requestYesterday() {
  const summary = await requestReports(1, { ...FAST, targets: (today) => [{ startDate: addDays(today, -1), endDate: addDays(today, -1), kind: "daily", lookbackDays: 1 }] });
  expect(summary.status).toBe("success");
}

function startChildCollect(): { killAtFirstBatch: () => Promise<{ batchesSeen: number; signal: NodeJS.Signals | null }> } {
  // node --import tsx, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would miss.
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/collect-child.ts"], { env: { ...process.env, ...shared.childEnv(), BATCH_SIZE: "500", PAUSE_AFTER_BATCH_MS: "2000" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return {
    killAtFirstBatch: () =>
      new Promise((resolve, reject) => {
        let batches = 0;
        child.stdout.on("data", (chunk: Buffer) => {
          batches += (chunk.toString().match(/^BATCH /gm) ?? []).length;
          if (batches > 0 && !child.killed) child.kill("SIGKILL");
        });
        child.on("close", (code, signal) => (signal === "SIGKILL" ? resolve({ batchesSeen: batches, signal }) : reject(new Error(`child exited ${code} before a batch: ${stderr}`))));
      }),
  };
}

describe("fault campaign", () => {
  it("kill -9 during the upsert: nothing of that report is stored, it stays pending, and the next collect loads it exactly", async () => {
    sim().setProfileCampaigns(SIM_DEFAULTS.profileId, 20_000);
    sim().setScenario({ pollsBeforeComplete: 0 });
    await requestYesterday();
    await closeDb(); // the child needs the database (PGlite: one process at a time)

    const killed = await startChildCollect().killAtFirstBatch();
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.batchesSeen).toBeGreaterThan(0);

    const db = await getDb();
    expect(await storedRows(db, 1)).toEqual([]); // the report's transaction never committed
    const [row] = await db.select().from(amazonAdsPendingReports);
    expect(row!.status, String(row!.error)).toBe("pending");
    // The killed run's claim lasts its budget + 1 min; a later run (tomorrow's cron) finds it expired.
    await db.update(amazonAdsPendingReports).set({ lockedUntil: new Date(Date.now() - 1_000) });

    const again = await collectReports(1, { ...FAST, pollDelaysMs: [20], budgetMs: 60_000 });
    expect(again.reports[0]!.outcome).toBe("completed");
    const expected = normaliseExpected(sim().expectedRows(SIM_DEFAULTS.profileId, d1(), d1(), REQUESTED_API_NAMES));
    expect(expected.length).toBeGreaterThan(15_000);
    expect(await storedRows(db, 1)).toEqual(expected);
    const [done] = await db.select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, row!.id));
    expect(done!.status).toBe("completed");
    expect(done!.rowsLoaded).toBe(expected.length);
  }, 180_000);

  it("two overlapping collects for one org: each report is loaded once, the table equals Amazon's rows", async () => {
    sim().setScenario({ pollsBeforeComplete: 2 });
    await requestReports(1, FAST);
    const options = { ...FAST, pollDelaysMs: [30], budgetMs: 30_000 };
    const [a, b] = await Promise.all([collectReports(1, options), collectReports(1, options)]);
    const completed = [...a.reports, ...b.reports].filter((r) => r.outcome === "completed");
    expect(completed).toHaveLength(5);
    expect([...a.reports, ...b.reports].filter((r) => r.outcome === "failed")).toEqual([]);
    const db = await getDb();
    const today = todayIn(SIM_DEFAULTS.profile.timezone);
    for (const lookback of [1, 3, 7, 14, 30]) {
      const date = addDays(today, -lookback);
      expect(await storedRows(db, 1, date)).toEqual(normaliseExpected(sim().expectedRows(SIM_DEFAULTS.profileId, date, date, REQUESTED_API_NAMES)));
    }
    expect((await db.select().from(amazonAdsPendingReports)).every((r) => r.status === "completed")).toBe(true);
    // Each report was downloaded exactly once.
    expect(sim().requests.filter((r) => r.path.includes("/s3/"))).toHaveLength(5);
  });
});
