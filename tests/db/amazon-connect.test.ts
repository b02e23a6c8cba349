import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as callbackGet } from "@/app/api/amazon-ads/callback/route";
import { POST as connectPost } from "@/app/api/amazon-ads/connect/route";
import { GET as settingsGet } from "@/app/api/settings/route";
import { POST as testAds } from "@/app/api/test/amazon-ads/route";
import { getDb } from "@/lib/db";
import { amazonAdsConnectStates, settings, syncLogs, user as users } from "@/lib/db/schema";
import { addMember } from "@/lib/orgs/organisations";
import { createUserWithPassword } from "@/lib/orgs/accounts";
import { MASK } from "@/lib/settings/masking";
import { getAmazonAdsSettings, saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "../../tools/amazon-ads-simulator/index";
import { APP, firstAdmin, jsonRequest, otherOrgAdmin, signIn, type TestUser } from "../support/auth";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";
import { resetRateLimits, setupTestDatabase } from "../support/test-db";

// "Connect with Amazon" through its two routes, against the simulator's consent page and token endpoint.
// Every refused callback must leave the settings row byte-for-byte as it was (a re-save would change the
// ciphertext: its IV is random) and must use its state up.

setupTestDatabase();
const { sim } = setupSimulator();
const CALLBACK = `${APP}/api/amazon-ads/callback`;
// Org 1's saved section: a refresh token the simulator does not know, so a successful connection visibly replaces it.
const SAVED = { ...SIM_ADS_SETTINGS, refresh_token: "Atzr|saved-before-connect-0000000000000000" };

let admin: TestUser;
let logged: string[] = [];
/** Every code the consent page handed out, to look for in the logs at the end. */
const issuedCodes: string[] = [];

beforeAll(async () => {
  for (const region of ["NA", "EU", "FE"] as const)
    process.env[`AMAZON_ADS_AUTH_URL_${region}`] = sim().authorizeUrl[region];
  admin = await firstAdmin();
  for (const method of ["log", "info", "warn", "error"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
});
afterAll(() => {
  vi.restoreAllMocks();
});
beforeEach(async () => {
  sim().reset();
  await saveAmazonAdsSettings(1, SAVED);
  // Each test starts a fresh window of the Connect-start limit (tests/db/limits.test.ts covers it).
  await resetRateLimits();
});

const settingsRow = async (orgId: number) =>
  (
    await (
      await getDb()
    )
      .select({ valueEncrypted: settings.valueEncrypted, updatedAt: settings.updatedAt })
      .from(settings)
      .where(and(eq(settings.orgId, orgId), eq(settings.key, "amazon_ads")))
  )[0] ?? null;
const stateRows = async () =>
  (await getDb()).select({ stateHash: amazonAdsConnectStates.stateHash }).from(amazonAdsConnectStates);
const clearStates = async () => {
  await (await getDb()).delete(amazonAdsConnectStates);
};
const tokenExchanges = () =>
  sim().requests.filter((r) => r.path === "/auth/o2/token" && r.body.includes("grant_type=authorization_code"));

/** Presses Connect with Amazon: the consent page URL the browser would be sent to. */
async function start(user: TestUser, form: Record<string, string> = {}, orgQuery = ""): Promise<URL> {
  const response = await connectPost(
    jsonRequest(`/api/amazon-ads/connect${orgQuery}`, { cookie: user.cookie, body: form, headers: { origin: APP } }),
  );
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return new URL(body.url);
}

/** Answers the simulator's consent page as the Allow/Cancel form does: where Amazon sends the browser back. */
async function consent(consentUrl: URL, decision: "allow" | "cancel" = "allow"): Promise<URL> {
  const response = await fetch(`${consentUrl.origin}${consentUrl.pathname}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...Object.fromEntries(consentUrl.searchParams), decision }).toString(),
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location")!);
  if (back.searchParams.get("code")) issuedCodes.push(back.searchParams.get("code")!);
  return back;
}

/** Our callback, as the browser calls it after Amazon: the outcome named in the redirect to /settings. */
async function callback(url: URL | string, user: TestUser = admin) {
  const response = await callbackGet(jsonRequest(url.toString(), { cookie: user.cookie }));
  expect(response.status).toBe(303);
  expect(await response.text()).toBe("");
  const location = new URL(response.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(`${APP}/settings`);
  return { result: location.searchParams.get("amazon_connect"), orgId: location.searchParams.get("orgId"), location };
}

/** The callback refuses, stores nothing, and the state (if any) cannot be used again. */
async function expectRefused(url: URL | string, expected: string, user: TestUser = admin) {
  const before = await settingsRow(1);
  const { result } = await callback(url, user);
  expect(result).toBe(expected);
  expect(await settingsRow(1)).toEqual(before);
  expect(await getAmazonAdsSettings(1)).toEqual(SAVED);
  expect(await stateRows()).toEqual([]);
  if (new URL(url).searchParams.get("state")) expect((await callback(url, user)).result).toBe("state_unknown");
  expect(await settingsRow(1)).toEqual(before);
}

describe("starting Connect with Amazon", () => {
  it("sends an admin to the region's consent page with client_id, scope, response_type, redirect_uri and state", async () => {
    // A field left out, or a secret shown masked, means the saved value.
    const url = await start(admin, { client_secret: `${MASK}${SAVED.client_secret.slice(-4)}` });
    expect(`${url.origin}${url.pathname}`).toBe(sim().authorizeUrl.EU);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: SIM_DEFAULTS.clientId,
      scope: "advertising::campaign_management",
      response_type: "code",
      redirect_uri: CALLBACK,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    // Only a hash of the state is kept.
    const rows = await stateRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.stateHash).not.toContain(url.searchParams.get("state"));
    const stored = JSON.stringify(await (await getDb()).select().from(amazonAdsConnectStates));
    expect(stored).not.toContain(url.searchParams.get("state")!);
    expect(stored).not.toContain(SIM_DEFAULTS.clientSecret);

    const na = await start(admin, { region: "NA" });
    expect(`${na.origin}${na.pathname}`).toBe(sim().authorizeUrl.NA);
    await clearStates();
  });

  it("uses Amazon's consent hosts per region when no override is set", async () => {
    const overrides = ["NA", "EU", "FE"].map((r) => [
      `AMAZON_ADS_AUTH_URL_${r}`,
      process.env[`AMAZON_ADS_AUTH_URL_${r}`],
    ]);
    for (const [name] of overrides) delete process.env[name!];
    try {
      const hosts = [];
      for (const region of ["NA", "EU", "FE"]) {
        const url = await start(admin, { region });
        hosts.push(`${url.origin}${url.pathname}`);
      }
      expect(hosts).toEqual([
        "https://www.amazon.com/ap/oa",
        "https://eu.account.amazon.com/ap/oa",
        "https://apac.account.amazon.com/ap/oa",
      ]);
    } finally {
      for (const [name, value] of overrides) process.env[name!] = value;
      await clearStates();
    }
  });

  it("refuses a member who is not an admin, and a cross-origin request", async () => {
    const member = await createUserWithPassword({ email: "member@example.com", password: "member password 1" });
    await addMember(1, member.id, "member");
    const cookie = await signIn("member@example.com", "member password 1");
    const refused = await connectPost(jsonRequest("/api/amazon-ads/connect", { cookie, body: {} }));
    expect(refused.status).toBe(403);
    const foreign = await connectPost(
      jsonRequest("/api/amazon-ads/connect", {
        cookie: admin.cookie,
        body: {},
        headers: { origin: "http://evil.example" },
      }),
    );
    expect(foreign.status).toBe(403);
    expect(await stateRows()).toEqual([]);
  });

  it("needs a client ID and client secret, typed or saved", async () => {
    const other = await otherOrgAdmin();
    const response = await connectPost(
      jsonRequest(`/api/amazon-ads/connect?orgId=${other.orgId}`, { cookie: other.cookie, body: { region: "EU" } }),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(Object.keys(body.fields).sort()).toEqual(["amazon_ads.client_id", "amazon_ads.client_secret"]);
    expect(await stateRows()).toEqual([]);
  });
});

describe("the callback", () => {
  it("stores the refresh token encrypted, masked on read, then lists the profiles; the state works once", async () => {
    const url = await start(admin, {});
    const back = await consent(url);
    const { result, orgId, location } = await callback(back);
    expect(result).toBe("connected");
    expect(orgId).toBe("1");
    expect(location.toString()).not.toContain(back.searchParams.get("code")!);
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SAVED, refresh_token: SIM_DEFAULTS.refreshToken });
    const raw = await settingsRow(1);
    expect(raw!.valueEncrypted).not.toContain(SIM_DEFAULTS.refreshToken);
    expect(await stateRows()).toEqual([]);

    const masked = (await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json()).settings
      .amazon_ads;
    expect(masked.refresh_token).toBe(`${MASK}${SIM_DEFAULTS.refreshToken.slice(-4)}`);
    const test = await (
      await testAds(jsonRequest("/api/test/amazon-ads", { cookie: admin.cookie, body: masked }))
    ).json();
    expect(test.ok).toBe(true);
    expect(test.profiles.map((p: { profileId: string }) => p.profileId)).toContain(SIM_DEFAULTS.profileId);

    // Replaying the same answer: the state is used up, nothing changes.
    const after = await settingsRow(1);
    expect((await callback(back)).result).toBe("state_unknown");
    expect(await settingsRow(1)).toEqual(after);
    expect(tokenExchanges()).toHaveLength(1);
  });

  it("on a first connection (nothing saved) stores the typed app and selects every profile until some are listed", async () => {
    const other = await otherOrgAdmin();
    const url = await start(
      other,
      { client_id: SIM_SECOND_CLIENT.clientId, client_secret: SIM_SECOND_CLIENT.clientSecret, region: "EU" },
      `?orgId=${other.orgId}`,
    );
    const { result, orgId } = await callback(await consent(url), other);
    expect(result).toBe("connected_all");
    expect(orgId).toBe(String(other.orgId));
    expect(await getAmazonAdsSettings(other.orgId)).toEqual({
      client_id: SIM_SECOND_CLIENT.clientId,
      client_secret: SIM_SECOND_CLIENT.clientSecret,
      refresh_token: SIM_SECOND_CLIENT.refreshToken,
      profile_id: "",
      profiles: "all",
      region: "EU",
    });
    expect(await getAmazonAdsSettings(1)).toEqual(SAVED);
  });

  it("refuses a callback without state", async () => {
    await start(admin); // a flow in progress that this answer must not complete
    const before = await stateRows();
    const { result } = await callback(`${CALLBACK}?code=ANsimwhatever`);
    expect(result).toBe("state_missing");
    expect(await stateRows()).toEqual(before);
    expect(await getAmazonAdsSettings(1)).toEqual(SAVED);
    await clearStates();
  });

  it("refuses a state that was never issued", async () => {
    const back = await consent(await start(admin));
    back.searchParams.set("state", "forged-state-value-forged-state-value-000000");
    const before = await settingsRow(1);
    expect((await callback(back)).result).toBe("state_unknown");
    expect(await settingsRow(1)).toEqual(before);
    expect(tokenExchanges()).toHaveLength(0);
    await clearStates();
  });

  it("refuses an expired state without exchanging the code", async () => {
    const back = await consent(await start(admin));
    await (await getDb()).update(amazonAdsConnectStates).set({ expiresAt: new Date(Date.now() - 1000) });
    await expectRefused(back, "state_expired");
    expect(tokenExchanges()).toHaveLength(0);
  });

  it("refuses another user's state (another admin of the same organisation)", async () => {
    const second = await createUserWithPassword({ email: "admin-two@example.com", password: "second admin pw" });
    await addMember(1, second.id, "admin");
    const secondAdmin = { ...admin, cookie: await signIn("admin-two@example.com", "second admin pw") };
    const back = await consent(await start(admin));
    await expectRefused(back, "state_foreign", secondAdmin);
    // Used up for its owner too.
    expect((await callback(back, admin)).result).toBe("state_unknown");
    expect(tokenExchanges()).toHaveLength(0);
  });

  it("refuses a state for an organisation the user is no longer an admin of", async () => {
    const other = await otherOrgAdmin();
    const before = await settingsRow(other.orgId);
    const back = await consent(await start(other, { ...SIM_ADS_SETTINGS }, `?orgId=${other.orgId}`));
    const [user] = await (await getDb()).select({ id: users.id }).from(users).where(eq(users.email, other.email));
    await addMember(other.orgId, user!.id, "member");
    expect((await callback(back, other)).result).toBe("state_foreign");
    expect(await settingsRow(other.orgId)).toEqual(before);
    expect(await stateRows()).toEqual([]);
    expect(tokenExchanges()).toHaveLength(0);
  });

  it("refuses when the admin pressed Cancel (error=access_denied)", async () => {
    const back = await consent(await start(admin), "cancel");
    expect(back.searchParams.get("error")).toBe("access_denied");
    await expectRefused(back, "cancelled");
    expect(tokenExchanges()).toHaveLength(0);
  });

  it("refuses a code Amazon rejects (invalid_grant), and a client secret Amazon rejects (invalid_client)", async () => {
    const back = await consent(await start(admin));
    back.searchParams.set("code", "ANsimNotACodeAmazonIssued");
    await expectRefused(back, "code_rejected");

    const wrongSecret = await consent(await start(admin, { client_secret: "amzn1.oa2-cs.v1.wrong-secret-000000" }));
    await expectRefused(wrongSecret, "client_rejected");
    expect(tokenExchanges()).toHaveLength(2);
  });

  it("refuses an answer with a state but no code", async () => {
    const back = await consent(await start(admin));
    back.searchParams.delete("code");
    await expectRefused(back, "code_missing");
  });

  it("needs a session", async () => {
    const back = await consent(await start(admin));
    const response = await callbackGet(jsonRequest(back.toString()));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(back.searchParams.get("code")!);
    await clearStates();
  });

  it("never wrote a code, client secret or token to the log or sync_logs", async () => {
    expect(issuedCodes.length).toBeGreaterThan(5);
    const secrets = [
      SIM_DEFAULTS.clientSecret,
      SIM_SECOND_CLIENT.clientSecret,
      SIM_DEFAULTS.refreshToken,
      ...issuedCodes,
    ];
    const syncLogRows = JSON.stringify(await (await getDb()).select().from(syncLogs));
    for (const secret of secrets) {
      expect(logged.join("\n")).not.toContain(secret);
      expect(syncLogRows).not.toContain(secret);
    }
    logged = [];
  });
});

describe("the operator's app", () => {
  const OPERATOR = { id: SIM_SECOND_CLIENT.clientId, secret: SIM_SECOND_CLIENT.clientSecret };
  beforeEach(() => {
    process.env.AMAZON_ADS_CLIENT_ID = OPERATOR.id;
    process.env.AMAZON_ADS_CLIENT_SECRET = OPERATOR.secret;
  });
  afterAll(() => {
    delete process.env.AMAZON_ADS_CLIENT_ID;
    delete process.env.AMAZON_ADS_CLIENT_SECRET;
  });

  it("starts with nothing typed, and the organisation then follows the server's app: no app of its own is saved", async () => {
    const other = await otherOrgAdmin();
    await (await getDb()).delete(settings).where(eq(settings.orgId, other.orgId));
    const page = await (
      await settingsGet(jsonRequest(`/api/settings?orgId=${other.orgId}`, { cookie: other.cookie }))
    ).json();
    // The page learns which app Connect will use: its id, never its secret.
    expect(page.operatorApp).toEqual({ clientId: OPERATOR.id });
    expect(JSON.stringify(page)).not.toContain(OPERATOR.secret);

    const url = await start(other, {}, `?orgId=${other.orgId}`);
    expect(url.searchParams.get("client_id")).toBe(OPERATOR.id);
    // The operator's secret is read from the environment at the callback, not copied into the state row.
    const [row] = await (
      await getDb()
    )
      .select({ secret: amazonAdsConnectStates.clientSecretEncrypted })
      .from(amazonAdsConnectStates);
    expect(row!.secret).toBeNull();
    const { result } = await callback(await consent(url), other);
    expect(result).toBe("connected_all");
    expect(await getAmazonAdsSettings(other.orgId)).toEqual({
      client_id: "",
      client_secret: "",
      refresh_token: SIM_SECOND_CLIENT.refreshToken,
      profile_id: "",
      profiles: "all",
      region: "EU",
    });
    const masked = (
      await (await settingsGet(jsonRequest(`/api/settings?orgId=${other.orgId}`, { cookie: other.cookie }))).json()
    ).settings.amazon_ads;
    expect(masked.client_secret).toBe("");
    const test = await (
      await testAds(
        jsonRequest(`/api/test/amazon-ads?orgId=${other.orgId}`, {
          cookie: other.cookie,
          body: masked,
          headers: { origin: APP },
        }),
      )
    ).json();
    expect(test.ok, JSON.stringify(test)).toBe(true);
    expect(test.message).toMatch(/^Connected with this server's app\./);
  });

  it("an organisation's own saved app wins over the server's", async () => {
    const url = await start(admin, {});
    expect(url.searchParams.get("client_id")).toBe(SAVED.client_id);
    const { result } = await callback(await consent(url));
    expect(result).toBe("connected");
    expect(await getAmazonAdsSettings(1)).toEqual({ ...SAVED, refresh_token: SIM_DEFAULTS.refreshToken });
  });

  it("an emptied client ID in the form means the server's app", async () => {
    const url = await start(admin, { client_id: "" });
    expect(url.searchParams.get("client_id")).toBe(OPERATOR.id);
    await clearStates();
  });

  it("a server app changed while the admin was on Amazon's page refuses the callback and saves nothing", async () => {
    const url = await start(admin, { client_id: "" });
    const back = await consent(url);
    process.env.AMAZON_ADS_CLIENT_ID = "amzn1.application-oa2-client.replaced";
    await expectRefused(back, "client_rejected");
    expect(tokenExchanges()).toHaveLength(0);
  });

  it("never wrote the operator's secret to the log or sync_logs", async () => {
    const syncLogRows = JSON.stringify(await (await getDb()).select().from(syncLogs));
    expect(logged.join("\n")).not.toContain(OPERATOR.secret);
    expect(syncLogRows).not.toContain(OPERATOR.secret);
  });
});
