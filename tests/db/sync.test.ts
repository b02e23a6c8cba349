import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as collectRoute } from "@/app/api/cron/amazon-ads-collect/route";
import { GET as requestRoute } from "@/app/api/cron/amazon-ads-request/route";
import { collectReports } from "@/lib/amazon-ads/work/org-run";
import { COLUMNS, REQUESTED_COLUMNS } from "@/lib/catalogue/sp-campaigns";
import { addDays, lookbackDates } from "@/lib/amazon-ads/plan/dates";
import { requestReports } from "@/lib/amazon-ads/work/org-run";
import { amazonAdsPendingReports, amazonSpAds, syncLogs } from "@/lib/db/schema";
import { addMember, createOrganisation } from "@/lib/orgs/organisations";
import { createUserWithPassword } from "@/lib/orgs/accounts";
import { saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "../../tools/amazon-ads-simulator/index";
import {
  CRON_SECRET,
  cronRequest,
  dailyDates,
  dailyDatesOf,
  fastPhases,
  reportCreates,
  sentAccessTokens,
  setupSyncTest,
  simLogin,
  today,
} from "../support/sync-fixture";
import { amazonRows, storedRows } from "../support/rows";

const { db, sim } = setupSyncTest({ cron: true });
// Retries wait up to 2 s: long enough to honour a Retry-After of 1 s.
const { FAST, FAST_COLLECT, fullCycle } = fastPhases(2_000);

const amazonCalls = () => sim().requests.length;

describe("schema", () => {
  it("the migrated amazon_sp_ads has exactly the catalogue's columns, with the catalogue's SQL types", async () => {
    const result = (await db().execute(
      sql`select column_name, data_type from information_schema.columns where table_name = 'amazon_sp_ads'`,
    )) as unknown as { rows: Array<{ column_name: string; data_type: string }> };
    const actual = new Map(result.rows.map((r) => [r.column_name, r.data_type]));
    for (const c of COLUMNS) expect(actual.get(c.db), c.db).toBe(c.type);
    const bookkeeping = [
      "id",
      "org_id",
      "profile_id",
      "source_report_id",
      "source_kind",
      "source_lookback_days",
      "max_lookback_days",
      "created_at",
      "updated_at",
      "data_changed_at",
    ];
    expect([...actual.keys()].sort()).toEqual([...COLUMNS.map((c) => c.db), ...bookkeeping].sort());
  });
});

describe("phase 1 + phase 2 against the simulator", () => {
  it("stores, for each of the five lookback dates, exactly the rows Amazon generated — field by field", async () => {
    const request = await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"));
    expect(request.status).toBe(200);
    const requestBody = await request.json();
    expect(requestBody.organisations[0].reports.map((r: { outcome: string }) => r.outcome)).toEqual(
      Array(5).fill("created"),
    );

    const pending = await db().select().from(amazonAdsPendingReports);
    expect(pending.map((p) => p.reportDate).sort()).toEqual([...dailyDates()].sort());
    expect(pending.every((p) => p.status === "pending" && p.profileId === SIM_DEFAULTS.profileId)).toBe(true);

    const collect = await collectRoute(cronRequest("/api/cron/amazon-ads-collect?orgId=1"));
    expect(collect.status).toBe(200);
    // The route runs with the production poll delays: the simulator completes on the second poll (after 5 s).
    for (const date of dailyDates()) {
      const expected = amazonRows(sim(), date);
      expect(expected.length).toBeGreaterThan(0);
      expect(await storedRows(db(), 1, date)).toEqual(expected);
    }
    const after = await db().select().from(amazonAdsPendingReports);
    expect(after.every((p) => p.status === "completed" && p.rowsLoaded! > 0)).toBe(true);
  }, 120_000);

  it("keeps a campaign id above 2^53 byte-exact, decimals exact, nulls null and unicode names intact", async () => {
    await fullCycle();
    const rows = await storedRows(db(), 1);
    const big = rows.filter((r) => BigInt(r.campaignId!) > 2n ** 53n);
    expect(big.length).toBeGreaterThan(0);
    const expectedIds = new Set(
      sim()
        .expectedRows(SIM_DEFAULTS.profileId, dailyDates()[0]!, dailyDates()[0]!, ["campaignId", "date"])
        .map((r) => r.campaignId),
    );
    for (const r of big.filter((b) => b.date === dailyDates()[0])) expect(expectedIds.has(r.campaignId)).toBe(true);
    expect(rows.some((r) => r.campaignName && /[^\x00-\x7f]/.test(r.campaignName))).toBe(true);
    expect(rows.some((r) => r.campaignName?.includes('"'))).toBe(true);
    expect(rows.some((r) => r.topOfSearchImpressionShare === null)).toBe(true);
    expect(rows.some((r) => r.cost != null && r.cost.includes("."))).toBe(true);
    const [typed] = await db()
      .select({ id: amazonSpAds.campaignId })
      .from(amazonSpAds)
      .where(eq(amazonSpAds.campaignId, BigInt(big[0]!.campaignId!)));
    expect(typed!.id.toString()).toBe(big[0]!.campaignId);
  });

  it("sends Amazon exactly the documented request: headers, content type, body, dates", async () => {
    await requestReports(1, FAST);
    const posts = reportCreates(sim());
    expect(posts).toHaveLength(5);
    for (const post of posts) {
      expect(post.headers["content-type"]).toBe("application/vnd.createasyncreportrequest.v3+json");
      expect(post.headers["amazon-advertising-api-clientid"]).toBe(SIM_DEFAULTS.clientId);
      expect(post.headers["amazon-advertising-api-scope"]).toBe(SIM_DEFAULTS.profileId);
      expect(post.headers.authorization).toMatch(/^Bearer Atza\|/);
      expect(post.region).toBe("EU");
      const body = JSON.parse(post.body);
      expect(body.startDate).toBe(body.endDate);
      expect(body.name).toBe(`spCampaigns ${body.startDate}`);
      expect(body.configuration).toEqual({
        adProduct: "SPONSORED_PRODUCTS",
        groupBy: ["campaign"],
        columns: REQUESTED_COLUMNS.map((c) => c.api),
        reportTypeId: "spCampaigns",
        timeUnit: "DAILY",
        format: "GZIP_JSON",
      });
    }
    expect(posts.map((p) => JSON.parse(p.body).startDate).sort()).toEqual([...dailyDates()].sort());
    // One token for the whole run.
    expect(sim().requests.filter((r) => r.path.endsWith("/auth/o2/token"))).toHaveLength(1);
    // Profile discovery: the profiles the login may report on, in each of the three regions; the full listing
    // is not needed, since the listed profile is among them.
    const listings = sim().requests.filter((r) => r.path.includes("/v2/profiles"));
    expect(listings.map((r) => `${r.region} ${r.query.apiProgram}/${r.query.accessLevel}`).sort()).toEqual([
      "EU report/view",
      "FE report/view",
      "NA report/view",
    ]);
  });

  it("creates the five reports in parallel (their requests overlap in time)", async () => {
    sim().setScenario({ createLatencyMs: 300 });
    await requestReports(1, FAST);
    const posts = reportCreates(sim());
    const latestStart = Math.max(...posts.map((p) => p.time));
    const earliestEnd = Math.min(...posts.map((p) => p.endTime ?? Infinity));
    expect(latestStart).toBeLessThan(earliestEnd);
  });

  it("is idempotent: a second collect with nothing pending calls Amazon zero times; a re-run changes nothing", async () => {
    await fullCycle();
    const before = await storedRows(db(), 1);
    const stamps = await db()
      .select({ id: amazonSpAds.id, u: amazonSpAds.updatedAt, d: amazonSpAds.dataChangedAt, c: amazonSpAds.createdAt })
      .from(amazonSpAds)
      .orderBy(amazonSpAds.id);
    const calls = amazonCalls();
    const idle = await collectReports(1, FAST_COLLECT);
    expect(idle.message).toBe("Nothing pending");
    expect(amazonCalls()).toBe(calls);
    await fullCycle();
    expect(await storedRows(db(), 1)).toEqual(before);
    const count = (await db().execute(sql`select count(*)::int as n from amazon_sp_ads`)) as unknown as {
      rows: Array<{ n: number }>;
    };
    expect(count.rows[0]!.n).toBe(before.length);
    const stampsAfter = await db()
      .select({ id: amazonSpAds.id, u: amazonSpAds.updatedAt, d: amazonSpAds.dataChangedAt, c: amazonSpAds.createdAt })
      .from(amazonSpAds)
      .orderBy(amazonSpAds.id);
    expect(stampsAfter.map((s) => s.id)).toEqual(stamps.map((s) => s.id));
    // Same data: created_at and data_changed_at stay; updated_at records the upsert.
    expect(stampsAfter.map((s) => [s.c.getTime(), s.d.getTime()])).toEqual(
      stamps.map((s) => [s.c.getTime(), s.d.getTime()]),
    );
    stampsAfter.forEach((s, i) => expect(s.u.getTime()).toBeGreaterThan(stamps[i]!.u.getTime()));
  });

  it("restatement overwrites the metrics, bumps updated_at (and data_changed_at where numbers changed) and keeps created_at", async () => {
    await fullCycle();
    const date = dailyDates()[2]!;
    const before = await db().select().from(amazonSpAds).where(eq(amazonSpAds.date, date)).orderBy(amazonSpAds.id);
    const first = before[0];
    sim().setScenario({ restatementVersion: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await fullCycle();
    const expected = amazonRows(sim(), date);
    expect(await storedRows(db(), 1, date)).toEqual(expected);
    const [again] = await db().select().from(amazonSpAds).where(eq(amazonSpAds.id, first!.id));
    expect(again!.createdAt.getTime()).toBe(first!.createdAt.getTime());
    expect(again!.updatedAt.getTime()).toBeGreaterThan(first!.updatedAt.getTime());
    const after = await db().select().from(amazonSpAds).where(eq(amazonSpAds.date, date)).orderBy(amazonSpAds.id);
    const dbKey = (name: string) => (name === "campaign_id" ? "campaignId" : name); // schema.ts keys
    const data = (row: (typeof after)[number]) =>
      JSON.stringify(COLUMNS.map((c) => String((row as Record<string, unknown>)[dbKey(c.db)])));
    let changed = 0;
    after.forEach((row, i) => {
      const old = before[i]!;
      expect(row.id).toBe(old.id);
      if (data(row) !== data(old)) {
        changed++;
        expect(row.dataChangedAt.getTime()).toBeGreaterThan(old.dataChangedAt.getTime());
      } else expect(row.dataChangedAt.getTime()).toBe(old.dataChangedAt.getTime());
    });
    expect(changed).toBeGreaterThan(0);
  });

  it("records provenance: the report and the lookback that last wrote each row", async () => {
    await fullCycle();
    const rows = await db()
      .select({
        date: amazonSpAds.date,
        kind: amazonSpAds.sourceKind,
        lookback: amazonSpAds.sourceLookbackDays,
        max: amazonSpAds.maxLookbackDays,
        report: amazonSpAds.sourceReportId,
      })
      .from(amazonSpAds);
    const byDate = new Map(lookbackDates(today()).map((d) => [d.date, d.lookbackDays]));
    for (const r of rows) {
      expect(r.kind).toBe("daily");
      expect(r.lookback).toBe(byDate.get(r.date));
      expect(r.max).toBe(byDate.get(r.date));
      expect(r.report).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("Amazon misbehaving", () => {
  it("425 duplicate: adopts the report Amazon already has (e.g. after a crash between POST and INSERT)", async () => {
    sim().setScenario({ pollsBeforeComplete: 5 });
    await requestReports(1, FAST);
    const ids = (await db().select().from(amazonAdsPendingReports)).map((p) => p.reportId).sort();
    await db().delete(amazonAdsPendingReports); // the crash lost our record of them
    const again = await requestReports(1, FAST);
    expect(again.reports.map((r) => r.outcome)).toEqual(Array(5).fill("adopted"));
    expect((await db().select().from(amazonAdsPendingReports)).map((p) => p.reportId).sort()).toEqual(ids);
    expect(sim().requests.filter((r) => r.path.endsWith("/reporting/reports") && r.method === "POST")).toHaveLength(10);
  });

  it("a repeated phase 1 while reports are pending requests nothing twice", async () => {
    sim().setScenario({ pollsBeforeComplete: 5 });
    await requestReports(1, FAST);
    const second = await requestReports(1, FAST);
    expect(second.reports.map((r) => r.outcome)).toEqual(Array(5).fill("already_pending"));
    expect(reportCreates(sim())).toHaveLength(5);
  });

  it("429 with Retry-After on create and poll: waits as told and succeeds", async () => {
    sim().setScenario({ create429: { count: 2, retryAfterSeconds: 1 }, poll429: { count: 2, retryAfterSeconds: 1 } });
    const { requested, collected } = await fullCycle();
    expect(requested.status).toBe("success");
    expect(collected.status).toBe("success");
    // Five parallel creates, two of them throttled and sent again after Retry-After (1 s).
    const all = reportCreates(sim());
    expect(all).toHaveLength(7);
    const firstWave = all.slice(0, 5);
    const retried = all.slice(5);
    expect(Math.min(...retried.map((r) => r.time)) - Math.max(...firstWave.map((r) => r.time))).toBeGreaterThanOrEqual(
      900,
    );
  });

  it("429 without Retry-After and 5xx: exponential backoff, then success", async () => {
    sim().setScenario({ create429: { count: 3 }, create5xx: { count: 2 }, poll5xx: { count: 3, status: 503 } });
    const { requested, collected } = await fullCycle();
    expect(requested.status).toBe("success");
    expect(collected.status).toBe("success");
    expect(collected.reports.every((r) => r.outcome === "completed")).toBe(true);
  });

  it("FAILED report: logged and marked failed, the others load; the next run requests that date once more", async () => {
    const failing = dailyDates()[2]!;
    sim().setScenario({ failDates: [failing] });
    const { collected } = await fullCycle();
    expect(collected.status).toBe("partial");
    const failed = collected.reports.find((r) => r.startDate === failing)!;
    expect(failed.outcome).toBe("failed");
    expect(failed.error).toMatch(/internal error/);
    expect(collected.reports.filter((r) => r.outcome === "completed")).toHaveLength(4);
    expect(await storedRows(db(), 1, failing)).toEqual([]);
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.job, "collect"));
    expect(log!.status).toBe("partial");
    expect(JSON.stringify(log!.details)).toContain("internal error");

    // Same day: the failed date is still one of today's lookbacks, so it comes back as a daily request, not a retry.
    sim().setScenario({ failDates: [] });
    const next = await requestReports(1, FAST);
    expect(next.reports.filter((r) => r.kind === "retry")).toEqual([]);
    expect(next.reports.find((r) => r.startDate === failing)!.outcome).toBe("created");
    await collectReports(1, FAST_COLLECT);
    expect((await storedRows(db(), 1, failing)).length).toBeGreaterThan(0);
  });

  it("a failed date outside today's lookbacks is re-requested exactly once", async () => {
    const outside = addDays(today(), -10); // not one of the five lookbacks
    await db().insert(amazonAdsPendingReports).values({
      orgId: 1,
      reportId: "00000000-0000-4000-8000-000000000001",
      reportDate: outside,
      reportEndDate: outside,
      kind: "daily",
      lookbackDays: 30,
      profileId: SIM_DEFAULTS.profileId,
      region: "EU",
      status: "failed",
      error: "earlier failure",
      finishedAt: new Date(),
    });
    const first = await requestReports(1, FAST);
    const retries = first.reports.filter((r) => r.kind === "retry");
    expect(retries.map((r) => r.startDate)).toEqual([outside]);
    expect(retries[0]!.outcome).toBe("created");
    await collectReports(1, FAST_COLLECT);
    const second = await requestReports(1, FAST);
    expect(second.reports.filter((r) => r.kind === "retry")).toEqual([]);
  });

  it("stuck in PENDING: left pending while young, cancelled and marked timed out when too old", async () => {
    const stuck = dailyDates()[0]!;
    sim().setScenario({ stuckDates: [stuck] });
    await requestReports(1, FAST);
    const collected = await collectReports(1, { ...FAST_COLLECT, budgetMs: 1_500 });
    expect(collected.reports.find((r) => r.startDate === stuck)!.outcome).toBe("still_pending");
    const [row] = await db()
      .select()
      .from(amazonAdsPendingReports)
      .where(eq(amazonAdsPendingReports.reportDate, stuck));
    expect(row!.status).toBe("pending");
    expect(row!.attempts).toBeGreaterThan(0);
    await db()
      .update(amazonAdsPendingReports)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(amazonAdsPendingReports.id, row!.id));
    const later = await collectReports(1, { ...FAST_COLLECT, budgetMs: 1_500 });
    expect(later.reports.find((r) => r.startDate === stuck)!.outcome).toBe("timed_out");
    expect(sim().requests.some((r) => r.method === "DELETE" && r.path.endsWith(row!.reportId))).toBe(true);
    const [after] = await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, row!.id));
    expect(after!.status).toBe("failed");
    expect(after!.error).toMatch(/Timed out/);
  });

  it("deletes finished requests older than 24 h: completed, and failed once retried; keeps a failed one not yet retried", async () => {
    const failing = dailyDates()[4]!;
    sim().setScenario({ failDates: [failing] });
    await fullCycle();
    sim().setScenario({ failDates: [] });
    const finished = await db().select().from(amazonAdsPendingReports);
    expect(finished.map((r) => r.status).sort()).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
      "failed",
    ]);
    await db()
      .update(amazonAdsPendingReports)
      .set({ finishedAt: new Date(Date.now() - 25 * 3_600_000) });
    // The failed date is not retried yet: it must survive the cleanup so that phase 1 can retry it.
    const idle = await collectReports(1, FAST_COLLECT);
    expect(idle.message).toBe("Nothing pending");
    expect(await db().select().from(amazonAdsPendingReports)).toHaveLength(1);
    await requestReports(1, FAST); // requests the failed date again (here as a daily lookback) and marks it retried
    await db()
      .update(amazonAdsPendingReports)
      .set({ finishedAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(amazonAdsPendingReports.status, "failed"));
    const collected = await collectReports(1, FAST_COLLECT);
    expect(collected.message).toMatch(/1 finished request\(s\) cleaned up/);
    const left = await db().select().from(amazonAdsPendingReports);
    expect(left.some((r) => r.reportDate === failing && r.status === "failed")).toBe(false);
    expect(left.filter((r) => r.reportDate === failing && r.status === "completed")).toHaveLength(1);
  });

  it("a report too old whose polls keep failing is timed out too, not left pending for ever", async () => {
    await requestReports(1, FAST);
    const [row] = await db()
      .select()
      .from(amazonAdsPendingReports)
      .where(eq(amazonAdsPendingReports.reportDate, dailyDates()[0]!));
    await db()
      .update(amazonAdsPendingReports)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(amazonAdsPendingReports.id, row!.id));
    sim().setScenario({ poll5xx: { count: 1000, status: 503 } });
    const collected = await collectReports(1, {
      ...FAST_COLLECT,
      budgetMs: 1_500,
      client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
    });
    const old = collected.reports.find((r) => r.reportId === row!.reportId)!;
    expect(old.outcome).toBe("timed_out");
    expect(old.error).toMatch(/Timed out.*last poll failed.*503/);
    // The young ones stay pending for the next run.
    expect(collected.reports.filter((r) => r.outcome === "still_pending")).toHaveLength(4);
    const [after] = await db().select().from(amazonAdsPendingReports).where(eq(amazonAdsPendingReports.id, row!.id));
    expect(after!.status).toBe("failed");
  });

  it("expired download URL: polls again for a fresh one; never sends Authorization to S3", async () => {
    sim().setScenario({ expireUrlOnce: true });
    const { collected } = await fullCycle();
    expect(collected.reports.every((r) => r.outcome === "completed")).toBe(true);
    const downloads = sim().requests.filter((r) => r.path.includes("/s3/"));
    expect(downloads.length).toBe(10);
    expect(downloads.every((d) => !d.headers.authorization && !d.headers["amazon-advertising-api-clientid"])).toBe(
      true,
    );
  });

  it("corrupt gzip: that report fails with nothing half-written; the others load", async () => {
    const corrupt = dailyDates()[1]!;
    sim().setScenario({ corruptDates: [corrupt] });
    const { collected } = await fullCycle();
    const bad = collected.reports.find((r) => r.startDate === corrupt)!;
    expect(bad.outcome).toBe("failed");
    expect(bad.error).toMatch(/corrupt|truncated/i);
    expect(await storedRows(db(), 1, corrupt)).toEqual([]);
    expect(collected.reports.filter((r) => r.outcome === "completed")).toHaveLength(4);
  });

  it("empty report ([]): completed with zero rows", async () => {
    const empty = dailyDates()[3]!;
    sim().setScenario({ emptyDates: [empty] });
    const { collected } = await fullCycle();
    const r = collected.reports.find((x) => x.startDate === empty)!;
    expect(r.outcome).toBe("completed");
    expect(r.rows).toBe(0);
  });

  it("token refresh failure aborts the run, logs it, returns non-2xx, and calls no report endpoint", async () => {
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const response = await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"));
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.organisations[0].message).toMatch(/invalid_grant/);
    expect(reportCreates(sim())).toHaveLength(0);
    const [log] = await db().select().from(syncLogs);
    expect(log!.status).toBe("error");
    expect(log!.message).toMatch(/Token refresh failed/);
  });

  it("a column Amazon calls invalid is dropped, the request retried once, and a warning logged", async () => {
    sim().setScenario({ extraInvalidColumns: ["topOfSearchImpressionShare"] });
    const { requested, collected } = await fullCycle();
    expect(requested.status).toBe("success");
    expect(requested.warnings.join(" ")).toMatch(/topOfSearchImpressionShare/);
    expect(collected.status).toBe("success");
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.job, "request"));
    expect(JSON.stringify(log!.details)).toContain("topOfSearchImpressionShare");
    const rows = await storedRows(db(), 1);
    expect(rows.every((r) => r.topOfSearchImpressionShare === null)).toBe(true);
    expect(rows.some((r) => r.cost !== null)).toBe(true);
  });
});

describe("cron routes", () => {
  it("refuse missing, empty and wrong bearers with 401 and zero Amazon calls; refuse everything without CRON_SECRET", async () => {
    for (const secret of [null, "", "wrong-secret"]) {
      expect((await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1", secret))).status).toBe(401);
      expect((await collectRoute(cronRequest("/api/cron/amazon-ads-collect?orgId=1", secret))).status).toBe(401);
    }
    delete process.env.CRON_SECRET;
    expect((await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"))).status).toBe(503);
    process.env.CRON_SECRET = CRON_SECRET;
    expect(amazonCalls()).toBe(0);
  });

  it("validate orgId: text/negative → 400, unknown org → 404, org without credentials → 422", async () => {
    for (const bad of ["abc", "-1", "0", "1.5", "99999999999"])
      expect((await requestRoute(cronRequest(`/api/cron/amazon-ads-request?orgId=${bad}`))).status).toBe(400);
    expect((await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=999"))).status).toBe(404);
    const bare = await createOrganisation("No credentials");
    const response = await collectRoute(cronRequest(`/api/cron/amazon-ads-collect?orgId=${bare}`));
    expect(response.status).toBe(422);
    expect((await response.json()).message).toMatch(/no Amazon Ads API credentials/);
    expect(amazonCalls()).toBe(0);
  });

  it("without orgId runs every org with credentials, isolated: one org's failure doesn't stop another", async () => {
    const org2 = await createOrganisation("Org Two");
    const user2 = await createUserWithPassword({ email: `two-${Date.now()}@example.com`, password: "password two!" });
    await addMember(org2, user2.id, "admin");
    await saveAmazonAdsSettings(org2, {
      ...simLogin(SIM_SECOND_CLIENT),
      profile_id: SIM_SECOND_CLIENT.profileIds[0]!,
      region: "EU",
    });
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const response = await requestRoute(cronRequest("/api/cron/amazon-ads-request"));
    expect(response.status).toBe(207);
    const body = await response.json();
    expect(body.organisations.find((o: { orgId: number }) => o.orgId === 1).status).toBe("error");
    expect(body.organisations.find((o: { orgId: number }) => o.orgId === org2).status).toBe("success");
    await collectRoute(cronRequest("/api/cron/amazon-ads-collect"));
    const org2Rows = await storedRows(db(), org2);
    expect(org2Rows.length).toBeGreaterThan(0);
    expect(await storedRows(db(), 1)).toEqual([]);
    const d = dailyDatesOf(SIM_SECOND_CLIENT.profileIds[0]!)[0]!; // its profile's own day (Berlin)
    expect(await storedRows(db(), org2, d)).toEqual(amazonRows(sim(), d, SIM_SECOND_CLIENT.profileIds[0]!));
  });

  it("never puts a secret in sync_logs or responses", async () => {
    sim().setScenario({ failDates: [dailyDates()[0]!], corruptDates: [dailyDates()[1]!] });
    const responses = [
      await (await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"))).text(),
      await (await collectRoute(cronRequest("/api/cron/amazon-ads-collect?orgId=1"))).text(),
    ];
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    responses.push(await (await requestRoute(cronRequest("/api/cron/amazon-ads-request?orgId=1"))).text());
    const accessTokens = sentAccessTokens(sim());
    expect(accessTokens.length).toBeGreaterThan(0);
    const logs = JSON.stringify(await db().select().from(syncLogs));
    for (const secret of [SIM_DEFAULTS.clientSecret, SIM_DEFAULTS.refreshToken, ...accessTokens, CRON_SECRET]) {
      expect(logs).not.toContain(secret);
      for (const r of responses) expect(r).not.toContain(secret);
    }
  });
});
