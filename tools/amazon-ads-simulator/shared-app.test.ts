import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_DEFAULT_PROFILES, SIM_MULTI_PROFILE_IDS, SIM_SECOND_CLIENT } from "./defaults";
import {
  createReport,
  createReportOk,
  fetchToken,
  getProfiles,
  getReport,
  listedIds,
  listing,
  postJson,
  postToken,
  refreshGrant,
  reportBody,
  startSim,
  tokenForm,
  unauthorizedDetails,
} from "./test-prelude";
import type { SimClient, SimProfile, Simulator } from "./types";

// One LwA app (client id + secret) authorised by two Amazon users: two logins, each its own refresh token and
// its own profiles.

const APP = {
  clientId: "amzn1.application-oa2-client.sharedapp000000000000000000000001",
  clientSecret: "amzn1.oa2-cs.v1.shared-app-secret",
};
const GB = SIM_DEFAULTS.profileId;
const NA = "1111222233334444";
const DE = SIM_SECOND_CLIENT.profileIds[0]!;
const LOGIN_A: SimClient = { ...APP, refreshToken: "Atzr|IwEBIShared-login-A", profileIds: [GB, NA] };
const LOGIN_B: SimClient = { ...APP, refreshToken: "Atzr|IwEBIShared-login-B", profileIds: [DE] };
const PROFILES: SimProfile[] = SIM_DEFAULT_PROFILES.map((profile) => structuredClone(profile));

/** A simulator with the shared app's two logins and client 2 (its own app, DE too). */
function startShared(): Promise<Simulator> {
  return startSim({ clients: [LOGIN_A, LOGIN_B, SIM_SECOND_CLIENT], profiles: PROFILES });
}

const call = (profileId: string | null, region: "EU" | "NA" = "EU") => ({ clientId: APP.clientId, profileId, region });

describe("one LwA app with several logins", () => {
  it("each login's token lists only that login's profiles", async () => {
    const sim = await startShared();
    const tokenA = await fetchToken(sim, LOGIN_A);
    const tokenB = await fetchToken(sim, LOGIN_B);
    expect(await listedIds(sim, tokenA, listing(APP.clientId, "EU"))).toEqual([GB]);
    expect(await listedIds(sim, tokenA, listing(APP.clientId, "NA"))).toEqual([NA]);
    expect(await listedIds(sim, tokenB, listing(APP.clientId, "EU"))).toEqual([DE]);
    expect(await listedIds(sim, tokenB, listing(APP.clientId, "NA"))).toEqual([]);
    // The app's client id is needed: a login's token does not pass for another app.
    expect((await getProfiles(sim, tokenB, listing(SIM_SECOND_CLIENT.clientId))).status).toBe(401);
  });

  it('a token of login A cannot use login B\'s profile as Scope (401 "No matching advertiser found for scope")', async () => {
    const sim = await startShared();
    const tokenA = await fetchToken(sim, LOGIN_A);
    const tokenB = await fetchToken(sim, LOGIN_B);
    const denied = await createReport(sim, tokenA, reportBody(), call(DE));
    expect(await unauthorizedDetails(denied)).toBe("No matching advertiser found for scope");
    // B's own report: B can poll it, A cannot (not even with its own Scope: another profile's report is 404).
    const report = await createReportOk(sim, tokenB, reportBody(), call(DE));
    expect((await getReport(sim, tokenB, report.reportId, call(DE))).status).toBe(200);
    expect(await unauthorizedDetails(await getReport(sim, tokenA, report.reportId, call(DE)))).toBe(
      "No matching advertiser found for scope",
    );
    expect((await getReport(sim, tokenA, report.reportId, call(GB))).status).toBe(404);
    // And the other way round.
    expect(await unauthorizedDetails(await createReport(sim, tokenB, reportBody(), call(GB)))).toBe(
      "No matching advertiser found for scope",
    );
    expect((await createReport(sim, tokenA, reportBody(), call(GB))).status).toBe(200);
  });

  it("a refresh grant with login B's token and the app's secret issues a token for login B", async () => {
    const sim = await startShared();
    const response = await postToken(sim, refreshGrant({}, LOGIN_B));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; refresh_token: string };
    expect(body.refresh_token).toBe(LOGIN_B.refreshToken);
    expect(await listedIds(sim, body.access_token, listing(APP.clientId))).toEqual([DE]);
  });

  it("a wrong secret is invalid_client; another app's or an unknown refresh token is invalid_grant", async () => {
    const sim = await startShared();
    for (const login of [LOGIN_A, LOGIN_B]) {
      const response = await postToken(sim, refreshGrant({ client_secret: "amzn1.oa2-cs.v1.wrong" }, login));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
    }
    for (const refresh_token of [SIM_SECOND_CLIENT.refreshToken, "Atzr|IwEBIShared-login-C"]) {
      const response = await postToken(sim, refreshGrant({ refresh_token }, LOGIN_A));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    }
    // Revoking one user's grant leaves the app's other login working.
    sim.setScenario({ revokedRefreshTokens: [LOGIN_A.refreshToken] });
    expect((await postToken(sim, refreshGrant({}, LOGIN_A))).status).toBe(400);
    await expect(fetchToken(sim, LOGIN_B)).resolves.toMatch(/^Atza\|/);
  });

  it("throws at start on one client id with two secrets, or a refresh token given twice", async () => {
    const mismatched = { ...LOGIN_B, clientSecret: "amzn1.oa2-cs.v1.other-secret" };
    await expect(startSim({ clients: [LOGIN_A, mismatched], profiles: PROFILES })).rejects.toThrow(
      /different client secrets/,
    );
    const twice = { ...SIM_SECOND_CLIENT, refreshToken: LOGIN_A.refreshToken };
    await expect(startSim({ clients: [LOGIN_A, twice], profiles: PROFILES })).rejects.toThrow(/more than one login/);
    await expect(
      startSim({ clients: [LOGIN_A, { ...LOGIN_B, refreshToken: LOGIN_A.refreshToken }], profiles: PROFILES }),
    ).rejects.toThrow(/more than one login/);
  });

  it("the consent page knows the app; an authorization code answers with its first login's refresh token", async () => {
    const sim = await startShared();
    const redirect = "http://app.example/callback";
    const consent = {
      client_id: APP.clientId,
      scope: "advertising::campaign_management",
      response_type: "code",
      redirect_uri: redirect,
    };
    expect((await fetch(`${sim.authorizeUrl.EU}?${new URLSearchParams(consent)}`)).status).toBe(200);
    const allowed = await fetch(sim.authorizeUrl.EU, {
      ...tokenForm({ ...consent, decision: "allow" }),
      redirect: "manual",
    });
    const code = new URL(allowed.headers.get("location")!).searchParams.get("code")!;
    const response = await postToken(sim, {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirect,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; refresh_token: string };
    expect(body.refresh_token).toBe(LOGIN_A.refreshToken);
    expect(await listedIds(sim, body.access_token, listing(APP.clientId))).toEqual([GB]);
  });

  it("addProfile/removeProfile act on the named login, else on the app's first", async () => {
    const sim = await startShared();
    const tokenA = await fetchToken(sim, LOGIN_A);
    const tokenB = await fetchToken(sim, LOGIN_B);
    const gbMulti = PROFILES.find((profile) => profile.profileId === SIM_MULTI_PROFILE_IDS.GB)!;
    sim.addProfile(APP.clientId, gbMulti, LOGIN_B.refreshToken);
    expect(await listedIds(sim, tokenB, listing(APP.clientId))).toEqual([DE, gbMulti.profileId]);
    expect(await listedIds(sim, tokenA, listing(APP.clientId))).toEqual([GB]);
    sim.addProfile(APP.clientId, gbMulti);
    expect(await listedIds(sim, tokenA, listing(APP.clientId))).toEqual([GB, gbMulti.profileId]);
    sim.removeProfile(APP.clientId, gbMulti.profileId, LOGIN_B.refreshToken);
    expect(await listedIds(sim, tokenB, listing(APP.clientId))).toEqual([DE]);
    expect(await listedIds(sim, tokenA, listing(APP.clientId))).toEqual([GB, gbMulti.profileId]);
    sim.removeProfile(APP.clientId, GB);
    expect(await listedIds(sim, tokenA, listing(APP.clientId))).toEqual([gbMulti.profileId]);
    expect(() => sim.removeProfile(APP.clientId, GB, LOGIN_B.refreshToken)).toThrow(/has no profile/);
    // A refresh token of another app, or an unknown one, names no login of this app.
    expect(() => sim.addProfile(APP.clientId, gbMulti, SIM_SECOND_CLIENT.refreshToken)).toThrow(/no login/);
    expect(() => sim.removeProfile(APP.clientId, DE, "Atzr|nobody")).toThrow(/no login/);
    // reset() restores both logins' starting profiles.
    sim.reset();
    expect(await listedIds(sim, tokenA, listing(APP.clientId))).toEqual([GB]);
    expect(await listedIds(sim, tokenB, listing(APP.clientId))).toEqual([DE]);
  });

  it("/__admin/profiles/add and /remove take an optional refreshToken", async () => {
    const sim = await startShared();
    const tokenB = await fetchToken(sim, LOGIN_B);
    const add = (body: unknown): Promise<Response> => postJson(`${sim.baseUrl}/__admin/profiles/add`, body);
    const remove = (body: unknown): Promise<Response> => postJson(`${sim.baseUrl}/__admin/profiles/remove`, body);
    const gbMulti = PROFILES.find((profile) => profile.profileId === SIM_MULTI_PROFILE_IDS.GB)!;
    const added = await add({ clientId: APP.clientId, refreshToken: LOGIN_B.refreshToken, profile: gbMulti });
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({
      clientId: APP.clientId,
      refreshToken: LOGIN_B.refreshToken,
      profileIds: [DE, gbMulti.profileId],
    });
    expect(await listedIds(sim, tokenB, listing(APP.clientId))).toEqual([DE, gbMulti.profileId]);
    // Without a refreshToken: the first login.
    const first = await remove({ clientId: APP.clientId, profileId: GB });
    expect(await first.json()).toEqual({ clientId: APP.clientId, profileIds: [NA] });
    expect((await remove({ clientId: APP.clientId, profileId: DE })).status).toBe(404);
    const removed = await remove({ clientId: APP.clientId, refreshToken: LOGIN_B.refreshToken, profileId: DE });
    expect(removed.status).toBe(200);
    expect(await listedIds(sim, tokenB, listing(APP.clientId))).toEqual([gbMulti.profileId]);
    // Another app's refresh token or an unknown one: 404; not a string: 400.
    for (const refreshToken of [SIM_SECOND_CLIENT.refreshToken, "Atzr|nobody"]) {
      expect((await add({ clientId: APP.clientId, refreshToken, profile: gbMulti })).status).toBe(404);
      expect((await remove({ clientId: APP.clientId, refreshToken, profileId: gbMulti.profileId })).status).toBe(404);
    }
    expect((await add({ clientId: APP.clientId, refreshToken: 7, profile: gbMulti })).status).toBe(400);
  });

  it("storm429 is the app's: set on one login at start or by setClientFaults, it throttles every login", async () => {
    const sim = await startSim({
      clients: [LOGIN_A, { ...LOGIN_B, storm429: { retryAfterSeconds: 4 } }, SIM_SECOND_CLIENT],
      profiles: PROFILES,
    });
    const tokenA = await fetchToken(sim, LOGIN_A);
    const tokenB = await fetchToken(sim, LOGIN_B);
    const other = await fetchToken(sim, SIM_SECOND_CLIENT);
    for (const token of [tokenA, tokenB]) {
      const response = await getProfiles(sim, token, listing(APP.clientId));
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("4");
    }
    expect((await getProfiles(sim, other, listing(SIM_SECOND_CLIENT.clientId))).status).toBe(200);
    sim.setClientFaults(APP.clientId, {});
    for (const token of [tokenA, tokenB]) {
      expect((await getProfiles(sim, token, listing(APP.clientId))).status).toBe(200);
    }
    const storm = await postJson(`${sim.baseUrl}/__admin/clients/faults`, { clientId: APP.clientId, storm429: {} });
    expect(await storm.json()).toEqual({ clientId: APP.clientId, storm429: {} });
    for (const token of [tokenA, tokenB]) {
      expect((await getProfiles(sim, token, listing(APP.clientId))).status).toBe(429);
    }
  });
});
