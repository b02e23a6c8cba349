import { afterEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import { adsHeaders, fetchToken, startTestSimulator, tokenForm } from "./test-support";
import type { Simulator } from "./types";

let sim: Simulator;
afterEach(async () => {
  await sim?.close();
});

const refreshGrant = (overrides: Record<string, string> = {}): Record<string, string> => ({
  grant_type: "refresh_token",
  refresh_token: SIM_DEFAULTS.refreshToken,
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  ...overrides,
});

describe("Login with Amazon token endpoint", () => {
  it("exchanges a refresh token for an Atza| access token and returns the same refresh token", async () => {
    sim = await startTestSimulator();
    const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant()));
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
    sim = await startTestSimulator();
    const first = await fetchToken(sim);
    const second = await fetchToken(sim);
    expect(first).not.toBe(second);
  });

  it("answers 401 invalid_client for an unknown client id or a wrong secret", async () => {
    sim = await startTestSimulator();
    const wrongCredentials: Array<Record<string, string>> = [
      { client_id: "amzn1.application-oa2-client.unknown" },
      { client_secret: "wrong" },
    ];
    for (const overrides of wrongCredentials) {
      const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant(overrides)));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
    }
  });

  it("answers 400 invalid_grant for an unknown refresh token or another client's token", async () => {
    sim = await startTestSimulator();
    for (const refresh_token of ["Atzr|not-a-real-token", SIM_SECOND_CLIENT.refreshToken]) {
      const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant({ refresh_token })));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: "invalid_grant",
        error_description:
          "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.",
      });
    }
  });

  it("answers 400 invalid_grant once the refresh token is revoked (scenario)", async () => {
    sim = await startTestSimulator();
    expect((await fetch(sim.tokenUrl, tokenForm(refreshGrant()))).status).toBe(200);
    sim.setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant()));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    // The second tenant is unaffected.
    await expect(fetchToken(sim, SIM_SECOND_CLIENT)).resolves.toMatch(/^Atza\|/);
  });

  it("rejects a JSON body with 400 invalid_request (the endpoint is form-encoded)", async () => {
    sim = await startTestSimulator();
    const response = await fetch(sim.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(refreshGrant()),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("answers 400 unsupported_grant_type for other grant types", async () => {
    sim = await startTestSimulator();
    const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant({ grant_type: "client_credentials" })));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("unsupported_grant_type");
  });

  it("access tokens stop working 3600 s after issue on the simulator's clock", async () => {
    let now = new Date("2025-06-15T12:00:00Z");
    sim = await startTestSimulator({ now: () => now });
    const token = await fetchToken(sim);
    const profiles = (): Promise<Response> =>
      fetch(`${sim.apiUrl.EU}/v2/profiles`, { headers: adsHeaders(token, { profileId: null }) });
    now = new Date("2025-06-15T12:59:59Z");
    expect((await profiles()).status).toBe(200);
    now = new Date("2025-06-15T13:00:00Z");
    expect((await profiles()).status).toBe(401);
  });

  it("token5xx answers the next N token calls with 500 and then recovers", async () => {
    sim = await startTestSimulator({ scenario: { token5xx: { count: 2 } } });
    expect((await fetch(sim.tokenUrl, tokenForm(refreshGrant()))).status).toBe(500);
    expect((await fetch(sim.tokenUrl, tokenForm(refreshGrant()))).status).toBe(500);
    expect((await fetch(sim.tokenUrl, tokenForm(refreshGrant()))).status).toBe(200);
    expect(sim.scenario().token5xx.count).toBe(0);
  });

  it("tokenLatencyMs delays the answer (for client timeout tests)", async () => {
    sim = await startTestSimulator({ scenario: { tokenLatencyMs: 300 } });
    const started = Date.now();
    await fetchToken(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    const aborted = fetch(sim.tokenUrl, { ...tokenForm(refreshGrant()), signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toThrow();
  });
});
