import { afterEach, describe, expect, it, vi } from "vitest";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import {
  completedReport,
  createReport,
  createReportOk,
  deleteReport,
  downloadBytes,
  fetchToken,
  getProfiles,
  getReport,
  listing,
  postToken,
  refreshGrant,
  reportBody,
  startSim,
  startSimWithToken,
} from "./test-prelude";

afterEach(() => {
  vi.restoreAllMocks();
});

const SECOND = { clientId: SIM_SECOND_CLIENT.clientId, profileId: SIM_SECOND_CLIENT.profileIds[0]! };

async function expectThrottled(response: Response, retryAfter: string | null): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(await response.json()).toEqual({ code: "429", detail: "Too Many Requests" });
}

describe("storm429 (per client)", () => {
  it("throttles every Ads API call of that client only; token and S3 download keep working", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 0 } });
    const secondToken = await fetchToken(sim, SIM_SECOND_CLIENT);
    const report = await completedReport(sim, token);
    const inFlight = await createReportOk(sim, token, reportBody({ endDate: "2025-06-13" }));
    const pollsBefore = sim.reports().find((summary) => summary.reportId === inFlight.reportId)!.polls;

    sim.setClientFaults(SIM_DEFAULTS.clientId, { storm429: { retryAfterSeconds: 3 } });
    await expectThrottled(await getProfiles(sim, token, listing()), "3");
    await expectThrottled(await createReport(sim, token, reportBody({ endDate: "2025-06-12" })), "3");
    await expectThrottled(await getReport(sim, token, inFlight.reportId), "3");
    await expectThrottled(await deleteReport(sim, token, inFlight.reportId), "3");
    expect(sim.reports().find((summary) => summary.reportId === inFlight.reportId)).toMatchObject({
      polls: pollsBefore,
      deleted: false,
    });
    // Not the token endpoint, not S3.
    expect(await fetchToken(sim)).toMatch(/^Atza\|/);
    expect((await downloadBytes(report.url!)).response.status).toBe(200);
    // Header checks still come first.
    const badToken = await getProfiles(sim, "Atza|nope", listing());
    expect(badToken.status).toBe(401);

    // The other client is untouched.
    expect((await getProfiles(sim, secondToken, listing(SECOND.clientId))).status).toBe(200);
    const other = await createReportOk(sim, secondToken, reportBody(), SECOND);
    expect((await getReport(sim, secondToken, other.reportId, SECOND)).status).toBe(200);
    const cancellable = await createReportOk(sim, secondToken, reportBody({ endDate: "2025-06-13" }), SECOND);
    expect((await deleteReport(sim, secondToken, cancellable.reportId, SECOND)).status).toBe(200);

    // The global counters are left alone while a storm answers.
    expect(sim.scenario().create429.count).toBe(0);
    sim.setClientFaults(SIM_DEFAULTS.clientId, {});
    expect((await getProfiles(sim, token, listing())).status).toBe(200);
    expect((await getReport(sim, token, inFlight.reportId)).status).toBe(200);
  });

  it("comes before the scenario's counters, which it does not use up", async () => {
    const sim = await startSim({ scenario: { create429: { count: 1, retryAfterSeconds: 9 } } });
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
    const { sim, token } = await startSimWithToken({ clients, profiles: [SIM_DEFAULTS.profile] });
    await expectThrottled(await getProfiles(sim, token, listing()), "1");

    const post = (body: unknown): Promise<Response> =>
      fetch(`${sim.baseUrl}/__admin/clients/faults`, { method: "POST", body: JSON.stringify(body) });
    const off = await post({ clientId: SIM_DEFAULTS.clientId, storm429: null });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ clientId: SIM_DEFAULTS.clientId, storm429: null });
    expect((await getProfiles(sim, token, listing())).status).toBe(200);
    expect((await post({ clientId: SIM_DEFAULTS.clientId, storm429: { retryAfterSeconds: 5 } })).status).toBe(200);
    await expectThrottled(await getProfiles(sim, token, listing()), "5");
    expect((await post({ clientId: "amzn1.application-oa2-client.unknown", storm429: {} })).status).toBe(404);
    expect((await post({ clientId: SIM_DEFAULTS.clientId, storm429: { retryAfterSeconds: "soon" } })).status).toBe(400);
    expect(() => sim.setClientFaults("amzn1.application-oa2-client.unknown", {})).toThrow(/Unknown client/);

    sim.setClientFaults(SIM_DEFAULTS.clientId, {});
    sim.reset();
    await expectThrottled(await getProfiles(sim, token, listing()), "1");
    // The options object given to startSimulator is not changed by any of this.
    expect(clients[0]!.storm429).toEqual({ retryAfterSeconds: 1 });
  });
});

describe("revoked refresh tokens per client", () => {
  it("revoking one client's refresh token answers its token call 400 invalid_grant; other clients still get tokens", async () => {
    const sim = await startSim({ scenario: { revokedRefreshTokens: [SIM_SECOND_CLIENT.refreshToken] } });
    const response = await postToken(sim, refreshGrant({}, SIM_SECOND_CLIENT));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    expect(await fetchToken(sim)).toMatch(/^Atza\|/);
  });
});

describe("latency ranges", () => {
  it("apiLatencyMs {min, max}: each call waits a uniform draw from the range", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { apiLatencyMs: { min: 30, max: 60 } } });
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    let started = Date.now();
    expect((await getProfiles(sim, token, listing())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    random.mockReturnValue(0.999);
    started = Date.now();
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(58);
    random.mockRestore();
    const calls = await Promise.all(Array.from({ length: 10 }, () => getProfiles(sim, token, listing())));
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
    const sim = await startSim({ scenario: { tokenLatencyMs: { min: 40, max: 40 } } });
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
      const { sim, token } = await startSimWithToken({ scenario: { apiLatencyMs: { min: 20, max: 30 } } });
      const calls = await Promise.all(Array.from({ length: 30 }, () => getProfiles(sim, token, listing())));
      expect(calls.every((call) => call.status === 200)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
