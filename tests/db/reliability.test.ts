import { spawn } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { collectReports } from "@/lib/amazon-ads/work/org-run";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { requestReports } from "@/lib/amazon-ads/work/org-run";
import { runWorker } from "@/lib/amazon-ads/work/worker";
import { closeDb, getDb } from "@/lib/db";
import { amazonAdsPendingReports, syncLogs } from "@/lib/db/schema";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import {
  fastPhases,
  requestYesterday,
  sentAccessTokens,
  setupSyncTest,
  today,
  yesterday,
} from "../support/sync-fixture";

// The collects and workers killed here run as child processes on the same database. A report of 5,000
// campaigns is ten pieces of 500 rows: the child stops for 2 s after its first (PAUSE_AFTER_BATCH_MS), in
// the middle of its first COPY, and is killed there.
const { sim, childEnv } = setupSyncTest({ shared: true });
const { FAST, FAST_COLLECT } = fastPhases(500);

function startChildCollect(
  script = "tests/support/collect-child.ts",
  env: Record<string, string> = {},
): {
  killAtFirstBatch: () => Promise<{ batchesSeen: number; signal: NodeJS.Signals | null }>;
} {
  // node --import tsx, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would miss.
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, ...childEnv(), BATCH_SIZE: "500", PAUSE_AFTER_BATCH_MS: "2000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
        child.on("close", (code, signal) =>
          signal === "SIGKILL"
            ? resolve({ batchesSeen: batches, signal })
            : reject(new Error(`child exited ${code} before a batch: ${stderr}`)),
        );
      }),
  };
}

describe("fault campaign", () => {
  it("kill -9 during the upsert: nothing of that report is stored, it stays pending, and the next collect loads it exactly", async () => {
    sim().setProfileCampaigns(SIM_DEFAULTS.profileId, 5_000);
    sim().setScenario({ pollsBeforeComplete: 0 });
    await requestYesterday(FAST);
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

    const again = await collectReports(1, { ...FAST_COLLECT, budgetMs: 60_000 });
    expect(again.reports[0]!.outcome).toBe("completed");
    const expected = amazonRows(sim(), yesterday());
    expect(expected.length).toBeGreaterThan(4_000);
    expect(await storedRows(db, 1)).toEqual(expected);
    const [done] = await db.select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, row!.id));
    expect(done!.status).toBe("completed");
    expect(done!.rowsLoaded).toBe(expected.length);
  }, 180_000);

  it("kill -9 in the middle of a restatement load keeps the old day whole; the next collect makes it Amazon's latest", async () => {
    sim().setProfileCampaigns(SIM_DEFAULTS.profileId, 5_000);
    sim().setScenario({ pollsBeforeComplete: 0 });
    await requestYesterday(FAST);
    const collect = { ...FAST_COLLECT, budgetMs: 60_000 };
    expect((await collectReports(1, collect)).reports[0]!.outcome).toBe("completed");
    let db = await getDb();
    const old = await storedRows(db, 1);
    const withdrawn = old[0]!.campaignId!;
    sim().setScenario({ restatementVersion: 1, withdrawnCampaignIds: [withdrawn] });
    await requestYesterday(FAST);
    await closeDb();

    const killed = await startChildCollect().killAtFirstBatch();
    expect(killed.signal).toBe("SIGKILL");
    db = await getDb();
    expect(await storedRows(db, 1)).toEqual(old);
    await db.update(amazonAdsPendingReports).set({ lockedUntil: new Date(Date.now() - 1_000) });

    expect((await collectReports(1, collect)).reports[0]!.outcome).toBe("completed");
    const expected = amazonRows(sim(), yesterday());
    expect(expected.some((r) => r.campaignId === withdrawn)).toBe(false);
    expect(await storedRows(db, 1)).toEqual(expected);
  }, 180_000);

  it("kill -9 of a worker in the middle of an upsert: nothing stored; once its lease ends another worker loads the report exactly", async () => {
    sim().setProfileCampaigns(SIM_DEFAULTS.profileId, 5_000);
    sim().setScenario({ pollsBeforeComplete: 0 });
    await requestYesterday(FAST);
    await closeDb(); // the child needs the database (PGlite: one process at a time)

    // A lease long enough to outlast the checks below on a busy machine; the test then waits it out.
    const killed = await startChildCollect("tests/support/worker-child.ts", { LEASE_MS: "10000" }).killAtFirstBatch();
    expect(killed.signal).toBe("SIGKILL");

    const db = await getDb();
    expect(await storedRows(db, 1)).toEqual([]);
    const [row] = await db.select().from(amazonAdsPendingReports);
    expect(row!.status).toBe("pending");
    expect(row!.leaseId).not.toBeNull(); // still claimed by the dead worker
    // The dead worker's lease, moved to end 10 s from now: how long the child took to start and die
    // on a busy machine no longer eats into the time the checks below need.
    const leaseEnds = Date.now() + 10_000;
    await db.update(amazonAdsPendingReports).set({ lockedUntil: new Date(leaseEnds) });
    const busy = await runWorker({ ...FAST, budgetMs: 1_000, reserveMs: 100, maxIdleMs: 200 });
    expect(Date.now(), "the busy worker ran while the lease held").toBeLessThan(leaseEnds);
    expect(busy.units.report).toBe(0); // no one takes it before its lease ends

    await new Promise((r) => setTimeout(r, leaseEnds - Date.now() + 200));
    const again = await runWorker({ ...FAST, pollDelaysMs: [20], maxIdleMs: 500 });
    expect(again.units.report).toBe(1);
    const expected = amazonRows(sim(), yesterday());
    expect(await storedRows(db, 1)).toEqual(expected);
    const [done] = await db.select().from(amazonAdsPendingReports);
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
    for (const lookback of [1, 3, 7, 14, 30]) {
      const date = addDays(today(), -lookback);
      expect(await storedRows(db, 1, date)).toEqual(amazonRows(sim(), date));
    }
    expect((await db.select().from(amazonAdsPendingReports)).every((r) => r.status === "completed")).toBe(true);
    // Each report was downloaded exactly once.
    expect(sim().requests.filter((r) => r.path.includes("/s3/"))).toHaveLength(5);
  });

  it("every Amazon fault in one campaign: completed dates equal Amazon's truth, failures are explained, a clean run repairs the rest, no secret anywhere", async () => {
    const [d1, d3, d7, d14, d30] = [1, 3, 7, 14, 30].map((n) => addDays(today(), -n)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const options = { ...FAST_COLLECT, budgetMs: 2_000 };
    // Run 1: a revoked token — the run aborts, nothing is requested.
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    expect((await requestReports(1, FAST)).status).toBe("error");
    // Run 2: throttling and outages on every endpoint, one FAILED, one stuck, one corrupt, expired URLs.
    sim().setScenario({
      revokedRefreshTokens: [],
      create429: { count: 3, retryAfterSeconds: 1 },
      create5xx: { count: 1 },
      poll429: { count: 2 },
      poll5xx: { count: 2, status: 503 },
      failDates: [d3],
      stuckDates: [d7],
      corruptDates: [d14],
      expireUrlOnce: true,
    });
    const requested = await requestReports(1, FAST);
    expect(requested.status).toBe("success");
    // A crash lost our record of two requests: the next phase 1 gets 425s and adopts them.
    const db = await getDb();
    await db.delete(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.reportDate, d7));
    await db.delete(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.reportDate, d30));
    const adopted = await requestReports(1, FAST);
    expect(
      adopted.reports
        .filter((r) => r.outcome === "adopted")
        .map((r) => r.startDate)
        .sort(),
    ).toEqual([d30, d7].sort());
    const collected = await collectReports(1, options);
    const outcome = (date: string) => collected.reports.find((r) => r.startDate === date);
    expect(outcome(d1)!.outcome).toBe("completed");
    expect(outcome(d30)!.outcome).toBe("completed");
    expect(outcome(d3)!.error).toMatch(/internal error/);
    expect(outcome(d14)!.error).toMatch(/corrupt|truncated/i);
    expect(outcome(d7)!.outcome).toBe("still_pending");
    for (const date of [d1, d30]) expect(await storedRows(db, 1, date)).toEqual(amazonRows(sim(), date));
    for (const date of [d3, d14]) expect(await storedRows(db, 1, date)).toEqual([]);
    const [log] = await db.select().from(syncLogs).where(eq(syncLogs.job, "collect"));
    expect(log!.status).toBe("partial");
    expect(JSON.stringify(log!.details)).toMatch(/internal error[\s\S]*corrupt|corrupt[\s\S]*internal error/i);

    // Next day, Amazon behaves and restates: the stuck report has timed out, the failed dates come back.
    sim().setScenario({
      create429: { count: 0 },
      create5xx: { count: 0 },
      poll429: { count: 0 },
      poll5xx: { count: 0 },
      failDates: [],
      corruptDates: [],
      expireUrlOnce: false,
      restatementVersion: 1,
    });
    await db
      .update(amazonAdsPendingReports)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000), lockedUntil: null })
      .where(eq(amazonAdsPendingReports.reportDate, d7));
    expect((await collectReports(1, options)).reports.find((r) => r.startDate === d7)!.outcome).toBe("timed_out");
    sim().setScenario({ stuckDates: [] });
    await requestReports(1, FAST);
    const repaired = await collectReports(1, { ...options, budgetMs: 10_000 });
    expect(repaired.status).toBe("success");
    for (const date of [d1, d3, d7, d14, d30]) {
      expect(await storedRows(db, 1, date), date).toEqual(amazonRows(sim(), date));
    }

    // Secrets: no table holds the client secret, refresh token or any access token in plain text.
    const accessTokens = sentAccessTokens(sim());
    const tables = (await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )) as unknown as { rows: Array<{ table_name: string }> };
    expect(tables.rows.length).toBeGreaterThanOrEqual(10);
    for (const { table_name } of tables.rows) {
      const dump = JSON.stringify(
        ((await db.execute(sql.raw(`select t::text as row from "${table_name}" t`))) as unknown as { rows: unknown[] })
          .rows,
      );
      for (const secret of [SIM_DEFAULTS.clientSecret, SIM_DEFAULTS.refreshToken, ...accessTokens])
        expect(dump.includes(secret), `${table_name} holds a secret`).toBe(false);
    }
  }, 120_000);
});
