// A 401 from the Ads API (token revoked or expired early at Amazon): the client fetches one fresh
// token and repeats the call once; a second 401 is an error. Against the simulator with its own
// clock, so a token can expire at "Amazon" while our client still holds it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdsClient } from "@/lib/amazon-ads/api/client";
import { AmazonError } from "@/lib/amazon/errors";
import { SIM_DEFAULTS, startSimulator } from "../../tools/amazon-ads-simulator/index";
import type { Simulator } from "../../tools/amazon-ads-simulator/types";

let sim: Simulator;
let clockOffsetMs = 0;
/** When set, Amazon's clock moves 2 h on every read: any token has expired by the time it is checked. */
let jumpOnEveryRead = false;
const saved = { ...process.env };
beforeAll(async () => {
  sim = await startSimulator({
    quiet: true,
    now: () => new Date(Date.now() + (jumpOnEveryRead ? (clockOffsetMs += 2 * 3_600_000) : clockOffsetMs)),
  });
  Object.assign(process.env, {
    AMAZON_ADS_TOKEN_URL: sim.tokenUrl,
    AMAZON_ADS_API_URL_EU: sim.apiUrl.EU,
    AMAZON_HTTP_TIMEOUT_MS: "3000",
  });
});
afterAll(async () => {
  process.env = saved;
  await sim.close();
});

const settings = {
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  refresh_token: SIM_DEFAULTS.refreshToken,
  profile_id: SIM_DEFAULTS.profileId,
  profiles: "listed" as const,
  region: "EU" as const,
};
const tokenCalls = () => sim.requests.filter((r) => r.path.endsWith("/auth/o2/token")).length;
const profileCalls = () => sim.requests.filter((r) => r.path.endsWith("/v2/profiles")).length;

describe("AdsClient on a 401", () => {
  it("refreshes the token once and repeats the call", async () => {
    const client = new AdsClient(settings, { retry: { maxAttempts: 1 } });
    await client.accessToken();
    const before = { tokens: tokenCalls(), profiles: profileCalls() };
    clockOffsetMs = 2 * 3_600_000; // Amazon's clock passes the token's hour; ours thinks it is fresh
    try {
      const profiles = await client.listProfiles();
      expect(profiles.map((p) => p.profileIdText)).toContain(SIM_DEFAULTS.profileId);
    } finally {
      clockOffsetMs = 0;
    }
    expect(tokenCalls() - before.tokens).toBe(1);
    expect(profileCalls() - before.profiles).toBe(2); // refused, then repeated with the fresh token
  });

  it("gives up with Amazon's 401 when the fresh token is refused too", async () => {
    const client = new AdsClient(settings, { retry: { maxAttempts: 1 } });
    await client.accessToken();
    const before = { tokens: tokenCalls(), profiles: profileCalls() };
    jumpOnEveryRead = true;
    try {
      const error = await client.listProfiles().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AmazonError);
      expect((error as AmazonError).kind).toBe("auth");
      expect((error as AmazonError).status).toBe(401);
    } finally {
      jumpOnEveryRead = false;
      clockOffsetMs = 0;
    }
    expect(tokenCalls() - before.tokens).toBe(1);
    expect(profileCalls() - before.profiles).toBe(2); // refused twice: no third try
  });
});
