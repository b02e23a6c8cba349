import { describe, expect, it } from "vitest";
import { allowedColumns } from "./columns";
import { SIM_DEFAULTS, SIM_SECOND_CLIENT } from "./defaults";
import {
  DAILY_COLUMNS,
  fetchReportText,
  parseRowsLossless,
  reportBody,
  rowObject,
  sortRows,
  startSim,
  startSimWithToken,
} from "./test-prelude";

const PROFILE = SIM_DEFAULTS.profileId;
const TWO_POW_53 = 2n ** 53n;
const MONEY = /^-?\d+(\.\d{1,2})?$/;
const INTEGER = /^\d+$/;

describe("report file contents", () => {
  it("carries campaign 0's id above 2^53 byte-exact, and the file equals expectedRows value for value", async () => {
    const { sim, token } = await startSimWithToken();
    const text = await fetchReportText(sim, token, reportBody());
    const expected = sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", DAILY_COLUMNS);
    const bigIds = [...new Set(expected.map((row) => row.campaignId!).filter((id) => BigInt(id) > TWO_POW_53))];
    expect(bigIds).toHaveLength(1);
    const bigId = bigIds[0]!;
    // A double cannot hold it: JSON.parse would silently change it.
    expect(String(Number(bigId))).not.toBe(bigId);
    expect(text.match(new RegExp(`"campaignId":${bigId}[,}]`, "g"))).toHaveLength(5); // once per day

    const fileRows = sortRows(parseRowsLossless(text).map(rowObject));
    expect(fileRows).toEqual(expected);
  });

  it("writes each row's keys in a shuffled order; every row has exactly the requested columns", async () => {
    const { sim, token } = await startSimWithToken();
    const rows = parseRowsLossless(await fetchReportText(sim, token, reportBody()));
    const keyOrders = new Set(rows.map((row) => row.map(([key]) => key).join(",")));
    expect(keyOrders.size).toBeGreaterThan(rows.length / 2);
    for (const row of rows) expect(row.map(([key]) => key).sort()).toEqual([...DAILY_COLUMNS].sort());
  });

  it("has Amazon's value shapes: money with ≤2 decimals, integer counts, percent CTR, nulls, statuses, awkward names", async () => {
    const sim = await startSim({ profiles: [{ ...SIM_DEFAULTS.profile, campaigns: 60 }] });
    const rows = sim.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS);
    expect(rows.length).toBeLessThan(60 * 14); // inactive campaign-days are omitted
    expect(rows.length).toBeGreaterThan(60 * 14 * 0.8);
    for (const row of rows) {
      for (const column of ["cost", "spend", "campaignBudgetAmount", "sales1d", "sales7d", "sales14d", "sales30d"]) {
        expect(row[column]).toMatch(MONEY);
      }
      for (const column of ["impressions", "clicks", "purchases1d", "purchases30d", "unitsSoldClicks14d"]) {
        expect(row[column]).toMatch(INTEGER);
      }
      expect(row.spend).toBe(row.cost);
      expect(Number(row.purchases1d)).toBeLessThanOrEqual(Number(row.purchases7d));
      expect(Number(row.purchases14d)).toBeLessThanOrEqual(Number(row.purchases30d));
      expect(row.campaignBudgetType).toBe("DAILY_BUDGET");
      expect(row.campaignBudgetCurrencyCode).toBe("GBP");
      expect(["ENABLED", "PAUSED", "ARCHIVED"]).toContain(row.campaignStatus);
      expect(["legacyForSales", "autoForSales", "manual"]).toContain(row.campaignBiddingStrategy);
      const ctr = Number(row.clickThroughRate);
      expect(ctr).toBeCloseTo((Number(row.clicks) / Number(row.impressions)) * 100, 10);
      expect(row.date! >= "2025-06-01" && row.date! <= "2025-06-14").toBe(true);
    }
    const nullShare = rows.filter((row) => row.topOfSearchImpressionShare === null).length / rows.length;
    expect(nullShare).toBeGreaterThan(0.1);
    expect(nullShare).toBeLessThan(0.6);
    const ruleBudgets = rows.filter((row) => row.campaignRuleBasedBudgetAmount !== null).length / rows.length;
    expect(ruleBudgets).toBeLessThan(0.3);
    const names = rows.map((row) => row.campaignName!);
    expect(names).toContain('Spring "Sale" – Größe 🌸');
    expect(names.some((name) => /[^\u0000-\u007f]/.test(name) && !name.startsWith("Spring"))).toBe(true);
    expect(new Set(rows.map((row) => row.campaignStatus)).size).toBeGreaterThan(1);
  });

  it("is deterministic across simulator instances, with campaign ids unique across profiles", async () => {
    const sim = await startSim();
    const other = await startSim();
    expect(other.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS)).toEqual(
      sim.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS),
    );
    const idsByProfile = ["366822873177837", "4444555566667777", "1111222233334444"].map(
      (profileId) =>
        new Set(sim.expectedRows(profileId, "2025-06-14", "2025-06-14", ["campaignId"]).map((row) => row.campaignId!)),
    );
    const all = idsByProfile.flatMap((ids) => [...ids]);
    expect(new Set(all).size).toBe(all.length);
    for (const ids of idsByProfile) expect([...ids].filter((id) => BigInt(id) > TWO_POW_53)).toHaveLength(1);
  });

  it("uses each profile's currency", async () => {
    const { sim, token } = await startSimWithToken({}, SIM_SECOND_CLIENT);
    const text = await fetchReportText(sim, token, reportBody(), {
      clientId: SIM_SECOND_CLIENT.clientId,
      profileId: "4444555566667777",
    });
    const rows = parseRowsLossless(text).map(rowObject);
    expect(new Set(rows.map((row) => row.campaignBudgetCurrencyCode))).toEqual(new Set(["EUR"]));
  });

  it("has no rows for dates after today in the profile's time zone", async () => {
    const sim = await startSim();
    const dates = new Set(
      sim.expectedRows(PROFILE, "2025-06-13", "2025-06-20", ["date", "campaignId"]).map((row) => row.date),
    );
    expect([...dates].sort()).toEqual(["2025-06-13", "2025-06-14", "2025-06-15"]);
  });
});

describe("restatement", () => {
  it("changes impressions, clicks and cost of every row and conversions on every date, keeping the same rows", async () => {
    const sim = await startSim();
    const before = sim.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS);
    sim.setScenario({ restatementVersion: 1 });
    const after = sim.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS);
    sim.setScenario({ restatementVersion: 2 });
    const later = sim.expectedRows(PROFILE, "2025-06-01", "2025-06-14", DAILY_COLUMNS);
    expect(after.map((row) => `${row.date}/${row.campaignId}`)).toEqual(
      before.map((row) => `${row.date}/${row.campaignId}`),
    );
    before.forEach((row, index) => {
      const restated = after[index]!;
      expect(Number(restated.impressions)).toBeGreaterThan(Number(row.impressions));
      expect(Number(restated.clicks)).toBeGreaterThan(Number(row.clicks));
      expect(Number(later[index]!.clicks)).toBeGreaterThan(Number(restated.clicks));
      expect(restated.campaignName).toBe(row.campaignName);
      expect(restated.campaignBudgetAmount).toBe(row.campaignBudgetAmount);
    });
    const conversionColumns = ["sales1d", "sales7d", "sales14d", "sales30d", "purchases30d", "unitsSoldClicks30d"];
    for (const date of new Set(before.map((row) => row.date))) {
      const changed = before.some(
        (row, index) => row.date === date && conversionColumns.some((column) => after[index]![column] !== row[column]),
      );
      expect(changed, `conversions restated on ${date}`).toBe(true);
    }
  });

  it("restated data is what a new report for the same range contains", async () => {
    const { sim, token } = await startSimWithToken({ scenario: { restatementVersion: 5 } });
    const text = await fetchReportText(sim, token, reportBody());
    expect(sortRows(parseRowsLossless(text).map(rowObject))).toEqual(
      sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", DAILY_COLUMNS),
    );
  });
});

describe("other shapes", () => {
  it("every column Amazon allows for each groupBy can be requested and comes back", async () => {
    const { sim, token } = await startSimWithToken();
    for (const groupBy of [["campaign"], ["campaign", "adGroup"], ["campaignPlacement"]] as const) {
      for (const timeUnit of ["DAILY", "SUMMARY"] as const) {
        const columns = allowedColumns([...groupBy]).filter((column) =>
          timeUnit === "DAILY" ? column !== "startDate" && column !== "endDate" : column !== "date",
        );
        const text = await fetchReportText(
          sim,
          token,
          reportBody({
            name: `${groupBy.join("+")} ${timeUnit}`,
            configuration: { groupBy: [...groupBy], columns, timeUnit },
          }),
        );
        const rows = parseRowsLossless(text);
        expect(rows.length).toBeGreaterThan(0);
        expect(rows[0]!.map(([key]) => key).sort()).toEqual([...columns].sort());
      }
    }
  });

  it("SUMMARY: one row per campaign with startDate/endDate and the sums of the daily rows", async () => {
    const { sim, token } = await startSimWithToken();
    const columns = ["startDate", "endDate", "campaignId", "impressions", "clicks", "cost", "purchases7d"];
    const text = await fetchReportText(sim, token, reportBody({ configuration: { timeUnit: "SUMMARY", columns } }));
    const summary = parseRowsLossless(text).map(rowObject);
    expect(sortRows(summary)).toEqual(
      sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", columns, { timeUnit: "SUMMARY" }),
    );
    const daily = sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", ["date", "campaignId", "clicks", "cost"]);
    for (const row of summary) {
      expect(row.startDate).toBe("2025-06-10");
      expect(row.endDate).toBe("2025-06-14");
      const days = daily.filter((day) => day.campaignId === row.campaignId);
      expect(Number(row.clicks)).toBe(days.reduce((sum, day) => sum + Number(day.clicks), 0));
      const costCents = days.reduce((sum, day) => sum + Math.round(Number(day.cost) * 100), 0);
      expect(Math.round(Number(row.cost) * 100)).toBe(costCents);
    }
  });

  it("groupBy adGroup and campaignPlacement produce their own rows, matching expectedRows", async () => {
    const { sim, token } = await startSimWithToken();
    const adGroupColumns = ["date", "campaignId", "adGroupId", "adGroupName", "adStatus", "clicks"];
    const adGroupText = await fetchReportText(
      sim,
      token,
      reportBody({ configuration: { groupBy: ["campaign", "adGroup"], columns: adGroupColumns } }),
    );
    const adGroupRows = parseRowsLossless(adGroupText).map(rowObject);
    const expectedAdGroups = sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", adGroupColumns, {
      groupBy: ["campaign", "adGroup"],
    });
    expect(sortRows(adGroupRows)).toEqual(expectedAdGroups);
    expect(new Set(adGroupRows.map((row) => row.adGroupId)).size).toBeGreaterThan(12);

    const placementColumns = ["date", "campaignId", "placementClassification", "impressions"];
    const placementText = await fetchReportText(
      sim,
      token,
      reportBody({ configuration: { groupBy: ["campaignPlacement"], columns: placementColumns } }),
    );
    const placements = new Set(parseRowsLossless(placementText).map((row) => rowObject(row).placementClassification));
    expect(placements).toEqual(new Set(["Top of Search on-Amazon", "Detail Page on-Amazon", "Other on-Amazon"]));
  });

  it("the campaignStatus filter keeps only matching campaigns", async () => {
    const { sim, token } = await startSimWithToken({ profiles: [{ ...SIM_DEFAULTS.profile, campaigns: 40 }] });
    const columns = ["date", "campaignId", "campaignStatus", "clicks"];
    const filters = [{ field: "campaignStatus", values: ["PAUSED", "ARCHIVED"] }];
    const text = await fetchReportText(sim, token, reportBody({ configuration: { columns, filters } }));
    const rows = parseRowsLossless(text).map(rowObject);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.campaignStatus !== "ENABLED")).toBe(true);
    expect(sortRows(rows)).toEqual(sim.expectedRows(PROFILE, "2025-06-10", "2025-06-14", columns, { filters }));
  });
});
