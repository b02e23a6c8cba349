import { describe, expect, it } from "vitest";
import {
  SIM_DEFAULT_PROFILES,
  SIM_DEFAULTS,
  SIM_MULTI_CLIENT,
  SIM_MULTI_DATE_SPLIT_NOW,
  SIM_MULTI_PROFILE_IDS,
  SIM_SECOND_CLIENT,
} from "./defaults";
import {
  createReport,
  DAILY_COLUMNS,
  deleteReport,
  fetchReportText,
  fetchToken,
  getReport,
  listedIds,
  listedProfiles,
  listing,
  multiCall,
  multiListing,
  parseRowsLossless,
  reportBody,
  reportRows,
  startSim,
  startSimWithToken,
  unauthorizedDetails,
} from "./test-prelude";
import type { Region, SimProfile } from "./types";

// Client 3: one login with profiles on several marketplaces, an agency and a vendor without report access.

const { GB, DE, US, JP, AGENCY_FR, VENDOR_CA_NO_REPORTS } = SIM_MULTI_PROFILE_IDS;

describe("GET /v2/profiles for a multi-marketplace login", () => {
  it("lists every profile of the called region by default, agency and vendor without report access included", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([GB, DE, AGENCY_FR]);
    expect(await listedIds(sim, token, multiListing("NA"))).toEqual([US, VENDOR_CA_NO_REPORTS]);
    const fe = await listedProfiles(sim, token, multiListing("FE"));
    expect(fe.ids).toEqual([JP]);
    expect(fe.items[0]).toMatchObject({
      countryCode: "JP",
      currencyCode: "JPY",
      timezone: "Asia/Tokyo",
      accountInfo: { marketplaceStringId: "A1VC38T7YXB528", type: "seller", validPaymentMethod: true },
    });
    const eu = await listedProfiles(sim, token, multiListing("EU"));
    expect(
      eu.items.map((item) => [item.countryCode, item.timezone, (item.accountInfo as { type: string }).type]),
    ).toEqual([
      ["GB", "Europe/London", "seller"],
      ["DE", "Europe/Berlin", "seller"],
      ["FR", "Europe/Paris", "agency"],
    ]);
    const na = await listedProfiles(sim, token, multiListing("NA"));
    expect(na.items[1]).toMatchObject({
      countryCode: "CA",
      timezone: "America/Toronto",
      accountInfo: { type: "vendor" },
    });
  });

  it("apiProgram=report&accessLevel=view lists only the profiles whose reports the login may read", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const query = "?apiProgram=report&accessLevel=view";
    expect(await listedIds(sim, token, multiListing("NA", query))).toEqual([US]);
    // The agency stays: a client has to skip it by accountInfo.type.
    expect(await listedIds(sim, token, multiListing("EU", query))).toEqual([GB, DE, AGENCY_FR]);
    expect(await listedIds(sim, token, multiListing("FE", query))).toEqual([JP]);
  });

  it("ignores other query parameters", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const other = await listedProfiles(
      sim,
      token,
      multiListing("NA", "?apiProgram=campaign&accessLevel=edit&profileTypeFilter=seller&x=1"),
    );
    expect(other.ids).toEqual([US, VENDOR_CA_NO_REPORTS]);
  });

  it("leaves clients 1 and 2 as they were, with or without the report filter", async () => {
    const sim = await startSim();
    const first = await fetchToken(sim);
    const second = await fetchToken(sim, SIM_SECOND_CLIENT);
    const { clientId } = SIM_DEFAULTS;
    for (const query of ["", "?apiProgram=report&accessLevel=view"]) {
      expect(await listedIds(sim, first, listing(clientId, "EU", query))).toEqual([SIM_DEFAULTS.profileId]);
      expect(await listedIds(sim, first, listing(clientId, "NA", query))).toEqual(["1111222233334444"]);
      expect(await listedIds(sim, first, listing(clientId, "FE", query))).toEqual([]);
      expect(await listedIds(sim, second, listing(SIM_SECOND_CLIENT.clientId, "EU", query))).toEqual([
        "4444555566667777",
      ]);
    }
    // Neither tenant may use the other's profiles.
    const response = await createReport(sim, first, reportBody(), { profileId: GB });
    expect(await unauthorizedDetails(response)).toBe("No matching advertiser found for scope");
    const token3 = await fetchToken(sim, SIM_MULTI_CLIENT);
    const crossed = await createReport(sim, token3, reportBody(), multiCall("EU", SIM_DEFAULTS.profileId));
    expect(await unauthorizedDetails(crossed)).toBe("No matching advertiser found for scope");
  });
});

describe("reporting calls for profiles the login may not report on", () => {
  it('answer 401 "Not authorized to access scope" for a vendor without report access (create, get, delete)', async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const call = multiCall("NA", VENDOR_CA_NO_REPORTS);
    expect(await unauthorizedDetails(await createReport(sim, token, reportBody(), call))).toBe(
      "Not authorized to access scope",
    );
    const reportId = "00000000-0000-4000-8000-000000000000";
    expect(await unauthorizedDetails(await getReport(sim, token, reportId, call))).toBe(
      "Not authorized to access scope",
    );
    const deleted = await deleteReport(sim, token, reportId, call);
    expect(await unauthorizedDetails(deleted)).toBe("Not authorized to access scope");
    expect(sim.reports()).toEqual([]);
  });

  it("answer 401 for an agency profile, which has no campaigns of its own", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const response = await createReport(sim, token, reportBody(), multiCall("EU", AGENCY_FR));
    expect(await unauthorizedDetails(response)).toBe("Not authorized to access scope");
    expect(sim.expectedRows(AGENCY_FR, "2025-06-10", "2025-06-14", ["date", "campaignId"])).toEqual([]);
  });

  it("still check the region first: the vendor's profile on the EU host is no matching advertiser", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const response = await createReport(sim, token, reportBody(), multiCall("EU", VENDOR_CA_NO_REPORTS));
    expect(await unauthorizedDetails(response)).toBe("No matching advertiser found for scope");
  });

  it("serve the login's other profiles normally, in every region", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const body = reportBody({ startDate: "2025-06-14", endDate: "2025-06-14" });
    for (const [region, profileId, currency] of [
      ["EU", GB, "GBP"],
      ["EU", DE, "EUR"],
      ["NA", US, "USD"],
      ["FE", JP, "JPY"],
    ] as const) {
      const rows = await reportRows(sim, token, body, multiCall(region, profileId));
      expect(rows).toEqual(sim.expectedRows(profileId, "2025-06-14", "2025-06-14", DAILY_COLUMNS));
      expect(new Set(rows.map((row) => row.campaignBudgetCurrencyCode))).toEqual(new Set([currency]));
    }
  });
});

describe("profiles of one login sharing campaign ids", () => {
  it("DE has GB's campaign ids with its own names and metrics, in the files and in expectedRows", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const body = reportBody({ startDate: "2025-06-10", endDate: "2025-06-14" });
    const gbRows = await reportRows(sim, token, body, multiCall("EU", GB));
    const deRows = await reportRows(sim, token, body, multiCall("EU", DE));
    expect(gbRows).toEqual(sim.expectedRows(GB, "2025-06-10", "2025-06-14", DAILY_COLUMNS));
    expect(deRows).toEqual(sim.expectedRows(DE, "2025-06-10", "2025-06-14", DAILY_COLUMNS));

    const idsOf = (rows: Array<Record<string, string | null>>): string[] =>
      [...new Set(rows.map((row) => row.campaignId!))].sort();
    expect(idsOf(deRows)).toEqual(idsOf(gbRows));
    expect(idsOf(gbRows)).toHaveLength(12);
    // Campaign 0's id is above 2^53 in both: shared too.
    expect(idsOf(gbRows).filter((id) => BigInt(id) > 2n ** 53n)).toHaveLength(1);

    const byKey = (rows: Array<Record<string, string | null>>): Map<string, Record<string, string | null>> =>
      new Map(rows.map((row) => [`${row.date} ${row.campaignId}`, row]));
    const gb = byKey(gbRows);
    const pairs = [...byKey(deRows)].flatMap(([key, row]) => (gb.has(key) ? [[gb.get(key)!, row] as const] : []));
    expect(pairs.length).toBeGreaterThan(30);
    expect(pairs.filter(([a, b]) => a.impressions !== b.impressions).length).toBeGreaterThan(pairs.length / 2);
    expect(pairs.filter(([a, b]) => a.campaignName !== b.campaignName).length).toBeGreaterThan(0);
    expect(new Set(deRows.map((row) => row.campaignBudgetCurrencyCode))).toEqual(new Set(["EUR"]));
  });

  it("shares only campaign ids: ad group ids stay the profile's own", async () => {
    const sim = await startSim();
    const columns = ["date", "campaignId", "adGroupId", "impressions"];
    const adGroups = (profileId: string): Set<string> =>
      new Set(
        sim
          .expectedRows(profileId, "2025-06-14", "2025-06-14", columns, { groupBy: ["adGroup"] })
          .map((row) => row.adGroupId!),
      );
    const gb = adGroups(GB);
    expect([...adGroups(DE)].filter((id) => gb.has(id))).toEqual([]);
  });

  it("campaignIdsFrom works for custom profiles in any order, and an unknown source is refused", async () => {
    const base = SIM_DEFAULTS.profile;
    const sharer: SimProfile = {
      ...base,
      profileId: "7000000000000002",
      countryCode: "IT",
      timezone: "Europe/Rome",
      campaignIdsFrom: "7000000000000001",
    };
    const sim = await startSim({ profiles: [sharer, { ...base, profileId: "7000000000000001", campaigns: 30 }] });
    const ids = (profileId: string): string[] =>
      sim
        .expectedRows(profileId, "2025-06-01", "2025-06-14", ["campaignId"], { timeUnit: "SUMMARY" })
        .map((row) => row.campaignId!);
    // The sharer has 12 campaigns: the ids of the source's first 12 (index 0, above 2^53, included).
    const sourceIds = new Set(ids("7000000000000001"));
    expect(sourceIds.size).toBe(30);
    expect(ids("7000000000000002")).toHaveLength(12);
    expect(ids("7000000000000002").filter((id) => !sourceIds.has(id))).toEqual([]);
    expect(ids("7000000000000002").filter((id) => BigInt(id) > 2n ** 53n)).toHaveLength(1);
    await expect(startSim({ profiles: [{ ...sharer, campaignIdsFrom: "7000000000000009" }] })).rejects.toThrow(
      /campaignIdsFrom/,
    );
  });

  it("keeps the existing profiles' campaign ids unique", async () => {
    const sim = await startSim();
    const sharing = new Set(SIM_DEFAULT_PROFILES.filter((profile) => profile.campaignIdsFrom).map((p) => p.profileId));
    expect([...sharing]).toEqual([DE]);
    const all = SIM_DEFAULT_PROFILES.filter((profile) => !sharing.has(profile.profileId)).flatMap((profile) =>
      sim.expectedRows(profile.profileId, "2025-06-01", "2025-06-14", ["campaignId"], { timeUnit: "SUMMARY" }),
    );
    expect(new Set(all.map((row) => row.campaignId)).size).toBe(all.length);
  });
});

describe("time zones of a multi-marketplace login", () => {
  it(`at ${SIM_MULTI_DATE_SPLIT_NOW} the profiles disagree on today's date, and their data follows`, async () => {
    const sim = await startSim({ now: () => new Date(SIM_MULTI_DATE_SPLIT_NOW) });
    const lastDate = (profileId: string): string =>
      sim
        .expectedRows(profileId, "2025-06-14", "2025-06-17", ["date", "campaignId"])
        .map((row) => row.date!)
        .sort()
        .at(-1)!;
    expect([GB, DE, US, JP].map(lastDate)).toEqual(["2025-06-15", "2025-06-16", "2025-06-15", "2025-06-16"]);

    // Over HTTP: a report of 2025-06-16 is already filled for DE and JP, still empty for GB and US.
    const token = await fetchToken(sim, SIM_MULTI_CLIENT);
    const body = reportBody({ startDate: "2025-06-16", endDate: "2025-06-16" });
    const rowCount = async (region: Region, profileId: string): Promise<number> =>
      parseRowsLossless(await fetchReportText(sim, token, body, multiCall(region, profileId))).length;
    expect(await rowCount("EU", GB)).toBe(0);
    expect(await rowCount("EU", DE)).toBeGreaterThan(0);
    expect(await rowCount("NA", US)).toBe(0);
    expect(await rowCount("FE", JP)).toBeGreaterThan(0);
  });

  it("applies the 95-day retention limit in each profile's own time zone", async () => {
    const { sim, token } = await startSimWithToken({ now: () => new Date(SIM_MULTI_DATE_SPLIT_NOW) }, SIM_MULTI_CLIENT);
    // 95 days before 2025-06-16 (Berlin) is 2025-03-13; before 2025-06-15 (London) it is 2025-03-12.
    const body = reportBody({ startDate: "2025-03-12", endDate: "2025-03-12" });
    expect((await createReport(sim, token, body, multiCall("EU", GB))).status).toBe(200);
    expect((await createReport(sim, token, body, multiCall("EU", DE))).status).toBe(400);
  });
});
