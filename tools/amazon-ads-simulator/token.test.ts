import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import {
  fetchToken,
  getProfiles,
  postToken,
  refreshGrant,
  startSim,
  startSimWithToken,
  tokenForm,
} from "./test-prelude";

describe("Login with Amazon token endpoint", () => {
  it("exchanges a refresh token for an Atza| access token and returns the same refresh token", async () => {
    const sim = await startSim();
    const response = await postToken(sim, refreshGrant());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^Atza\|/),
      refresh_token: SIM_DEFAULTS.refreshToken,
      token_type: "bearer",
      expires_in: 3600,
    });
    expect(SIM_DEFAULTS.refreshToken.startsWith("Atzr|")).toBe(true);
  });

  it("issues a different access token on every exchange", async () => {
    const sim = await startSim();
    const first = await fetchToken(sim);
    const second = await fetchToken(sim);
    expect(first).not.toBe(second);
  });

  it("answers 401 invalid_client for an unknown client id or a wrong secret", async () => {
    const sim = await startSim();
    const wrongCredentials: Array<Record<string, string>> = [
      { client_id: "amzn1.application-oa2-client.unknown" },
      { client_secret: "wrong" },
    ];
    for (const overrides of wrongCredentials) {
      const response = await postToken(sim, refreshGrant(overrides));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
    }
  });

  it("answers 400 invalid_grant for an unknown refresh token or another client's token", async () => {
    const sim = await startSim();
    for (const refresh_token of ["Atzr|not-a-real-token", SIM_SECOND_CLIENT.refreshToken]) {
      const response = await postToken(sim, refreshGrant({ refresh_token }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: "invalid_grant",
        error_description:
          "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.",
      });
    }
  });

  it("answers 400 invalid_grant once the refresh token is revoked (scenario)", async () => {
    const sim = await startSim();
    expect((await postToken(sim, refreshGrant())).status).toBe(200);
    sim.setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const response = await postToken(sim, refreshGrant());
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    // The second tenant is unaffected.
    await expect(fetchToken(sim, SIM_SECOND_CLIENT)).resolves.toMatch(/^Atza\|/);
  });

  it("rejects a JSON body with 400 invalid_request (the endpoint is form-encoded)", async () => {
    const sim = await startSim();
    const response = await fetch(sim.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(refreshGrant()),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("answers 400 unsupported_grant_type for other grant types", async () => {
    const sim = await startSim();
    const response = await postToken(sim, refreshGrant({ grant_type: "client_credentials" }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("unsupported_grant_type");
  });

  it("access tokens stop working 3600 s after issue on the simulator's clock", async () => {
    let now = new Date("2025-06-15T12:00:00Z");
    const { sim, token } = await startSimWithToken({ now: () => now });
    const profiles = (): Promise<Response> => getProfiles(sim, token, { profileId: null });
    now = new Date("2025-06-15T12:59:59Z");
    expect((await profiles()).status).toBe(200);
    now = new Date("2025-06-15T13:00:00Z");
    expect((await profiles()).status).toBe(401);
  });

  it("token5xx answers the next N token calls with 500 and then recovers", async () => {
    const sim = await startSim({ scenario: { token5xx: { count: 2 } } });
    expect((await postToken(sim, refreshGrant())).status).toBe(500);
    expect((await postToken(sim, refreshGrant())).status).toBe(500);
    expect((await postToken(sim, refreshGrant())).status).toBe(200);
    expect(sim.scenario().token5xx.count).toBe(0);
  });

  it("tokenLatencyMs delays the answer (for client timeout tests)", async () => {
    const sim = await startSim({ scenario: { tokenLatencyMs: 300 } });
    const started = Date.now();
    await fetchToken(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    const aborted = fetch(sim.tokenUrl, { ...tokenForm(refreshGrant()), signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toThrow();
  });
});
