// The request limits (issue 31): sign-in per client address and per account and address, Test
// connection, Connect starts and organisations created; counted in Postgres, answered 429 with Retry-After.
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as connectPost } from "@/app/api/amazon-ads/connect/route";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as orgsPost } from "@/app/api/orgs/route";
import { POST as testAds } from "@/app/api/test/amazon-ads/route";
import { getDb } from "@/lib/db";
import { consume, LIMITS, type LimitRule } from "@/lib/rate-limit";
import { RateLimitedError } from "@/lib/errors";
import { APP, firstAdmin, jsonRequest, type TestUser } from "../support/auth";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";
import { resetRateLimits, setupTestDatabase } from "../support/test-db";

setupTestDatabase();
const { sim } = setupSimulator();
let admin: TestUser;

beforeAll(async () => {
  admin = await firstAdmin();
});
beforeEach(async () => {
  sim().reset();
  await resetRateLimits();
});

const signIn = (email: string, password: string, ip?: string) =>
  authPost(
    new Request(`${APP}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: APP, ...(ip ? { "x-forwarded-for": ip } : {}) },
      body: JSON.stringify({ email, password }),
    }),
  );

describe("the limiter", () => {
  const rule: LimitRule = { name: "probe", limit: 6, windowSeconds: 60, what: "probes" };

  it("lets exactly the limit through, however many come at once, then says how long to wait", async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => consume(rule, "org:1")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(6);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason);
    expect(refused.every((e) => e instanceof RateLimitedError)).toBe(true);
    expect((refused[0] as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused[0] as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another subject has a count of its own.
    await expect(consume(rule, "org:2")).resolves.toBeUndefined();
  });

  it("starts a new window once the old one has passed", async () => {
    for (let i = 0; i < 6; i++) await consume(rule, "org:1");
    await expect(consume(rule, "org:1")).rejects.toBeInstanceOf(RateLimitedError);
    await (await getDb()).execute(sql`update rate_limits set window_start = now() - interval '61 seconds'`);
    await expect(consume(rule, "org:1")).resolves.toBeUndefined();
  });
});

describe("sign-in", () => {
  it("wrong passwords from one address hold that address back, not the account's owner elsewhere", async () => {
    for (let i = 0; i < LIMITS.signInFailuresPerAccount.limit; i++)
      expect((await signIn(admin.email, `wrong ${i}`, "203.0.113.9")).status).toBe(401);
    // The stranger's address now waits, even with the right password (it reveals nothing).
    const held = await signIn(admin.email, admin.password, "203.0.113.9");
    expect(held.status).toBe(429);
    expect(Number(held.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await held.json()).message).toMatch(/Too many wrong passwords for this account from this address/);
    // The owner, from their own address, signs in.
    const owner = await signIn(admin.email, admin.password, "198.51.100.7");
    expect(owner.status).toBe(200);
    expect(owner.headers.getSetCookie().join("; ")).toMatch(/session_token=/);
  });

  it("a right password clears the address's run of wrong ones", async () => {
    for (let i = 0; i < LIMITS.signInFailuresPerAccount.limit - 1; i++)
      await signIn(admin.email, "wrong", "198.51.100.8");
    expect((await signIn(admin.email, admin.password, "198.51.100.8")).status).toBe(200);
    for (let i = 0; i < LIMITS.signInFailuresPerAccount.limit - 1; i++)
      expect((await signIn(admin.email, "wrong", "198.51.100.8")).status).toBe(401);
  });

  it("one address may try so often in all, whatever the accounts", async () => {
    const ip = "192.0.2.44";
    // Two real tries count (each hashes a password: slow on purpose), the rest of the window's straight into the counter.
    for (let i = 0; i < 2; i++) expect((await signIn(`nobody${i}@example.com`, "whatever pw", ip)).status).toBe(401);
    for (let i = 2; i < LIMITS.signInPerIp.limit; i++) await consume(LIMITS.signInPerIp, ip);
    const refused = await signIn("someone-else@example.com", "whatever pw", ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await signIn(admin.email, admin.password, "192.0.2.45")).status).toBe(200);
  });

  it("a body past 16 KiB is refused before better-auth reads it", async () => {
    const big = "x".repeat(40 * 1024 * 1024);
    const response = await authPost(
      new Request(`${APP}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP },
        body: JSON.stringify({ email: admin.email, password: big }),
      }),
    );
    expect(response.status).toBe(413);
  });
});

describe("what costs Amazon calls, and new organisations", () => {
  it("Test connection: the organisation's 7th in 5 minutes is 429 with Retry-After and calls Amazon no more", async () => {
    const test = () => testAds(jsonRequest("/api/test/amazon-ads", { cookie: admin.cookie, body: SIM_ADS_SETTINGS }));
    const answers = await Promise.all(Array.from({ length: 10 }, test));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(6).fill(200), ...Array(4).fill(429)]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error).toBe("too_many_requests");
    // Each allowed test exchanges one token: six, not ten.
    const tokenCalls = sim().requests.filter((r) => r.path === "/auth/o2/token").length;
    expect(tokenCalls).toBe(6);
  });

  it("Connect with Amazon: the 11th start in 10 minutes is 429", async () => {
    const start = () =>
      connectPost(jsonRequest("/api/amazon-ads/connect", { cookie: admin.cookie, body: SIM_ADS_SETTINGS }));
    for (let i = 0; i < LIMITS.connectStart.limit; i++) expect((await start()).status).toBe(200);
    expect((await start()).status).toBe(429);
  });

  it("new organisations: an admin's 6th in an hour is 429, and none is created for it", async () => {
    const create = (name: string) => orgsPost(jsonRequest("/api/orgs", { cookie: admin.cookie, body: { name } }));
    for (let i = 0; i < LIMITS.createOrganisation.limit; i++) expect((await create(`Limit ${i}`)).status).toBe(201);
    const refused = await create("One too many");
    expect(refused.status).toBe(429);
    const named = await (
      await getDb()
    ).execute(sql`select count(*)::int as n from organisations where name = 'One too many'`);
    expect((named as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(0);
  });
});
