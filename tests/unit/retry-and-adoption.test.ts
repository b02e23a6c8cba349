import { describe, expect, it } from "vitest";
import { adoptionMismatch, buildReportRequest } from "@/lib/amazon-ads/api/report-request";
import { MAX_DATE_RETRIES, nextRetryAt, retryDue, retrySpacingDays } from "@/lib/amazon-ads/plan/retry-schedule";

describe("425 adoption: the named report must be the one we asked for", () => {
  const wanted = buildReportRequest("2026-11-20", "2026-11-20");
  const existing = (patch: { startDate?: string; endDate?: string; configuration?: unknown } = {}) => ({
    reportId: "r",
    status: "PENDING",
    startDate: "2026-11-20",
    endDate: "2026-11-20",
    configuration: { ...wanted.configuration, filters: null },
    ...patch,
  });

  it("adopts the same dates and configuration (columns in any order)", () => {
    expect(adoptionMismatch(existing(), wanted)).toBeNull();
    const shuffled = { ...wanted.configuration, columns: [...wanted.configuration.columns].reverse() };
    expect(adoptionMismatch(existing({ configuration: shuffled }), wanted)).toBeNull();
  });

  it("refuses other dates, report type, ad product, time unit, format, group-by or columns", () => {
    const config = wanted.configuration;
    const cases: Array<[object, RegExp]> = [
      [{ startDate: "2026-11-19" }, /covers 2026-11-19/],
      [{ configuration: { ...config, reportTypeId: "spTargeting" } }, /reportTypeId/],
      [{ configuration: { ...config, adProduct: "SPONSORED_BRANDS" } }, /adProduct/],
      [{ configuration: { ...config, timeUnit: "SUMMARY" } }, /timeUnit is "SUMMARY"/],
      [{ configuration: { ...config, format: "GZIP_CSV" } }, /format/],
      [{ configuration: { ...config, groupBy: ["campaign", "adGroup"] } }, /groupBy/],
      [{ configuration: { ...config, columns: config.columns.slice(1) } }, /columns/],
      [{ configuration: { ...config, columns: [...config.columns, "portfolioId"] } }, /columns/],
      [{ configuration: undefined }, /did not say how it is configured/],
    ];
    for (const [patch, why] of cases)
      expect(adoptionMismatch(existing(patch), wanted), JSON.stringify(patch)).toMatch(why);
  });
});

describe("retry schedule of a failed date", () => {
  const day = 86_400_000;
  const failedAt = new Date("2026-11-20T09:35:00Z");
  const row = (retryAttempt: number) => ({ retryAttempt, finishedAt: failedAt });

  it("spaces retries 0, 1, 2, 4, 8, 16 days apart and stops after MAX_DATE_RETRIES", () => {
    expect(Array.from({ length: MAX_DATE_RETRIES }, (_, n) => retrySpacingDays(n))).toEqual([0, 1, 2, 4, 8, 16]);
    expect(nextRetryAt(row(MAX_DATE_RETRIES), failedAt)).toBeNull();
    expect(retryDue(row(MAX_DATE_RETRIES), new Date(failedAt.getTime() + 365 * day))).toBe(false);
  });

  it("a first failure is due at the next phase 1; the n-th retry's failure n days later, at the daily run's time", () => {
    expect(retryDue(row(0), failedAt)).toBe(true);
    // Failed at 09:35 after the 09:00 phase 1: the 09:00 run one day later counts as a day later.
    const nextMorning = new Date("2026-11-21T09:00:00Z");
    expect(retryDue(row(1), nextMorning)).toBe(true);
    expect(retryDue(row(2), nextMorning)).toBe(false);
    expect(retryDue(row(2), new Date("2026-11-22T09:00:00Z"))).toBe(true);
    expect(retryDue(row(3), new Date("2026-11-23T09:00:00Z"))).toBe(false);
    expect(retryDue(row(3), new Date("2026-11-24T09:00:00Z"))).toBe(true);
  });
});
