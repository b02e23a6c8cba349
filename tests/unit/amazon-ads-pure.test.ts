import { describe, expect, it } from "vitest";
import { COLUMNS, REQUESTED_COLUMNS, toSnakeCase } from "@/lib/catalogue/sp-campaigns";
import { addDays, lookbackDates, splitRange, todayIn } from "@/lib/amazon-ads/plan/dates";
import { amazonHttpError, parseErrorBody, parseRetryAfter } from "@/lib/amazon/error-body";
import { buildReportRequest, parseDuplicateReportId, parseInvalidColumns } from "@/lib/amazon-ads/api/report-request";
import { isTransient, retryDelayMs, withRetry } from "@/lib/amazon/retry";

describe("column catalogue", () => {
  it("maps camelCase to the spec's snake_case names", () => {
    expect(toSnakeCase("campaignId")).toBe("campaign_id");
    expect(toSnakeCase("sales14d")).toBe("sales_14d");
    expect(toSnakeCase("newToBrandUnitsSoldPercentage14d")).toBe("new_to_brand_units_sold_percentage_14d");
    expect(toSnakeCase("impressions1y")).toBe("impressions_1y");
    expect(COLUMNS.find((c) => c.api === "eCPAddToCart")?.db).toBe("ecp_add_to_cart");
  });

  it("requests no column Amazon rejects for spCampaigns/DAILY, and keeps every spec column", () => {
    const requested = REQUESTED_COLUMNS.map((c) => c.api);
    for (const rejected of [
      "portfolioId",
      "startDate",
      "endDate",
      "purchaseClickRate7d",
      "acosClicks14d",
      "roasClicks7d",
      "newToBrandSales14d",
      "addToCart",
      "eCPAddToCart",
      "spend1y",
    ]) {
      expect(requested).not.toContain(rejected);
      expect(COLUMNS.find((c) => c.api === rejected)?.whyNotRequested).toBeTruthy();
    }
    for (const extra of ["spend", "topOfSearchImpressionShare", "purchasesSameSku14d", "campaignBiddingStrategy"])
      expect(requested).toContain(extra);
    expect(COLUMNS.filter((c) => c.inSpec)).toHaveLength(49);
    expect(new Set(COLUMNS.map((c) => c.db)).size).toBe(COLUMNS.length);
  });

  it("builds the spCampaigns request body from the catalogue", () => {
    const body = buildReportRequest("2026-11-24", "2026-11-24");
    expect(body).toEqual({
      name: "spCampaigns 2026-11-24",
      startDate: "2026-11-24",
      endDate: "2026-11-24",
      configuration: {
        adProduct: "SPONSORED_PRODUCTS",
        groupBy: ["campaign"],
        columns: REQUESTED_COLUMNS.map((c) => c.api),
        reportTypeId: "spCampaigns",
        timeUnit: "DAILY",
        format: "GZIP_JSON",
      },
    });
  });
});

describe("Amazon error parsing", () => {
  it("reads the invalid columns out of Amazon's 400", () => {
    expect(
      parseInvalidColumns(
        "configuration columns includes invalid values: (portfolioId, addToCart). Allowed values: (impressions, clicks)",
      ),
    ).toEqual(["portfolioId", "addToCart"]);
    expect(
      parseInvalidColumns("startDate to endDate range (32 days) must not exceed maximum range (31 days)"),
    ).toBeNull();
  });

  it("reads the existing report id out of a 425", () => {
    expect(parseDuplicateReportId("The Request is a duplicate of : 7df1ef5d-45ba-40cc-b607-ff2148cf4f5e")).toBe(
      "7df1ef5d-45ba-40cc-b607-ff2148cf4f5e",
    );
    expect(parseDuplicateReportId("duplicate")).toBeNull();
  });

  it("accepts code as string or number and detail or details", () => {
    expect(parseErrorBody('{"code":"425","detail":"dup"}')).toEqual({ code: "425", detail: "dup" });
    expect(parseErrorBody('{"code":404,"detail":"Not Found"}')).toEqual({ code: "404", detail: "Not Found" });
    expect(parseErrorBody('{"code":"UNAUTHORIZED","details":"Not authorized"}')).toEqual({
      code: "UNAUTHORIZED",
      detail: "Not authorized",
    });
    expect(parseErrorBody("<html>oops</html>").detail).toBe("<html>oops</html>");
  });

  it("parses Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("retry policy", () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };
  it("retries 429, 5xx and network errors only", () => {
    expect(isTransient(amazonHttpError("x", 429, "", null))).toBe(true);
    expect(isTransient(amazonHttpError("x", 503, "", null))).toBe(true);
    expect(isTransient(amazonHttpError("x", 400, "", null))).toBe(false);
    expect(isTransient(amazonHttpError("x", 425, "", null))).toBe(false);
    expect(isTransient(new Error("boom"))).toBe(false);
  });
  it("honours Retry-After, else backs off exponentially with jitter, capped", () => {
    expect(retryDelayMs(1, amazonHttpError("x", 429, "", "7"), policy)).toBe(7000);
    expect(retryDelayMs(1, amazonHttpError("x", 429, "", "999"), policy)).toBe(30_000);
    const noHeader = amazonHttpError("x", 429, "", null);
    expect(retryDelayMs(1, noHeader, policy, () => 0)).toBe(500);
    expect(retryDelayMs(3, noHeader, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(10, noHeader, policy, () => 1)).toBe(30_000);
  });
  it("gives a 429 up after throttledAttempts, and other transient errors after maxAttempts", async () => {
    const quick = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1, throttledAttempts: 2 };
    const attemptsUntilThrown = async (status: number) => {
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls++;
          throw amazonHttpError("x", status, "", null);
        }, quick),
      ).rejects.toMatchObject({ status });
      return calls;
    };
    expect(await attemptsUntilThrown(429)).toBe(2);
    expect(await attemptsUntilThrown(503)).toBe(4);
    expect(await attemptsUntilThrown(400)).toBe(1);
  });
});

describe("dates", () => {
  it("computes the five lookbacks from the profile's today", () => {
    expect(lookbackDates("2026-03-01").map((d) => d.date)).toEqual([
      "2026-02-28",
      "2026-02-26",
      "2026-02-22",
      "2026-02-15",
      "2026-01-30",
    ]);
  });
  it("takes today in the profile's time zone, not UTC", () => {
    const now = new Date("2026-11-25T03:00:00Z");
    expect(todayIn("America/Los_Angeles", now)).toBe("2026-11-24");
    expect(todayIn("Asia/Tokyo", now)).toBe("2026-11-25");
    expect(todayIn("Not/AZone", now)).toBe("2026-11-25");
  });
  it("splits a backfill into ranges of at most 31 days", () => {
    expect(splitRange("2026-01-01", "2026-03-05")).toEqual([
      { start: "2026-01-01", end: "2026-01-31" },
      { start: "2026-02-01", end: "2026-03-03" },
      { start: "2026-03-04", end: "2026-03-05" },
    ]);
    expect(splitRange("2026-01-01", "2026-01-01")).toEqual([{ start: "2026-01-01", end: "2026-01-01" }]);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });
});
