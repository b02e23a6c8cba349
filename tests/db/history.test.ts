// A new profile's history (issue 30): on the day a profile is first synced, every day Amazon still
// keeps is asked for once, as range reports after the spec's five lookbacks (that a day never goes
// back to an older report is in sync-recovery.test.ts, on both backends). The rest of the db tier runs
// with the history off (vitest.config.ts); this file turns it back to its default. PostgreSQL only: its
// queue and claims are the same SQL on PGlite.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as collectRoute } from "@/app/api/cron/amazon-ads-collect/route";
import { GET as requestRoute } from "@/app/api/cron/amazon-ads-request/route";
import { GET as workerRoute } from "@/app/api/cron/amazon-ads-worker/route";
import {
  collectReports,
  dispatch,
  enqueueDailyRequests,
  requestReports,
  statusReport,
  verifyData,
} from "@/lib/amazon-ads";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { claimNextUnit } from "@/lib/amazon-ads/queue/claim";
import { amazonAdsPendingReports, amazonAdsProfileHistory, amazonAdsRequestUnits, syncLogs } from "@/lib/db/schema";
import { saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULTS, type Simulator } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { setupRouteServer } from "../support/route-server";
import { SIM_ADS_SETTINGS } from "../support/simulator";
import { cronRequest, dailyDates, fastPhases, reportCreates, setupSyncTest, today } from "../support/sync-fixture";

const DAY_MS = 86_400_000;
/** Amazon's clock runs ahead by this much (its retention starts later than ours). */
let amazonAhead = 0;
const { db, sim } = setupSyncTest({
  simulator: { now: () => new Date(Date.now() + amazonAhead) },
  cron: true,
  settings: "each",
});
const app = setupRouteServer({ "/api/cron/amazon-ads-worker": workerRoute });
const { FAST, FAST_COLLECT } = fastPhases(50);
const WORKER = {
  budgetMs: 20_000,
  reserveMs: 500,
  maxIdleMs: 2_000,
  pollDelaysMs: [50],
  client: { retry: { baseDelayMs: 5, maxDelayMs: 200 } },
};

const saved = process.env.AMAZON_ADS_HISTORY_DAYS;
beforeAll(() => {
  delete process.env.AMAZON_ADS_HISTORY_DAYS; // the default: Amazon's 95 days
});
afterAll(() => {
  if (saved === undefined) delete process.env.AMAZON_ADS_HISTORY_DAYS;
  else process.env.AMAZON_ADS_HISTORY_DAYS = saved;
});
beforeEach(() => {
  amazonAhead = 0;
  delete process.env.AMAZON_ADS_HISTORY_DAYS;
});

/** The date ranges of the reports Amazon created (refused creates aside), in the order they were sent. */
const createdRanges = (s: Simulator, profileId = SIM_DEFAULTS.profileId) =>
  reportCreates(s)
    .filter((r) => r.headers["amazon-advertising-api-scope"] === profileId && r.status! < 300)
    .map((r) => {
      const body = JSON.parse(r.body) as { startDate: string; endDate: string };
      return `${body.startDate}..${body.endDate}`;
    });

/** `today` minus `oldest` .. `today` minus `newest`. */
const agesRange = (oldest: number, newest: number) => `${addDays(today(), -oldest)}..${addDays(today(), -newest)}`;
/** The 95 days Amazon keeps, split as the history asks for them: around the lookbacks, at most 31 days each. */
const HISTORY_RANGES = () => [agesRange(32, 2), agesRange(63, 33), agesRange(94, 64), agesRange(95, 95)];

/** Distinct dates with rows for a profile. */
async function storedDates(profileId = SIM_DEFAULTS.profileId): Promise<string[]> {
  const result = await db().execute(
    sql`select distinct date::text as date from amazon_sp_ads where org_id = 1 and profile_id = ${profileId} order by 1`,
  );
  return (result as unknown as { rows: Array<{ date: string }> }).rows.map((r) => r.date);
}

/** Every day Amazon keeps: yesterday back to day 95. */
const everyKeptDay = () => Array.from({ length: 95 }, (_, i) => addDays(today(), -(95 - i)));

describe("a new profile's history", () => {
  it("comes after the day's five lookbacks on its first day, loads every day Amazon keeps, and is queued once", async () => {
    const first = await requestReports(1, FAST);
    // Phase 1 as the spec says: five lookbacks, created first, history apart from them.
    expect(first.reports.map((r) => `${r.kind}:${r.outcome}`)).toEqual(Array(5).fill("daily:created"));
    expect(first.message).toMatch(/history queued for 1 new profile\(s\)/);
    const ranges = createdRanges(sim());
    expect(ranges.slice(0, 5)).toEqual(dailyDates().map((d) => `${d}..${d}`));
    expect(ranges.slice(5)).toEqual(HISTORY_RANGES());
    const historyLog = await db().select().from(syncLogs).where(eq(syncLogs.job, "history"));
    expect(historyLog.map((l) => `${l.status} ${l.message}`)).toEqual([
      "success History requested 4 report(s) for 1 profile(s): 4 created",
    ]);
    expect((await statusReport(1)).history).toMatchObject([
      { profileId: SIM_DEFAULTS.profileId, state: "loading", daysLoaded: 0, daysTotal: 94 },
    ]);

    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.status).toBe("success");
    expect(collected.reports.filter((r) => r.outcome === "completed")).toHaveLength(9);
    expect(await storedDates()).toEqual(everyKeptDay());
    for (const age of [2, 31, 64, 95]) {
      const date = addDays(today(), -age);
      expect(await storedRows(db(), 1, date), date).toEqual(amazonRows(sim(), date));
    }
    expect((await statusReport(1)).history).toMatchObject([{ state: "done", daysLoaded: 94, daysTotal: 94 }]);

    // The next runs ask for the lookbacks only: a profile's history is asked for once.
    const createsBefore = reportCreates(sim()).length;
    await requestReports(1, FAST);
    const again = createdRanges(sim()).slice(createsBefore);
    expect(again).toEqual(dailyDates().map((d) => `${d}..${d}`));
    const units = await db().select().from(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.job, "history"));
    expect(units.map((u) => `${u.profileId}:${u.status}`)).toEqual([`${SIM_DEFAULTS.profileId}:done`]);
  });

  it("through the spec's per-organisation cron routes, and through the dispatch, alike", async () => {
    expect((await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"))).status).toBe(200);
    expect((await collectRoute(cronRequest("/api/cron/amazon-ads-collect?orgId=1"))).status).toBe(200);
    expect(createdRanges(sim()).slice(5)).toEqual(HISTORY_RANGES());
    const viaRoutes = await storedDates();
    expect(viaRoutes).toEqual(everyKeptDay());

    // A second organisation on the dispatch's workers: the history is claimed after the day's units.
    await db().delete(amazonAdsProfileHistory);
    await db().execute(sql`delete from amazon_sp_ads`);
    await db().execute(sql`delete from amazon_ads_day_loads`);
    await db().execute(sql`delete from amazon_ads_pending_reports`);
    await db().execute(sql`delete from amazon_ads_request_units`);
    sim().reset();
    sim().setScenario({ pollsBeforeComplete: 1 });
    // Its phase 1 on a worker invocation over HTTP (as on Vercel), whose answer lists the history's row too.
    const workerUrl = `${app.url()}/api/cron/amazon-ads-worker`;
    const viaHttp = await dispatch("request", { workers: 1, via: "http", workerUrl, worker: { budgetMs: 6_000 } });
    expect(viaHttp.workers.map((w) => w.error)).toEqual([undefined]);
    expect(viaHttp.organisations.map((o) => o.job)).toEqual(expect.arrayContaining(["request", "history"]));
    // That worker may have polled some with its default (slower) pacing: all due now for this collect.
    await db().update(amazonAdsPendingReports).set({ nextPollAt: new Date() });
    await dispatch("collect", { workers: 1, via: "in-process", worker: WORKER });
    const ranges = createdRanges(sim());
    expect(ranges.slice(0, 5)).toEqual(dailyDates().map((d) => `${d}..${d}`));
    expect(ranges.slice(5)).toEqual(HISTORY_RANGES());
    expect(await storedDates()).toEqual(viaRoutes);
  });

  it("a profile that joins later gets its own history, the others none again", async () => {
    await saveAmazonAdsSettings(1, { ...SIM_ADS_SETTINGS, profiles: "all" });
    await requestReports(1, FAST);
    const firstSeen = (await db().select().from(amazonAdsProfileHistory)).map((h) => h.profileId);
    expect(firstSeen).toContain(SIM_DEFAULTS.profileId);
    const laterId = "366822873177999";
    sim().addProfile(SIM_DEFAULTS.clientId, { ...SIM_DEFAULTS.profile, profileId: laterId });
    const createsBefore = reportCreates(sim()).length;
    const next = await requestReports(1, FAST);
    expect(next.message).toMatch(/history queued for 1 new profile\(s\)/);
    const newCreates = reportCreates(sim()).slice(createsBefore);
    const rangesOf = (profileId: string) =>
      newCreates
        .filter((r) => r.headers["amazon-advertising-api-scope"] === profileId)
        .map((r) => JSON.parse(r.body) as { startDate: string; endDate: string })
        .filter((b) => b.startDate !== b.endDate || !dailyDates().includes(b.startDate))
        .map((b) => `${b.startDate}..${b.endDate}`);
    expect(rangesOf(laterId)).toEqual(HISTORY_RANGES());
    expect(rangesOf(SIM_DEFAULTS.profileId)).toEqual([]);
    const histories = await db().select().from(amazonAdsProfileHistory);
    expect(histories.map((h) => h.profileId).sort()).toEqual([...firstSeen, laterId].sort());
  });

  it("can be shortened or switched off by the operator", async () => {
    process.env.AMAZON_ADS_HISTORY_DAYS = "10";
    await requestReports(1, FAST);
    // Days 2–10 but the lookbacks' 3 and 7: one report from day 10 to day 2.
    expect(createdRanges(sim()).slice(5)).toEqual([agesRange(10, 2)]);
    expect((await statusReport(1)).history).toMatchObject([{ from: addDays(today(), -10), daysTotal: 9 }]);

    await db().delete(amazonAdsProfileHistory);
    await db().delete(amazonAdsRequestUnits);
    process.env.AMAZON_ADS_HISTORY_DAYS = "0";
    const createsBefore = reportCreates(sim()).length;
    const run = await requestReports(1, FAST);
    expect(run.message).not.toMatch(/history/);
    expect(reportCreates(sim()).length - createsBefore).toBe(0); // the five are still open: already pending
    expect(await db().select().from(amazonAdsProfileHistory)).toEqual([]);
  });

  it("starts at Amazon's retention start when Amazon says it comes later than ours, and is not failed for it", async () => {
    amazonAhead = 2 * DAY_MS; // Amazon's day 95 is our day 93
    await requestReports(1, FAST);
    const refused = sim().requests.filter((r) => r.path.endsWith("/reporting/reports") && r.status === 400);
    expect(refused).toHaveLength(2); // days 94–64 (asked again from day 93), and day 95 (nothing left)
    expect(createdRanges(sim()).slice(5)).toEqual([agesRange(32, 2), agesRange(63, 33), agesRange(93, 64)]);
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.job, "history"));
    expect(log!.status).toBe("success");
    expect(log!.message).toBe("History requested 4 report(s) for 1 profile(s): 3 created, 1 skipped");
    await collectReports(1, FAST_COLLECT);
    const history = (await statusReport(1)).history;
    expect(history).toMatchObject([{ state: "done", from: addDays(today(), -93), daysTotal: 92, daysLoaded: 92 }]);
  });
});

describe("history after the day's work", () => {
  it("claims take the day's request units, then the day's reports, then history units and reports, whatever their age", async () => {
    const profile = { ...SIM_DEFAULTS.profile };
    const hourAgo = sql`now() - interval '1 hour'`;
    await db()
      .insert(amazonAdsRequestUnits)
      .values({
        orgId: 1,
        runDate: today(),
        kind: "profile",
        job: "history",
        plan: { days: 95 },
        planKey: "history",
        profileId: SIM_DEFAULTS.profileId,
        profile,
        availableAt: hourAgo,
      });
    const due = (reportId: string, kind: "daily" | "history", minutesAgo: number, date: string) => ({
      orgId: 1,
      reportId,
      reportDate: date,
      reportEndDate: date,
      kind,
      lookbackDays: 1,
      profileId: SIM_DEFAULTS.profileId,
      region: "EU" as const,
      nextPollAt: sql`now() - make_interval(mins => ${minutesAgo})`,
    });
    await db()
      .insert(amazonAdsPendingReports)
      .values([due("r-history", "history", 90, addDays(today(), -50)), due("r-daily", "daily", 30, dailyDates()[0]!)]);
    await enqueueDailyRequests(db(), { orgIds: [1] });
    const claim = (history?: boolean) => claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 10, history });
    const order = [];
    // Near its budget's end a worker takes no history (history: false), only the day's work.
    for (let c = await claim(false); c; c = await claim(false))
      order.push(c.kind === "report" ? `report:${c.unit.kind}` : `${c.unit.kind}:${c.unit.job}`);
    expect(order).toEqual(["discover:request", "report:daily"]);
    for (let c = await claim(); c; c = await claim())
      order.push(c.kind === "report" ? `report:${c.unit.kind}` : `${c.unit.kind}:${c.unit.job}`);
    expect(order).toEqual(["discover:request", "report:daily", "profile:history", "report:history"]);
  });
});

describe("the account of a history", () => {
  it("a range Amazon fails: status says failed with why and when it is tried again; verify flags its days missing", async () => {
    const failedStart = addDays(today(), -63);
    sim().setScenario({ failDates: [failedStart] });
    await requestReports(1, FAST);
    await collectReports(1, FAST_COLLECT);
    const [history] = (await statusReport(1)).history;
    expect(history).toMatchObject({ state: "failed", daysTotal: 94, daysLoaded: 94 - 31 });
    expect(history!.error).toMatch(/./);
    expect(history!.retryFrom).not.toBeNull();
    const verified = await verifyData({ orgId: 1, from: failedStart, to: addDays(today(), -33) });
    expect(verified.days).toHaveLength(31);
    expect(verified.days.every((d) => d.flags.includes("missing"))).toBe(true);
    expect(verified.days[0]!.retryState).toMatch(/^failed.*next retry from/);
    // The loaded neighbours are not flagged.
    const around = await verifyData({ orgId: 1, from: addDays(today(), -64), to: addDays(today(), -64) });
    expect(around.days.map((d) => d.flags)).toEqual([[]]);
  });
});
