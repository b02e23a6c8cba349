import { afterEach, describe, expect, it, vi } from "vitest";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import {
  adsHeaders,
  createReport,
  createReportOk,
  downloadBytes,
  fetchToken,
  getReport,
  pollToEnd,
  reportBody,
  startTestSimulator,
  tokenForm,
} from "./test-support";
import type { Simulator } from "./types";

let sim: Simulator;
afterEach(async () => {
  vi.restoreAllMocks();
  await sim?.close();
});

const SECOND = { clientId: SIM_SECOND_CLIENT.clientId, profileId: SIM_SECOND_CLIENT.profileIds[0]! };

function listProfiles(token: string, clientId: string = SIM_DEFAULTS.clientId): Promise<Response> {
  return fetch(`${sim.apiUrl.EU}/v2/profiles`, { headers: adsHeaders(token, { clientId, profileId: null }) });
}

function deleteReport(token: string, reportId: string, options = {}): Promise<Response> {
  return fetch(`${sim.apiUrl.EU}/reporting/reports/${reportId}`, {
    method: "DELETE",
    headers: adsHeaders(token, options),
  });
}

async function expectThrottled(response: Response, retryAfter: string | null): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(await response.json()).toEqual({ code: "429", detail: "Too Many Requests" });
}

describe("storm429 (per client)", () => {
  it("throttles every Ads API call of that client only; token and S3 download keep working", async () => {
    sim = await startTestSimulator({ scenario: { pollsBeforeComplete: 0 } });
    const token = await fetchToken(sim);
    const secondToken = await fetchToken(sim, SIM_SECOND_CLIENT);
    const done = await createReportOk(sim, token, reportBody());
    const { report } = await pollToEnd(sim, token, done.reportId);
    const inFlight = await createReportOk(sim, token, reportBody({ endDate: "2025-06-13" }));
    const pollsBefore = sim.reports().find((summary) => summary.reportId === inFlight.reportId)!.polls;

    sim.setClientFaults(SIM_DEFAULTS.clientId, { storm429: { retryAfterSeconds: 3 } });
    await expectThrottled(await listProfiles(token), "3");
    await expectThrottled(await createReport(sim, token, reportBody({ endDate: "2025-06-12" })), "3");
    await expectThrottled(await getReport(sim, token, inFlight.reportId), "3");
    await expectThrottled(await deleteReport(token, inFlight.reportId), "3");
    expect(sim.reports().find((summary) => summary.reportId === inFlight.reportId)).toMatchObject({
      polls: pollsBefore,
      deleted: false,
    });
    // Not the token endpoint, not S3.
    expect(await fetchToken(sim)).toMatch(/^Atza\|/);
    expect((await downloadBytes(report.url!)).response.status).toBe(200);
    // Header checks still come first.
    const badToken = await fetch(`${sim.apiUrl.EU}/v2/profiles`, {
      headers: adsHeaders("Atza|nope", { profileId: null }),
    });
    expect(badToken.status).toBe(401);

    // The other client is untouched.
    expect((await listProfiles(secondToken, SECOND.clientId)).status).toBe(200);
    const other = await createReportOk(sim, secondToken, reportBody(), SECOND);
    expect((await getReport(sim, secondToken, other.reportId, SECOND)).status).toBe(200);
    const cancellable = await createReportOk(sim, secondToken, reportBody({ endDate: "2025-06-13" }), SECOND);
    expect((await deleteReport(secondToken, cancellable.reportId, SECOND)).status).toBe(200);

    // The global counters are left alone while a storm answers.
    expect(sim.scenario().create429.count).toBe(0);
    sim.setClientFaults(SIM_DEFAULTS.clientId, {});
    expect((await listProfiles(token)).status).toBe(200);
    expect((await getReport(sim, token, inFlight.reportId)).status).toBe(200);
  });

  it("comes before the scenario's counters, which it does not use up", async () => {
    sim = await startTestSimulator({ scenario: { create429: { count: 1, retryAfterSeconds: 9 } } });
    sim.setClientFaults(SECOND.clientId, { storm429: {} });
    const secondToken = await fetchToken(sim, SIM_SECOND_CLIENT);
    await expectThrottled(await createReport(sim, secondToken, reportBody(), SECOND), null);
    expect(sim.scenario().create429.count).toBe(1);
    const token = await fetchToken(sim);
    await expectThrottled(await createReport(sim, token, reportBody()), "9");
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
  });

  it("can be set at start on a SimClient, through /__admin/clients/faults, and reset() restores the start", async () => {
    const clients = [{ ...SIM_DEFAULTS, profileIds: [SIM_DEFAULTS.profileId], storm429: { retryAfterSeconds: 1 } }];
    sim = await startTestSimulator({ clients, profiles: [SIM_DEFAULTS.profile] });
    const token = await fetchToken(sim);
    await expectThrottled(await listProfiles(token), "1");

    const post = (body: unknown): Promise<Response> =>
      fetch(`${sim.baseUrl}/__admin/clients/faults`, { method: "POST", body: JSON.stringify(body) });
    const off = await post({ clientId: SIM_DEFAULTS.clientId, storm429: null });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ clientId: SIM_DEFAULTS.clientId, storm429: null });
    expect((await listProfiles(token)).status).toBe(200);
    expect((await post({ clientId: SIM_DEFAULTS.clientId, storm429: { retryAfterSeconds: 5 } })).status).toBe(200);
    await expectThrottled(await listProfiles(token), "5");
    expect((await post({ clientId: "amzn1.application-oa2-client.unknown", storm429: {} })).status).toBe(404);
    expect((await post({ clientId: SIM_DEFAULTS.clientId, storm429: { retryAfterSeconds: "soon" } })).status).toBe(400);
    expect(() => sim.setClientFaults("amzn1.application-oa2-client.unknown", {})).toThrow(/Unknown client/);

    sim.setClientFaults(SIM_DEFAULTS.clientId, {});
    sim.reset();
    await expectThrottled(await listProfiles(token), "1");
    // The options object given to startSimulator is not changed by any of this.
    expect(clients[0]!.storm429).toEqual({ retryAfterSeconds: 1 });
  });
});

describe("revoked refresh tokens per client", () => {
  it("revoking one client's refresh token answers its token call 400 invalid_grant; other clients still get tokens", async () => {
    sim = await startTestSimulator({ scenario: { revokedRefreshTokens: [SIM_SECOND_CLIENT.refreshToken] } });
    const response = await fetch(
      sim.tokenUrl,
      tokenForm({
        grant_type: "refresh_token",
        refresh_token: SIM_SECOND_CLIENT.refreshToken,
        client_id: SIM_SECOND_CLIENT.clientId,
        client_secret: SIM_SECOND_CLIENT.clientSecret,
      }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    expect(await fetchToken(sim)).toMatch(/^Atza\|/);
  });
});

describe("latency ranges", () => {
  it("apiLatencyMs {min, max}: each call waits a uniform draw from the range", async () => {
    sim = await startTestSimulator({ scenario: { apiLatencyMs: { min: 30, max: 60 } } });
    const token = await fetchToken(sim);
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    let started = Date.now();
    expect((await listProfiles(token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    random.mockReturnValue(0.999);
    started = Date.now();
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(58);
    random.mockRestore();
    const calls = await Promise.all(Array.from({ length: 10 }, () => listProfiles(token)));
    expect(calls.every((call) => call.status === 200)).toBe(true);
    const durations = sim.requests
      .filter((request) => request.path === "/eu/v2/profiles")
      .map((request) => request.endTime! - request.time);
    expect(durations).toHaveLength(11);
    for (const duration of durations) {
      expect(duration).toBeGreaterThanOrEqual(29);
      expect(duration).toBeLessThan(500);
    }
  });

  it("tokenLatencyMs {min, max} delays token calls; malformed ranges are refused", async () => {
    sim = await startTestSimulator({ scenario: { tokenLatencyMs: { min: 40, max: 40 } } });
    const started = Date.now();
    await fetchToken(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(39);
    expect(() => sim.setScenario({ apiLatencyMs: { min: 60, max: 30 } })).toThrow(/apiLatencyMs/);
    expect(() => sim.setScenario({ tokenLatencyMs: -1 })).toThrow(/tokenLatencyMs/);
    const admin = await fetch(`${sim.baseUrl}/__admin/scenario`, {
      method: "POST",
      body: JSON.stringify({ apiLatencyMs: { min: 10 } }),
    });
    expect(admin.status).toBe(400);
    expect(sim.scenario().apiLatencyMs).toBe(0);
  });

  it("many requests waiting out a latency at once raise no MaxListenersExceededWarning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      sim = await startTestSimulator({ scenario: { apiLatencyMs: { min: 20, max: 30 } } });
      const token = await fetchToken(sim);
      const calls = await Promise.all(Array.from({ length: 30 }, () => listProfiles(token)));
      expect(calls.every((call) => call.status === 200)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
