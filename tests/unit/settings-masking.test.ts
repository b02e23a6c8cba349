import { describe, expect, it } from "vitest";
import { MASK, maskSection, maskSecret, restoreAndValidate } from "@/lib/settings/masking";

const ADS = {
  client_id: "amzn1.application-oa2-client.abc123",
  client_secret: "a-long-client-secret-9999",
  refresh_token: "Atzr|refresh-token-value-7777",
  profile_id: "366822873177837",
  profiles: "listed" as const,
  region: "EU" as const,
};

describe("masking", () => {
  it("masks secrets (last 4 only for long ones) and shows identifiers whole", () => {
    expect(maskSection("amazon_ads", ADS)).toEqual({
      client_id: ADS.client_id,
      client_secret: `${MASK}9999`,
      refresh_token: `${MASK}7777`,
      profile_id: ADS.profile_id,
      profiles: "listed",
      region: "EU",
    });
    expect(maskSecret("short")).toBe(MASK);
  });

  it("restores masked and empty fields from the stored value; replaces typed ones", () => {
    const masked = maskSection("amazon_ads", ADS);
    const result = restoreAndValidate("amazon_ads", { ...masked, refresh_token: "", profile_id: "123" }, ADS);
    expect(result).toEqual({ ok: true, value: { ...ADS, profile_id: "123" } });
  });

  it("an empty identifier is not restored: it is cleared, or refused when required", () => {
    const masked = maskSection("amazon_ads", ADS);
    const cleared = restoreAndValidate("amazon_ads", { ...masked, profile_id: "" }, ADS);
    expect(cleared).toEqual({
      ok: false,
      errors: { "amazon_ads.profile_id": "Profile ID is required unless every profile is synced" },
    });
    const all = restoreAndValidate("amazon_ads", { ...masked, profiles: "all", profile_id: "" }, ADS);
    expect(all).toEqual({ ok: true, value: { ...ADS, profiles: "all", profile_id: "" } });
  });

  it("a cleared client ID switches to the server's app: the stored secret goes with it, and shows as nothing", () => {
    const masked = maskSection("amazon_ads", ADS);
    const cleared = restoreAndValidate("amazon_ads", { ...masked, client_id: " " }, ADS);
    expect(cleared).toEqual({ ok: true, value: { ...ADS, client_id: "", client_secret: "" } });
    if (cleared.ok) expect(maskSection("amazon_ads", cleared.value).client_secret).toBe("");
  });

  it("a client ID needs its secret; a secret alone is dropped", () => {
    const { client_secret: _secret, ...withoutSecret } = ADS;
    void _secret;
    const result = restoreAndValidate("amazon_ads", withoutSecret, null);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors["amazon_ads.client_secret"]).toMatch(/Client secret is required with a client ID/);
    const secretOnly = restoreAndValidate("amazon_ads", { ...ADS, client_id: "" }, null);
    expect(secretOnly).toEqual({ ok: true, value: { ...ADS, client_id: "", client_secret: "" } });
  });

  it("refuses a mask that does not belong to the stored secret", () => {
    const result = restoreAndValidate("amazon_ads", { ...ADS, client_secret: `${MASK}0000` }, ADS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors["amazon_ads.client_secret"]).toMatch(/masked/);
  });

  it("refuses malformed fields when nothing is stored, with field-level messages", () => {
    const result = restoreAndValidate("amazon_ads", { client_id: "nope", profile_id: "12a" }, null);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors["amazon_ads.client_id"]).toMatch(/amzn1\.application-oa2-client/);
      expect(result.errors["amazon_ads.profile_id"]).toMatch(/digits/);
    }
  });

  it("reads rows saved without a region as EU, and rejects unknown regions", () => {
    const { region: _region, ...withoutRegion } = ADS;
    void _region;
    expect(restoreAndValidate("amazon_ads", {}, { ...withoutRegion } as typeof ADS)).toEqual({ ok: true, value: ADS });
    const bad = restoreAndValidate("amazon_ads", { region: "XX" }, ADS);
    expect(bad.ok).toBe(false);
  });
});
