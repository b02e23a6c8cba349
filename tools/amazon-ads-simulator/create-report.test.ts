import { beforeEach, describe, expect, it } from "vitest";
import { allowedColumns, BASE_COLUMNS } from "./columns";
import { SIM_DEFAULTS } from "./defaults";
import { adsHeaders, createReport, DAILY_COLUMNS, getReport, reportBody, startSimWithToken } from "./test-prelude";
import type { Simulator } from "./types";

let sim: Simulator;
let token: string;
beforeEach(async () => {
  ({ sim, token } = await startSimWithToken());
});

async function rejection(body: unknown): Promise<{ status: number; code: unknown; detail: string }> {
  const response = await createReport(sim, token, body);
  const json = (await response.json()) as { code: unknown; detail: string };
  return { status: response.status, code: json.code, detail: json.detail };
}

describe("POST /reporting/reports success", () => {
  it("answers 200 with a PENDING AsyncReport echoing the request, nulls for the download fields", async () => {
    const body = reportBody({ name: "nightly" });
    const response = await createReport(sim, token, body);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.createasyncreportresponse.v3+json");
    const report = (await response.json()) as Record<string, unknown>;
    expect(report).toEqual({
      reportId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      status: "PENDING",
      name: "nightly",
      startDate: "2025-06-10",
      endDate: "2025-06-14",
      configuration: { ...body.configuration, filters: null },
      createdAt: "2025-06-15T12:00:00.000Z",
      updatedAt: "2025-06-15T12:00:00.000Z",
      url: null,
      urlExpiresAt: null,
      fileSize: null,
      generatedAt: null,
      failureReason: null,
    });
    expect(sim.reports()).toEqual([
      {
        reportId: report.reportId,
        status: "PENDING",
        startDate: "2025-06-10",
        endDate: "2025-06-14",
        profileId: SIM_DEFAULTS.profileId,
        polls: 0,
        deleted: false,
      },
    ]);
  });

  it("accepts exactly 31 days and a start 95 days back", async () => {
    expect(
      (await createReport(sim, token, reportBody({ startDate: "2025-05-15", endDate: "2025-06-14" }))).status,
    ).toBe(200);
    expect(
      (await createReport(sim, token, reportBody({ startDate: "2025-03-12", endDate: "2025-03-12" }))).status,
    ).toBe(200);
  });

  it("accepts the adGroup and campaignPlacement groupBys with their own columns", async () => {
    const adGroup = reportBody({
      configuration: {
        groupBy: ["campaign", "adGroup"],
        columns: ["date", "campaignId", "adGroupId", "adGroupName", "adStatus", "clicks"],
      },
    });
    expect((await createReport(sim, token, adGroup)).status).toBe(200);
    const placement = reportBody({
      configuration: {
        groupBy: ["campaignPlacement"],
        columns: ["date", "campaignId", "placementClassification", "cost"],
      },
    });
    expect((await createReport(sim, token, placement)).status).toBe(200);
  });
});

describe("POST /reporting/reports validation (400 {code, detail})", () => {
  it("lists exactly the invalid columns, then every allowed one", async () => {
    const columns = [
      "date",
      "campaignId",
      "portfolioId",
      "clicks",
      "purchaseClickRate14d",
      "adGroupId",
      "acosClicks14d",
    ];
    const { status, code, detail } = await rejection(reportBody({ configuration: { columns } }));
    expect(status).toBe(400);
    expect(code).toBe("400");
    const match = /^configuration columns includes invalid values: \((.*)\)\. Allowed values: \((.*)\)$/.exec(detail);
    expect(match).not.toBeNull();
    expect(match![1]!.split(", ")).toEqual(["portfolioId", "purchaseClickRate14d", "adGroupId", "acosClicks14d"]);
    const allowed = match![2]!.split(", ");
    expect(allowed).toEqual(allowedColumns(["campaign"]));
    expect(allowed).toEqual(expect.arrayContaining([...BASE_COLUMNS, "campaignId", "topOfSearchImpressionShare"]));
    expect(allowed).not.toContain("adGroupId");
    expect(allowed).not.toContain("placementClassification");
  });

  it("rejects placementClassification unless grouped by campaignPlacement", async () => {
    const { detail } = await rejection(reportBody({ configuration: { columns: ["date", "placementClassification"] } }));
    expect(detail).toMatch(/^configuration columns includes invalid values: \(placementClassification\)\./);
  });

  it("rejects startDate/endDate columns with DAILY and date with SUMMARY", async () => {
    const daily = await rejection(
      reportBody({ configuration: { columns: ["startDate", "endDate", "campaignId", "clicks"] } }),
    );
    expect(daily).toMatchObject({
      status: 400,
      detail:
        "configuration startDate and endDate are not supported columns for DAILY time unit. Please use date instead.",
    });
    const summary = await rejection(
      reportBody({ configuration: { timeUnit: "SUMMARY", columns: ["date", "campaignId"] } }),
    );
    expect(summary.status).toBe(400);
    expect(summary.detail).toMatch(/^configuration date is not a supported column for SUMMARY time unit\./);
  });

  it("rejects a 32-day range", async () => {
    const result = await rejection(reportBody({ startDate: "2025-05-14", endDate: "2025-06-14" }));
    expect(result).toMatchObject({
      status: 400,
      detail: "startDate to endDate range (32 days) must not exceed maximum range (31 days)",
    });
  });

  it("rejects a start older than 95 days", async () => {
    const result = await rejection(reportBody({ startDate: "2025-03-11", endDate: "2025-03-12" }));
    expect(result).toMatchObject({
      status: 400,
      detail: "startDate (2025-03-11) must be equal to or after report type data retention start date (2025-03-12)",
    });
  });

  it("rejects an end before the start and malformed dates", async () => {
    expect((await rejection(reportBody({ startDate: "2025-06-14", endDate: "2025-06-13" }))).status).toBe(400);
    for (const startDate of ["2025-6-1", "2025-02-30", "20250601"]) {
      const result = await rejection(reportBody({ startDate }));
      expect(result.status).toBe(400);
      expect(result.detail).toContain("YYYY-MM-DD");
    }
  });

  it("rejects an unknown reportTypeId, a non-SP adProduct, a bad groupBy, timeUnit and format", async () => {
    expect((await rejection(reportBody({ configuration: { reportTypeId: "spCampaign" } }))).detail).toBe(
      "configuration reportTypeId is unknown or invalid",
    );
    expect((await rejection(reportBody({ configuration: { adProduct: "SPONSORED_BRANDS" } }))).detail).toBe(
      "configuration reportTypeId is unknown or invalid",
    );
    expect((await rejection(reportBody({ configuration: { groupBy: ["advertiser"] } }))).detail).toMatch(
      /^configuration groupBy includes invalid values: \(advertiser\)/,
    );
    expect((await rejection(reportBody({ configuration: { timeUnit: "HOURLY" } }))).detail).toBe(
      "configuration timeUnit is not supported for this report type",
    );
    expect((await rejection(reportBody({ configuration: { format: "CSV" } }))).status).toBe(400);
    expect((await rejection(reportBody({ configuration: { columns: [] } }))).status).toBe(400);
  });

  it("rejects filters that the groupBy does not support", async () => {
    const result = await rejection(
      reportBody({ configuration: { filters: [{ field: "adStatus", values: ["ENABLED"] }] } }),
    );
    expect(result.detail).toMatch(
      /^configuration filters includes fields: \(adStatus\) which are invalid for groupBys: campaign\./,
    );
    const ok = await createReport(
      sim,
      token,
      reportBody({ configuration: { filters: [{ field: "campaignStatus", values: ["ENABLED"] }] } }),
    );
    expect(ok.status).toBe(200);
  });

  it("rejects columns made invalid by the scenario (extraInvalidColumns) and lists them as invalid", async () => {
    sim.setScenario({ extraInvalidColumns: ["topOfSearchImpressionShare"] });
    const result = await rejection(reportBody());
    expect(result.detail).toMatch(
      /^configuration columns includes invalid values: \(topOfSearchImpressionShare\)\. Allowed values: \(/,
    );
    expect(result.detail.split("Allowed values:")[1]).not.toContain("topOfSearchImpressionShare");
    const retried = reportBody({
      configuration: { columns: DAILY_COLUMNS.filter((column) => column !== "topOfSearchImpressionShare") },
    });
    expect((await createReport(sim, token, retried)).status).toBe(200);
  });

  it("answers 415 unless Content-Type is the vnd create type, and 400 for a body that is not JSON", async () => {
    for (const contentType of ["application/json", "text/plain"]) {
      const response = await fetch(`${sim.apiUrl.EU}/reporting/reports`, {
        method: "POST",
        headers: { ...adsHeaders(token), "content-type": contentType },
        body: JSON.stringify(reportBody()),
      });
      expect(response.status).toBe(415);
    }
    const notJson = await fetch(`${sim.apiUrl.EU}/reporting/reports`, {
      method: "POST",
      headers: { ...adsHeaders(token), "content-type": "application/vnd.createasyncreportrequest.v3+json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
  });
});

describe("425 duplicates", () => {
  it("answers 425 with the running report's id for an identical request (name and column order ignored)", async () => {
    const first = (await (await createReport(sim, token, reportBody({ name: "a" }))).json()) as { reportId: string };
    const reordered = reportBody({ name: "b", configuration: { columns: [...DAILY_COLUMNS].reverse() } });
    const response = await createReport(sim, token, reordered);
    expect(response.status).toBe(425);
    const body = (await response.json()) as { code: string; detail: string };
    expect(body.code).toBe("425");
    expect(body.detail).toBe(`The Request is a duplicate of : ${first.reportId}`);
    expect(/duplicate of\s*:?\s*([0-9a-f-]{36})/i.exec(body.detail)?.[1]).toBe(first.reportId);
  });

  it("does not treat other dates, another configuration or another profile as duplicates", async () => {
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
    expect((await createReport(sim, token, reportBody({ endDate: "2025-06-13" }))).status).toBe(200);
    expect(
      (await createReport(sim, token, reportBody({ configuration: { columns: ["date", "campaignId"] } }))).status,
    ).toBe(200);
    expect((await createReport(sim, token, reportBody(), { region: "NA", profileId: "1111222233334444" })).status).toBe(
      200,
    );
  });

  it("accepts the same request again once the first one has completed", async () => {
    sim.setScenario({ pollsBeforeComplete: 0 });
    const first = (await (await createReport(sim, token, reportBody())).json()) as { reportId: string };
    await getReport(sim, token, first.reportId);
    expect((await createReport(sim, token, reportBody())).status).toBe(200);
  });
});
