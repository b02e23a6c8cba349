import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as collectRoute } from "@/app/api/cron/amazon-ads-collect/route";
import { GET as requestRoute } from "@/app/api/cron/amazon-ads-request/route";
import { GET as workerRoute } from "@/app/api/cron/amazon-ads-worker/route";
import {
  backfill,
  collectReports,
  dispatch,
  enqueueDailyRequests,
  requestBackfill,
  requestReports,
  runWorker,
  statusReport,
} from "@/lib/amazon-ads";
import { AdsClient } from "@/lib/amazon-ads/api/client";
import { backOffClient, claimNextUnit, nextDueAt } from "@/lib/amazon-ads/queue/claim";
import { finishReport, LeaseLostError } from "@/lib/amazon-ads/queue/pending-reports";
import { collectReport } from "@/lib/amazon-ads/sync/collect-report";
import { clientKeyOf } from "@/lib/amazon-ads/queue/client-key";
import { loginKeyOf, postgresSharedTokens } from "@/lib/amazon-ads/api/shared-tokens";
import {
  amazonAdsAccessTokens,
  amazonAdsClientBackoff,
  amazonAdsDayLoads,
  amazonAdsPendingReports,
  amazonAdsRequestUnits,
  syncLogs,
  type PendingReport,
} from "@/lib/db/schema";
import { encrypt } from "@/lib/settings/crypto";
import { createOrganisation } from "@/lib/orgs/organisations";
import { saveAmazonAdsSettings } from "@/lib/settings";
import {
  SIM_DEFAULTS,
  SIM_MULTI_CLIENT,
  SIM_MULTI_PROFILE_IDS,
  SIM_SECOND_CLIENT,
} from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { SIM_ADS_SETTINGS } from "../support/simulator";
import {
  cronRequest,
  dailyDates,
  reportCreates,
  resetSyncState,
  sentAccessTokens,
  setupSyncTest,
  simLogin,
} from "../support/sync-fixture";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { setupRouteServer } from "../support/route-server";

/** Amazon's clock runs ahead by this much: a test lets hours pass at Amazon without waiting for them. */
let amazonAhead = 0;
const { db, sim } = setupSyncTest({
  simulator: { now: () => new Date(Date.now() + amazonAhead) },
  cron: true,
  dropOtherOrganisations: true,
});
const app = setupRouteServer({
  "/api/cron/amazon-ads-worker": workerRoute,
  "/api/cron/amazon-ads-collect": collectRoute,
});

/** Worker options for tests: fast retries and polls, a short budget. */
const FAST = {
  budgetMs: 20_000,
  reserveMs: 500,
  maxIdleMs: 2_000,
  pollDelaysMs: [50],
  client: { retry: { baseDelayMs: 5, maxDelayMs: 200 } },
};

beforeEach(() => {
  amazonAhead = 0;
});

describe("claiming work in Postgres", () => {
  it("hands each unit to one claimant only, however many claim at once", async () => {
    const orgs = [1];
    for (let i = 0; i < 7; i++) {
      const id = await createOrganisation(`Claim ${i}`);
      await saveAmazonAdsSettings(id, { ...SIM_ADS_SETTINGS, client_id: `amzn1.application-oa2-client.claim${i}` });
      orgs.push(id);
    }
    await enqueueDailyRequests(db(), { orgIds: orgs });
    const claims = await Promise.all(
      Array.from({ length: 12 }, () => claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 10 })),
    );
    const ids = claims.filter((c) => c !== null).map((c) => c!.unit.id);
    expect(ids.length).toBe(orgs.length); // 8 units, 12 claimants: 4 got nothing
    expect(new Set(ids).size).toBe(ids.length);
    expect(await claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 10 })).toBeNull();
  });

  it("takes a unit again once its lease has run out, and the first holder can no longer finish it", async () => {
    await enqueueDailyRequests(db(), { orgIds: [1] });
    const first = await claimNextUnit(db(), { leaseMs: 200, clientConcurrency: 1 });
    expect(first).not.toBeNull();
    expect(await claimNextUnit(db(), { leaseMs: 200, clientConcurrency: 1 })).toBeNull(); // still leased
    await new Promise((r) => setTimeout(r, 400));
    const second = await claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 1 });
    expect(second?.unit.id).toBe(first!.unit.id);
    expect(second!.leaseId).not.toBe(first!.leaseId);
    const [row] = await db().select().from(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.id, first!.unit.id));
    expect(row!.leaseId).toBe(second!.leaseId);
    expect(row!.attempts).toBe(2);
  });

  it("never has more units of one client id in progress than its concurrency", async () => {
    const orgs = [1];
    for (let i = 0; i < 4; i++) {
      const id = await createOrganisation(`Same client ${i}`);
      await saveAmazonAdsSettings(id, SIM_ADS_SETTINGS); // one LwA app shared by five organisations
      orgs.push(id);
    }
    await enqueueDailyRequests(db(), { orgIds: orgs });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 2 })),
    );
    expect(claims.filter((c) => c !== null).length).toBe(2);
  });

  it("holds back a client id Amazon answered 429 to, doubling per strike, while other client ids go on", async () => {
    const other = await createOrganisation("Other client");
    await saveAmazonAdsSettings(other, { ...SIM_ADS_SETTINGS, client_id: "amzn1.application-oa2-client.other" });
    await enqueueDailyRequests(db(), { orgIds: [1, other] });
    const [unit] = await db().select().from(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.orgId, 1));
    await db().delete(amazonAdsClientBackoff);
    const seconds = async () => {
      const [row] = await db().select().from(amazonAdsClientBackoff);
      return { strikes: row!.strikes, wait: (row!.until.getTime() - Date.now()) / 1000 };
    };

    await backOffClient(db(), unit!.clientKey!);
    const first = await seconds();
    expect(first.strikes).toBe(1);
    expect(first.wait).toBeGreaterThan(25);
    expect(first.wait).toBeLessThanOrEqual(30);
    await backOffClient(db(), unit!.clientKey!);
    const second = await seconds();
    expect(second.strikes).toBe(2);
    expect(second.wait).toBeGreaterThan(55);
    expect(second.wait).toBeLessThanOrEqual(60);

    // Only the other organisation's unit can be claimed; organisation 1's is due when its backoff ends.
    const claim = await claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 10 });
    expect(claim?.unit.orgId).toBe(other);
    expect(await claimNextUnit(db(), { leaseMs: 60_000, clientConcurrency: 10 })).toBeNull();
    await db().delete(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.orgId, other)); // as if it finished
    const due = await nextDueAt(db());
    expect(due!.getTime()).toBeGreaterThan(Date.now() + 55_000);
  });
});

describe("workers", () => {
  it("keep the calls in flight to Amazon for one client id within its concurrency", async () => {
    for (let i = 0; i < 4; i++) {
      const id = await createOrganisation(`Shared app ${i}`);
      await saveAmazonAdsSettings(id, SIM_ADS_SETTINGS); // one LwA app, five organisations
    }
    sim().setScenario({ apiLatencyMs: 40, tokenLatencyMs: 40 });
    const run = await dispatch("request", {
      workers: 5,
      via: "in-process",
      worker: { ...FAST, clientConcurrency: 2, clientConcurrencyMax: 2 },
    });
    expect(run.status).toBe("success");
    const spans = sim().requests.map((r) => [r.time, r.endTime ?? r.time] as const);
    const inFlight = (t: number) => spans.filter(([start, end]) => start <= t && t < end).length;
    const peak = Math.max(...spans.map(([start]) => inFlight(start)));
    expect(spans.length).toBeGreaterThan(5 * 12); // 5 orgs: token, 6 listings, 5 creates, polls
    expect(peak).toBeGreaterThanOrEqual(2); // units did run side by side
    expect(peak).toBeLessThanOrEqual(2);
  });

  it("a dispatch starts no more workers than its client keys' ceilings keep busy, and at most W", async () => {
    for (let i = 0; i < 3; i++)
      await saveAmazonAdsSettings(await createOrganisation(`Shared app ${i}`), SIM_ADS_SETTINGS);
    // Four discoveries, all on one client key whose limit may rise to 3 calls at once: 3 workers of 1 unit
    // each keep it busy, and the other 2 of W = 5 would only wait for a slot.
    const worker = { ...FAST, unitsAtOnce: 1, clientConcurrency: 2, clientConcurrencyMax: 3 };
    const request = await dispatch("request", { workers: 5, via: "in-process", worker });
    expect(request.workers).toHaveLength(3);
    expect(request.status).toBe("success");
    // The request's workers polled and loaded the reports too: nothing is pending, and one worker finds that out.
    const pending = await db().select().from(amazonAdsPendingReports);
    expect(pending.filter((r) => r.status === "pending")).toEqual([]);
    expect((await dispatch("collect", { workers: 5, via: "in-process", worker })).workers).toHaveLength(1);
    // Four discoveries of another day on the same key (3 workers' worth), with W = 2: W bounds it.
    await enqueueDailyRequests(db(), { runDate: "2026-11-29" });
    expect((await dispatch("collect", { workers: 2, via: "in-process", worker })).workers).toHaveLength(2);
  });

  it("one worker does the whole day for an organisation: discovery, requests, polls, loads, in sync_logs", async () => {
    await enqueueDailyRequests(db(), { orgIds: [1] });
    const run = await runWorker(FAST);
    expect(run.stoppedBecause).toBe("no_work");
    expect(run.units.discover).toBe(1);
    expect(run.units.profile).toBe(1);
    expect(run.units.report).toBeGreaterThanOrEqual(5);
    for (const d of dailyDates()) expect(await storedRows(db(), 1, d)).toEqual(amazonRows(sim(), d));
    const pending = await db().select().from(amazonAdsPendingReports);
    expect(pending.map((p) => p.status)).toEqual(Array(5).fill("completed"));
    const logs = await db().select().from(syncLogs).where(eq(syncLogs.orgId, 1));
    expect(logs.map((l) => `${l.job}:${l.status}`).sort()).toEqual(["collect:success", "request:success"]);
    // The same account of phase 1 as a per-organisation run gives (reporting/summary.ts).
    expect(logs.find((l) => l.job === "request")!.message).toBe("Requested 5 report(s) for 1 profile(s): 5 created");
    const status = await statusReport(1);
    expect(status.phaseOne).toEqual([
      { runDate: new Date().toISOString().slice(0, 10), pending: 0, done: 2, failed: 0 },
    ]);
  });

  it("a queued profile whose stored JSON is damaged fails its unit, in sync_logs, and the worker goes on", async () => {
    const runDate = new Date().toISOString().slice(0, 10);
    const [damaged] = await db()
      .insert(amazonAdsRequestUnits)
      .values({
        orgId: 1,
        runDate,
        kind: "profile",
        profileId: SIM_DEFAULTS.profileId,
        profile: { profileId: SIM_DEFAULTS.profileId, region: "MARS" },
        clientKey: SIM_ADS_SETTINGS.client_id,
      })
      .returning();
    const run = await runWorker(FAST);
    expect(run.stoppedBecause).toBe("no_work");
    expect(run.units.profile).toBe(1);
    const [unit] = await db().select().from(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.id, damaged!.id));
    expect(unit!.status).toBe("failed");
    expect(unit!.error).toMatch(/queued profile of unit \d+ is not valid/);
    expect(await db().select().from(amazonAdsPendingReports)).toEqual([]); // nothing requested from it
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.orgId, 1));
    expect(log!.status).toBe("error");
    expect(JSON.stringify(log!.details)).toContain(`"profileId":"${SIM_DEFAULTS.profileId}"`);
  });

  it("isolation: in one dispatch a healthy organisation's reports land while two others' never finish", async () => {
    const revoked = await createOrganisation("Revoked token");
    await saveAmazonAdsSettings(revoked, {
      ...SIM_ADS_SETTINGS,
      ...simLogin(SIM_SECOND_CLIENT),
      profile_id: SIM_SECOND_CLIENT.profileIds[0]!,
    });
    const stormed = await createOrganisation("429 storm");
    await saveAmazonAdsSettings(stormed, {
      ...SIM_ADS_SETTINGS,
      ...simLogin(SIM_MULTI_CLIENT),
      profile_id: SIM_MULTI_PROFILE_IDS.GB,
    });
    sim().setScenario({ revokedRefreshTokens: [SIM_SECOND_CLIENT.refreshToken] });
    sim().setClientFaults(SIM_MULTI_CLIENT.clientId, { storm429: {} });

    const run = await dispatch("request", { workers: 3, via: "in-process", worker: FAST });
    expect(run.workers.every((w) => w.durationMs <= FAST.budgetMs)).toBe(true);
    for (const d of dailyDates()) expect(await storedRows(db(), 1, d)).toEqual(amazonRows(sim(), d));
    expect(await storedRows(db(), revoked)).toEqual([]);
    expect(await storedRows(db(), stormed)).toEqual([]);
    const byOrg = (id: number) => run.organisations.filter((o) => o.orgId === id);
    expect(byOrg(1).every((o) => o.status === "success")).toBe(true); // a row per phase and worker that served it
    expect(new Set(byOrg(1).map((o) => o.job))).toEqual(new Set(["request", "collect"]));
    expect(byOrg(revoked).some((o) => o.status === "error" && /refresh token/i.test(o.message))).toBe(true);

    // The storm slowed only its own client key: its limit was halved (no other key's was), and its unit
    // waits in the queue.
    const cut = await db().execute(sql`select client_key from amazon_ads_client_backoff where cut_at is not null`);
    expect((cut as unknown as { rows: Array<{ client_key: string }> }).rows).toEqual([
      { client_key: `${SIM_MULTI_CLIENT.clientId}@EU` },
    ]);
    const [unit] = await db().select().from(amazonAdsRequestUnits).where(eq(amazonAdsRequestUnits.orgId, stormed));
    expect(unit!.status).toBe("pending");
    expect(unit!.availableAt.getTime()).toBeGreaterThan(Date.now());
    expect(unit!.error).toMatch(/429|throttl/i);
  });
});

describe("the queue", () => {
  it("drops finished phase-1 units after a week, and keeps an unfinished one", async () => {
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const units = [
      { orgId: 1, runDate: old, kind: "discover" as const, profileId: "", status: "done" as const },
      {
        orgId: 1,
        runDate: old,
        kind: "profile" as const,
        profileId: "7",
        status: "pending" as const,
        availableAt: new Date(Date.now() + 86_400_000),
      },
      { orgId: 1, runDate: recent, kind: "discover" as const, profileId: "", status: "done" as const },
    ];
    await db().insert(amazonAdsRequestUnits).values(units);
    await dispatch("collect", { workers: 1, via: "in-process", worker: { ...FAST, maxIdleMs: 0 } });
    const left = await db().select().from(amazonAdsRequestUnits);
    expect(left.map((u) => `${u.runDate}:${u.status}`).sort()).toEqual([`${old}:pending`, `${recent}:done`].sort());
  });

  it("queues one discovery unit per organisation and day, however often phase 1 is dispatched", async () => {
    const first = await enqueueDailyRequests(db(), { runDate: "2026-11-29" });
    const again = await enqueueDailyRequests(db(), { runDate: "2026-11-29" });
    expect(first.queued).toBe(first.organisations);
    expect(again.queued).toBe(0);
    const rows = await db().execute(sql`select count(*)::int as n from amazon_ads_request_units`);
    expect((rows as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(first.organisations);
  });
});

/** What a day's sync left behind, without the ids and times that differ from run to run. */
async function dayAccount() {
  const units = (await db().select().from(amazonAdsRequestUnits))
    .map((u) => `${u.orgId} ${u.runDate} ${u.kind} ${u.job} ${u.planKey} ${u.profileId} ${u.clientKey} ${u.status}`)
    .sort();
  const reports = (await db().select().from(amazonAdsPendingReports))
    .map((r) => `${r.orgId} ${r.profileId} ${r.reportDate} ${r.kind} ${r.lookbackDays} ${r.clientKey} ${r.status}`)
    .sort();
  const logs = (await db().select().from(syncLogs))
    .map((l) => {
      const details = l.details as { reports?: Array<{ outcome: string; startDate: string; rows?: number }> };
      const outcomes = (details.reports ?? []).map((r) => `${r.startDate}:${r.outcome}:${r.rows ?? "-"}`).sort();
      return `${l.orgId} ${l.job} ${l.status} ${l.message} [${outcomes.join(" ")}]`;
    })
    .sort();
  return { units, reports, logs };
}

describe("one engine", () => {
  it("the per-organisation crons run the same units as the dispatch: the same units, requests, loads and sync_logs", async () => {
    const requested = await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"));
    expect(requested.status).toBe(200);
    const collected = await collectRoute(cronRequest("/api/cron/amazon-ads-collect?orgId=1"));
    expect(collected.status).toBe(200);
    const perOrganisation = await dayAccount();
    const perOrganisationRows = await storedRows(db(), 1);

    await resetSyncState(db(), sim());
    await dispatch("request", { workers: 1, via: "in-process", worker: FAST });
    await dispatch("collect", { workers: 1, via: "in-process", worker: FAST });
    const dispatched = await dayAccount();

    expect(perOrganisation.units).toHaveLength(2); // the discovery, and the one profile it queued
    expect(perOrganisation.reports).toHaveLength(5);
    expect(perOrganisation.logs).toHaveLength(2); // one request row, one collect row
    expect(perOrganisation).toEqual(dispatched);
    expect(await storedRows(db(), 1)).toEqual(perOrganisationRows);
    for (const d of dailyDates()) expect(await storedRows(db(), 1, d)).toEqual(amazonRows(sim(), d));
  });

  it("a second per-organisation request the same day asks Amazon again through the day's own units", async () => {
    await requestReports(1, FAST);
    await runWorker({ ...FAST, scope: { orgId: 1, queue: "reports" } });
    const again = await requestReports(1, FAST);
    expect(again.reports.map((r) => r.outcome)).toEqual(Array(5).fill("created"));
    const units = await db().select().from(amazonAdsRequestUnits);
    expect(units.map((u) => `${u.kind}:${u.status}:${u.attempts}`).sort()).toEqual([
      "discover:done:1",
      "profile:done:1",
    ]);
    const reports = await db().select().from(amazonAdsPendingReports);
    expect(reports.map((r) => r.status).sort()).toEqual([...Array(5).fill("completed"), ...Array(5).fill("pending")]);
  });

  it("a per-organisation request that cannot take its units says so: partial, with the units still queued", async () => {
    // The app's client id is backing off (a 429 storm elsewhere): nothing of it may be claimed for a minute.
    await backOffClient(db(), clientKeyOf(SIM_ADS_SETTINGS));
    await backOffClient(db(), clientKeyOf(SIM_ADS_SETTINGS));
    const run = await requestReports(1, FAST);
    expect(run.status).toBe("partial");
    expect(run.message).toMatch(/1 unit\(s\) still queued/);
    expect(reportCreates(sim())).toHaveLength(0);
  });

  it("a backfill runs as units of its own plan beside the day's, and is logged as a backfill", async () => {
    await enqueueDailyRequests(db(), { orgIds: [1] });
    const from = addDays(dailyDates()[4]!, -3);
    const to = addDays(dailyDates()[4]!, -2);
    const run = await backfill(1, { from, to });
    expect(run.status).toBe("success");
    const units = await db().select().from(amazonAdsRequestUnits);
    expect(units.map((u) => `${u.kind}:${u.job}:${u.planKey}:${u.status}`).sort()).toEqual([
      "discover:backfill:" + `${from}..${to}:done`,
      "discover:request::pending", // the day's own unit is left to the dispatch
      "profile:backfill:" + `${from}..${to}:done`,
    ]);
    const reports = await db().select().from(amazonAdsPendingReports);
    expect(reports.map((r) => `${r.kind}:${r.reportDate}:${r.reportEndDate}`)).toEqual([`backfill:${from}:${to}`]);
    const logs = await db().select().from(syncLogs);
    expect(logs.map((l) => `${l.job}:${l.status}:${l.message}`)).toEqual([
      "backfill:success:Backfill 1 report(s) for 1 profile(s): 1 created",
    ]);
  });
});

describe("the same day", () => {
  it("a report Amazon takes two hours to produce lands with the first collect after it is ready, the same day", async () => {
    const HOUR = 3_600_000;
    sim().setScenario({ generationMs: { min: 2 * HOUR, max: 2 * HOUR } });
    // A reserve of a third of the budget: the workers stop claiming at 2 s and finish by 3 s on a loaded CI machine.
    const morning = await dispatch("request", {
      workers: 2,
      via: "in-process",
      worker: { ...FAST, budgetMs: 3_000, reserveMs: 1_000 },
    });
    expect(morning.workers.every((w) => w.durationMs <= 3_000)).toBe(true);
    expect(await storedRows(db(), 1)).toEqual([]);
    const pending = await db().select().from(amazonAdsPendingReports);
    expect(pending.length).toBe(5);
    expect(pending.every((p) => p.status === "pending" && p.attempts >= 1 && p.lockedUntil === null)).toBe(true);

    amazonAhead = 1 * HOUR; // the 10:00 collect: still generating
    await dispatch("collect", { workers: 2, via: "in-process", worker: { ...FAST, budgetMs: 2_000 } });
    expect(await storedRows(db(), 1)).toEqual([]);

    amazonAhead = 2 * HOUR + 60_000; // the 11:00 collect: ready
    const later = await dispatch("collect", { workers: 2, via: "in-process", worker: FAST });
    expect(later.status).toBe("success");
    for (const d of dailyDates()) expect(await storedRows(db(), 1, d)).toEqual(amazonRows(sim(), d));
  });
});

describe("polls paced to Amazon", () => {
  it("a profile's first polls wait until its recent reports were ready (Amazon's generatedAt), not before", async () => {
    const MINUTE = 60_000;
    sim().setScenario({ generationMs: { min: 2 * MINUTE, max: 2 * MINUTE } });
    await dispatch("request", { workers: 1, via: "in-process", worker: { ...FAST, budgetMs: 2_000 } });
    // No history yet: polled at once, still generating.
    const first = await db().select().from(amazonAdsPendingReports);
    expect(first.map((p) => p.attempts >= 1)).toEqual(Array(5).fill(true));
    amazonAhead = 3 * MINUTE;
    await dispatch("collect", { workers: 1, via: "in-process", worker: FAST });
    const loads = await db().select().from(amazonAdsDayLoads);
    expect(loads.map((l) => l.generationMs)).toEqual(Array(5).fill(2 * MINUTE));

    // The next run's reports: their first poll is due two minutes after their creation.
    const polls = () =>
      sim().requests.filter((r) => r.method === "GET" && /\/reporting\/reports\//.test(r.path)).length;
    await requestReports(1, FAST);
    const fresh = await db()
      .select()
      .from(amazonAdsPendingReports)
      .where(eq(amazonAdsPendingReports.status, "pending"));
    expect(fresh).toHaveLength(5);
    for (const report of fresh) {
      expect(report.attempts).toBe(0);
      expect(report.nextPollAt.getTime() - report.createdAt.getTime()).toBe(2 * MINUTE);
    }
    const before = polls();
    const early = await dispatch("collect", { workers: 1, via: "in-process", worker: { ...FAST, maxIdleMs: 500 } });
    expect(early.workers[0]!.units.report).toBe(0);
    expect(polls()).toBe(before);
  });
});

describe("the dispatcher on Vercel: workers are invocations of our own route", () => {
  const worker = (secret: string | null) => fetch(cronRequest(`${app.url()}/api/cron/amazon-ads-worker`, secret));

  it("refuses a worker invocation without the cron secret, with zero Amazon calls", async () => {
    await enqueueDailyRequests(db(), { orgIds: [1] });
    for (const secret of [null, "", "wrong-secret"]) expect((await worker(secret)).status).toBe(401);
    expect(sim().requests.length).toBe(0);
    const [unit] = await db().select().from(amazonAdsRequestUnits);
    expect(unit!.attempts).toBe(0);
  });

  it("a collect cron without orgId starts W worker invocations over HTTP that share the queue", async () => {
    await enqueueDailyRequests(db(), { orgIds: [1] });
    process.env.AMAZON_ADS_DISPATCH = "http";
    process.env.AMAZON_ADS_WORKERS = "3";
    try {
      const response = await collectRoute(cronRequest(`${app.url()}/api/cron/amazon-ads-collect`));
      const body = await response.json();
      expect(response.status).toBe(200);
      expect(body.workers.length).toBe(3);
      expect(app.hits().filter((p) => p === "/api/cron/amazon-ads-worker").length).toBeGreaterThanOrEqual(3);
      const units = body.workers.reduce(
        (n: number, w: { units: { discover: number; profile: number } }) => n + w.units.discover + w.units.profile,
        0,
      );
      expect(units).toBe(2); // one discovery, one profile: each done once, by whichever worker claimed it
    } finally {
      delete process.env.AMAZON_ADS_DISPATCH;
      delete process.env.AMAZON_ADS_WORKERS;
    }
    expect((await storedRows(db(), 1)).length).toBeGreaterThan(0);
  });
});

describe("access tokens shared for their hour", () => {
  const tokenCalls = () => sim().requests.filter((r) => r.path.endsWith("/auth/o2/token")).length;
  const loginKey = loginKeyOf(SIM_ADS_SETTINGS.client_id, SIM_ADS_SETTINGS.refresh_token);

  it("every worker and run of a login uses one stored token: its refresh token is exchanged once", async () => {
    await dispatch("request", { workers: 2, via: "in-process", worker: FAST });
    await requestReports(1, FAST); // a per-organisation run the same hour
    await dispatch("collect", { workers: 2, via: "in-process", worker: FAST });
    expect(reportCreates(sim()).length).toBeGreaterThanOrEqual(5);
    expect(tokenCalls()).toBe(1);
    const [row] = await db().select().from(amazonAdsAccessTokens);
    expect(row!.loginKey).toBe(loginKey);
    // Stored encrypted: neither the access token nor the refresh token is in the row.
    const stored = JSON.stringify(row);
    for (const secret of [...sentAccessTokens(sim()), SIM_ADS_SETTINGS.refresh_token])
      expect(stored).not.toContain(secret);
  });

  it("one invocation at a time refreshes: two that need a token at once make one exchange", async () => {
    let exchanges = 0;
    const exchange = async () => {
      exchanges++;
      await new Promise((r) => setTimeout(r, 300));
      return { accessToken: `token-${exchanges}`, expiresAt: Date.now() + 3_600_000 };
    };
    const a = postgresSharedTokens(db());
    const b = postgresSharedTokens(db());
    const [one, two] = await Promise.all([a.obtain("k", 300_000, exchange), b.obtain("k", 300_000, exchange)]);
    expect(exchanges).toBe(1);
    expect(two).toEqual(one);
    // Shortly before it expires it is refreshed: a token inside the margin is not handed out.
    expect(await a.read("k", 3_600_000)).toBeNull();
    expect((await a.obtain("k", 3_600_000, exchange)).accessToken).toBe("token-2");
  });

  it("a 401 drops the stored token and refreshes it once; the run goes on", async () => {
    // A stored token Amazon does not accept (it ended early at Amazon).
    await db().insert(amazonAdsAccessTokens).values({ loginKey, refreshingUntil: null });
    const refused = "Atza|refused-by-amazon";
    await db()
      .update(amazonAdsAccessTokens)
      .set({
        accessToken: encrypt(refused, loginKey),
        tokenHash: crypto.createHash("sha256").update(refused).digest("hex"),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    const run = await requestReports(1, FAST);
    expect(run.status).toBe("success");
    expect(tokenCalls()).toBe(1);
    const [row] = await db().select().from(amazonAdsAccessTokens);
    expect(row!.tokenHash).not.toBe(crypto.createHash("sha256").update(refused).digest("hex"));
  });

  it("a revoked grant during a per-organisation collect fails the run, not its reports: they stay pending", async () => {
    await requestReports(1, FAST);
    sim().setScenario({ revokedRefreshTokens: [SIM_ADS_SETTINGS.refresh_token] });
    const run = await collectReports(1, { client: FAST.client, pollDelaysMs: [50], budgetMs: 5_000 });
    expect(run.status).toBe("error");
    expect(run.message).toMatch(/Aborted: Token refresh failed/);
    const reports = await db().select().from(amazonAdsPendingReports);
    expect(reports.map((r) => r.status)).toEqual(Array(5).fill("pending"));
    expect(reports.every((r) => r.error === null && r.nextPollAt.getTime() > Date.now() + 10 * 60_000)).toBe(true);
  });

  it("a revoked grant still fails visibly with a stored token: 401, one refresh, invalid_grant, nothing created", async () => {
    await requestReports(1, FAST);
    const created = reportCreates(sim()).length;
    sim().setScenario({ revokedRefreshTokens: [SIM_ADS_SETTINGS.refresh_token] });
    const run = await requestReports(1, FAST);
    expect(run.status).toBe("error");
    expect(run.message).toMatch(/Token refresh failed.*(invalid_grant|revoked)/i);
    expect(reportCreates(sim()).length).toBe(created);
    expect(tokenCalls()).toBe(2); // the first run's, then the refresh after the 401
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.status, "error"));
    expect(log!.message).toMatch(/Token refresh failed/);
  });
});

describe("a lease taken over", () => {
  it("a worker whose lease ran out and was taken over can neither load nor finish the report", async () => {
    const day = addDays(dailyDates()[0]!, -19);
    await requestBackfill(1, { from: day, to: day }, FAST);
    const claim = await claimNextUnit(db(), {
      leaseMs: 60_000,
      clientConcurrency: 10,
      scope: { orgId: 1, queue: "reports" },
    });
    expect(claim?.kind).toBe("report");
    const row = claim!.unit as PendingReport;
    // Its lease ran out; another worker claimed the report.
    await db()
      .update(amazonAdsPendingReports)
      .set({ leaseId: "the-other-worker", lockedUntil: sql`now() + interval '1 minute'` })
      .where(eq(amazonAdsPendingReports.id, row.id));
    sim().setScenario({ pollsBeforeComplete: 0 });
    const client = new AdsClient(SIM_ADS_SETTINGS).forProfile(row.profileId, row.region);
    // Amazon has the file ready: the stale worker downloads it, but its load does not commit.
    await expect(
      collectReport(db(), row, client, { batchSize: 500, warn: () => {}, leaseId: claim!.leaseId }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await storedRows(db(), 1, day)).toEqual([]);
    // Nor can it fail the report.
    await expect(
      finishReport(db(), row.id, { status: "failed", error: "stale" }, claim!.leaseId),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const [after] = await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, row.id));
    expect(after).toMatchObject({ status: "pending", leaseId: "the-other-worker", rowsLoaded: null, error: null });
    // The holder of the lease loads it.
    await collectReport(db(), { ...row }, client, {
      batchSize: 500,
      warn: () => {},
      leaseId: "the-other-worker",
    });
    expect(await storedRows(db(), 1, day)).toEqual(amazonRows(sim(), day));
  });
});
