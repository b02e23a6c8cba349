import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_MULTI_CLIENT, SIM_MULTI_PROFILE_IDS, SIM_SECOND_CLIENT, simMultiProfiles } from "./defaults";
import {
  createReport,
  createReportOk,
  DAILY_COLUMNS,
  fetchToken,
  getProfiles,
  getReport,
  listedIds,
  multiCall,
  multiListing,
  postJson,
  reportBody,
  reportRows,
  startSim,
  startSimWithToken,
  unauthorizedDetails,
} from "./test-prelude";
import type { SimProfile } from "./types";

// Profiles appearing at and disappearing from Amazon while the app runs: sim.addProfile / sim.removeProfile and
// their /__admin twins.

const { GB, DE, US } = SIM_MULTI_PROFILE_IDS;

const FRENCH_SELLER: SimProfile = {
  profileId: "3333000000000007",
  region: "EU",
  countryCode: "FR",
  currencyCode: "EUR",
  timezone: "Europe/Paris",
  accountInfo: { marketplaceStringId: "A13V1IB3VIYZZH", id: "A3SIMULATORMULTIEU", type: "seller", name: "Multi FR" },
};

describe("sim.addProfile", () => {
  it("a profile added at runtime is listed and reported on at once", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    expect(await listedIds(sim, token, multiListing("EU"))).not.toContain(FRENCH_SELLER.profileId);
    sim.addProfile(SIM_MULTI_CLIENT.clientId, FRENCH_SELLER);
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([
      GB,
      DE,
      SIM_MULTI_PROFILE_IDS.AGENCY_FR,
      FRENCH_SELLER.profileId,
    ]);
    expect(await listedIds(sim, token, multiListing("EU", "?apiProgram=report&accessLevel=view"))).toContain(
      FRENCH_SELLER.profileId,
    );
    // Other logins do not see it.
    expect(await listedIds(sim, token, multiListing("NA"))).toEqual([US, SIM_MULTI_PROFILE_IDS.VENDOR_CA_NO_REPORTS]);
    const first = await fetchToken(sim);
    const firstList = await (await getProfiles(sim, first)).text();
    expect(firstList).not.toContain(FRENCH_SELLER.profileId);

    const body = reportBody({ startDate: "2025-06-13", endDate: "2025-06-14" });
    const rows = await reportRows(sim, token, body, multiCall("EU", FRENCH_SELLER.profileId));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(sim.expectedRows(FRENCH_SELLER.profileId, "2025-06-13", "2025-06-14", DAILY_COLUMNS));
  });

  it("can add a profile sharing campaign ids, one without report access, or give a second login an existing profile", async () => {
    const sim = await startSim();
    sim.addProfile(SIM_MULTI_CLIENT.clientId, { ...FRENCH_SELLER, campaignIdsFrom: GB, reportAccess: false });
    const ids = (profileId: string): string[] =>
      sim
        .expectedRows(profileId, "2025-06-01", "2025-06-14", ["campaignId"], { timeUnit: "SUMMARY" })
        .map((row) => row.campaignId!);
    expect(ids(GB)).toHaveLength(12);
    expect(ids(FRENCH_SELLER.profileId)).toEqual(ids(GB));
    const token = await fetchToken(sim, SIM_MULTI_CLIENT);
    expect(await listedIds(sim, token, multiListing("EU", "?apiProgram=report&accessLevel=view"))).not.toContain(
      FRENCH_SELLER.profileId,
    );
    const refused = await createReport(sim, token, reportBody(), multiCall("EU", FRENCH_SELLER.profileId));
    expect(await unauthorizedDetails(refused)).toBe("Not authorized to access scope");

    // The same profile (now with report access) for client 2 as well: one profile at Amazon, two logins.
    sim.addProfile(SIM_SECOND_CLIENT.clientId, { ...FRENCH_SELLER, campaignIdsFrom: GB });
    const second = await fetchToken(sim, SIM_SECOND_CLIENT);
    const secondCall = { clientId: SIM_SECOND_CLIENT.clientId, profileId: FRENCH_SELLER.profileId };
    expect((await createReport(sim, second, reportBody(), secondCall)).status).toBe(200);
    expect((await createReport(sim, token, reportBody(), multiCall("EU", FRENCH_SELLER.profileId))).status).toBe(425);
  });

  it("refuses an unknown client and invalid profiles", async () => {
    const sim = await startSim();
    expect(() => sim.addProfile("amzn1.application-oa2-client.nobody", FRENCH_SELLER)).toThrow(/Unknown client/);
    const client = SIM_MULTI_CLIENT.clientId;
    expect(() => sim.addProfile(client, { ...FRENCH_SELLER, profileId: "12ab" })).toThrow(/digits/);
    expect(() => sim.addProfile(client, { ...FRENCH_SELLER, timezone: "Europe/Atlantis" })).toThrow(/time zone/);
    expect(() => sim.addProfile(client, { ...FRENCH_SELLER, campaignIdsFrom: "999" })).toThrow(/campaignIdsFrom/);
    expect(() => sim.addProfile(client, { ...FRENCH_SELLER, campaigns: 200_001 })).toThrow(/campaigns/);
  });
});

describe("sim.removeProfile", () => {
  it("a removed profile is no longer listed, its scope is refused, and its reports stay in sim.reports()", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 3 } }, SIM_MULTI_CLIENT);
    const { reportId } = await createReportOk(sim, token, reportBody(), multiCall("EU", DE));
    sim.removeProfile(SIM_MULTI_CLIENT.clientId, DE);

    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([GB, SIM_MULTI_PROFILE_IDS.AGENCY_FR]);
    expect(await listedIds(sim, token, multiListing("EU", "?apiProgram=report&accessLevel=view"))).not.toContain(DE);
    const create = await createReport(sim, token, reportBody(), multiCall("EU", DE));
    expect(await unauthorizedDetails(create)).toBe("No matching advertiser found for scope");
    const poll = await getReport(sim, token, reportId, multiCall("EU", DE));
    expect(await unauthorizedDetails(poll)).toBe("No matching advertiser found for scope");
    // With a scope the login still has, the old report is someone else's: 404.
    expect((await getReport(sim, token, reportId, multiCall("EU", GB))).status).toBe(404);
    expect(sim.reports().map((report) => report.profileId)).toEqual([DE]);
    // The profile's data is still there (e.g. to compare what was loaded before the removal).
    expect(sim.expectedRows(DE, "2025-06-14", "2025-06-14", ["campaignId"]).length).toBeGreaterThan(0);
    // The other profiles of the login are untouched.
    expect((await createReport(sim, token, reportBody(), multiCall("EU", GB))).status).toBe(200);
  });

  it("removing one login's access leaves another login's access to the same profile", async () => {
    const sim = await startSim();
    sim.addProfile(SIM_SECOND_CLIENT.clientId, simMultiProfiles()[0]!);
    sim.removeProfile(SIM_MULTI_CLIENT.clientId, GB);
    const second = await fetchToken(sim, SIM_SECOND_CLIENT);
    const secondCall = { clientId: SIM_SECOND_CLIENT.clientId, profileId: GB };
    expect((await createReport(sim, second, reportBody(), secondCall)).status).toBe(200);
    const third = await fetchToken(sim, SIM_MULTI_CLIENT);
    expect((await createReport(sim, third, reportBody(), multiCall("EU", GB))).status).toBe(401);
  });

  it("refuses a profile the client does not have; a removed profile can be added back with the same data", async () => {
    const sim = await startSim();
    expect(() => sim.removeProfile(SIM_MULTI_CLIENT.clientId, SIM_DEFAULTS.profileId)).toThrow(/has no profile/);
    expect(() => sim.removeProfile("nobody", GB)).toThrow(/Unknown client/);
    const before = sim.expectedRows(DE, "2025-06-10", "2025-06-14", DAILY_COLUMNS);
    sim.removeProfile(SIM_MULTI_CLIENT.clientId, DE);
    sim.addProfile(SIM_MULTI_CLIENT.clientId, simMultiProfiles()[1]!);
    expect(sim.expectedRows(DE, "2025-06-10", "2025-06-14", DAILY_COLUMNS)).toEqual(before);
    const token = await fetchToken(sim, SIM_MULTI_CLIENT);
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([GB, DE, SIM_MULTI_PROFILE_IDS.AGENCY_FR]);
  });
});

describe("reset", () => {
  it("restores the starting profiles and access: added ones gone, removed ones back, sizes as at start", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    sim.addProfile(SIM_MULTI_CLIENT.clientId, FRENCH_SELLER);
    sim.removeProfile(SIM_MULTI_CLIENT.clientId, GB);
    sim.setProfileCampaigns(DE, 40);
    sim.reset();
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([GB, DE, SIM_MULTI_PROFILE_IDS.AGENCY_FR]);
    expect(sim.expectedRows(DE, "2025-06-01", "2025-06-14", ["campaignId"], { timeUnit: "SUMMARY" }).length).toBe(12);
    expect(() => sim.expectedRows(FRENCH_SELLER.profileId, "2025-06-14", "2025-06-14", ["campaignId"])).toThrow(
      /Unknown profile/,
    );
  });
});

describe("/__admin/profiles/add and /__admin/profiles/remove", () => {
  it("do the same over HTTP", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_MULTI_CLIENT);
    const added = await postJson(`${sim.baseUrl}/__admin/profiles/add`, {
      clientId: SIM_MULTI_CLIENT.clientId,
      profile: { ...FRENCH_SELLER, campaigns: 5, campaignIdsFrom: GB },
    });
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({
      clientId: SIM_MULTI_CLIENT.clientId,
      profileIds: [...SIM_MULTI_CLIENT.profileIds, FRENCH_SELLER.profileId],
    });
    expect(await listedIds(sim, token, multiListing("EU"))).toContain(FRENCH_SELLER.profileId);
    const frIds = sim.expectedRows(FRENCH_SELLER.profileId, "2025-06-14", "2025-06-14", ["campaignId"], {
      timeUnit: "SUMMARY",
    });
    expect(frIds.length).toBeLessThanOrEqual(5);

    const removed = await postJson(`${sim.baseUrl}/__admin/profiles/remove`, {
      clientId: SIM_MULTI_CLIENT.clientId,
      profileId: DE,
    });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as { profileIds: string[] }).profileIds).not.toContain(DE);
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([
      GB,
      SIM_MULTI_PROFILE_IDS.AGENCY_FR,
      FRENCH_SELLER.profileId,
    ]);
    // Admin calls are not Amazon calls: not recorded.
    expect(sim.requests.some((request) => request.path.startsWith("/__admin"))).toBe(false);
  });

  it("answer 404 for an unknown client or a profile the client lacks, 400 for a malformed profile", async () => {
    const sim = await startSim();
    const add = (body: unknown): Promise<Response> => postJson(`${sim.baseUrl}/__admin/profiles/add`, body);
    const remove = (body: unknown): Promise<Response> => postJson(`${sim.baseUrl}/__admin/profiles/remove`, body);
    const client = SIM_MULTI_CLIENT.clientId;
    expect((await add({ clientId: "nobody", profile: FRENCH_SELLER })).status).toBe(404);
    expect((await add({ profile: FRENCH_SELLER })).status).toBe(400);
    expect((await add({ clientId: client, profile: { ...FRENCH_SELLER, profileId: 3333000000000007 } })).status).toBe(
      400,
    );
    expect((await add({ clientId: client, profile: { ...FRENCH_SELLER, region: "XX" } })).status).toBe(400);
    const badType = { ...FRENCH_SELLER, accountInfo: { ...FRENCH_SELLER.accountInfo, type: "brand" } };
    expect((await add({ clientId: client, profile: badType })).status).toBe(400);
    expect((await add({ clientId: client, profile: { ...FRENCH_SELLER, reportAccess: "no" } })).status).toBe(400);
    const unknownSource = await add({ clientId: client, profile: { ...FRENCH_SELLER, campaignIdsFrom: "42" } });
    expect(unknownSource.status).toBe(400);
    expect(((await unknownSource.json()) as { error: string }).error).toMatch(/campaignIdsFrom/);
    expect((await remove({ clientId: "nobody", profileId: GB })).status).toBe(404);
    expect((await remove({ clientId: client, profileId: SIM_DEFAULTS.profileId })).status).toBe(404);
    expect((await remove({ clientId: client })).status).toBe(400);
    // Nothing changed.
    const token = await fetchToken(sim, SIM_MULTI_CLIENT);
    expect(await listedIds(sim, token, multiListing("EU"))).toEqual([GB, DE, SIM_MULTI_PROFILE_IDS.AGENCY_FR]);
  });
});
