import { describe, expect, it } from "vitest";
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
  postJson,
  postToken,
  refreshGrant,
  reportBody,
  startSim,
  startSimWithToken,
} from "./test-prelude";
import type { SimClient } from "./types";

// Scenario clientRateLimit: a token bucket per client id on the real clock.

/** Effectively no refill within a test: only the burst is available. */
const BURST_ONLY = (burst: number, retryAfterSeconds?: number) => ({
  clientRateLimit: { perSecond: 0.001, burst, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
});

const SECOND = { clientId: SIM_SECOND_CLIENT.clientId, profileId: SIM_SECOND_CLIENT.profileIds[0]! };

/** Makes the calls one after the other (each answered and read before the next): their statuses. */
async function statuses(calls: Array<() => Promise<Response>>): Promise<number[]> {
  const answered: number[] = [];
  for (const call of calls) {
    const response = await call();
    await response.arrayBuffer();
    answered.push(response.status);
  }
  return answered;
}

describe("clientRateLimit (per client id)", () => {
  it("{perSecond: 2, burst: 3}: three immediate calls pass, the fourth is 429, ~600 ms later one more passes", async () => {
    const { sim, token } = await startSimWithToken({
      scenario: { clientRateLimit: { perSecond: 2, burst: 3, retryAfterSeconds: 1 } },
    });
    const answers: Response[] = [];
    for (let call = 0; call < 4; call++) answers.push(await getProfiles(sim, token, listing()));
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    const throttled = answers[3]!;
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.headers.get("content-type")).toBe("application/json");
    expect(await throttled.json()).toEqual({ code: "429", detail: "Too Many Requests" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await getProfiles(sim, token, listing())).status).toBe(200);
  });

  it("sends no Retry-After without retryAfterSeconds", async () => {
    const { sim, token } = await startSimWithToken({ scenario: BURST_ONLY(1) });
    expect((await getProfiles(sim, token, listing())).status).toBe(200);
    const throttled = await getProfiles(sim, token, listing());
    expect(throttled.status).toBe(429);
    expect(throttled.headers.has("retry-after")).toBe(false);
  });

  it("two client ids have separate buckets; two logins of one client id share one", async () => {
    const sharedLogin: SimClient = { ...SIM_DEFAULTS, refreshToken: "Atzr|IwEBIShared-second-login", profileIds: [] };
    const first: SimClient = { ...SIM_DEFAULTS, profileIds: [SIM_DEFAULTS.profileId] };
    const { sim, token } = await startSimWithToken({
      clients: [first, sharedLogin, SIM_SECOND_CLIENT],
      profiles: [SIM_DEFAULTS.profile, { ...SIM_DEFAULTS.profile, profileId: SECOND.profileId }],
      scenario: BURST_ONLY(2),
    });
    const secondToken = await fetchToken(sim, SIM_SECOND_CLIENT);
    const sharedToken = await fetchToken(sim, sharedLogin);
    expect(
      await statuses([() => getProfiles(sim, token, listing()), () => getProfiles(sim, token, listing())]),
    ).toEqual([200, 200]);
    // Client 1's bucket is empty, for both its logins; client 2's is full.
    expect(
      await statuses([() => getProfiles(sim, token, listing()), () => getProfiles(sim, sharedToken, listing())]),
    ).toEqual([429, 429]);
    const second = listing(SECOND.clientId);
    expect(
      await statuses([
        () => getProfiles(sim, secondToken, second),
        () => getProfiles(sim, secondToken, second),
        () => getProfiles(sim, secondToken, second),
      ]),
    ).toEqual([200, 200, 429]);
  });

  it("takes a token from every Ads API call; a throttled create creates nothing, a throttled GET is no poll", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { ...BURST_ONLY(3, 2), create429: { count: 1 } } });
    // A scenario-counter 429 still took its token (the call reached Amazon).
    expect((await createReport(sim, token, reportBody())).status).toBe(429);
    const { reportId } = await createReportOk(sim, token, reportBody());
    expect((await getReport(sim, token, reportId)).status).toBe(200);
    expect(sim.reports()).toMatchObject([{ reportId, polls: 1 }]);
    sim.setScenario({ create429: { count: 1 } });
    const responses = [
      await getReport(sim, token, reportId),
      await createReport(sim, token, reportBody({ endDate: "2025-06-13" })),
      await deleteReport(sim, token, reportId),
      await getProfiles(sim, token, listing()),
    ];
    for (const response of responses) {
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("2");
      expect(await response.json()).toEqual({ code: "429", detail: "Too Many Requests" });
    }
    expect(sim.reports()).toMatchObject([{ reportId, polls: 1, deleted: false }]);
    // The rate limit left the scenario's counter alone.
    expect(sim.scenario().create429.count).toBe(1);
  });

  it("comes after the header checks and after storm429, neither of which uses a token", async () => {
    const { sim, token } = await startSimWithToken({ scenario: BURST_ONLY(1) });
    expect((await getProfiles(sim, "Atza|forged", listing())).status).toBe(401);
    expect((await createReport(sim, token, reportBody(), { profileId: null })).status).toBe(401);
    sim.setClientFaults(SIM_DEFAULTS.clientId, { storm429: { retryAfterSeconds: 5 } });
    const storm = await getProfiles(sim, token, listing());
    expect(storm.status).toBe(429);
    expect(storm.headers.get("retry-after")).toBe("5");
    sim.setClientFaults(SIM_DEFAULTS.clientId, {});
    expect(
      await statuses([() => getProfiles(sim, token, listing()), () => getProfiles(sim, token, listing())]),
    ).toEqual([200, 429]);
  });

  it("never limits the token endpoint or S3 downloads", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 0 } });
    const report = await completedReport(sim, token);
    sim.setScenario(BURST_ONLY(1));
    for (let call = 0; call < 5; call++) expect((await postToken(sim, refreshGrant())).status).toBe(200);
    for (let call = 0; call < 3; call++) expect((await downloadBytes(report.url!)).response.status).toBe(200);
    expect(
      await statuses([() => getProfiles(sim, token, listing()), () => getProfiles(sim, token, listing())]),
    ).toEqual([200, 429]);
  });

  it("setting the key or reset() refills the buckets; null turns the limit off", async () => {
    const { sim, token } = await startSimWithToken({ scenario: BURST_ONLY(1) });
    const profiles = (): Promise<Response> => getProfiles(sim, token, listing());
    expect(await statuses([profiles, profiles])).toEqual([200, 429]);
    sim.setScenario(BURST_ONLY(2));
    expect(await statuses([profiles, profiles, profiles])).toEqual([200, 200, 429]);
    sim.reset();
    expect(await statuses([profiles, profiles])).toEqual([200, 429]);
    sim.setScenario({ clientRateLimit: null });
    expect(await statuses([profiles, profiles, profiles])).toEqual([200, 200, 200]);
  });

  it("refuses malformed limits (options, setScenario and /__admin/scenario)", async () => {
    const sim = await startSim();
    const bad = [
      { perSecond: 0, burst: 1 },
      { perSecond: -1, burst: 1 },
      { perSecond: 1, burst: 0.5 },
      { perSecond: 1 },
      { perSecond: 1, burst: 2, retryAfterSeconds: -1 },
      { perSecond: "1", burst: 2 },
      [1, 2],
    ];
    for (const clientRateLimit of bad) {
      expect(() => sim.setScenario({ clientRateLimit } as never)).toThrow(/clientRateLimit/);
      expect((await postJson(`${sim.baseUrl}/__admin/scenario`, { clientRateLimit })).status).toBe(400);
    }
    await expect(startSim({ scenario: { clientRateLimit: { perSecond: 1, burst: 0 } } })).rejects.toThrow(
      /clientRateLimit/,
    );
    expect(sim.scenario().clientRateLimit).toBeUndefined();
    const ok = await postJson(`${sim.baseUrl}/__admin/scenario`, {
      clientRateLimit: { perSecond: 0.5, burst: 1, retryAfterSeconds: 0 },
    });
    expect(ok.status).toBe(200);
    expect(sim.scenario().clientRateLimit).toEqual({ perSecond: 0.5, burst: 1, retryAfterSeconds: 0 });
  });
});

describe("RecordedRequest.status", () => {
  it("records the HTTP status of every recorded request when its response finishes", async () => {
    const { sim, token } = await startSimWithToken({ scenario: BURST_ONLY(1) });
    await statuses([
      () => getProfiles(sim, token, listing()),
      () => getProfiles(sim, token, listing()),
      () => getProfiles(sim, "Atza|forged", listing()),
      () => postToken(sim, refreshGrant({ client_secret: "wrong" })),
    ]);
    expect(sim.requests.map((request) => [request.method, request.path, request.status])).toEqual([
      ["POST", "/auth/o2/token", 200],
      ["GET", "/eu/v2/profiles", 200],
      ["GET", "/eu/v2/profiles", 429],
      ["GET", "/eu/v2/profiles", 401],
      ["POST", "/auth/o2/token", 401],
    ]);
    expect(sim.requests.filter((request) => request.status === 429)).toHaveLength(1);
    for (const request of sim.requests) expect(request.endTime).toBeGreaterThanOrEqual(request.time);
  });
});
