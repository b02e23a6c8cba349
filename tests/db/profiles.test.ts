// Several advertiser profiles per organisation, against the simulator's multi-marketplace login
// (client 3: GB, DE sharing GB's campaign ids, US, JP, an agency and a vendor without report access).
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { backfill, collectReports, requestReports, statusReport, testAdsConnection } from "@/lib/amazon-ads";
import { syncLogs } from "@/lib/db/schema";
import { getAmazonAdsSettings, saveAmazonAdsSettings } from "@/lib/settings";
import {
  SIM_MULTI_CLIENT,
  SIM_MULTI_DATE_SPLIT_NOW,
  SIM_MULTI_PROFILE_IDS as IDS,
  simMultiProfiles,
} from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { fastPhases, reportCreates, setupSyncTest, simLogin } from "../support/sync-fixture";

// At SPLIT it is still 15 June in London, Los Angeles and Toronto, already 16 June in Berlin and Tokyo.
const SPLIT = new Date(SIM_MULTI_DATE_SPLIT_NOW);
// At NOON every profile is on 15 June.
const NOON = new Date("2025-06-15T12:00:00Z");
let now = NOON;
// Each test saves the login's profiles it wants.
const { db, sim } = setupSyncTest({ simulator: { now: () => now }, settings: "none" });
const { FAST, FAST_COLLECT } = fastPhases(50);

const LOGIN = { ...simLogin(SIM_MULTI_CLIENT), region: "EU" as const };
const useProfiles = (profile_id: string, profiles: "listed" | "all" = "listed") =>
  saveAmazonAdsSettings(1, { ...LOGIN, profile_id, profiles });

beforeEach(() => {
  now = NOON;
});

describe("every profile of one login, each in its own region and time zone", () => {
  it("counts the lookbacks from each profile's own today, on its region's host, with one token", async () => {
    await useProfiles("", "all");
    now = SPLIT;
    const run = await requestReports(1, { ...FAST, now: SPLIT });
    expect(run.status).toBe("success");
    const today = Object.fromEntries(run.profiles.map((p) => [p.profileId, p.today]));
    expect(today).toEqual({
      [IDS.GB]: "2025-06-15",
      [IDS.DE]: "2025-06-16",
      [IDS.US]: "2025-06-15",
      [IDS.JP]: "2025-06-16",
    });
    const dayOne = (id: string) => run.reports.find((r) => r.profileId === id && r.lookbackDays === 1)!.startDate;
    expect([dayOne(IDS.GB), dayOne(IDS.DE), dayOne(IDS.JP)]).toEqual(["2025-06-14", "2025-06-15", "2025-06-15"]);
    // Never the agency or the vendor without report access.
    expect(new Set(run.reports.map((r) => r.profileId))).toEqual(new Set([IDS.GB, IDS.DE, IDS.US, IDS.JP]));
    const host = (id: string) =>
      new Set(
        reportCreates(sim())
          .filter((r) => r.headers["amazon-advertising-api-scope"] === id)
          .map((r) => r.path.split("/")[1]),
      );
    expect([host(IDS.GB), host(IDS.US), host(IDS.JP)]).toEqual([new Set(["eu"]), new Set(["na"]), new Set(["fe"])]);
    expect(sim().requests.filter((r) => r.path.endsWith("/auth/o2/token"))).toHaveLength(1);
  });

  it("stores the same campaign id of two profiles as two rows, each exactly as its profile's report", async () => {
    await useProfiles(`${IDS.GB},${IDS.DE}`);
    await requestReports(1, { ...FAST, now: NOON });
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.reports.map((r) => r.outcome)).toEqual(Array(10).fill("completed"));
    const date = "2025-06-14";
    for (const id of [IDS.GB, IDS.DE]) {
      const expected = amazonRows(sim(), date, id);
      expect(await storedRows(db(), 1, date, id)).toEqual(expected);
    }
    const gbIds = (await storedRows(db(), 1, date, IDS.GB)).map((r) => r.campaignId);
    const deIds = (await storedRows(db(), 1, date, IDS.DE)).map((r) => r.campaignId);
    const shared = gbIds.filter((id) => deIds.includes(id));
    expect(shared.length).toBeGreaterThan(0);
    // Including campaign 0, whose id is above 2^53: it survives byte-exact in both profiles' rows.
    expect(shared.some((id) => BigInt(id!) > 2n ** 53n)).toBe(true);
    expect((await storedRows(db(), 1, date)).length).toBe(gbIds.length + deIds.length);
    // Per profile in status and in the collect's summary.
    const status = await statusReport(1, { now: NOON });
    expect(new Set(status.daily.filter((d) => d.date === date).map((d) => d.profileId))).toEqual(
      new Set([IDS.GB, IDS.DE]),
    );
    expect(collected.profiles.map((p) => [p.profileId, p.status]).sort()).toEqual(
      [
        [IDS.GB, "success"],
        [IDS.DE, "success"],
      ].sort(),
    );
  });

  it("'every profile' picks up a profile added at Amazon on the next run", async () => {
    await useProfiles("", "all");
    const first = await requestReports(1, { ...FAST, now: NOON });
    expect(first.profiles).toHaveLength(4);
    const [gb] = simMultiProfiles();
    sim().addProfile(SIM_MULTI_CLIENT.clientId, {
      ...gb!,
      profileId: "3333000000000099",
      countryCode: "IE",
      timezone: "Europe/Dublin",
    });
    const next = await requestReports(1, { ...FAST, now: NOON });
    expect(next.profiles.map((p) => p.profileId)).toContain("3333000000000099");
    expect(next.reports.filter((r) => r.profileId === "3333000000000099" && r.outcome === "created")).toHaveLength(5);
  });

  it("a profile removed at Amazon is logged for that profile while the others load", async () => {
    await useProfiles(`${IDS.GB},${IDS.US},${IDS.JP}`);
    sim().removeProfile(SIM_MULTI_CLIENT.clientId, IDS.US);
    const run = await requestReports(1, { ...FAST, now: NOON });
    expect(run.status).toBe("partial");
    const us = run.profiles.find((p) => p.profileId === IDS.US)!;
    expect(us).toMatchObject({
      status: "error",
      message: expect.stringMatching(/not among the profiles this login can see/),
    });
    expect(
      run.reports
        .filter((r) => r.outcome === "created")
        .map((r) => r.profileId)
        .sort(),
    ).toEqual([...Array(5).fill(IDS.GB), ...Array(5).fill(IDS.JP)].sort());
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.job, "request"));
    expect(log!.status).toBe("partial");
    expect(JSON.stringify(log!.details)).toContain(IDS.US);
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.reports.map((r) => r.outcome)).toEqual(Array(10).fill("completed"));
  });

  it("a listed agency or no-access profile is refused with the reason; backfill takes one profile", async () => {
    await useProfiles(`${IDS.GB},${IDS.AGENCY_FR},${IDS.VENDOR_CA_NO_REPORTS}`);
    const run = await requestReports(1, { ...FAST, now: NOON });
    const why = Object.fromEntries(run.profiles.map((p) => [p.profileId, p.message]));
    expect(why[IDS.AGENCY_FR]).toMatch(/agency/);
    expect(why[IDS.VENDOR_CA_NO_REPORTS]).toMatch(/may not read its reports/);
    await useProfiles(`${IDS.GB},${IDS.DE}`);
    const filled = await backfill(1, { from: "2025-06-01", to: "2025-06-03", profileIds: [IDS.DE], now: NOON });
    expect(filled.organisations[0]!.reports.map((r) => [r.profileId, r.startDate, r.endDate])).toEqual([
      [IDS.DE, "2025-06-01", "2025-06-03"],
    ]);
  });
});

describe("Test connection with several profiles", () => {
  it("lists every profile in NA, EU and FE, marks the selected ones, and says which cannot run the report", async () => {
    await useProfiles(IDS.DE);
    const result = await testAdsConnection((await getAmazonAdsSettings(1))!);
    expect(result.ok).toBe(true);
    const listed = result.profiles as Array<{
      profileId: string;
      region: string;
      selected: boolean;
      canReport: boolean;
      whyNot?: string;
    }>;
    expect(listed.map((p) => p.profileId).sort()).toEqual(Object.values(IDS).sort());
    expect(listed.filter((p) => p.selected).map((p) => p.profileId)).toEqual([IDS.DE]);
    expect(listed.find((p) => p.profileId === IDS.JP)!.region).toBe("FE");
    expect(listed.find((p) => p.profileId === IDS.AGENCY_FR)).toMatchObject({
      canReport: false,
      whyNot: expect.stringMatching(/agency/),
    });
    expect(listed.find((p) => p.profileId === IDS.VENDOR_CA_NO_REPORTS)).toMatchObject({ canReport: false });

    await useProfiles(`${IDS.DE},${IDS.AGENCY_FR}`);
    const refused = await testAdsConnection((await getAmazonAdsSettings(1))!);
    expect(refused).toMatchObject({ ok: false, problem: "profile_cannot_report" });
  });
});
