// Helpers for the simulator's own tests: talk to it over real HTTP like a client of Amazon would.
import { gunzipSync } from "node:zlib";
import { SIM_DEFAULTS } from "./defaults";
import { startSimulator } from "./server";
import type { Region, SimClient, Simulator, SimulatorOptions } from "./types";

export const NOW = new Date("2025-06-15T12:00:00Z");
export const CREATE_TYPE = "application/vnd.createasyncreportrequest.v3+json";

export const DAILY_COLUMNS = [
  "date",
  "campaignId",
  "campaignName",
  "campaignStatus",
  "campaignBudgetAmount",
  "campaignBudgetType",
  "campaignBudgetCurrencyCode",
  "campaignRuleBasedBudgetAmount",
  "campaignBiddingStrategy",
  "impressions",
  "clicks",
  "cost",
  "spend",
  "costPerClick",
  "clickThroughRate",
  "topOfSearchImpressionShare",
  "sales1d",
  "sales7d",
  "sales14d",
  "sales30d",
  "purchases1d",
  "purchases7d",
  "purchases14d",
  "purchases30d",
  "unitsSoldClicks1d",
  "unitsSoldClicks7d",
  "unitsSoldClicks14d",
  "unitsSoldClicks30d",
];

export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ now: () => NOW, ...options });
}

export function tokenForm(fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

/** The fields of a refresh-token grant for `client` (SIM_DEFAULTS' by default), with `overrides` on top. */
export function refreshGrant(
  overrides: Record<string, string> = {},
  client: Pick<SimClient, "clientId" | "clientSecret" | "refreshToken"> = SIM_DEFAULTS,
): Record<string, string> {
  return {
    grant_type: "refresh_token",
    refresh_token: client.refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    ...overrides,
  };
}

export async function fetchToken(
  sim: Simulator,
  client: Pick<SimClient, "clientId" | "clientSecret" | "refreshToken"> = SIM_DEFAULTS,
): Promise<string> {
  const response = await fetch(sim.tokenUrl, tokenForm(refreshGrant({}, client)));
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface CallOptions {
  region?: Region;
  profileId?: string | null;
  clientId?: string;
  headers?: Record<string, string>;
}

export function adsHeaders(token: string, options: CallOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "amazon-advertising-api-clientid": options.clientId ?? SIM_DEFAULTS.clientId,
  };
  const profileId = options.profileId === undefined ? SIM_DEFAULTS.profileId : options.profileId;
  if (profileId !== null) headers["amazon-advertising-api-scope"] = profileId;
  return { ...headers, ...options.headers };
}

export interface ReportRequestBody {
  name?: string;
  startDate: string;
  endDate: string;
  configuration: {
    adProduct: string;
    reportTypeId: string;
    groupBy: string[];
    columns: string[];
    timeUnit: string;
    format: string;
    filters?: Array<{ field: string; values: string[] }>;
  };
}

export function reportBody(
  overrides: Partial<Omit<ReportRequestBody, "configuration">> & {
    configuration?: Partial<ReportRequestBody["configuration"]>;
  } = {},
): ReportRequestBody {
  return {
    name: overrides.name ?? "SP campaigns daily",
    startDate: overrides.startDate ?? "2025-06-10",
    endDate: overrides.endDate ?? "2025-06-14",
    configuration: {
      adProduct: "SPONSORED_PRODUCTS",
      reportTypeId: "spCampaigns",
      groupBy: ["campaign"],
      columns: DAILY_COLUMNS,
      timeUnit: "DAILY",
      format: "GZIP_JSON",
      ...overrides.configuration,
    },
  };
}

export async function createReport(
  sim: Simulator,
  token: string,
  body: unknown,
  options: CallOptions = {},
): Promise<Response> {
  return fetch(`${sim.apiUrl[options.region ?? "EU"]}/reporting/reports`, {
    method: "POST",
    headers: { ...adsHeaders(token, options), "content-type": CREATE_TYPE },
    body: JSON.stringify(body),
  });
}

export interface AsyncReport {
  reportId: string;
  status: string;
  name: string | null;
  startDate: string;
  endDate: string;
  configuration: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  url: string | null;
  urlExpiresAt: string | null;
  fileSize: number | null;
  generatedAt: string | null;
  failureReason: string | null;
}

export async function createReportOk(
  sim: Simulator,
  token: string,
  body: unknown,
  options: CallOptions = {},
): Promise<AsyncReport> {
  const response = await createReport(sim, token, body, options);
  if (response.status !== 200) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as AsyncReport;
}

/** GET (the report's status) or DELETE (cancel it) /reporting/reports/{reportId}. */
export function getReport(
  sim: Simulator,
  token: string,
  reportId: string,
  options: CallOptions & { method?: "GET" | "DELETE" } = {},
): Promise<Response> {
  return fetch(`${sim.apiUrl[options.region ?? "EU"]}/reporting/reports/${reportId}`, {
    method: options.method ?? "GET",
    headers: adsHeaders(token, options),
  });
}

/** Polls until the report leaves PENDING/PROCESSING (at most `maxPolls` times); returns every status seen. */
export async function pollToEnd(
  sim: Simulator,
  token: string,
  reportId: string,
  options: CallOptions = {},
  maxPolls = 10,
): Promise<{ report: AsyncReport; statuses: string[] }> {
  const statuses: string[] = [];
  for (let poll = 0; poll < maxPolls; poll++) {
    const response = await getReport(sim, token, reportId, options);
    if (response.status !== 200) throw new Error(`poll failed: ${response.status} ${await response.text()}`);
    const report = (await response.json()) as AsyncReport;
    statuses.push(report.status);
    if (report.status !== "PENDING" && report.status !== "PROCESSING") return { report, statuses };
  }
  throw new Error(`report ${reportId} still running after ${maxPolls} polls: ${statuses.join(", ")}`);
}

export async function downloadBytes(
  url: string,
  init: RequestInit = {},
): Promise<{ response: Response; bytes: Buffer }> {
  const response = await fetch(url, init);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Create, poll to COMPLETED and download: the decompressed JSON text. */
export async function fetchReportText(
  sim: Simulator,
  token: string,
  body: unknown,
  options: CallOptions = {},
): Promise<string> {
  const created = await createReportOk(sim, token, body, options);
  const { report } = await pollToEnd(sim, token, created.reportId, options);
  if (report.status !== "COMPLETED" || !report.url) throw new Error(`report ended ${report.status}`);
  const { response, bytes } = await downloadBytes(report.url);
  if (response.status !== 200) throw new Error(`download failed: ${response.status}`);
  return gunzipSync(bytes).toString("utf8");
}

export type LosslessRow = Array<[key: string, value: string | null]>;

/**
 * Parses a JSON array of flat objects keeping every number as its exact source text and every key in file order,
 * so ids above 2^53 are compared byte for byte and never pass through a double.
 */
export function parseRowsLossless(text: string): LosslessRow[] {
  const stringToken = /"(?:[^"\\]|\\.)*"/y;
  const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let position = 0;
  const skipSpace = (): void => {
    while (/\s/.test(text[position] ?? "")) position++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[position] !== char)
      throw new Error(`expected ${char} at ${position}, found ${text.slice(position, position + 20)}`);
    position++;
  };
  const readToken = (pattern: RegExp): string => {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) throw new Error(`unexpected token at ${position}: ${text.slice(position, position + 20)}`);
    position = pattern.lastIndex;
    return match[0];
  };
  const rows: LosslessRow[] = [];
  expect("[");
  skipSpace();
  if (text[position] === "]") return rows;
  for (;;) {
    expect("{");
    const row: LosslessRow = [];
    for (;;) {
      skipSpace();
      const key = JSON.parse(readToken(stringToken)) as string;
      expect(":");
      skipSpace();
      let value: string | null;
      if (text.startsWith("null", position)) {
        value = null;
        position += 4;
      } else if (text[position] === '"') {
        value = JSON.parse(readToken(stringToken)) as string;
      } else {
        value = readToken(numberToken);
      }
      row.push([key, value]);
      skipSpace();
      if (text[position] === ",") {
        position++;
        continue;
      }
      expect("}");
      break;
    }
    rows.push(row);
    skipSpace();
    if (text[position] === ",") {
      position++;
      continue;
    }
    expect("]");
    return rows;
  }
}

export function rowObject(row: LosslessRow): Record<string, string | null> {
  return Object.fromEntries(row);
}

/** Sorted like expectedRows: date, then campaignId, then adGroupId numerically (compared as digit strings), then placement. */
export function sortRows(rows: Array<Record<string, string | null>>): Array<Record<string, string | null>> {
  const idOrder = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      textOrder(a.date ?? "", b.date ?? "") ||
      idOrder(a.campaignId ?? "", b.campaignId ?? "") ||
      idOrder(a.adGroupId ?? "", b.adGroupId ?? "") ||
      textOrder(a.placementClassification ?? "", b.placementClassification ?? ""),
  );
}
