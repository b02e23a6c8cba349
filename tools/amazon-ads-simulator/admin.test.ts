import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS } from "./defaults";
import {
  createReport,
  createReportOk,
  fetchReportText,
  fetchToken,
  getProfiles,
  getReport,
  parseRowsLossless,
  postJson,
  reportBody,
  startSim,
  startSimWithToken,
} from "./test-prelude";
import type { RecordedRequest } from "./types";

describe("request log", () => {
  it("records method, path, query, region, lower-case headers, body and receipt time of every non-admin request", async () => {
    const sim = await startSim();
    const before = Date.now();
    const token = await fetchToken(sim);
    const query = "?apiProgram=report&accessLevel=view";
    await getProfiles(sim, token, { region: "NA", query, headers: { "X-Custom-Header": "Yes" } });
    await createReport(sim, token, reportBody());
    await fetch(`${sim.baseUrl}/__admin/requests`);
    expect(sim.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /auth/o2/token",
      "GET /na/v2/profiles",
      "POST /eu/reporting/reports",
    ]);
    const [tokenCall, profilesCall, createCall] = sim.requests as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(tokenCall.region).toBeNull();
    expect(tokenCall.body).toContain("grant_type=refresh_token");
    expect(profilesCall.region).toBe("NA");
    expect(profilesCall.query).toEqual({ apiProgram: "report", accessLevel: "view" });
    expect(profilesCall.headers["x-custom-header"]).toBe("Yes");
    expect(profilesCall.headers.authorization).toBe(`Bearer ${token}`);
    expect(createCall.region).toBe("EU");
    expect(createCall.headers["content-type"]).toBe("application/vnd.createasyncreportrequest.v3+json");
    expect(JSON.parse(createCall.body)).toEqual(reportBody());
    expect(createCall.time).toBeGreaterThanOrEqual(before);
    expect(createCall.endTime).toBeGreaterThanOrEqual(createCall.time);
  });

  it("records S3 downloads too (so tests can check no Authorization header went to S3)", async () => {
    const sim = await startSim();
    await fetchReportText(sim, await fetchToken(sim), reportBody());
    const download = sim.requests.find((request) => request.path.startsWith("/s3/"));
    expect(download?.method).toBe("GET");
    expect(download?.headers.authorization).toBeUndefined();
    expect(download?.query["X-Amz-Algorithm"]).toBe("AWS4-HMAC-SHA256");
  });
});

describe("/__admin endpoints", () => {
  it("GET /__admin/requests returns the log; admin calls are not recorded", async () => {
    const sim = await startSim();
    await fetchToken(sim);
    await postJson(`${sim.baseUrl}/__admin/scenario`, { pollsBeforeComplete: 3 });
    const log = (await (await fetch(`${sim.baseUrl}/__admin/requests`)).json()) as RecordedRequest[];
    expect(log.map((request) => request.path)).toEqual(["/auth/o2/token"]);
    expect(sim.requests).toHaveLength(1);
  });

  it("POST /__admin/scenario merges a patch, rejects unknown keys, and takes effect immediately", async () => {
    const { sim, token } = await startSimWithToken();
    const patched = await postJson(`${sim.baseUrl}/__admin/scenario`, {
      pollsBeforeComplete: 0,
      failDates: ["2025-06-10"],
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      pollsBeforeComplete: 0,
      failDates: ["2025-06-10"],
      restatementVersion: 0,
    });
    const unknown = await postJson(`${sim.baseUrl}/__admin/scenario`, { pollsBeforeCompleted: 2 });
    expect(unknown.status).toBe(400);
    const { reportId } = await createReportOk(sim, token, reportBody({ startDate: "2025-06-10" }));
    expect(((await (await getReport(sim, token, reportId)).json()) as { status: string }).status).toBe("FAILED");
  });

  it("POST /__admin/reset clears the log and the reports and restores the starting scenario", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 2 } });
    await createReportOk(sim, token, reportBody());
    sim.setScenario({ pollsBeforeComplete: 9, create429: { count: 4 } });
    expect((await fetch(`${sim.baseUrl}/__admin/reset`, { method: "POST" })).status).toBe(200);
    expect(sim.requests).toHaveLength(0);
    expect(sim.reports()).toEqual([]);
    expect(sim.scenario()).toMatchObject({ pollsBeforeComplete: 2, create429: { count: 0 } });
    // Issued tokens survive a reset.
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
  });

  it("reset() does the same programmatically", async () => {
    const { sim, token } = await startSimWithToken();
    await createReportOk(sim, token, reportBody());
    sim.setScenario({ restatementVersion: 4 });
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect(sim.reports()).toHaveLength(0);
    expect(sim.scenario().restatementVersion).toBe(0);
  });

  it("POST /__admin/profiles resizes an account; reports then carry that many campaigns", async () => {
    const { sim, token } = await startSimWithToken();
    const resized = await postJson(`${sim.baseUrl}/__admin/profiles`, {
      profileId: SIM_DEFAULTS.profileId,
      campaigns: 300,
    });
    expect(resized.status).toBe(200);
    expect(sim.expectedRows(SIM_DEFAULTS.profileId, "2025-06-14", "2025-06-14", ["campaignId"]).length).toBeGreaterThan(
      250,
    );
    const text = await fetchReportText(sim, token, reportBody({ startDate: "2025-06-14", endDate: "2025-06-14" }));
    const ids = new Set(parseRowsLossless(text).map((row) => row.find(([key]) => key === "campaignId")![1]));
    expect(ids.size).toBeGreaterThan(250);
    expect(ids.size).toBeLessThanOrEqual(300);
    expect((await postJson(`${sim.baseUrl}/__admin/profiles`, { profileId: "123", campaigns: 5 })).status).toBe(404);
    expect(
      (await postJson(`${sim.baseUrl}/__admin/profiles`, { profileId: SIM_DEFAULTS.profileId, campaigns: 200_001 }))
        .status,
    ).toBe(400);
  });
});
