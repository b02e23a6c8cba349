import { describe, expect, it } from "vitest";
import { AUTH_CODE_LIFETIME_SECONDS } from "./consent";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import { getProfiles, NOW, postToken, startSim, tokenForm } from "./test-prelude";
import type { Simulator } from "./types";

const REDIRECT = "http://app.example/api/amazon-ads/callback";
const consentQuery = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: SIM_DEFAULTS.clientId,
    scope: "advertising::campaign_management",
    response_type: "code",
    redirect_uri: REDIRECT,
    state: "st-123",
    ...overrides,
  });

/** What the consent page's form sends; answers the 302 Location. */
async function decide(
  sim: Simulator,
  decision: "allow" | "cancel",
  overrides: Record<string, string> = {},
  region = "eu",
) {
  const response = await fetch(`${sim.baseUrl}/${region}/ap/oa`, {
    ...tokenForm({ ...Object.fromEntries(consentQuery(overrides)), decision }),
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

const codeGrant = (code: string, overrides: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code,
  redirect_uri: REDIRECT,
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  ...overrides,
});

describe("Login with Amazon consent page", () => {
  it("shows Allow and Cancel for a valid request, in every region, carrying the state", async () => {
    const sim = await startSim();
    for (const region of ["NA", "EU", "FE"] as const) {
      const response = await fetch(`${sim.authorizeUrl[region]}?${consentQuery()}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(">Allow</button>");
      expect(html).toContain(">Cancel</button>");
      expect(html).toContain('name="state" value="st-123"');
    }
  });

  it("answers an error page, not a redirect, for an unknown client, wrong response_type, scope or redirect_uri", async () => {
    const sim = await startSim();
    const wrong: Array<Record<string, string>> = [
      { client_id: "amzn1.application-oa2-client.unknown" },
      { response_type: "token" },
      { scope: "profile" },
      { redirect_uri: "not a url" },
    ];
    for (const overrides of wrong) {
      const response = await fetch(`${sim.authorizeUrl.EU}?${consentQuery(overrides)}`, { redirect: "manual" });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
    }
  });

  it("Allow redirects with code, scope and state; the code becomes the client's refresh token once", async () => {
    const sim = await startSim();
    const back = await decide(sim, "allow");
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe("st-123");
    expect(back.searchParams.get("scope")).toBe("advertising::campaign_management");
    const code = back.searchParams.get("code")!;
    expect(code).toMatch(/^ANsim/);

    const first = await postToken(sim, codeGrant(code));
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect(tokens.refresh_token).toBe(SIM_DEFAULTS.refreshToken);
    const profiles = await getProfiles(sim, tokens.access_token, { profileId: null });
    expect(profiles.status).toBe(200);

    const again = await postToken(sim, codeGrant(code));
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("Cancel redirects with error=access_denied and the state, and no code", async () => {
    const sim = await startSim();
    const back = await decide(sim, "cancel", {}, "na");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("st-123");
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("refuses a code with another redirect_uri or client, or after 5 minutes, with invalid_grant, and uses it up", async () => {
    let now = NOW;
    const sim = await startSim({ now: () => now });
    const wrongRedirect = (await decide(sim, "allow")).searchParams.get("code")!;
    const wrong = await postToken(sim, codeGrant(wrongRedirect, { redirect_uri: "http://evil.example/cb" }));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await postToken(sim, codeGrant(wrongRedirect))).status).toBe(400);

    const otherClient = (await decide(sim, "allow")).searchParams.get("code")!;
    const other = await postToken(
      sim,
      codeGrant(otherClient, { client_id: SIM_SECOND_CLIENT.clientId, client_secret: SIM_SECOND_CLIENT.clientSecret }),
    );
    expect(other.status).toBe(400);

    const late = (await decide(sim, "allow")).searchParams.get("code")!;
    now = new Date(NOW.getTime() + AUTH_CODE_LIFETIME_SECONDS * 1000);
    const expired = await postToken(sim, codeGrant(late));
    expect(expired.status).toBe(400);
    expect(((await expired.json()) as { error_description: string }).error_description).toMatch(/expired/);
  });

  it("needs code and redirect_uri, and the client's secret", async () => {
    const sim = await startSim();
    const code = (await decide(sim, "allow")).searchParams.get("code")!;
    expect((await postToken(sim, codeGrant(code, { client_secret: "wrong" }))).status).toBe(401);
    expect((await postToken(sim, codeGrant("", {}))).status).toBe(400);
    // The wrong secret did not use the code up.
    expect((await postToken(sim, codeGrant(code))).status).toBe(200);
  });
});
