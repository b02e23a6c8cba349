// A restated day mirrors Amazon's latest report, an empty report over a day with rows is suspect, and
// verifyData (`npm run ads -- verify`) flags what cannot be trusted: each flag with a case that trips it
// and one that does not, against the simulator through the real request and collect.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { collectReports } from "@/lib/amazon-ads/work/org-run";
import { backfill } from "@/lib/amazon-ads/work/backfill";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { verifyData, verifyRange, type VerifiedDay } from "@/lib/amazon-ads/reporting/verify";
import { amazonSpAds, syncLogs } from "@/lib/db/schema";
import { InvalidInputError } from "@/lib/errors";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { dailyDates, fastPhases, resetSyncState, setupSyncTest, today } from "../support/sync-fixture";
import { amazonRows, storedRows } from "../support/rows";

const { db, sim } = setupSyncTest();
const phases = fastPhases(2_000);
const { FAST_COLLECT } = phases;
const PROFILE = SIM_DEFAULTS.profileId;

/** Phase 1 then phase 2: the collect's summary. */
const fullCycle = async () => (await phases.fullCycle()).collected;
const dayOf = async (date: string, range: { from?: string; to?: string } = {}): Promise<VerifiedDay | undefined> =>
  (await verifyData({ orgId: 1, from: range.from ?? addDays(date, -1), to: range.to ?? addDays(date, 1) })).days.find(
    (d) => d.date === date && d.profileId === PROFILE,
  );

describe("a restated day", () => {
  it("drops the rows of a campaign Amazon withdrew, and verify shows how far the restatement moved the day", async () => {
    await fullCycle();
    const date = dailyDates()[1]!; // day-3
    const before = await db()
      .select({ campaignId: amazonSpAds.campaignId })
      .from(amazonSpAds)
      .where(and(eq(amazonSpAds.date, date), eq(amazonSpAds.profileId, PROFILE)));
    const withdrawn = String(before[0]!.campaignId);
    sim().setScenario({ restatementVersion: 1, withdrawnCampaignIds: [withdrawn] });
    await new Promise((r) => setTimeout(r, 20));
    await fullCycle();
    const expected = amazonRows(sim(), date, PROFILE);
    expect(expected.some((r) => r.campaignId === withdrawn)).toBe(false);
    expect(await storedRows(db(), 1, date)).toEqual(expected);

    const day = (await dayOf(date))!;
    expect(day.rows).toBe(before.length - 1);
    expect(day.flags).toEqual([]);
    expect(day.loadedAtAges).toEqual([3]);
    expect(day.final).toBe(false);
    expect(day.costMoved).not.toBeNull();
    expect(day.costMoved).not.toBe("0");
    expect(day.firstLoadedAt! < day.lastLoadedAt!).toBe(true);
    const final = (await dayOf(dailyDates()[4]!))!; // day-30
    expect(final.final).toBe(true);
    expect(final.currency).toBe(SIM_DEFAULTS.profile.currencyCode);
  });
});

describe("verify flags", () => {
  it("suspect-empty: an empty report over a day with rows keeps them and warns; a later non-empty report clears it", async () => {
    await fullCycle();
    const date = dailyDates()[2]!; // day-7
    const rows = (await storedRows(db(), 1, date)).length;
    expect(rows).toBeGreaterThan(0);
    expect((await dayOf(date))!.flags).toEqual([]);

    sim().setScenario({ emptyDates: [date] });
    const collected = await fullCycle();
    expect(collected.reports.find((r) => r.startDate === date)!.outcome).toBe("completed");
    expect(await storedRows(db(), 1, date)).toHaveLength(rows);
    const logs = await db().select().from(syncLogs);
    const warnings = logs.flatMap((l) => ((l.details as { warnings?: string[] } | null)?.warnings ?? []) as string[]);
    expect(warnings.find((w) => w.includes("Suspect empty day"))).toMatch(
      new RegExp(`org 1, profile ${PROFILE}\\) had no rows for ${date}, which holds ${rows} stored rows`),
    );
    expect((await dayOf(date))!.flags).toEqual(["suspect-empty"]);

    sim().setScenario({ emptyDates: [] });
    await fullCycle();
    expect((await dayOf(date))!.flags).toEqual([]);
  });

  it("an empty report over a day without rows is an empty day, not suspect", async () => {
    const date = dailyDates()[3]!;
    sim().setScenario({ emptyDates: [date] });
    await fullCycle();
    const day = (await dayOf(date))!;
    expect(day).toMatchObject({ rows: 0, flags: [], loadedAtAges: [14] });
  });

  it("missing: a planned date whose request failed, with its retry state; a loaded date is not", async () => {
    const [yesterday, day3] = dailyDates();
    sim().setScenario({ failDates: [yesterday!] });
    await fullCycle();
    const missing = (await dayOf(yesterday!, { to: yesterday }))!;
    expect(missing.flags).toEqual(["missing"]);
    expect(missing.retryState).toMatch(/^failed after 0 retries: .*; next retry from /);
    expect((await dayOf(day3!))!.flags).toEqual([]);
    const report = await verifyData({ orgId: 1, to: yesterday });
    expect(report.flagged).toBe(1);
  });

  it("suspect-column: a family null in every row of a day while its neighbours have values; not when null everywhere", async () => {
    const from = addDays(today(), -8);
    const to = addDays(today(), -6);
    const middle = addDays(from, 1);
    const oneDay = ["sales1d", "purchases1d", "unitsSoldClicks1d"];
    sim().setScenario({ nullColumns: { dates: [middle], columns: oneDay } });
    await backfill(1, { from, to });
    await collectReports(1, FAST_COLLECT);
    const report = await verifyData({ orgId: 1, from, to });
    const flagged = report.days.filter((d) => d.flags.length);
    expect(flagged.map((d) => [d.date, d.flags, d.nullFamilies])).toEqual([[middle, ["suspect-column"], ["1d"]]]);
    expect(report.days.find((d) => d.date === from)!.loadedAtAges).toEqual([8]);

    await resetSyncState(db(), sim());
    sim().setScenario({ nullColumns: { dates: [from, middle, to], columns: oneDay } });
    await backfill(1, { from, to });
    await collectReports(1, FAST_COLLECT);
    expect((await verifyData({ orgId: 1, from, to })).flagged).toBe(0);
  });

  it("refuses a range it cannot answer", () => {
    const now = new Date("2026-06-30T12:00:00Z");
    expect(verifyRange({ now })).toEqual({ from: "2026-05-31", to: "2026-06-29" });
    expect(() => verifyRange({ now, from: "2026-03-01" })).toThrow(InvalidInputError);
    expect(() => verifyRange({ now, from: "2026-06-10", to: "2026-06-01" })).toThrow(InvalidInputError);
    expect(() => verifyRange({ now, from: "June" })).toThrow(/YYYY-MM-DD/);
    // Shaped like dates, yet not real ones: said as such, before any query.
    expect(() => verifyRange({ now, from: "2026-06-31" })).toThrow(/--from must be a real date/);
    expect(() => verifyRange({ now, to: "2026-02-30" })).toThrow(/--to must be a real date/);
  });
});
