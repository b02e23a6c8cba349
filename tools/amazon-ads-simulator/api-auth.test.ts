import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import {
  adsHeaders,
  createReport,
  getProfiles,
  listing,
  reportBody,
  startSim,
  startSimWithToken,
  unauthorizedDetails,
} from "./test-prelude";

describe("Ads API header checks", () => {
  it("answers 401 without a bearer token, with an unknown token, or with a non-Bearer scheme", async () => {
    const { sim, token } = await startSimWithToken();
    const variants: Array<Record<string, string>> = [
      {
        "amazon-advertising-api-clientid": SIM_DEFAULTS.clientId,
        "amazon-advertising-api-scope": SIM_DEFAULTS.profileId,
      },
      adsHeaders("Atza|forged"),
      { ...adsHeaders(token), authorization: token },
    ];
    for (const headers of variants) {
      const response = await fetch(`${sim.apiUrl.EU}/reporting/reports/00000000-0000-4000-8000-000000000000`, {
        headers,
      });
      expect(await unauthorizedDetails(response)).toBe("Not authorized to access this advertiser");
    }
    const valid = await fetch(`${sim.apiUrl.EU}/reporting/reports/00000000-0000-4000-8000-000000000000`, {
      headers: adsHeaders(token),
    });
    expect(valid.status).toBe(404);
  });

  it("answers 401 when Amazon-Advertising-API-ClientId is missing or belongs to another client", async () => {
    const { sim, token } = await startSimWithToken();
    const missing = adsHeaders(token);
    delete missing["amazon-advertising-api-clientid"];
    expect((await fetch(`${sim.apiUrl.EU}/v2/profiles`, { headers: missing })).status).toBe(401);
    const otherClient = await getProfiles(sim, token, { clientId: SIM_SECOND_CLIENT.clientId });
    expect(await unauthorizedDetails(otherClient)).toBe("Not authorized to access this advertiser");
  });

  it('answers 401 "Scope header is missing" on reporting calls without a Scope', async () => {
    const { sim, token } = await startSimWithToken();
    const response = await createReport(sim, token, reportBody(), { profileId: null });
    expect(await unauthorizedDetails(response)).toBe("Scope header is missing");
  });

  it("answers 401 \"No matching advertiser found for scope\" for another region's profile, another tenant's profile or an unknown one", async () => {
    const { sim, token } = await startSimWithToken();
    const cases: Array<{ region: "EU" | "NA"; profileId: string }> = [
      { region: "EU", profileId: "1111222233334444" }, // NA profile on the EU host
      { region: "NA", profileId: SIM_DEFAULTS.profileId }, // EU profile on the NA host
      { region: "EU", profileId: "4444555566667777" }, // the second tenant's profile
      { region: "EU", profileId: "999" },
    ];
    for (const { region, profileId } of cases) {
      const response = await createReport(sim, token, reportBody(), { region, profileId });
      expect(await unauthorizedDetails(response)).toBe("No matching advertiser found for scope");
    }
    // The same NA profile works on its own host.
    const ok = await createReport(sim, token, reportBody(), { region: "NA", profileId: "1111222233334444" });
    expect(ok.status).toBe(200);
  });
});

describe("GET /v2/profiles", () => {
  it("lists the client's profiles of the called region only, with profileId as a bare JSON number, without needing a Scope", async () => {
    const { sim, token } = await startSimWithToken();
    const eu = await getProfiles(sim, token, { profileId: null });
    expect(eu.status).toBe(200);
    const text = await eu.text();
    expect(text).toContain(`"profileId":${SIM_DEFAULTS.profileId},`);
    const profiles = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      countryCode: "GB",
      currencyCode: "GBP",
      timezone: "Europe/London",
      accountInfo: { marketplaceStringId: "A1F83G8C2ARO7P", type: "seller" },
    });
    expect(typeof profiles[0]!.dailyBudget).toBe("number");

    const na = (await (await getProfiles(sim, token, { region: "NA" })).json()) as Array<{
      profileId: number;
      timezone: string;
    }>;
    expect(na.map((profile) => profile.profileId)).toEqual([1111222233334444]);
    expect(na[0]!.timezone).toBe("America/Los_Angeles");

    const fe = await (await getProfiles(sim, token, { region: "FE" })).json();
    expect(fe).toEqual([]);
  });

  it("gives each tenant only its own profiles", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_SECOND_CLIENT);
    const response = await getProfiles(sim, token, listing(SIM_SECOND_CLIENT.clientId));
    const text = await response.text();
    expect(text).toContain('"profileId":4444555566667777,');
    expect(text).not.toContain(SIM_DEFAULTS.profileId);
    expect(JSON.parse(text)[0]).toMatchObject({ countryCode: "DE", currencyCode: "EUR", timezone: "Europe/Berlin" });
  });

  it("needs a valid token even without Scope", async () => {
    const sim = await startSim();
    const response = await fetch(`${sim.apiUrl.EU}/v2/profiles`, {
      headers: { "amazon-advertising-api-clientid": SIM_DEFAULTS.clientId },
    });
    expect(await unauthorizedDetails(response)).toBe("Not authorized to access this advertiser");
  });
});
