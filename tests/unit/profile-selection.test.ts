import { describe, expect, it } from "vitest";
import type { DiscoveredProfile, ProfileDiscovery } from "@/lib/amazon-ads/api/profiles";
import { selectProfiles } from "@/lib/amazon-ads/plan/profile-selection";
import { amazonAdsSettingsSchema } from "@/lib/settings/schema";

const profile = (profileId: string, patch: Partial<DiscoveredProfile> = {}): DiscoveredProfile => ({
  profileId,
  region: "EU",
  countryCode: "GB",
  currencyCode: "GBP",
  timezone: "Europe/London",
  accountType: "seller",
  accountName: null,
  canReport: true,
  ...patch,
});
const discovery = (found: DiscoveredProfile[], unreachable: ProfileDiscovery["unreachable"] = []) => ({
  found,
  unreachable,
});
const settings = (profile_id: string, profiles: "listed" | "all" = "listed") =>
  amazonAdsSettingsSchema.parse({
    client_id: "amzn1.application-oa2-client.abc",
    client_secret: "secret",
    refresh_token: "refresh",
    profile_id,
    profiles,
  });

const GB = profile("111");
const US = profile("222", { region: "NA", timezone: "America/Los_Angeles" });
const AGENCY = profile("333", { accountType: "agency", canReport: false, whyNot: "an agency profile" });
const NO_ACCESS = profile("444", { accountType: "vendor", canReport: false, whyNot: "no report access" });
const all = discovery([GB, US, AGENCY, NO_ACCESS]);

describe("which profiles a run syncs", () => {
  it("one listed id means exactly that profile (the spec's profile_id)", () => {
    const s = selectProfiles(settings("222"), all);
    expect(s.run.map((p) => p.profileId)).toEqual(["222"]);
    expect(s.problems).toEqual([]);
  });

  it("several listed ids, in their order; a missing one is that profile's problem only", () => {
    const s = selectProfiles(settings("222, 111,999"), all);
    expect(s.run.map((p) => p.profileId)).toEqual(["222", "111"]);
    expect(s.problems).toEqual([
      { profileId: "999", message: expect.stringMatching(/not among the profiles.*removed/) },
    ]);
    expect([...s.selectedIds]).toEqual(["222", "111", "999"]);
  });

  it("'all' takes every profile that can run the report, never agency or no-access ones", () => {
    const s = selectProfiles(settings("", "all"), all);
    expect(s.run.map((p) => p.profileId)).toEqual(["111", "222"]);
    expect(s.problems).toEqual([]);
  });

  it("a listed profile that cannot run the report is a problem with the reason", () => {
    const s = selectProfiles(settings("111,333"), all);
    expect(s.run.map((p) => p.profileId)).toEqual(["111"]);
    expect(s.problems[0]).toEqual({
      profileId: "333",
      message: expect.stringMatching(/cannot run spCampaigns: an agency/),
    });
  });

  it("a profile missing while a region could not be listed is reported as unknown, not removed", () => {
    const s = selectProfiles(
      settings("222"),
      discovery([GB], [{ region: "NA", error: "no answer", status: undefined }]),
    );
    expect(s.problems[0]!.message).toMatch(/could not be listed \(NA: no answer\)/);
  });

  it("`only` narrows to one profile; one the organisation does not sync is refused", () => {
    expect(selectProfiles(settings("111,222"), all, ["222"]).run.map((p) => p.profileId)).toEqual(["222"]);
    const s = selectProfiles(settings("111"), all, ["222"]);
    expect(s.run).toEqual([]);
    expect(s.problems[0]!.message).toMatch(/not one this organisation syncs/);
  });

  it("settings: profile_id is required unless every profile is synced, and must be digits", () => {
    expect(() => settings("")).toThrow(/required unless every profile/);
    expect(() => settings("12a")).toThrow(/digits only/);
    expect(settings("", "all").profile_id).toBe("");
    expect(
      amazonAdsSettingsSchema.parse({
        client_id: "amzn1.application-oa2-client.a",
        client_secret: "s",
        refresh_token: "r",
        profile_id: "1",
      }).profiles,
    ).toBe("listed");
  });
});
