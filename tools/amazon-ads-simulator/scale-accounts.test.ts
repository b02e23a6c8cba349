import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_MULTI_PROFILE_IDS, SIM_SECOND_CLIENT, simMultiProfiles } from "./defaults";
import { simScaleAccounts } from "./scale-accounts";
import {
  completedReport,
  downloadBytes,
  fetchReportText,
  fetchToken,
  getProfiles,
  listedIds,
  listing,
  reportBody,
  startSim,
  startSimWithToken,
} from "./test-prelude";
import type { SimProfile, Simulator } from "./types";

describe("many organisations on one simulator", () => {
  it("simScaleAccounts: 1,000 clients with 1-5 profiles of 5-5,000 campaigns, deterministic", () => {
    const { clients, profiles } = simScaleAccounts(1000);
    expect(clients).toHaveLength(1000);
    expect(new Set(clients.map((client) => client.clientId)).size).toBe(1000);
    expect(new Set(profiles.map((profile) => profile.profileId)).size).toBe(profiles.length);
    expect(profiles.length).toBeGreaterThan(2500);
    for (const client of clients) {
      expect(client.profileIds.length).toBeGreaterThanOrEqual(1);
      expect(client.profileIds.length).toBeLessThanOrEqual(5);
    }
    const campaigns = profiles.map((profile) => profile.campaigns!);
    expect(Math.min(...campaigns)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...campaigns)).toBeLessThanOrEqual(5000);
    expect(simScaleAccounts(1000)).toEqual({ clients, profiles });
  });

  it("each client gets its own token and sees exactly its own profiles per region", async () => {
    const accounts = simScaleAccounts(1000);
    const sim = await startSim(accounts);
    const byId = new Map(accounts.profiles.map((profile) => [profile.profileId, profile]));
    for (const client of [accounts.clients[0]!, accounts.clients[499]!, accounts.clients[999]!]) {
      const token = await fetchToken(sim, client);
      for (const region of ["NA", "EU", "FE"] as const) {
        const expected = client.profileIds.filter((profileId) => byId.get(profileId)!.region === region);
        expect(await listedIds(sim, token, listing(client.clientId, region))).toEqual(expected);
      }
    }
    // Another client's token does not pass for this client id.
    const token = await fetchToken(sim, accounts.clients[1]!);
    const response = await getProfiles(sim, token, listing(accounts.clients[2]!.clientId));
    expect(response.status).toBe(401);
  });

  it("/v2/profiles keeps the profiles' order, not the client's, and lists added profiles last", async () => {
    const [gb, de, us, jp, agency] = simMultiProfiles();
    const profiles = [gb!, de!, us!, jp!, agency!];
    const client = { ...SIM_SECOND_CLIENT, profileIds: [agency!.profileId, de!.profileId, gb!.profileId] };
    const { sim, token } = await startSimWithToken({ clients: [client], profiles }, client);
    expect(await listedIds(sim, token, listing(client.clientId, "EU"))).toEqual([
      gb!.profileId,
      de!.profileId,
      agency!.profileId,
    ]);
    const extra: SimProfile = { ...structuredClone(SIM_DEFAULTS.profile), profileId: "9999000000000001" };
    sim.addProfile(client.clientId, extra);
    sim.addProfile(client.clientId, us!);
    sim.addProfile(client.clientId, { ...gb!, countryCode: "UK" });
    expect(await listedIds(sim, token, listing(client.clientId, "EU"))).toEqual([
      gb!.profileId,
      de!.profileId,
      agency!.profileId,
      extra.profileId,
    ]);
    expect(await listedIds(sim, token, listing(client.clientId, "NA"))).toEqual([us!.profileId]);
    sim.removeProfile(client.clientId, de!.profileId);
    sim.addProfile(client.clientId, de!);
    expect((await listedIds(sim, token, listing(client.clientId, "EU")))[1]).toBe(de!.profileId);
  });
});

describe("expectedRowCount", () => {
  it("equals expectedRows(...).length, with no rows after the profile's today", async () => {
    const accounts = simScaleAccounts(20, { seed: 7, minCampaigns: 2000, maxCampaigns: 3000 });
    const multi = simMultiProfiles();
    const sim = await startSim({ profiles: [SIM_DEFAULTS.profile, ...multi, ...accounts.profiles.slice(0, 3)] });
    const cases: Array<[profileId: string, startDate: string, endDate: string]> = [
      [SIM_DEFAULTS.profileId, "2025-06-10", "2025-06-14"],
      [SIM_DEFAULTS.profileId, "2025-06-01", "2025-06-30"],
      [SIM_DEFAULTS.profileId, "2025-06-16", "2025-06-20"],
      [SIM_MULTI_PROFILE_IDS.DE, "2025-05-16", "2025-06-15"],
      [SIM_MULTI_PROFILE_IDS.JP, "2025-06-15", "2025-06-15"],
      [SIM_MULTI_PROFILE_IDS.AGENCY_FR, "2025-06-01", "2025-06-14"],
      [accounts.profiles[0]!.profileId, "2025-05-16", "2025-06-15"],
      [accounts.profiles[1]!.profileId, "2025-06-14", "2025-06-14"],
      [accounts.profiles[2]!.profileId, "2025-06-01", "2025-06-07"],
    ];
    for (const [profileId, startDate, endDate] of cases) {
      const rows = sim.expectedRows(profileId, startDate, endDate, ["campaignId"]).length;
      expect(sim.expectedRowCount(profileId, startDate, endDate), `${profileId} ${startDate}..${endDate}`).toBe(rows);
    }
    expect(sim.expectedRowCount(SIM_DEFAULTS.profileId, "2025-06-16", "2025-06-20")).toBe(0);
    expect(sim.expectedRowCount(SIM_MULTI_PROFILE_IDS.AGENCY_FR, "2025-06-01", "2025-06-14")).toBe(0);
    // Not every campaign has a row every day.
    expect(sim.expectedRowCount(accounts.profiles[0]!.profileId, "2025-06-14", "2025-06-14")).toBeLessThan(
      accounts.profiles[0]!.campaigns!,
    );
    expect(() => sim.expectedRowCount("1", "2025-06-01", "2025-06-02")).toThrow(/Unknown profile/);
  });

  it("equals the rows in the downloaded report file, and follows resizes", async () => {
    const sim = await startSim({ scenario: { pollsBeforeComplete: 0 } });
    sim.setProfileCampaigns(SIM_DEFAULTS.profileId, 700);
    const token = await fetchToken(sim);
    const text = await fetchReportText(sim, token, reportBody({ startDate: "2025-06-01", endDate: "2025-06-14" }));
    const fileRows = (JSON.parse(text) as unknown[]).length;
    expect(sim.expectedRowCount(SIM_DEFAULTS.profileId, "2025-06-01", "2025-06-14")).toBe(fileRows);
    expect(fileRows).toBeGreaterThan(700 * 14 * 0.85);
    expect(fileRows).toBeLessThan(700 * 14);
  });
});

describe("reportCacheBytes", () => {
  it("files past the budget are regenerated per download, byte for byte the same as a kept one", async () => {
    const download = async (target: Simulator): Promise<Buffer> => {
      const token = await fetchToken(target);
      const report = await completedReport(target, token);
      const first = await downloadBytes(report.url!);
      const second = await downloadBytes(report.url!);
      expect(second.bytes.equals(first.bytes)).toBe(true);
      expect(first.bytes.length).toBe(report.fileSize);
      return first.bytes;
    };
    const sim = await startSim({ reportCacheBytes: 0 });
    const kept = await startSim();
    sim.setProfileCampaigns(SIM_DEFAULTS.profileId, 300);
    kept.setProfileCampaigns(SIM_DEFAULTS.profileId, 300);
    const regenerated = await download(sim);
    expect(regenerated.equals(await download(kept))).toBe(true);
    expect((JSON.parse(gunzipSync(regenerated).toString("utf8")) as unknown[]).length).toBe(
      sim.expectedRowCount(SIM_DEFAULTS.profileId, "2025-06-10", "2025-06-14"),
    );
  });
});
