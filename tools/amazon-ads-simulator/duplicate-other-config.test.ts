import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import {
  createReport,
  DAILY_COLUMNS,
  downloadBytes,
  getReport,
  pollToEnd,
  reportBody,
  startSimWithToken,
  type AsyncReport,
} from "./test-prelude";

async function duplicateOf(response: Response): Promise<string> {
  expect(response.status).toBe(425);
  const body = (await response.json()) as { code: string; detail: string };
  expect(body.code).toBe("425");
  const reportId = /^The Request is a duplicate of : ([0-9a-f-]{36})$/.exec(body.detail)?.[1];
  expect(reportId).toBeDefined();
  return reportId!;
}

describe("duplicateOfOtherConfig", () => {
  it("answers 425 naming a report with the same dates but timeUnit SUMMARY, which GET and its file show", async () => {
    const { sim, token } = await startSimWithToken({
      scenario: { duplicateOfOtherConfig: { count: 1 }, pollsBeforeComplete: 0 },
    });
    const request = reportBody({ startDate: "2025-06-12", endDate: "2025-06-14" });
    const otherId = await duplicateOf(await createReport(sim, token, request));
    expect(sim.scenario().duplicateOfOtherConfig.count).toBe(0);

    const other = (await (await getReport(sim, token, otherId)).json()) as AsyncReport;
    expect(other.startDate).toBe("2025-06-12");
    expect(other.endDate).toBe("2025-06-14");
    const configuration = other.configuration as { timeUnit: string; columns: string[]; groupBy: string[] };
    expect(configuration.timeUnit).toBe("SUMMARY");
    expect(configuration.groupBy).toEqual(["campaign"]);
    expect(configuration.columns).not.toContain("date");
    expect(configuration.columns).toEqual(expect.arrayContaining(["startDate", "endDate", "campaignId", "cost"]));
    expect(configuration.columns).toHaveLength(DAILY_COLUMNS.length + 1);

    // It is a real report: it completes, and its file has one row per campaign for the whole range.
    const { report } = await pollToEnd(sim, token, otherId);
    expect(report.status).toBe("COMPLETED");
    const { bytes } = await downloadBytes(report.url!);
    const rows = JSON.parse(gunzipSync(bytes).toString("utf8")) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.every((row) => !("date" in row) && row.startDate === "2025-06-12" && row.endDate === "2025-06-14"),
    ).toBe(true);

    // The counter is used up: the same request is now created (it is not identical to the other one).
    expect((await createReport(sim, token, request)).status).toBe(200);
  });

  it("names a DAILY report when the request is SUMMARY, and only for the next `count` creates", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { duplicateOfOtherConfig: { count: 2 } } });
    const summaryColumns = DAILY_COLUMNS.filter((column) => column !== "date").concat("startDate", "endDate");
    const summary = reportBody({ configuration: { timeUnit: "SUMMARY", columns: summaryColumns } });
    const daily = await duplicateOf(await createReport(sim, token, summary));
    const dailyConfiguration = ((await (await getReport(sim, token, daily)).json()) as AsyncReport).configuration;
    expect(dailyConfiguration.timeUnit).toBe("DAILY");
    expect(dailyConfiguration.columns).toContain("date");

    const summaryOfDaily = await duplicateOf(await createReport(sim, token, reportBody({ endDate: "2025-06-13" })));
    expect(summaryOfDaily).not.toBe(daily);
    const created = await createReport(sim, token, reportBody({ endDate: "2025-06-11" }));
    expect(created.status).toBe(200);
    // The one real 425 path is unchanged: an identical in-flight request names its twin.
    const twin = await duplicateOf(await createReport(sim, token, reportBody({ endDate: "2025-06-11" })));
    expect(twin).toBe(((await created.json()) as AsyncReport).reportId);
  });
});
