// Recovery from partial failures, each against the simulator on a real database: transient
// download failures retried in the run, failed dates retried across days until they land or give
// up, unreadable credentials logged, interrupted runs closed, and 425 adoption checking the report.
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as collectRoute } from "@/app/api/cron/amazon-ads-collect/route";
import { GET as requestRoute } from "@/app/api/cron/amazon-ads-request/route";
import {
  backfill,
  cleanUpFinishedWork,
  collectReports,
  enqueueDailyRequests,
  requestBackfill,
  requestReports,
  runWorker,
  statusReport,
  verifyData,
} from "@/lib/amazon-ads";
import { addDays, lookbackDates } from "@/lib/amazon-ads/plan/dates";
import { MAX_DATE_RETRIES } from "@/lib/amazon-ads/plan/retry-schedule";
import { amazonAdsDayLoads, amazonAdsPendingReports, settings, syncLogs } from "@/lib/db/schema";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { SIM_ADS_SETTINGS } from "../support/simulator";
import { cronRequest, fastPhases, setupSyncTest, today } from "../support/sync-fixture";

// A test here damages organisation 1's saved credentials: they are saved again before each test.
const { db, sim } = setupSyncTest({ cron: true, settings: "each" });
const { FAST, FAST_COLLECT } = fastPhases(50);

const logsOf = (job: string) => db().select().from(syncLogs).where(eq(syncLogs.job, job)).orderBy(syncLogs.id);

/** Makes every finished request look `days` older, as if that many days had passed. */
async function ageFinished(days: number) {
  await db().execute(
    sql`update amazon_ads_pending_reports set finished_at = finished_at - make_interval(days => ${days}) where finished_at is not null`,
  );
}

describe("a download that fails transiently is retried in the same run", () => {
  const downloads = () => sim().requests.filter((r) => r.path.includes("/s3/"));
  const polls = () => sim().requests.filter((r) => r.method === "GET" && r.path.includes("/reporting/reports/"));

  it.each([
    ["S3 503 SlowDown", { download5xx: { count: 2 } }],
    ["a connection reset", { downloadReset: { count: 2 } }],
    ["a body cut short", { downloadTruncate: { count: 2 } }],
  ])("%s: tried again with backoff, every report lands in this run", async (_name, fault) => {
    await requestReports(1, FAST);
    sim().setScenario(fault);
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.reports.map((r) => r.outcome)).toEqual(Array(5).fill("completed"));
    expect(downloads()).toHaveLength(5 + 2);
    for (const r of collected.reports) expect((await storedRows(db(), 1, r.startDate)).length).toBe(r.rows);
  });

  it("after the tries of one URL, a fresh GET for a new URL; only then is the report failed", async () => {
    await requestReports(1, FAST);
    const pollsBefore = polls().length;
    sim().setScenario({ download5xx: { count: 3 } }); // the first report's three tries of its first URL
    // One report at a time, so the fault's count is spent on one report's downloads, not spread over several.
    const oneAtATime = { ...FAST_COLLECT, unitsAtOnce: 1 };
    const landed = await collectReports(1, oneAtATime);
    expect(landed.reports.map((r) => r.outcome)).toEqual(Array(5).fill("completed"));
    // Two polls each (PENDING, then COMPLETED: pollsBeforeComplete is 1), plus one fresh GET.
    expect(polls().length - pollsBefore).toBe(2 * 5 + 1);

    sim().reset();
    await db().execute(sql`delete from amazon_sp_ads`);
    await requestReports(1, FAST);
    sim().setScenario({ download5xx: { count: 6 } }); // both URLs of the first report, three tries each
    const failed = await collectReports(1, oneAtATime);
    expect(failed.reports.map((r) => r.outcome).sort()).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
      "failed",
    ]);
    const report = failed.reports.find((r) => r.outcome === "failed")!;
    expect(report.error).toMatch(/503/);
    expect(await storedRows(db(), 1, report.startDate)).toEqual([]);
  });

  it("a transient failure when the run's budget is spent leaves the report pending for the next run", async () => {
    await requestReports(1, FAST);
    sim().setScenario({ downloadReset: { count: 1000 } });
    // Any second try would wait 5–10 s, past the 2 s budget: every report runs out of budget, not tries.
    const slow = { ...FAST_COLLECT, budgetMs: 2_000, client: { retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } } };
    const collected = await collectReports(1, slow);
    expect(collected.reports.some((r) => r.outcome === "failed")).toBe(false);
    expect(collected.reports.some((r) => /tried again next run/.test(r.error ?? ""))).toBe(true);
    const open = await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.status, "pending"));
    expect(open).toHaveLength(5);
    sim().setScenario({ downloadReset: { count: 0 } });
    const next = await collectReports(1, FAST_COLLECT);
    expect(next.reports.map((r) => r.outcome)).toEqual(Array(5).fill("completed"));
  });
});

describe("425 adoption checks the named report's configuration", () => {
  it("a 425 pointing at a report of another configuration is not adopted, and the reason is logged", async () => {
    sim().setScenario({ duplicateOfOtherConfig: { count: 1 } });
    const requested = await requestReports(1, FAST);
    const refused = requested.reports.filter((r) => r.outcome === "failed");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toMatch(/duplicate of report .*timeUnit.*not adopted/);
    expect(requested.reports.filter((r) => r.outcome === "created")).toHaveLength(4);
    const [log] = await logsOf("request");
    expect(JSON.stringify(log!.details)).toMatch(/not adopted/);
    // The date is not lost: it is a failed date like any other, asked for again by the next phase 1.
    const again = await requestReports(1, FAST);
    expect(again.reports.find((r) => r.startDate === refused[0]!.startDate)!.outcome).toBe("created");
  });
});

describe("a failed date is retried until it lands or gives up", () => {
  // Not one of the five daily lookbacks, so only the retry chain asks for it.
  const gap = () => addDays(today(), -2);

  async function failedBackfillOf(date: string) {
    sim().setScenario({ failDates: [date] });
    await backfill(1, { from: date, to: date });
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.reports.map((r) => r.outcome)).toEqual(["failed"]);
  }

  it("a failed retry is retried again (with spacing), and the date lands once Amazon delivers it", async () => {
    await failedBackfillOf(gap());
    for (let attempt = 1; attempt <= 2; attempt++) {
      await ageFinished(40);
      const requested = await requestReports(1, FAST);
      const retry = requested.reports.find((r) => r.startDate === gap())!;
      expect(retry, `retry ${attempt} requested`).toMatchObject({ kind: "retry", outcome: "created" });
      const collected = await collectReports(1, FAST_COLLECT);
      expect(collected.reports.find((r) => r.startDate === gap())!.outcome).toBe("failed");
      const [open] = (await statusReport(1)).missing;
      expect(open).toMatchObject({ startDate: gap(), retries: attempt });
    }
    // The last failure is fresh: its next retry waits (1 day after the 1st retry, 2 after the 2nd, …).
    const tooSoon = await requestReports(1, FAST);
    expect(tooSoon.reports.some((r) => r.startDate === gap())).toBe(false);

    sim().setScenario({ failDates: [] });
    await ageFinished(40);
    await requestReports(1, FAST);
    await collectReports(1, FAST_COLLECT);
    expect((await storedRows(db(), 1, gap())).length).toBeGreaterThan(0);
    expect((await statusReport(1)).missing).toEqual([]);
  });

  it(`gives up after ${MAX_DATE_RETRIES} retries; status shows the date as missing and given up`, async () => {
    await failedBackfillOf(gap());
    let retries = 0;
    for (let round = 0; round < MAX_DATE_RETRIES + 2; round++) {
      await ageFinished(40);
      const requested = await requestReports(1, FAST);
      if (requested.reports.some((r) => r.startDate === gap() && r.kind === "retry")) retries++;
      await collectReports(1, FAST_COLLECT);
    }
    expect(retries).toBe(MAX_DATE_RETRIES);
    const missing = (await statusReport(1)).missing;
    expect(missing).toEqual([
      expect.objectContaining({ startDate: gap(), retries: MAX_DATE_RETRIES, nextRetryFrom: null }),
    ]);
    // The given-up request is the record of the gap: the cleanup keeps it (it is inside retention).
    const failed = await db()
      .select()
      .from(amazonAdsPendingReports)
      .where(and(eq(amazonAdsPendingReports.status, "failed"), eq(amazonAdsPendingReports.reportDate, gap())));
    expect(failed.filter((r) => r.retriedAt === null)).toHaveLength(1);
  });

  it("a failed date that left Amazon's retention is not asked for again, and the cleanup drops it", async () => {
    const old = addDays(today(), -100);
    await db()
      .insert(amazonAdsPendingReports)
      .values({
        orgId: 1,
        reportId: "00000000-0000-4000-8000-0000000000aa",
        reportDate: old,
        reportEndDate: old,
        kind: "backfill",
        lookbackDays: 100,
        profileId: SIM_DEFAULTS.profileId,
        region: "EU",
        status: "failed",
        finishedAt: new Date(Date.now() - 2 * 86_400_000),
      });
    const requested = await requestReports(1, FAST);
    expect(requested.reports.some((r) => r.startDate === old)).toBe(false);
    await collectReports(1, FAST_COLLECT);
    const left = await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.reportDate, old));
    expect(left).toEqual([]);
  });
});

describe("a profile the organisation no longer syncs", () => {
  const GONE = "4444555566667777"; // not in the settings' profile list
  const failedDateOfGone = async (reportId: string) => {
    const date = addDays(today(), -5);
    const [row] = await db()
      .insert(amazonAdsPendingReports)
      .values({
        orgId: 1,
        reportId,
        reportDate: date,
        reportEndDate: date,
        kind: "daily",
        lookbackDays: 5,
        profileId: GONE,
        region: "EU",
        status: "failed",
        finishedAt: new Date(),
      })
      .returning();
    return row!;
  };
  const retriedAt = async (id: number) =>
    (await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, id)))[0]!.retriedAt;

  it("its failed dates are given up, not asked for again: by a per-organisation run and by the workers alike", async () => {
    const viaRun = await failedDateOfGone("00000000-0000-4000-8000-0000000000b1");
    const requested = await requestReports(1, FAST);
    expect(requested.reports.some((r) => r.profileId === GONE)).toBe(false);
    expect(await retriedAt(viaRun.id)).not.toBeNull();

    const viaWorker = await failedDateOfGone("00000000-0000-4000-8000-0000000000b2");
    await enqueueDailyRequests(db(), { orgIds: [1], runDate: "2030-01-01" });
    const worked = await runWorker({ budgetMs: 20_000, reserveMs: 500, maxIdleMs: 500, pollDelaysMs: [50] });
    expect(worked.units.discover).toBe(1);
    expect(await retriedAt(viaWorker.id)).not.toBeNull();
    const created = await db()
      .select()
      .from(amazonAdsPendingReports)
      .where(eq(amazonAdsPendingReports.profileId, GONE));
    expect(created.map((r) => r.id).sort()).toEqual([viaRun.id, viaWorker.id].sort()); // nothing new for it
  });
});

describe("credentials that cannot be read", () => {
  it("damaged ciphertext: each job writes a sync_logs error row with a clear, secret-free reason", async () => {
    await db()
      .update(settings)
      .set({ valueEncrypted: sql`'v1:' || encode(decode(repeat('00', 64), 'hex'), 'base64')` })
      .where(and(eq(settings.orgId, 1), eq(settings.key, "amazon_ads")));
    for (const job of ["request", "collect"] as const) {
      const route = job === "request" ? requestRoute : collectRoute;
      const response = await route(cronRequest(`/api/cron/amazon-ads-${job}?orgId=1`));
      expect(response.status).toBe(502);
      const [log] = await logsOf(job);
      expect(log).toMatchObject({ orgId: 1, status: "error" });
      expect(log!.message).toMatch(/cannot be read.*integrity check.*save them again/);
      expect(log!.finishedAt).not.toBeNull();
      const text = JSON.stringify(log) + JSON.stringify(await response.json());
      for (const secret of [SIM_ADS_SETTINGS.client_secret, SIM_ADS_SETTINGS.refresh_token]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(sim().requests).toHaveLength(0);
  });

  it("another SETTINGS_ENCRYPTION_KEY: the same, and the other organisations still run", async () => {
    const previous = process.env.SETTINGS_ENCRYPTION_KEY;
    process.env.SETTINGS_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
    try {
      const run = await requestReports(1, FAST);
      expect(run.status).toBe("error");
      expect(run.message).toMatch(/amazon_ads.*cannot be read/);
      const [log] = await logsOf("request");
      expect(log!.status).toBe("error");
    } finally {
      if (previous === undefined) delete process.env.SETTINGS_ENCRYPTION_KEY;
      else process.env.SETTINGS_ENCRYPTION_KEY = previous;
    }
  });
});

describe("a sync_logs row left running by a killed process", () => {
  /** A row as a process that is still running, or was killed, left it. */
  const running = async (values: { job: string; startedAt?: Date; details?: Record<string, unknown> }) =>
    (
      await db()
        .insert(syncLogs)
        .values({ orgId: 1, source: "amazon_ads", status: "running", ...values })
        .returning()
    )[0];
  const byId = async (id: number) => (await db().select().from(syncLogs).where(eq(syncLogs.id, id)))[0]!;
  const endingIn = (ms: number) => ({ expectedEndAt: new Date(Date.now() + ms).toISOString() });

  it("is closed as interrupted by the next run of that org and job; a run still going is left alone", async () => {
    const killed = await running({ job: "collect", startedAt: new Date(Date.now() - 3_600_000) });
    const going = await running({ job: "collect", details: endingIn(200_000) });
    const otherJob = await running({ job: "request", startedAt: new Date(Date.now() - 3_600_000) });
    await collectReports(1, FAST_COLLECT);
    expect(await byId(killed!.id)).toMatchObject({
      status: "interrupted",
      message: expect.stringMatching(/^Interrupted/),
    });
    expect((await byId(killed!.id)).finishedAt).not.toBeNull();
    expect((await byId(going!.id)).status).toBe("running");
    expect((await byId(otherJob!.id)).status).toBe("running");
  });

  it("is closed by the clean-up of any dispatch, whatever its organisation and job (one that never runs again)", async () => {
    const killed = await running({ job: "history", details: endingIn(-600_000) });
    const going = await running({ job: "history", details: endingIn(60_000) });
    await cleanUpFinishedWork(db());
    expect(await byId(killed!.id)).toMatchObject({
      status: "interrupted",
      message: expect.stringMatching(/^Interrupted/),
    });
    expect((await byId(going!.id)).status).toBe("running");
  });
});

describe("a day never goes back to an older report", () => {
  it("an older report that finishes last leaves the newer report's data of the day it shares", async () => {
    const day = addDays(today(), -40);
    // The older report (day only) waits at Amazon; the newer one (the day before and the day) loads first.
    sim().setScenario({ stuckDates: [day] });
    await requestBackfill(1, { from: day, to: day }, FAST);
    await requestBackfill(1, { from: addDays(day, -1), to: day }, FAST);
    await collectReports(1, { ...FAST_COLLECT, budgetMs: 2_000 });
    const newer = await storedRows(db(), 1, day);
    expect(newer).toEqual(amazonRows(sim(), day));

    // Amazon restates the account before the older report is generated: its data of the day differs.
    sim().setScenario({ stuckDates: [], restatementVersion: 1 });
    expect(amazonRows(sim(), day)).not.toEqual(newer);
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.reports.map((r) => `${r.startDate}..${r.endDate}:${r.outcome}`)).toEqual([
      `${day}..${day}:completed`,
    ]);
    expect(await storedRows(db(), 1, day)).toEqual(newer);
    const loads = await db()
      .select()
      .from(amazonAdsDayLoads)
      .where(and(eq(amazonAdsDayLoads.orgId, 1), eq(amazonAdsDayLoads.date, day)));
    expect(loads.map((l) => `${l.superseded}:${l.suspectEmpty}`).sort()).toEqual(["false:false", "true:false"]);
    // verify reads the newer load, not the skipped one, and finds nothing wrong with the day.
    const verified = await verifyData({ orgId: 1, from: day, to: day });
    expect(verified.days.map((d) => d.flags)).toEqual([[]]);
  });
});

describe("dates", () => {
  it("the gap date of these tests is not one of the daily lookbacks", () => {
    expect(lookbackDates(today()).map((d) => d.date)).not.toContain(addDays(today(), -2));
  });
});
