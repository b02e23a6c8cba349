import { describe, expect, it } from "vitest";
import { createReport, createReportOk, getProfiles, getReport, reportBody, startSimWithToken } from "./test-prelude";

describe("throttling (429)", () => {
  it("create429 with retryAfterSeconds: the next N creates get 429 with a Retry-After header, then creation works", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { create429: { count: 2, retryAfterSeconds: 7 } } });
    for (let i = 0; i < 2; i++) {
      const response = await createReport(sim, token, reportBody());
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(await response.json()).toEqual({ code: "429", detail: "Too Many Requests" });
    }
    expect(sim.scenario().create429.count).toBe(0);
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
    expect(sim.reports()).toHaveLength(1);
  });

  it("create429 without retryAfterSeconds sends no Retry-After header", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { create429: { count: 1 } } });
    const response = await createReport(sim, token, reportBody());
    expect(response.status).toBe(429);
    expect(response.headers.has("retry-after")).toBe(false);
  });

  it("poll429 throttles only status polls, and a throttled poll does not count as a poll", async () => {
    const { sim, token } = await startSimWithToken();
    const { reportId } = await createReportOk(sim, token, reportBody());
    sim.setScenario({ poll429: { count: 1, retryAfterSeconds: 2 } });
    const throttled = await getReport(sim, token, reportId);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect(sim.reports()[0]!.polls).toBe(0);
    expect((await createReport(sim, token, reportBody({ endDate: "2025-06-13" }))).status).toBe(200);
    expect((await getReport(sim, token, reportId)).status).toBe(200);
  });
});

describe("server errors (5xx)", () => {
  it("create5xx defaults to 500 with Amazon's body and uses the given status when set", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { create5xx: { count: 1 } } });
    const first = await createReport(sim, token, reportBody());
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ code: "500", detail: "Internal Server Error" });
    sim.setScenario({ create5xx: { count: 1, status: 503 } });
    const second = await createReport(sim, token, reportBody());
    expect(second.status).toBe(503);
    expect(((await second.json()) as { code: string }).code).toBe("503");
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
  });

  it("poll5xx answers the next N polls with 5xx and leaves the report untouched", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { poll5xx: { count: 2, status: 502 } } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    expect((await getReport(sim, token, reportId)).status).toBe(502);
    expect((await getReport(sim, token, reportId)).status).toBe(502);
    const recovered = await getReport(sim, token, reportId);
    expect(recovered.status).toBe(200);
    expect(((await recovered.json()) as { status: string }).status).toBe("PROCESSING");
  });
});

describe("latency", () => {
  it("apiLatencyMs delays every Ads API call", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { apiLatencyMs: 200 } });
    const started = Date.now();
    const response = await getProfiles(sim, token);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("createLatencyMs delays each create; parallel creates overlap instead of queueing", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { createLatencyMs: 300 } });
    const started = Date.now();
    const responses = await Promise.all(
      ["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"].map((startDate) =>
        createReport(sim, token, reportBody({ startDate, endDate: startDate })),
      ),
    );
    const elapsed = Date.now() - started;
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    const creates = sim.requests.filter(
      (request) => request.method === "POST" && request.path === "/eu/reporting/reports",
    );
    expect(creates).toHaveLength(5);
    for (const request of creates) expect(request.endTime! - request.time).toBeGreaterThanOrEqual(290);
    // All five were received before the first one was answered.
    const firstAnswer = Math.min(...creates.map((request) => request.endTime!));
    expect(creates.every((request) => request.time <= firstAnswer)).toBe(true);
  });

  it("close() does not wait for a pending latency", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { apiLatencyMs: 10_000 } });
    const pending = getProfiles(sim, token).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await pending;
  });
});
