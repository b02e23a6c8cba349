// The set-up the simulator's own test files share: a simulator per test that is closed when the test
// ends (instead of a `let sim` and an afterEach in every file), the token most tests fetch first, and
// the requests several files had a copy of. The HTTP client helpers themselves are in test-support.ts
// (tests/unit uses them too) and are re-exported here, so a test file imports from this one module.
import { expect, onTestFinished } from "vitest";
import { SIM_DEFAULTS, SIM_MULTI_CLIENT } from "./defaults";
import {
  adsHeaders,
  createReportOk,
  fetchReportText,
  fetchToken,
  getReport,
  parseRowsLossless,
  pollToEnd,
  reportBody,
  rowObject,
  sortRows,
  startTestSimulator,
  tokenForm,
  type AsyncReport,
  type CallOptions,
} from "./test-support";
import type { Region, SimClient, Simulator, SimulatorOptions } from "./types";

export * from "./test-support";

type TokenClient = Pick<SimClient, "clientId" | "clientSecret" | "refreshToken">;

/** A simulator for the running test (its clock at NOW unless options.now), closed when the test ends, pass or fail. */
export async function startSim(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startTestSimulator(options);
  onTestFinished(() => sim.close());
  return sim;
}

/** startSim, then an access token for `client` (SIM_DEFAULTS' by default). */
export async function startSimWithToken(
  options: SimulatorOptions = {},
  client: TokenClient = SIM_DEFAULTS,
): Promise<{ sim: Simulator; token: string }> {
  const sim = await startSim(options);
  return { sim, token: await fetchToken(sim, client) };
}

/** POSTs `fields` to the token endpoint as a form. */
export function postToken(sim: Simulator, fields: Record<string, string>): Promise<Response> {
  return fetch(sim.tokenUrl, tokenForm(fields));
}

/** A call as client 3 (SIM_MULTI_CLIENT, one login with profiles on several marketplaces) in `region`. */
export function multiCall(region: Region, profileId: string | null): CallOptions {
  return { region, profileId, clientId: SIM_MULTI_CLIENT.clientId };
}

/** The options of a GET /v2/profiles`query` as `clientId` on the host of `region`, without a Scope. */
export function listing(
  clientId: string = SIM_DEFAULTS.clientId,
  region: Region = "EU",
  query = "",
): CallOptions & { query: string } {
  return { region, profileId: null, clientId, query };
}

/** listing() as client 3. */
export function multiListing(region: Region, query = ""): CallOptions & { query: string } {
  return listing(SIM_MULTI_CLIENT.clientId, region, query);
}

/** GET /v2/profiles`query` on the host of options.region (EU by default), with adsHeaders(token, options). */
export function getProfiles(sim: Simulator, token: string, options: CallOptions & { query?: string } = {}) {
  const { query = "", ...call } = options;
  return fetch(`${sim.apiUrl[call.region ?? "EU"]}/v2/profiles${query}`, { headers: adsHeaders(token, call) });
}

/** getProfiles, expecting 200: the profileIds exactly as written (bare JSON numbers, read as digit strings), and the items. */
export async function listedProfiles(
  sim: Simulator,
  token: string,
  options: CallOptions & { query?: string } = {},
): Promise<{ ids: string[]; items: Array<Record<string, unknown>> }> {
  const response = await getProfiles(sim, token, options);
  expect(response.status).toBe(200);
  const text = await response.text();
  const ids = [...text.matchAll(/"profileId":(\d+)[,}]/g)].map((match) => match[1]!);
  return { ids, items: JSON.parse(text) as Array<Record<string, unknown>> };
}

/** listedProfiles' ids alone. */
export async function listedIds(
  sim: Simulator,
  token: string,
  options: CallOptions & { query?: string } = {},
): Promise<string[]> {
  return (await listedProfiles(sim, token, options)).ids;
}

export function deleteReport(
  sim: Simulator,
  token: string,
  reportId: string,
  options: CallOptions = {},
): Promise<Response> {
  return getReport(sim, token, reportId, { ...options, method: "DELETE" });
}

/** One GET of the report, expecting 200 with the v3 response type: the AsyncReport. */
export async function pollOnce(
  sim: Simulator,
  token: string,
  reportId: string,
  options: CallOptions = {},
): Promise<AsyncReport> {
  const response = await getReport(sim, token, reportId, options);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/vnd.getasyncreportresponse.v3+json");
  return (await response.json()) as AsyncReport;
}

/** Creates a report and polls it to its end, expecting COMPLETED. */
export async function completedReport(
  sim: Simulator,
  token: string,
  body: unknown = reportBody(),
  options: CallOptions = {},
): Promise<AsyncReport> {
  const { reportId } = await createReportOk(sim, token, body, options);
  const { report } = await pollToEnd(sim, token, reportId, options);
  expect(report.status).toBe("COMPLETED");
  return report;
}

/** startSimWithToken, then a report of `body` created and polled to COMPLETED. */
export async function startSimWithReport(
  options: SimulatorOptions = {},
  body: unknown = reportBody(),
): Promise<{ sim: Simulator; token: string; report: AsyncReport }> {
  const { sim, token } = await startSimWithToken(options);
  return { sim, token, report: await completedReport(sim, token, body) };
}

/** Create, poll and download: the file's rows with every number as its source text, sorted like expectedRows. */
export async function reportRows(
  sim: Simulator,
  token: string,
  body: unknown,
  options: CallOptions = {},
): Promise<Array<Record<string, string | null>>> {
  return sortRows(parseRowsLossless(await fetchReportText(sim, token, body, options)).map(rowObject));
}

/** Expects Amazon's 401 {code: "UNAUTHORIZED", details}: the details. */
export async function unauthorizedDetails(response: Response): Promise<string> {
  expect(response.status).toBe(401);
  const body = (await response.json()) as { code: string; details: string };
  expect(body.code).toBe("UNAUTHORIZED");
  return body.details;
}

/** POSTs `body` as JSON (the /__admin endpoints). */
export function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
