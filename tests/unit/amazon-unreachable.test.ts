// Amazon that cannot be reached at all fails at once with a message that says so and how to run
// without Amazon, instead of retrying for half a minute: a host name that does not resolve
// (ENOTFOUND; `.invalid` never does, RFC 6761), or a simulator wired in on loopback but not running.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdsClient } from "@/lib/amazon-ads/api/client";
import { testAdsConnection } from "@/lib/amazon-ads/test-connection";
import { AmazonError } from "@/lib/amazon/errors";
import { exchangeRefreshToken } from "@/lib/amazon/lwa";
import { isTransient } from "@/lib/amazon/retry";
import { startSimulator, type Simulator } from "../../tools/amazon-ads-simulator/index";
import { SIM_ADS_SETTINGS as settings } from "../support/simulator";
const NOWHERE = "https://nonexistent.invalid";

const saved = { ...process.env };
let sim: Simulator;
let closedPort = 0;
beforeAll(async () => {
  sim = await startSimulator({ quiet: true });
  const spare = http.createServer();
  await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});
afterAll(async () => {
  process.env = saved;
  await sim.close();
});

/** What `call` rejects with, and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: AmazonError; ms: number }> {
  const started = Date.now();
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AmazonError);
  return { error: error as AmazonError, ms: Date.now() - started };
}

describe("Amazon cannot be reached", () => {
  it("a token host that does not resolve: one attempt, not transient, a message naming the host and dev:sim", async () => {
    const { error } = await failure(() => exchangeRefreshToken(`${NOWHERE}/auth/o2/token`, settings));
    expect(error).toMatchObject({ kind: "network", reason: "network", transient: false });
    expect(isTransient(error)).toBe(false);
    expect(error.message).toMatch(/^Amazon cannot be reached: nonexistent\.invalid does not resolve \(ENOTFOUND\)/);
    expect(error.message).toContain("npm run dev:sim");
    expect(error.message).toContain("npm run ads:sim");
  });

  it("through the Ads client's retry policy (6 attempts, ~30 s of backoff), the token refresh fails at once", async () => {
    process.env.AMAZON_ADS_TOKEN_URL = `${NOWHERE}/auth/o2/token`;
    const { error, ms } = await failure(() => new AdsClient(settings).accessToken());
    expect(error.message).toMatch(/Amazon cannot be reached/);
    expect(ms).toBeLessThan(5_000); // DNS answers; the first backoff alone would be 0.5–1 s, the whole 15–31 s
    // Test connection says the same, as its answer.
    expect(await testAdsConnection(settings)).toMatchObject({
      ok: false,
      problem: "network",
      message: expect.stringMatching(/Amazon cannot be reached.*npm run dev:sim/),
    });
  });

  it("an Ads API host that does not resolve fails the call at once, with the operation named", async () => {
    process.env.AMAZON_ADS_TOKEN_URL = sim.tokenUrl;
    process.env.AMAZON_ADS_API_URL_EU = NOWHERE;
    const { error, ms } = await failure(() => new AdsClient(settings).listProfiles());
    expect(error).toMatchObject({ kind: "network", transient: false });
    expect(error.message).toMatch(/: Amazon cannot be reached: nonexistent\.invalid does not resolve/);
    expect(ms).toBeLessThan(5_000);
  });

  it("a simulator wired in on loopback but not running: at once, saying to start it", async () => {
    process.env.AMAZON_ADS_TOKEN_URL = `http://127.0.0.1:${closedPort}/auth/o2/token`;
    const { error, ms } = await failure(() => new AdsClient(settings).accessToken());
    expect(error).toMatchObject({ kind: "network", transient: false });
    expect(error.message).toMatch(/^Nothing answers at 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*npm run dev:sim/);
    expect(ms).toBeLessThan(5_000);
  });

  it("other network failures stay transient (a timeout is retried)", async () => {
    const silent = http.createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/auth/o2/token`;
    try {
      const { error } = await failure(() => exchangeRefreshToken(url, settings, { timeoutMs: 200 }));
      expect(error).toMatchObject({ kind: "network", reason: "timeout", transient: true });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
