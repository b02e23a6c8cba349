import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { SIM_DEFAULTS } from "./defaults";
import {
  completedReport,
  createReport,
  createReportOk,
  deleteReport,
  downloadBytes,
  getReport,
  parseRowsLossless,
  pollOnce,
  pollToEnd,
  reportBody,
  rowObject,
  sortRows,
  startSimWithToken,
} from "./test-prelude";

describe("report status state machine", () => {
  it("default: first GET PROCESSING, second COMPLETED with url, urlExpiresAt, fileSize and generatedAt", async () => {
    const { sim, token } = await startSimWithToken();
    const { reportId } = await createReportOk(sim, token, reportBody());
    const first = await pollOnce(sim, token, reportId);
    expect(first).toMatchObject({
      status: "PROCESSING",
      url: null,
      fileSize: null,
      generatedAt: null,
      failureReason: null,
    });
    const second = await pollOnce(sim, token, reportId);
    expect(second.status).toBe("COMPLETED");
    expect(second.generatedAt).toBe("2025-06-15T12:00:00.000Z");
    expect(second.urlExpiresAt).toBe("2025-06-15T13:00:00.000Z");
    const url = new URL(second.url!);
    expect(`${url.origin}`).toBe(sim.baseUrl);
    expect(url.pathname).toMatch(
      new RegExp(`^/s3/offline-report-storage-eu-west-1-prod/${reportId}-\\d+/report-${reportId}-\\d+\\.json\\.gz$`),
    );
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20250615T120000Z");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3599");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    const { response, bytes } = await downloadBytes(second.url!);
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(second.fileSize);
    expect(sim.reports()[0]).toMatchObject({ reportId, status: "COMPLETED", polls: 2 });
  });

  it("hands out a freshly signed URL on every GET of a completed report", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 0 } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    const first = await pollOnce(sim, token, reportId);
    const second = await pollOnce(sim, token, reportId);
    expect(first.status).toBe("COMPLETED");
    expect(second.url).not.toBe(first.url);
    expect(new URL(second.url!).searchParams.get("X-Amz-Signature")).not.toBe(
      new URL(first.url!).searchParams.get("X-Amz-Signature"),
    );
    expect(second.fileSize).toBe(first.fileSize);
  });

  it("pollsBeforeComplete N: PENDING for the first half, PROCESSING for the rest, then COMPLETED", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 4 } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    const { statuses } = await pollToEnd(sim, token, reportId);
    expect(statuses).toEqual(["PENDING", "PENDING", "PROCESSING", "PROCESSING", "COMPLETED"]);
  });

  it("pollsBeforeComplete 0: the first GET is already COMPLETED", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 0 } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    expect((await pollOnce(sim, token, reportId)).status).toBe("COMPLETED");
  });

  it("failDates: the report ends FAILED with Amazon's failureReason and no url", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { failDates: ["2025-06-10"] } });
    const { reportId } = await createReportOk(sim, token, reportBody({ startDate: "2025-06-10" }));
    const { report, statuses } = await pollToEnd(sim, token, reportId);
    expect(statuses).toEqual(["PROCESSING", "FAILED"]);
    expect(report).toMatchObject({
      status: "FAILED",
      failureReason: "Report generation failed due to an internal error. Please retry",
      url: null,
      fileSize: null,
    });
    // Other dates are unaffected.
    await completedReport(sim, token, reportBody({ startDate: "2025-06-11" }));
  });

  it("stuckDates: the report stays PENDING however often it is polled, and blocks identical requests with 425", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { stuckDates: ["2025-06-10"] } });
    const { reportId } = await createReportOk(sim, token, reportBody({ startDate: "2025-06-10" }));
    for (let i = 0; i < 6; i++) expect((await pollOnce(sim, token, reportId)).status).toBe("PENDING");
    expect(sim.reports()[0]).toMatchObject({ status: "PENDING", polls: 6 });
    const again = await createReport(sim, token, reportBody({ startDate: "2025-06-10" }));
    expect(again.status).toBe(425);
  });

  it("answers 404 {code: 404} for an unknown id and for another profile's report", async () => {
    const { sim, token } = await startSimWithToken();
    const unknown = await getReport(sim, token, "7df1ef5d-45ba-40cc-b607-ff2148cf4f5e");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('{"code":404,"detail":"Not Found"}');
    const naReport = await createReportOk(sim, token, reportBody(), { region: "NA", profileId: "1111222233334444" });
    const fromEu = await getReport(sim, token, naReport.reportId);
    expect(fromEu.status).toBe(404);
    const fromNa = await getReport(sim, token, naReport.reportId, { region: "NA", profileId: "1111222233334444" });
    expect(fromNa.status).toBe(200);
  });
});

describe("DELETE /reporting/reports/{id}", () => {
  it("cancels a PENDING report: 200 'Report deleted', later GETs 404, and the same request may be made again", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { stuckDates: ["2025-06-10"] } });
    const { reportId } = await createReportOk(sim, token, reportBody({ startDate: "2025-06-10" }));
    const deleted = await deleteReport(sim, token, reportId);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ code: "200", detail: "Report deleted", reportId });
    expect(sim.reports()[0]).toMatchObject({ reportId, status: "CANCELLED", deleted: true });
    expect((await getReport(sim, token, reportId)).status).toBe(404);
    const again = await deleteReport(sim, token, reportId);
    expect(again.status).toBe(404);
    await expect(createReportOk(sim, token, reportBody({ startDate: "2025-06-10" }))).resolves.toMatchObject({
      status: "PENDING",
    });
  });

  it("refuses to delete a COMPLETED report (400) and another profile's report (404)", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { pollsBeforeComplete: 0 } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    await pollOnce(sim, token, reportId);
    const completed = await deleteReport(sim, token, reportId);
    expect(completed.status).toBe(400);
    const other = await deleteReport(sim, token, reportId, { region: "NA", profileId: "1111222233334444" });
    expect(other.status).toBe(404);
  });
});

describe("the report reflects the data at generation time", () => {
  it("a report created before a restatement but completed after it carries the restated numbers", async () => {
    const { sim, token } = await startSimWithToken();
    const columns = ["date", "campaignId", "clicks", "sales14d"];
    const { reportId } = await createReportOk(sim, token, reportBody({ configuration: { columns } }));
    sim.setScenario({ restatementVersion: 3 });
    const { report } = await pollToEnd(sim, token, reportId);
    const text = gunzipSync((await downloadBytes(report.url!)).bytes).toString("utf8");
    const restated = sim.expectedRows(SIM_DEFAULTS.profileId, "2025-06-10", "2025-06-14", columns);
    const fileRows = sortRows(parseRowsLossless(text).map(rowObject));
    expect(fileRows).toEqual(restated);
    sim.setScenario({ restatementVersion: 0 });
    expect(fileRows).not.toEqual(sim.expectedRows(SIM_DEFAULTS.profileId, "2025-06-10", "2025-06-14", columns));
  });
});
