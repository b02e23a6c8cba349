import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleAdmin } from "./admin";
import { handleConsent } from "./consent";
import { isGroupBy } from "./columns";
import { expectedRowsFor } from "./data";
import { readBody, sendJson } from "./http-util";
import { handleListProfiles } from "./profiles";
import { handleCreateReport, handleDeleteReport, handleGetReport } from "./reports";
import { dailyCampaignRowCount } from "./row-count";
import { handleS3Download } from "./s3";
import { cloneScenario } from "./scenario";
import { SimulatorState } from "./state";
import { handleToken } from "./token";
import type { RecordedRequest, Region, Simulator, SimulatorOptions } from "./types";

const REGION_PREFIXES: Record<string, Region> = { na: "NA", eu: "EU", fe: "FE" };
const REPORT_PATH = /^\/reporting\/reports\/([^/]+)$/;

function recordedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function routeAdsApi(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
  apiPath: string,
  body: string,
): Promise<void> {
  const method = request.method ?? "GET";
  if (apiPath === "/v2/profiles" && method === "GET") return handleListProfiles(state, request, response, region);
  if (apiPath === "/reporting/reports" && method === "POST")
    return handleCreateReport(state, request, response, region, body);
  const reportMatch = REPORT_PATH.exec(apiPath);
  if (reportMatch && method === "GET")
    return handleGetReport(state, request, response, region, decodeURIComponent(reportMatch[1]!));
  if (reportMatch && method === "DELETE")
    return handleDeleteReport(state, request, response, region, decodeURIComponent(reportMatch[1]!));
  if (apiPath === "/v2/profiles" || apiPath === "/reporting/reports" || reportMatch) {
    sendJson(response, 405, { code: "405", detail: "Method Not Allowed" });
    return;
  }
  sendJson(response, 404, { code: "404", detail: "Not Found" });
}

async function route(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  quiet: boolean,
): Promise<void> {
  const receivedAt = Date.now();
  const url = new URL(request.url ?? "/", "http://simulator.invalid");
  const path = url.pathname;
  const body = await readBody(request);
  if (path.startsWith("/__admin/")) {
    handleAdmin(state, request, response, path, body);
    return;
  }
  const regionMatch = /^\/(na|eu|fe)(\/.*)$/.exec(path);
  const region = regionMatch ? REGION_PREFIXES[regionMatch[1]!]! : null;
  const record: RecordedRequest = {
    method: request.method ?? "GET",
    path,
    query: Object.fromEntries(url.searchParams),
    region,
    headers: recordedHeaders(request),
    body,
    time: receivedAt,
  };
  state.requests.push(record);
  response.on("close", () => {
    record.endTime = Date.now();
    record.status = response.statusCode;
    if (!quiet) {
      console.log(
        `[amazon-ads-simulator] ${record.method} ${path} -> ${response.statusCode} (${record.endTime - receivedAt} ms)`,
      );
    }
  });

  if (path === "/auth/o2/token") return handleToken(state, request, response, body);
  if (path.startsWith("/s3/")) return handleS3Download(state, request, response, url);
  if (regionMatch && region && regionMatch[2] === "/ap/oa")
    return handleConsent(state, request, response, region, url, body);
  if (regionMatch && region) return routeAdsApi(state, request, response, region, regionMatch[2]!, body);
  sendJson(response, 404, { code: "404", detail: "Not Found" });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimulatorState(options);
  const quiet = options.quiet ?? true;
  const server = createServer((request, response) => {
    route(state, request, response, quiet).catch((error: unknown) => {
      if (!quiet) console.error("[amazon-ads-simulator] handler failed", error);
      if (!response.headersSent) sendJson(response, 500, { code: "500", detail: "Internal Server Error" });
      else response.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A deep accept queue: a benchmark may open a thousand connections at once.
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  state.baseUrl = baseUrl;

  let closed: Promise<void> | null = null;
  return {
    baseUrl,
    tokenUrl: `${baseUrl}/auth/o2/token`,
    apiUrl: { NA: `${baseUrl}/na`, EU: `${baseUrl}/eu`, FE: `${baseUrl}/fe` },
    authorizeUrl: { NA: `${baseUrl}/na/ap/oa`, EU: `${baseUrl}/eu/ap/oa`, FE: `${baseUrl}/fe/ap/oa` },
    requests: state.requests,
    setScenario: (patch) => state.setScenario(patch),
    reset: () => state.reset(),
    reports: () => state.reportSummaries(),
    expectedRows: (profileId, startDate, endDate, columns, rowOptions = {}) => {
      const groupBy = rowOptions.groupBy ?? ["campaign"];
      const invalid = groupBy.filter((value) => !isGroupBy(value));
      if (invalid.length > 0) throw new Error(`Unknown groupBy: ${invalid.join(", ")}`);
      return expectedRowsFor(
        state.planFor(profileId, startDate, endDate, {
          timeUnit: rowOptions.timeUnit ?? "DAILY",
          groupBy: groupBy.filter(isGroupBy),
          filters: rowOptions.filters ?? [],
          columns,
        }),
      );
    },
    expectedRowCount: (profileId, startDate, endDate) =>
      dailyCampaignRowCount(
        state.planFor(profileId, startDate, endDate, {
          timeUnit: "DAILY",
          groupBy: ["campaign"],
          filters: [],
          columns: [],
        }),
      ),
    setClientFaults: (clientId, faults) => state.setClientFaults(clientId, faults),
    setProfileCampaigns: (profileId, campaigns) => state.setProfileCampaigns(profileId, campaigns),
    addProfile: (clientId, profile, refreshToken) => state.addProfile(clientId, profile, refreshToken),
    removeProfile: (clientId, profileId, refreshToken) => state.removeProfile(clientId, profileId, refreshToken),
    scenario: () => cloneScenario(state.scenario),
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        state.closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
