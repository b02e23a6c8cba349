import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as settingsGet, POST as settingsPost } from "@/app/api/settings/route";
import { POST as testAds } from "@/app/api/test/amazon-ads/route";
import { POST as testSp } from "@/app/api/test/amazon/route";
import { getDb } from "@/lib/db";
import { settings } from "@/lib/db/schema";
import { getAmazonAdsSettings, getAmazonSettings, saveAmazonAdsSettings, saveSetting } from "@/lib/settings/store";
import { MASK } from "@/lib/settings/masking";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { firstAdmin, jsonRequest, otherOrgAdmin, type TestUser } from "../support/auth";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";
import { resetRateLimits, setupTestDatabase } from "../support/test-db";

setupTestDatabase();
const { sim } = setupSimulator();
let admin: TestUser;

const SP = {
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  refresh_token: SIM_DEFAULTS.refreshToken,
  marketplace_id: "A1F83G8C2ARO7P",
};

beforeAll(async () => {
  admin = await firstAdmin();
});
beforeEach(async () => {
  sim().reset();
  // Each test starts a fresh window of the Test connection limit (tests/db/limits.test.ts covers it).
  await resetRateLimits();
});

const postTest = (body: unknown, cookie = admin.cookie) =>
  testAds(jsonRequest("/api/test/amazon-ads", { cookie, body }));

describe("Amazon Ads settings round trip", () => {
  it("saves amazon_ads encrypted, masks it, restores masked values, and never touches the SP-API section", async () => {
    await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon: SP } }));
    const saved = await settingsPost(
      jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon_ads: SIM_ADS_SETTINGS } }),
    );
    expect(saved.status).toBe(200);
    const masked = (await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json()).settings;
    expect(masked.amazon_ads).toEqual({
      ...SIM_ADS_SETTINGS,
      client_secret: `${MASK}${SIM_ADS_SETTINGS.client_secret.slice(-4)}`,
      refresh_token: `${MASK}${SIM_ADS_SETTINGS.refresh_token.slice(-4)}`,
    });
    await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon_ads: { ...masked.amazon_ads, region: "NA" } },
      }),
    );
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SIM_ADS_SETTINGS, region: "NA" });
    expect(await getAmazonSettings(1)).toEqual(SP);
    await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon_ads: { region: "EU" } } }));
  });

  it("removes a saved secret sent as null, where the section allows it to be empty", async () => {
    await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
    const post = (amazon_ads: unknown) =>
      settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon_ads } }));
    // A required secret: refused, naming it, and nothing changes.
    const refused = await post({ refresh_token: null });
    expect(refused.status).toBe(400);
    expect((await refused.json()).fields["amazon_ads.refresh_token"]).toMatch(/Refresh token is required/);
    // The app's secret with its client id: the section needs both or neither.
    expect((await post({ client_secret: null })).status).toBe(400);
    expect(await getAmazonAdsSettings(1)).toEqual(SIM_ADS_SETTINGS);
    // Both cleared (the organisation signs in with the server's app): removed.
    const removed = await post({ client_id: "", client_secret: null });
    expect(removed.status).toBe(200);
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SIM_ADS_SETTINGS, client_id: "", client_secret: "" });
    // An identifier cannot be sent as null.
    expect((await post({ profile_id: null })).status).toBe(400);
    await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
  });

  it("reads a row saved before regions existed as EU", async () => {
    const { region: _r, ...legacy } = SIM_ADS_SETTINGS;
    void _r;
    await saveSetting(1, "amazon_ads", legacy);
    expect((await getAmazonAdsSettings(1))?.region).toBe("EU");
  });

  it("explains invalid values per field", async () => {
    const response = await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon_ads: { client_id: "abc", profile_id: "12-34", region: "US" } },
      }),
    );
    expect(response.status).toBe(400);
    const { fields } = await response.json();
    expect(fields["amazon_ads.client_id"]).toMatch(/amzn1\.application-oa2-client/);
    expect(fields["amazon_ads.profile_id"]).toMatch(/digits/);
    expect(fields["amazon_ads.region"]).toMatch(/NA, EU or FE/);
  });

  it("keeps organisations apart: org 2 cannot read, write or test org 1's credentials", async () => {
    const other = await otherOrgAdmin();
    expect((await settingsGet(jsonRequest("/api/settings?orgId=1", { cookie: other.cookie }))).status).toBe(403);
    const org1Before = await getAmazonAdsSettings(1);
    expect(
      (
        await settingsPost(
          jsonRequest("/api/settings?orgId=1", {
            cookie: other.cookie,
            body: { amazon_ads: { ...SIM_ADS_SETTINGS, profile_id: "999" } },
          }),
        )
      ).status,
    ).toBe(403);
    expect(await getAmazonAdsSettings(1)).toEqual(org1Before);
    expect(
      (await testAds(jsonRequest("/api/test/amazon-ads?orgId=1", { cookie: other.cookie, body: {} }))).status,
    ).toBe(403);
    // With only masked values and nothing saved in org 2, the masked secret cannot be used.
    const masked = { ...SIM_ADS_SETTINGS, client_secret: `${MASK}${SIM_ADS_SETTINGS.client_secret.slice(-4)}` };
    const response = await postTest(masked, other.cookie);
    expect(response.status).toBe(400);
    expect(sim().requests).toHaveLength(0);
  });
});

describe("Test connection (Ads API)", () => {
  it("succeeds with the saved (masked) values and lists the login's profiles, the selected one marked", async () => {
    const masked = (await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json()).settings
      .amazon_ads;
    const response = await postTest(masked);
    const body = await response.json();
    expect(body.ok).toBe(true);
    expect(body.message).toContain("366822873177837");
    expect(body.profiles.find((p: { profileId: string }) => p.profileId === "366822873177837")).toMatchObject({
      region: "EU",
      countryCode: "GB",
      currencyCode: "GBP",
      timezone: "Europe/London",
      accountName: "Simulator Store UK",
      accountType: "seller",
      selected: true,
      canReport: true,
    });
    // The login's NA profile is listed too, not selected.
    expect(body.profiles.find((p: { profileId: string }) => p.profileId === "1111222233334444")).toMatchObject({
      region: "NA",
      timezone: "America/Los_Angeles",
      selected: false,
    });
    const profilesCall = sim().requests.find((r) => r.path.includes("/v2/profiles"))!;
    expect(profilesCall.headers["amazon-advertising-api-scope"]).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain(SIM_DEFAULTS.clientSecret);
  });

  it("invalid_client: says the client id or secret is wrong", async () => {
    const body = await (await postTest({ ...SIM_ADS_SETTINGS, client_secret: "wrong-secret-value-123456" })).json();
    expect(body).toMatchObject({ ok: false, problem: "invalid_client" });
    expect(body.message).toMatch(/client ID or client secret/);
    expect(JSON.stringify(body)).not.toContain("wrong-secret-value-123456");
  });

  it("invalid_grant: says the refresh token was revoked or is wrong", async () => {
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const body = await (await postTest(SIM_ADS_SETTINGS)).json();
    expect(body).toMatchObject({ ok: false, problem: "invalid_grant" });
    expect(body.message).toMatch(/refresh token/);
  });

  it("profile missing: lists the profiles the login can use", async () => {
    const body = await (await postTest({ ...SIM_ADS_SETTINGS, profile_id: "123456789" })).json();
    expect(body).toMatchObject({ ok: false, problem: "profile_not_found" });
    expect(body.details.join(" ")).toContain("366822873177837");
  });

  it("a profile of another region than the Region setting is found in its own region", async () => {
    const body = await (await postTest({ ...SIM_ADS_SETTINGS, profile_id: "1111222233334444", region: "EU" })).json();
    expect(body).toMatchObject({ ok: true });
    expect(body.message).toMatch(/1111222233334444 \(US\)/);
    const us = body.profiles.find((p: { profileId: string }) => p.profileId === "1111222233334444");
    expect(us).toMatchObject({ region: "NA", countryCode: "US", selected: true });
  });

  it("Amazon slow: times out cleanly with a clear message", async () => {
    sim().setScenario({ tokenLatencyMs: 2_000 });
    process.env.AMAZON_HTTP_TIMEOUT_MS = "300";
    try {
      const body = await (await postTest(SIM_ADS_SETTINGS)).json();
      expect(body).toMatchObject({ ok: false, problem: "timeout" });
      expect(body.message).toMatch(/did not answer within/);
    } finally {
      process.env.AMAZON_HTTP_TIMEOUT_MS = "3000";
    }
  });

  it("Amazon down: a refused connection and a 5xx are both reported, not thrown", async () => {
    const server = http.createServer((_req, res) => res.writeHead(503).end("<html>Service Unavailable</html>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const original = process.env.AMAZON_ADS_TOKEN_URL;
    try {
      process.env.AMAZON_ADS_TOKEN_URL = `http://127.0.0.1:${port}/auth/o2/token`;
      expect(await (await postTest(SIM_ADS_SETTINGS)).json()).toMatchObject({ ok: false, problem: "unavailable" });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect(await (await postTest(SIM_ADS_SETTINGS)).json()).toMatchObject({ ok: false, problem: "network" });
    } finally {
      process.env.AMAZON_ADS_TOKEN_URL = original;
    }
  });
});

describe("bad input on the other entry points", () => {
  it("test endpoints and setup refuse malformed JSON, wrong types, unknown keys and huge bodies, calling nobody", async () => {
    const { POST: setupPost } = await import("@/app/api/setup/route");
    const cases: Array<[(r: Request) => Promise<Response>, string, unknown, number]> = [
      [testAds, "/api/test/amazon-ads", "{oops", 400],
      [testAds, "/api/test/amazon-ads", { profile_id: 366822873177837 }, 400],
      [testAds, "/api/test/amazon-ads", { ...SIM_ADS_SETTINGS, extra: "x" }, 400],
      [testAds, "/api/test/amazon-ads", { client_secret: "x".repeat(100_000) }, 413],
      [testSp, "/api/test/amazon", { client_id: ["a"] }, 400],
      [setupPost, "/api/setup", "[1,2", 400],
      [setupPost, "/api/setup", { email: "a@b.co", password: "long enough pw", isAdmin: true }, 400],
    ];
    for (const [handler, url, body, status] of cases) {
      const response = await handler(jsonRequest(url, { cookie: admin.cookie, body }));
      expect(response.status, `${url} ${JSON.stringify(body).slice(0, 50)}`).toBe(status);
      expect((await response.json()).message).toBeTruthy();
    }
    expect(sim().requests).toHaveLength(0);
  });
});

describe("Test connection (SP-API)", () => {
  it("answers ok for good credentials and a clear message for invalid_client / invalid_grant", async () => {
    expect(
      await (await testSp(jsonRequest("/api/test/amazon", { cookie: admin.cookie, body: SP }))).json(),
    ).toMatchObject({ ok: true });
    const badClient = await (
      await testSp(
        jsonRequest("/api/test/amazon", {
          cookie: admin.cookie,
          body: { ...SP, client_secret: "nope-nope-nope-nope" },
        }),
      )
    ).json();
    expect(badClient).toMatchObject({ ok: false, problem: "invalid_client" });
    sim().setScenario({ revokedRefreshTokens: [SP.refresh_token] });
    const badGrant = await (await testSp(jsonRequest("/api/test/amazon", { cookie: admin.cookie, body: SP }))).json();
    expect(badGrant).toMatchObject({ ok: false, problem: "invalid_grant" });
    const tokenCall = sim().requests.find((r) => r.path.endsWith("/auth/o2/token"))!;
    expect(tokenCall.headers["content-type"]).toMatch(/application\/x-www-form-urlencoded/);
  });
});

describe("saving from the settings page", () => {
  const save = async (body: unknown) => {
    const response = await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body }));
    return { status: response.status, body: await response.json() };
  };
  const maskedAds = async () =>
    (await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json()).settings.amazon_ads;
  const ciphertext = async () => {
    const [row] = await (
      await getDb()
    )
      .select({ value: settings.valueEncrypted, updatedAt: settings.updatedAt })
      .from(settings)
      .where(and(eq(settings.orgId, 1), eq(settings.key, "amazon_ads")));
    return row;
  };

  beforeAll(async () => {
    await saveSetting(1, "amazon_ads", SIM_ADS_SETTINGS);
  });

  it("names the organisation, not only its number", async () => {
    const body = await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json();
    expect(body).toMatchObject({ orgId: 1, orgName: "Org One" });
    const other = await otherOrgAdmin();
    const theirs = await (await settingsGet(jsonRequest("/api/settings", { cookie: other.cookie }))).json();
    expect(theirs.orgName).toMatch(/^Org \d+$/);
    expect(theirs.orgId).toBe(other.orgId);
  });

  it("saving the values already saved writes nothing and says so", async () => {
    const before = await ciphertext();
    const { status, body } = await save({ amazon_ads: await maskedAds() });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, saved: [], unchanged: ["amazon_ads"] });
    expect(body.message).toMatch(/^Nothing changed/);
    // Not re-encrypted (a fresh IV would change the ciphertext) and not touched.
    expect(await ciphertext()).toEqual(before);
    // An empty secret (the page's unlocked-but-untouched secret) is still "keep the saved one": nothing changed.
    const again = await save({ amazon_ads: { ...(await maskedAds()), client_secret: "" } });
    expect(again.body).toMatchObject({ saved: [], unchanged: ["amazon_ads"] });
    // A real change is saved and named.
    const changed = await save({ amazon_ads: { ...(await maskedAds()), region: "NA" } });
    expect(changed.body).toMatchObject({ saved: ["amazon_ads"], unchanged: [] });
    expect(changed.body.message).toMatch(/^Saved/);
    expect((await getAmazonAdsSettings(1))?.region).toBe("NA");
    await save({ amazon_ads: { region: "EU" } });
  });

  it("a cleared required identifier is refused with a message, and nothing is stored", async () => {
    const before = await ciphertext();
    for (const [field, message] of [
      ["profile_id", "Profile ID is required unless every profile is synced"],
      ["region", "Region must be NA, EU or FE"],
    ] as const) {
      const { status, body } = await save({ amazon_ads: { ...(await maskedAds()), [field]: "  " } });
      expect(status, field).toBe(400);
      expect(body.fields[`amazon_ads.${field}`], field).toBe(message);
      expect(body.message, field).toContain(message);
    }
    const sp = await save({ amazon: { ...SP, marketplace_id: "" } });
    expect(sp.status).toBe(400);
    expect(sp.body.fields["amazon.marketplace_id"]).toBe("Marketplace ID is required");
    expect(await ciphertext()).toEqual(before);
    expect(await getAmazonAdsSettings(1)).toEqual(SIM_ADS_SETTINGS);
  });

  it("a cleared optional identifier is cleared, not silently kept", async () => {
    const { status, body } = await save({ amazon_ads: { ...(await maskedAds()), profiles: "all", profile_id: "" } });
    expect(status).toBe(200);
    expect(body.saved).toEqual(["amazon_ads"]);
    expect(body.settings.amazon_ads).toMatchObject({ profiles: "all", profile_id: "" });
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SIM_ADS_SETTINGS, profiles: "all", profile_id: "" });
    // Omitted still means "keep" (a partial update), and an empty secret keeps the saved secret.
    await save({ amazon_ads: { profiles: "listed", profile_id: SIM_ADS_SETTINGS.profile_id, refresh_token: "" } });
    expect(await getAmazonAdsSettings(1)).toEqual(SIM_ADS_SETTINGS);
  });

  it("a cleared client ID switches the organisation to the server's app: its own secret goes with it", async () => {
    const { status, body } = await save({ amazon_ads: { ...(await maskedAds()), client_id: "" } });
    expect(status).toBe(200);
    expect(body.settings.amazon_ads).toMatchObject({ client_id: "", client_secret: "" });
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SIM_ADS_SETTINGS, client_id: "", client_secret: "" });
    // A client ID without its secret is refused, and nothing is stored.
    const before = await ciphertext();
    const half = await save({ amazon_ads: { client_id: SIM_ADS_SETTINGS.client_id } });
    expect(half.status).toBe(400);
    expect(half.body.fields["amazon_ads.client_secret"]).toMatch(/^Client secret is required with a client ID/);
    expect(await ciphertext()).toEqual(before);
    await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
  });
});
