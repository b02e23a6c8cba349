import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dispatch, enqueueDailyRequests, runWorker, statusReport } from "@/lib/amazon-ads";
import { newCallMeter, type CallMeter } from "@/lib/amazon-ads/api/client";
import { claimNextUnit, nextDueAt } from "@/lib/amazon-ads/queue/claim";
import { clientKeyOf } from "@/lib/amazon-ads/queue/client-key";
import { learnFromUnit } from "@/lib/amazon-ads/queue/client-limits";
import { amazonAdsClientBackoff, amazonAdsRequestUnits } from "@/lib/db/schema";
import { createOrganisation } from "@/lib/orgs/organisations";
import { saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_SECOND_CLIENT } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { SIM_ADS_SETTINGS } from "../support/simulator";
import { dailyDates, setupSyncTest, simLogin } from "../support/sync-fixture";

// A client key's adaptive limit (queue/client-limits.ts): shared through Postgres, raised while calls succeed
// at the limit, halved on a 429, Retry-After honoured; and the units a worker runs at once kept within it.

const { db, sim } = setupSyncTest({ dropOtherOrganisations: true });
const KEY = clientKeyOf(SIM_ADS_SETTINGS);
const FAST = { client: { retry: { baseDelayMs: 5, maxDelayMs: 1_000 } }, pollDelaysMs: [20], budgetMs: 30_000 };

/** `n` more organisations on organisation 1's app (one client key), each with a discovery unit queued. */
async function organisationsOnOneApp(n: number): Promise<number[]> {
  const orgs = [1];
  for (let i = 0; i < n; i++) {
    const id = await createOrganisation(`One app ${i}`);
    await saveAmazonAdsSettings(id, SIM_ADS_SETTINGS);
    orgs.push(id);
  }
  return orgs;
}

const limitNow = async () =>
  (await db().select().from(amazonAdsClientBackoff).where(eq(amazonAdsClientBackoff.clientKey, KEY)))[0] ?? null;
/** A finished unit's traffic: by default one call, answered with success. */
const meter = (patch: Partial<CallMeter>): CallMeter => ({ ...newCallMeter(), calls: 1, succeeded: 1, ...patch });
const claim = (limits: { start: number; max: number }) =>
  claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: limits.start, clientConcurrencyMax: limits.max });

describe("the adaptive limit of a client key", () => {
  it("rises while units at the limit succeed, up to its ceiling, and not while the limit goes unused", async () => {
    await enqueueDailyRequests(db(), { orgIds: await organisationsOnOneApp(7) });
    const limits = { start: 2, max: 4 };
    expect(await claim(limits)).not.toBeNull();
    expect(await claim(limits)).not.toBeNull();
    expect(await claim(limits)).toBeNull(); // two in progress: the start

    await learnFromUnit(db(), KEY, meter({}), 1, limits);
    expect((await limitNow())!.concurrency).toBeCloseTo(2.5); // + 1 / floor(limit) per unit done at the limit
    expect(await claim(limits)).toBeNull(); // 2.5 calls at once are still 2
    await learnFromUnit(db(), KEY, meter({}), 1, limits);
    expect((await limitNow())!.concurrency).toBeCloseTo(3);
    expect(await claim(limits)).not.toBeNull(); // a third now
    expect(await claim(limits)).toBeNull();
    for (let i = 0; i < 10; i++) await learnFromUnit(db(), KEY, meter({}), 1, limits);
    expect((await limitNow())!.concurrency).toBe(4); // the ceiling

    // Nobody pushing against the limit: a success there proves nothing, so the limit stays.
    await db().update(amazonAdsRequestUnits).set({ lockedUntil: null, leaseId: null });
    await db().update(amazonAdsClientBackoff).set({ concurrency: 3 });
    await learnFromUnit(db(), KEY, meter({}), 1, limits);
    expect((await limitNow())!.concurrency).toBe(3);
    // A unit that made no call to Amazon teaches nothing either, nor one whose calls all failed (5xx, timeouts).
    await db()
      .update(amazonAdsRequestUnits)
      .set({ lockedUntil: sql`now() + interval '1 minute'` });
    await learnFromUnit(db(), KEY, meter({ calls: 0, succeeded: 0 }), 3, limits);
    await learnFromUnit(db(), KEY, meter({ calls: 4, succeeded: 0 }), 3, limits);
    expect((await limitNow())!.concurrency).toBe(3);
    await learnFromUnit(db(), KEY, meter({}), 3, limits); // the same, answered: it rises
    expect((await limitNow())!.concurrency).toBeCloseTo(3 + 1 / 3);
  });

  it("halves on a 429, once per burst, waits out Retry-After, and a given-up unit backs the key off", async () => {
    await enqueueDailyRequests(db(), { orgIds: await organisationsOnOneApp(3) });
    const limits = { start: 8, max: 8 };
    await learnFromUnit(db(), KEY, meter({ answered429: 1, retryAfterMs: 3_000 }), 1, limits);
    let row = (await limitNow())!;
    expect(row.concurrency).toBe(4);
    expect(row.until.getTime()).toBeGreaterThan(Date.now() + 2_500); // Amazon said 3 s
    expect(await claim(limits)).toBeNull(); // nothing of this key until then
    expect((await nextDueAt(db()))!.getTime()).toBeGreaterThan(Date.now() + 2_500);

    // Other units' calls answered 429 in the same burst were sent before that cut: no second halving.
    await learnFromUnit(db(), KEY, meter({ answered429: 2, first429SentAt: Date.now() - 1_000 }), 1, limits);
    expect((await limitNow())!.concurrency).toBe(4);
    // A later burst halves again, and never below one call at once.
    await db()
      .update(amazonAdsClientBackoff)
      .set({ cutAt: sql`now() - interval '1 minute'` });
    await learnFromUnit(db(), KEY, meter({ answered429: 1 }), 1, limits);
    expect((await limitNow())!.concurrency).toBe(2);
    await db()
      .update(amazonAdsClientBackoff)
      .set({ concurrency: 1, cutAt: sql`now() - interval '1 minute'` });
    await learnFromUnit(db(), KEY, meter({ answered429: 1 }), 1, limits);
    expect((await limitNow())!.concurrency).toBe(1);

    // 429s that outlasted the unit's retries while the key could still slow down: halved, no pause of the key.
    await db()
      .update(amazonAdsClientBackoff)
      .set({ concurrency: 4, cutAt: sql`now() - interval '1 minute'` });
    await learnFromUnit(db(), KEY, meter({ answered429: 3, gaveUp429: 1 }), 1, limits);
    row = (await limitNow())!;
    expect(row.concurrency).toBe(2);
    expect(row.strikes).toBe(0);
    expect(row.until.getTime()).toBeLessThan(Date.now() + 5_000);
    // At one call at a time it cannot slow down any more: the key takes a backoff strike (30 s).
    await db()
      .update(amazonAdsClientBackoff)
      .set({ concurrency: 1, cutAt: sql`now() - interval '1 minute'` });
    await learnFromUnit(db(), KEY, meter({ answered429: 3, gaveUp429: 1 }), 1, limits);
    row = (await limitNow())!;
    expect(row.strikes).toBeGreaterThanOrEqual(1);
    expect(row.until.getTime()).toBeGreaterThan(Date.now() + 25_000);
    // A longer Retry-After is not shortened by that strike; an absurd one is bounded (10 min).
    await learnFromUnit(db(), KEY, meter({ answered429: 1, gaveUp429: 1, retryAfterMs: 120_000 }), 1, limits);
    expect((await limitNow())!.until.getTime()).toBeGreaterThan(Date.now() + 115_000);
    await learnFromUnit(db(), KEY, meter({ answered429: 1, retryAfterMs: 86_400_000 }), 1, limits);
    expect((await limitNow())!.until.getTime()).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1_000);

    // The operator sees it in `npm run ads -- status`: the key, its learnt limit, its backoff.
    const [state] = (await statusReport(null)).clients;
    expect(state).toMatchObject({ key: KEY, limit: 1, inUse: 0, strikes: row.strikes + 1 });
    expect(new Date(state!.backingOffUntil!).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect((await statusReport(1)).clients.map((c) => c.key)).toEqual([KEY]);
    const stranger = await createOrganisation("No work queued");
    expect((await statusReport(stranger)).clients).toEqual([]);
  });

  it("against Amazon's own limit (the simulator's per-client rate): falls on the 429s, and every report still lands", async () => {
    const orgs = await organisationsOnOneApp(5);
    sim().setScenario({ clientRateLimit: { perSecond: 15, burst: 4, retryAfterSeconds: 1 } });
    const request = await dispatch("request", {
      workers: 3,
      via: "in-process",
      worker: { ...FAST, clientConcurrency: 8, clientConcurrencyMax: 8, unitThrottledAttempts: 6 },
    });
    expect(request.status).not.toBe("error");
    const throttled = sim().requests.filter((r) => r.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect((await limitNow())!.concurrency).toBeLessThan(8);

    for (let round = 0; round < 20; round++) {
      const pending = await db().execute(
        sql`select count(*)::int as n from amazon_ads_pending_reports where status = 'pending'`,
      );
      const units = await db().execute(
        sql`select count(*)::int as n from amazon_ads_request_units where status = 'pending'`,
      );
      const count = (r: unknown) => (r as { rows: Array<{ n: number }> }).rows[0]!.n;
      if (count(pending) + count(units) === 0) break;
      await dispatch("collect", {
        workers: 3,
        via: "in-process",
        worker: { ...FAST, clientConcurrency: 8, clientConcurrencyMax: 8 },
      });
    }
    for (const orgId of orgs)
      for (const d of dailyDates())
        expect(await storedRows(db(), orgId, d), `org ${orgId} ${d}`).toEqual(amazonRows(sim(), d));
  });
});

describe("several units at once in one worker", () => {
  it("never has more calls in flight per client key than its limit, while keys of other apps run beside it", async () => {
    const one = await organisationsOnOneApp(3);
    const other: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createOrganisation(`Other app ${i}`);
      await saveAmazonAdsSettings(id, {
        ...SIM_ADS_SETTINGS,
        ...simLogin(SIM_SECOND_CLIENT),
        profile_id: SIM_SECOND_CLIENT.profileIds[0]!,
      });
      other.push(id);
    }
    await enqueueDailyRequests(db(), { orgIds: [...one, ...other] });
    sim().setScenario({ apiLatencyMs: 40, tokenLatencyMs: 40 });
    const run = await runWorker({ ...FAST, unitsAtOnce: 4, clientConcurrency: 2, clientConcurrencyMax: 2 });
    expect(run.status).toBe("success");
    expect(run.units.discover).toBe(one.length + other.length);

    const spans = (clientId?: string) =>
      sim()
        .requests.map((r) => ({
          r,
          id: r.headers["amazon-advertising-api-clientid"] ?? new URLSearchParams(r.body).get("client_id"),
        }))
        .filter(({ id }) => id && (!clientId || id === clientId))
        .map(({ r }) => r)
        .map((r) => [r.time, r.endTime ?? r.time] as const);
    const peak = (list: ReadonlyArray<readonly [number, number]>) =>
      Math.max(...list.map(([start]) => list.filter(([s, e]) => s <= start && start < e).length));
    expect(peak(spans(SIM_ADS_SETTINGS.client_id))).toBeLessThanOrEqual(2);
    expect(peak(spans(SIM_SECOND_CLIENT.clientId))).toBeLessThanOrEqual(2);
    // The worker did run units side by side: more calls at once than one client key's limit.
    expect(peak(spans())).toBeGreaterThan(2);
  });
});

describe("fewer calls", () => {
  const listings = () => sim().requests.filter((r) => r.path.includes("/v2/profiles"));

  it("a day's discoveries list a login's profiles once, for every organisation on it; a per-organisation run lists live", async () => {
    const orgs = await organisationsOnOneApp(2); // three organisations, one login
    await enqueueDailyRequests(db(), { orgIds: orgs });
    const run = await runWorker({ ...FAST, unitsAtOnce: 1 });
    expect(run.units.discover).toBe(3);
    expect(run.units.profile).toBe(3);
    // One login, one day: its readable profiles listed once per region, and nothing more was needed.
    expect(
      listings()
        .map((r) => `${r.region} ${r.query.apiProgram ?? "all"}`)
        .sort(),
    ).toEqual(["EU report", "FE report", "NA report"]);
    const { requestReports } = await import("@/lib/amazon-ads");
    expect((await requestReports(1, FAST)).status).toBe("success");
    expect(listings()).toHaveLength(6); // asked again, by design
  });

  it("lists every profile only to explain a listed one that cannot report", async () => {
    await saveAmazonAdsSettings(1, { ...SIM_ADS_SETTINGS, profile_id: `${SIM_ADS_SETTINGS.profile_id},4242424242` });
    await enqueueDailyRequests(db(), { orgIds: [1] });
    const run = await runWorker(FAST);
    expect(run.organisations.find((o) => o.job === "request")!.profiles).toContainEqual(
      expect.objectContaining({
        profileId: "4242424242",
        status: "error",
        message: expect.stringMatching(/not among the profiles/),
      }),
    );
    expect(
      listings()
        .map((r) => r.query.apiProgram ?? "all")
        .sort(),
    ).toEqual(["all", "all", "all", "report", "report", "report"]);
    await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
  });
});
